// The one translation unit that includes OpenBLAS's cblas.h (see blas.hpp).
#include "blas.hpp"

#include <cblas.h>
#if FACT_BENCH_LAPACKE
#include <lapacke.h>
#endif

namespace bench::blas {

void set_threads(int n) { openblas_set_num_threads(n); }
int threads() { return openblas_get_num_threads(); }
std::string corename() { return openblas_get_corename(); }
std::string config() { return openblas_get_config(); }

void gemm(std::size_t m, std::size_t n, std::size_t k, const float* A, const float* B, float* C) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0f, A, int(k), B, int(n),
                0.0f, C, int(n));
}

void gemm(std::size_t m, std::size_t n, std::size_t k, const double* A, const double* B, double* C) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0, A, int(k), B, int(n), 0.0,
                C, int(n));
}

#if FACT_BENCH_LAPACKE
int potrf(std::size_t n, float* A) { return LAPACKE_spotrf_work(LAPACK_COL_MAJOR, 'U', int(n), A, int(n)); }
int potrf(std::size_t n, double* A) { return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', int(n), A, int(n)); }
#endif

}  // namespace bench::blas
