// The matrix products that bench_gemm (ad::gemm) and bench_blas (OpenBLAS) both time, and the timed loop
// they share, so the two binaries' rows meet name for name in bench/summary.py:
//   gemm/<impl>/<f32|f64>/<m>x<k>x<n>/threads:<t>      C (m×n) = A (m×k) · B (k×n), row-major
// Squares n = 256 .. 2048 and the products of an MLP step: (256×784)·(784×1024), the first layer of a
// 784-1024-1024-10 network at batch 256, and (512×2048)·(2048×2048), a layer of the 2048-wide one.
#pragma once

#include <chrono>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "common.hpp"
#include "peak.hpp"

namespace bench {

struct GemmShape {
    std::size_t m, k, n;
    std::string str() const { return std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n); }
};

/// --quick: three shapes that still show a small, a cache-busting and an MLP-like product.
inline std::vector<GemmShape> gemm_shapes(bool quick) {
    if (quick) return {{256, 256, 256}, {1024, 1024, 1024}, {256, 784, 1024}};
    return {{256, 256, 256},   {512, 512, 512},   {1024, 1024, 1024},
            {2048, 2048, 2048}, {256, 784, 1024}, {512, 2048, 2048}};
}

/// Time product(m, n, k, A, B, C) on A, B uniform in [−1, 1) from a fixed seed; counters GFLOP/s (2mnk per
/// product) and %peak against peak_flops<T>() × threads, plus m, k, n for the JSON.
template <class T, class Product>
void time_gemm(benchmark::State& state, const GemmShape& s, int threads, Product product) {
    std::mt19937 rng(0);
    std::uniform_real_distribution<T> uniform(T(-1), T(1));
    std::vector<T> A(s.m * s.k), B(s.k * s.n), C(s.m * s.n);
    for (auto& a : A) a = uniform(rng);
    for (auto& b : B) b = uniform(rng);
    peak_flops<T>();  // measured once, outside the timed loop

    const auto start = std::chrono::steady_clock::now();  // wall time, like the benchmark's
    for (auto _ : state) {
        product(s.m, s.n, s.k, A.data(), B.data(), C.data());
        benchmark::DoNotOptimize(C.data());
        benchmark::ClobberMemory();
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    set_flop_counters<T>(state, 2.0 * double(s.m) * double(s.n) * double(s.k), threads, elapsed.count());
}

/// Register the FMA peak rows: peak/fma/<dtype>/1core/threads:1.
inline void add_peak_rows() {
    add("peak", "fma", "f32", "1core", 1, benchmark::kNanosecond, fma_peak<float>);
    add("peak", "fma", "f64", "1core", 1, benchmark::kNanosecond, fma_peak<double>);
}

}  // namespace bench
