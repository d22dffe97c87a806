// The matrix products that bench_gemm (ad::gemm) and bench_blas (OpenBLAS) both time, and the timed loop
// they share, so the two binaries' rows meet name for name in bench/summary.py:
//   gemm/<impl>/<f32|f64>/<m>x<k>x<n>/threads:<t>      C (m×n) = A (m×k) · B (k×n), row-major
// Squares n = 256 .. 2048 and the products of an MLP step: (256×784)·(784×1024), the first layer of a
// 784-1024-1024-10 network at batch 256, and (512×2048)·(2048×2048), a layer of the 2048-wide one.
// Also the Cholesky factorization built on the gemm (potrf/<impl>/<dtype>/<n>/threads:<t>).
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

/// The Cholesky rows, potrf/<impl>/<f32|f64>/<n>/threads:<t>: A = L·Lᵀ of an n×n symmetric positive
/// definite matrix, in place on its lower triangle (row-major; LAPACK's column-major upper), n³/3 flops.
inline std::vector<std::size_t> potrf_sizes(bool quick) {
    if (quick) return {1000, 2000};
    return {1000, 2000, 4000, 8000};
}

/// Time factor(n, A) on copies of one well-conditioned A = G·Gᵀ/64 + I (G n×64 Gaussian, fixed seed); the
/// copy before each factorization is not timed. Counters as time_gemm's, for n³/3 flops.
template <class T, class Factor>
void time_potrf(benchmark::State& state, std::size_t n, int threads, Factor factor) {
    const std::size_t r = 64;
    std::mt19937 rng(0);
    std::normal_distribution<double> normal;
    std::vector<double> G(n * r);
    for (double& g : G) g = normal(rng);
    std::vector<T> A0(n * n, T(0)), A(n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            double s = i == j ? 1.0 : 0.0;
            for (std::size_t k = 0; k < r; ++k) s += G[i * r + k] * G[j * r + k] / double(r);
            A0[i * n + j] = T(s);
        }
    peak_flops<T>();
    double seconds = 0;
    for (auto _ : state) {
        state.PauseTiming();
        A = A0;
        state.ResumeTiming();
        const auto start = std::chrono::steady_clock::now();
        if (factor(n, A.data()) != 0) state.SkipWithError("the matrix is not positive definite");
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        benchmark::ClobberMemory();
    }
    set_flop_counters<T>(state, double(n) * double(n) * double(n) / 3.0, threads, seconds);
}

/// Register the FMA peak rows: peak/fma/<dtype>/1core/threads:1.
inline void add_peak_rows() {
    add("peak", "fma", "f32", "1core", 1, benchmark::kNanosecond, fma_peak<float>);
    add("peak", "fma", "f64", "1core", 1, benchmark::kNanosecond, fma_peak<double>);
}

}  // namespace bench
