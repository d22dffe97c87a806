// Shared helpers of the test suites: seeded random tensors, comparisons, and temporary directories.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>

#include <xtensor/xmath.hpp>

#include "autodiff/kernels/gemm.hpp"
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

/// A·B by the textbook triple loop (ad::gemm_naive): the oracle that code multiplying with ad::gemm is checked
/// against.
template <class T>
ad::Tensor<T> naive_matmul(const ad::Tensor<T>& A, const ad::Tensor<T>& B) {
    ad::Tensor<T> C = ad::zeros<T>(A.shape(0), B.shape(1));
    ad::gemm_naive(ad::Trans::no, ad::Trans::no, A.shape(0), B.shape(1), A.shape(1), T(1), A.data(), A.shape(1),
                   B.data(), B.shape(1), T(0), C.data(), B.shape(1));
    return C;
}

/// Aᵀ, entry by entry.
template <class T>
ad::Tensor<T> naive_transpose(const ad::Tensor<T>& A) {
    ad::Tensor<T> out = ad::Tensor<T>::from_shape({A.shape(1), A.shape(0)});
    for (std::size_t i = 0; i < A.shape(0); ++i)
        for (std::size_t j = 0; j < A.shape(1); ++j) out(j, i) = A(i, j);
    return out;
}

/// A new, empty directory under the system's temporary directory, removed with its contents when the object
/// goes out of scope. Its name joins `tag`, the process id and a counter, so that test processes running side
/// by side and several directories of one test never meet. Files are written with std::ofstream, never with
/// the code under test.
struct TempDir {
    std::filesystem::path path;  ///< the directory
    explicit TempDir(const std::string& tag = "fact_test") {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               (tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    /// path / name, as a string.
    std::string file(const std::string& name) const { return (path / name).string(); }
    /// Writes bytes to path / name (binary) and returns that path.
    std::string write(const std::string& name, const std::string& bytes) const {
        const std::string where = file(name);
        std::ofstream(where, std::ios::binary) << bytes;
        return where;
    }
};

}  // namespace test
