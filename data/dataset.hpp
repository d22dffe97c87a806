// A dataset in memory: features X (one sample per row) and targets Y, plain double matrices that any
// component can use (the data component depends on no other). Classification keeps both the integer
// labels and their one-hot rows, since losses want one and metrics the other.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace data {

using Matrix = xt::xtensor<double, 2>;

enum class Task { classification, regression };

struct Dataset {
    std::string name;
    Task task = Task::classification;
    Matrix X;                                // (n, d)
    Matrix Y;                                // (n, c): one-hot rows (classification) or targets (regression)
    std::vector<std::size_t> labels;         // classification: class of each row in 0..c−1; else empty
    std::size_t num_classes = 0;             // classification: c; regression: 0
    std::vector<std::string> class_names;    // optional, num_classes entries when present

    std::size_t n() const { return X.shape(0); }
    std::size_t d() const { return X.shape(1); }
    std::size_t outputs() const { return Y.shape(1); }
    /// Samples per class (classification).
    std::vector<std::size_t> class_counts() const;
    /// Throws DataError if X, Y, labels and num_classes disagree.
    void check() const;
};

/// A classification dataset from features and labels in 0..num_classes−1 (Y = one-hot of the labels).
Dataset make_classification(std::string name, Matrix X, std::vector<std::size_t> labels, std::size_t num_classes);

/// A regression dataset: Y is (n, outputs).
Dataset make_regression(std::string name, Matrix X, Matrix Y);

/// Two parts of one dataset. `test` is empty (n = 0) when the source has no split of its own.
struct Split {
    Dataset train;
    Dataset test;
};

}  // namespace data
