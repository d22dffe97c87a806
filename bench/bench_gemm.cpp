// Speed of ad::gemm, read against the machine's FMA peak measured in the same run (peak.hpp), and against
// OpenBLAS in bench_blas (gemm_cases.hpp: the same shapes and names, impl "openblas"; ./run bench runs it
// twice, with the environment's OPENBLAS_CORETYPE and without). Rows: f32 and f64, every shape of
// gemm_shapes, on 1 and 2 threads; counters GFLOP/s and %peak (of one core's peak × threads). Also
// ad::potrf_lower, the Cholesky on the gemm, against LAPACK's potrf in bench_blas.
#include "autodiff/autodiff.hpp"
#include "autodiff/kernels/cholesky.hpp"
#include "gemm_cases.hpp"

namespace {

template <class T>
void add_gemm_rows(const bench::GemmShape& s) {
    for (int t : bench::thread_counts())
        bench::add("gemm", "fact", bench::dtype_name<T>(), s.str(), t, benchmark::kMicrosecond,
                   [s, t](benchmark::State& state) {
                       bench::time_gemm<T>(state, s, t, [](std::size_t m, std::size_t n, std::size_t k, const T* A,
                                                           const T* B, T* C) {
                           ad::gemm<T>(ad::Trans::no, ad::Trans::no, m, n, k, T(1), A, k, B, n, T(0), C, n);
                       });
                   });
}

template <class T>
void add_potrf_rows(std::size_t n) {
    for (int t : bench::thread_counts())
        bench::add("potrf", "fact", bench::dtype_name<T>(), std::to_string(n), t, benchmark::kMillisecond,
                   [n, t](benchmark::State& state) {
                       bench::time_potrf<T>(state, n, t, [](std::size_t n, T* A) { return ad::potrf_lower(n, A, n); });
                   });
}

}  // namespace

int main(int argc, char** argv) {
    return bench::run(argc, argv, [](const bench::Options& o) {
        bench::add_peak_rows();
        for (const auto& s : bench::gemm_shapes(o.quick)) {
            add_gemm_rows<float>(s);
            add_gemm_rows<double>(s);
        }
        for (std::size_t n : bench::potrf_sizes(o.quick)) {
            add_potrf_rows<float>(n);
            add_potrf_rows<double>(n);
        }
    });
}
