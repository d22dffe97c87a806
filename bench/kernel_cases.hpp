// The data of bench_kernel and bench_rfm (and of the NumPy peer): n points in d = 784 dimensions (MNIST's),
// c = 10 one-hot classes, X uniform in [0, 1) with every row scaled to unit norm, as RFM code normalises
// MNIST. Shape names "n<n>:d<d>" and "n<n>:d<d>:c<c>".
//   n = 4000 by default, 2000 with --quick, any n with --rfm_n=N (or FACT_BENCH_RFM_N): n = 25000 takes
//   minutes per RFM iteration and 8n² = 5 GB for the kernel matrix. --rfm_d=D and --rfm_c=C change d and c
//   (./run bench --memory runs the paper's sparse-parity shape, n = 25000, d = 50, c = 2; the NumPy peer
//   keeps 784 and 10).
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "common.hpp"
#include "data/random.hpp"
#include "fact/linalg.hpp"

namespace bench {

inline constexpr std::size_t kernel_d = 784, kernel_c = 10;

inline std::size_t kernel_n(const Options& o) { return o.rfm_n != 0 ? o.rfm_n : o.quick ? 2000 : 4000; }
inline std::size_t kernel_dim(const Options& o) { return o.rfm_d != 0 ? o.rfm_d : kernel_d; }
inline std::size_t kernel_classes(const Options& o) { return o.rfm_c != 0 ? o.rfm_c : kernel_c; }

struct KernelData {
    fact::Matrix X, Y;  // (n, d), (n, c)
};

inline KernelData kernel_data(std::size_t n, std::size_t d = kernel_d, std::size_t c = kernel_c) {
    data::Rng rng(0);
    KernelData k{ad::zeros<double>(n, d), ad::zeros<double>(n, c)};
    for (std::size_t i = 0; i < n; ++i) {
        double norm2 = 0;
        for (std::size_t j = 0; j < d; ++j) {
            k.X(i, j) = rng.uniform();
            norm2 += k.X(i, j) * k.X(i, j);
        }
        for (std::size_t j = 0; j < d; ++j) k.X(i, j) /= std::sqrt(norm2);
        k.Y(i, rng.below(c)) = 1.0;
    }
    return k;
}

inline fact::Matrix identity(std::size_t d) {
    fact::Matrix M = ad::zeros<double>(d, d);
    for (std::size_t i = 0; i < d; ++i) M(i, i) = 1.0;
    return M;
}

}  // namespace bench
