// Shared helpers of the test suites: seeded random tensors and comparisons.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>

#include <xtensor/xmath.hpp>

#include "autodiff/tensor.hpp"

namespace test {

/// Entries uniform in [lo, hi) from a generator seeded with `seed`.
template <class T>
ad::Tensor<T> uniform(std::size_t rows, std::size_t cols, std::uint64_t seed, double lo = -1.0, double hi = 1.0) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(lo, hi);
    ad::Tensor<T> t = ad::Tensor<T>::from_shape({rows, cols});
    for (T& v : t) v = static_cast<T>(u(rng));
    return t;
}

/// Entries with |x| in [0.2, 1.2) and random sign: away from the kinks of relu, abs, leaky_relu.
inline ad::Tensor<double> away_from_zero(std::size_t rows, std::size_t cols, std::uint64_t seed) {
    ad::Tensor<double> t = uniform<double>(rows, cols, seed, -1.0, 1.0);
    for (double& v : t) v = (v < 0 ? -0.2 : 0.2) + v;
    return t;
}

template <class T>
double max_abs_diff(const ad::Tensor<T>& a, const ad::Tensor<T>& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::abs(double(a.data()[i]) - double(b.data()[i])));
    return m;
}

template <class T>
bool bitwise_equal(const ad::Tensor<T>& a, const ad::Tensor<T>& b) {
    return a.shape() == b.shape() && std::equal(a.begin(), a.end(), b.begin(), [](T x, T y) {
               return std::memcmp(&x, &y, sizeof(T)) == 0;
           });
}

}  // namespace test
