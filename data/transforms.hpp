/// \file
/// Transforms of datasets: standardisation fitted on train, row normalisation, one-hot, seeded splits and
/// subsamples, row selection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/dataset.hpp"

namespace data {

/// Per-feature mean and standard deviation, fitted on one matrix and applied to others. A constant feature
/// (std 0) is only centred.
struct Standardizer {
    ///@{
    std::vector<double> mean, std;        ///< per feature (column) of the fitted matrix
    ///@}
    /// Fit on X (n, d), n ≥ 1. O(nd). \throws DataError for 0 rows.
    static Standardizer fit(const Matrix& X);
    /// x_ij ← (x_ij − mean_j) / std_j in place (only centred where std_j = 0), for X (m, d).
    /// \throws DataError if the column count differs from the fit.
    void apply(Matrix& X) const;
};

/// Divide each row by its Euclidean norm (rows of norm 0 are left as they are).
void normalize_rows(Matrix& X);

/// (n, c) one-hot rows; throws DataError for a label ≥ c.
Matrix one_hot(const std::vector<std::size_t>& labels, std::size_t num_classes);

/// The rows idx of d, in that order (labels and Y follow). Throws DataError for an index ≥ n.
Dataset take_rows(const Dataset& d, const std::vector<std::size_t>& idx);

/// A seeded random split: round(test_fraction·n) rows go to test.
/// \throws DataError for a test_fraction outside [0, 1].
Split train_test_split(const Dataset& d, double test_fraction, std::uint64_t seed);

/// n rows drawn without replacement (seeded), in random order; n ≤ d.n().
/// \throws DataError for n > d.n().
Dataset subsample(const Dataset& d, std::size_t n, std::uint64_t seed);

}  // namespace data
