// OpenBLAS seen through plain functions, so that its cblas.h stays in one translation unit (blas.cpp):
// it declares names that clash with other BLAS headers, and nothing else in bench/ needs to see it.
#pragma once

#include <cstddef>
#include <string>

namespace bench::blas {

/// openblas_set_num_threads / openblas_get_num_threads: OpenBLAS's own pool, separate from TBB's.
void set_threads(int n);
int threads();

/// The kernel family OpenBLAS chose at load time (openblas_get_corename: "Haswell", "SkylakeX", ...):
/// OPENBLAS_CORETYPE in the environment overrides the CPU detection.
std::string corename();
/// openblas_get_config: version and build options.
std::string config();

/// C (m×n) = A (m×k) · B (k×n), row-major and contiguous (cblas_sgemm / cblas_dgemm).
void gemm(std::size_t m, std::size_t n, std::size_t k, const float* A, const float* B, float* C);
void gemm(std::size_t m, std::size_t n, std::size_t k, const double* A, const double* B, double* C);

/// A (n×n, row-major, lower triangle) = L·Lᵀ in place by LAPACKE's potrf (column-major upper on the same
/// buffer, as fact/linalg.cpp calls it); returns LAPACK's info. Only with LAPACKE (FACT_BENCH_LAPACKE).
int potrf(std::size_t n, float* A);
int potrf(std::size_t n, double* A);

}  // namespace bench::blas
