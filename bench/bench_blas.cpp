// OpenBLAS's sgemm/dgemm on the shapes of bench_gemm (gemm_cases.hpp), with the FMA peak measured again
// in this process. A binary of its own because OpenBLAS picks its kernels when it is loaded, from the CPU
// or from OPENBLAS_CORETYPE: ./run bench runs it once with the environment as it is and once with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this process alone. The core it chose is in the JSON
// context ("openblas_core"). Threads: openblas_set_num_threads, through bench::pin_threads. With LAPACKE,
// also OpenBLAS's LAPACK potrf on the matrices of bench_gemm's potrf rows.
#include "blas.hpp"
#include "gemm_cases.hpp"

namespace {

template <class T>
void add_blas_rows(const bench::GemmShape& s) {
    for (int t : bench::thread_counts())
        bench::add("gemm", "openblas", bench::dtype_name<T>(), s.str(), t, benchmark::kMicrosecond,
                   [s, t](benchmark::State& state) {
                       bench::time_gemm<T>(state, s, t,
                                           [](std::size_t m, std::size_t n, std::size_t k, const T* A, const T* B,
                                              T* C) { bench::blas::gemm(m, n, k, A, B, C); });
                       state.SetLabel("core=" + bench::blas::corename() +
                                      " threads=" + std::to_string(bench::blas::threads()));
                   });
}

#if FACT_BENCH_LAPACKE
template <class T>
void add_potrf_rows(std::size_t n) {
    for (int t : bench::thread_counts())
        bench::add("potrf", "openblas", bench::dtype_name<T>(), std::to_string(n), t, benchmark::kMillisecond,
                   [n, t](benchmark::State& state) {
                       bench::time_potrf<T>(state, n, t, [](std::size_t n, T* A) { return bench::blas::potrf(n, A); });
                       state.SetLabel("core=" + bench::blas::corename() +
                                      " threads=" + std::to_string(bench::blas::threads()));
                   });
}
#endif

}  // namespace

int main(int argc, char** argv) {
    return bench::run(argc, argv, [](const bench::Options& o) {
        bench::add_peak_rows();
        for (const auto& s : bench::gemm_shapes(o.quick)) {
            add_blas_rows<float>(s);
            add_blas_rows<double>(s);
        }
#if FACT_BENCH_LAPACKE
        for (std::size_t n : bench::potrf_sizes(o.quick)) {
            add_potrf_rows<float>(n);
            add_potrf_rows<double>(n);
        }
#endif
    });
}
