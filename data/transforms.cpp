// Transforms: see transforms.hpp.
#include "data/transforms.hpp"

#include <cmath>

#include <fmt/format.h>

#include "data/error.hpp"
#include "data/random.hpp"

namespace data {

Standardizer Standardizer::fit(const Matrix& X) {
    const std::size_t n = X.shape(0), d = X.shape(1);
    if (n == 0) throw DataError("standardize: cannot fit on 0 rows");
    Standardizer s;
    s.mean.assign(d, 0.0);
    s.std.assign(d, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) s.mean[j] += X(i, j);
    for (double& m : s.mean) m /= double(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) s.std[j] += (X(i, j) - s.mean[j]) * (X(i, j) - s.mean[j]);
    for (double& v : s.std) v = std::sqrt(v / double(n));  // population std, as scikit-learn's StandardScaler
    return s;
}

void Standardizer::apply(Matrix& X) const {
    if (X.shape(1) != mean.size())
        throw DataError(fmt::format("standardize: fitted on {} features, applied to {}", mean.size(), X.shape(1)));
    for (std::size_t i = 0; i < X.shape(0); ++i)
        for (std::size_t j = 0; j < X.shape(1); ++j) {
            X(i, j) -= mean[j];
            if (std[j] > 0) X(i, j) /= std[j];
        }
}

void normalize_rows(Matrix& X) {
    for (std::size_t i = 0; i < X.shape(0); ++i) {
        double ss = 0;
        for (std::size_t j = 0; j < X.shape(1); ++j) ss += X(i, j) * X(i, j);
        if (ss == 0) continue;
        const double inv = 1.0 / std::sqrt(ss);
        for (std::size_t j = 0; j < X.shape(1); ++j) X(i, j) *= inv;
    }
}

Matrix one_hot(const std::vector<std::size_t>& labels, std::size_t num_classes) {
    Matrix Y = Matrix::from_shape({labels.size(), num_classes});
    Y.fill(0.0);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] >= num_classes)
            throw DataError(fmt::format("one_hot: label {} at row {} is out of range for {} classes", labels[i], i,
                                        num_classes));
        Y(i, labels[i]) = 1.0;
    }
    return Y;
}

Dataset take_rows(const Dataset& d, const std::vector<std::size_t>& idx) {
    const std::size_t cols = d.d(), outs = d.outputs();
    Dataset out;
    out.name = d.name;
    out.task = d.task;
    out.num_classes = d.num_classes;
    out.class_names = d.class_names;
    out.X = Matrix::from_shape({idx.size(), cols});
    out.Y = Matrix::from_shape({idx.size(), outs});
    if (!d.labels.empty()) out.labels.resize(idx.size());
    for (std::size_t r = 0; r < idx.size(); ++r) {
        const std::size_t i = idx[r];
        if (i >= d.n())
            throw DataError(fmt::format("{}: row index {} (position {}) is out of range for {} rows", d.name, i, r,
                                        d.n()));
        std::copy(&d.X(i, 0), &d.X(i, 0) + cols, &out.X(r, 0));
        std::copy(&d.Y(i, 0), &d.Y(i, 0) + outs, &out.Y(r, 0));
        if (!d.labels.empty()) out.labels[r] = d.labels[i];
    }
    return out;
}

Split train_test_split(const Dataset& d, double test_fraction, std::uint64_t seed) {
    if (!(test_fraction >= 0.0 && test_fraction <= 1.0))
        throw DataError(fmt::format("train_test_split: test fraction {} is not in [0, 1]", test_fraction));
    Rng rng(seed);
    const std::vector<std::size_t> perm = rng.permutation(d.n());
    const auto n_test = static_cast<std::size_t>(std::llround(test_fraction * double(d.n())));
    const std::vector<std::size_t> test(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(n_test));
    const std::vector<std::size_t> train(perm.begin() + static_cast<std::ptrdiff_t>(n_test), perm.end());
    return {take_rows(d, train), take_rows(d, test)};
}

Dataset subsample(const Dataset& d, std::size_t n, std::uint64_t seed) {
    if (n > d.n())
        throw DataError(fmt::format("{}: cannot subsample {} rows from {}", d.name, n, d.n()));
    Rng rng(seed);
    std::vector<std::size_t> perm = rng.permutation(d.n());
    perm.resize(n);
    return take_rows(d, perm);
}

}  // namespace data
