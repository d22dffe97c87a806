// The strongest CPU gemms a user could pick instead of the project's, on the shapes of bench_gemm
// (gemm_cases.hpp), when their Debian packages are installed:
//   gemm/blis/<f32|f64>/<shape>/threads:<t>     BLIS (libblis-dev), its typed API bli_sgemm / bli_dgemm, the
//                                              library whose structure ad::gemm follows
//   gemm/onednn/f32/<shape>/threads:<t>         oneDNN (libdnnl-dev), dnnl_sgemm (it has no double gemm)
// One binary per library (built with FACT_BENCH_PEER_BLIS or FACT_BENCH_PEER_DNNL), so that no BLAS symbol of
// theirs meets OpenBLAS's in one process. Both run row-major with no copies: BLIS through its strides, oneDNN
// natively. Threads: bli_thread_set_num_threads and omp_set_num_threads (both libraries run on OpenMP in
// their Debian builds), beside bench::pin_threads for the process's other pools.
#include <string>

#include "gemm_cases.hpp"

#if FACT_BENCH_PEER_BLIS
#include <blis.h>
#endif
#if FACT_BENCH_PEER_DNNL
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#endif

namespace {

#if FACT_BENCH_PEER_BLIS
constexpr const char* kPeer = "blis";

// C (m×n) = A (m×k) · B (k×n), all row-major: row stride = the number of columns, column stride 1.
void product(std::size_t m, std::size_t n, std::size_t k, const float* A, const float* B, float* C) {
    float one = 1, zero = 0;
    bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, dim_t(m), dim_t(n), dim_t(k), &one, const_cast<float*>(A),
              inc_t(k), 1, const_cast<float*>(B), inc_t(n), 1, &zero, C, inc_t(n), 1);
}
void product(std::size_t m, std::size_t n, std::size_t k, const double* A, const double* B, double* C) {
    double one = 1, zero = 0;
    bli_dgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, dim_t(m), dim_t(n), dim_t(k), &one, const_cast<double*>(A),
              inc_t(k), 1, const_cast<double*>(B), inc_t(n), 1, &zero, C, inc_t(n), 1);
}
void set_threads(int t) { bli_thread_set_num_threads(dim_t(t)); }
std::string describe() { return std::string("BLIS ") + bli_info_get_version_str() + ", " +
                                bli_arch_string(bli_arch_query_id()); }
#endif

#if FACT_BENCH_PEER_DNNL
constexpr const char* kPeer = "onednn";

void product(std::size_t m, std::size_t n, std::size_t k, const float* A, const float* B, float* C) {
    dnnl_sgemm('N', 'N', dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), 1.0f, A, dnnl_dim_t(k), B, dnnl_dim_t(n), 0.0f,
               C, dnnl_dim_t(n));
}
void set_threads(int t) { omp_set_num_threads(t); }
std::string describe() {
    const dnnl_version_t* v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
           " (" + (v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other runtime") + ")";
}
#endif

template <class T>
void add_rows(const bench::GemmShape& s) {
    for (int t : bench::thread_counts())
        bench::add("gemm", kPeer, bench::dtype_name<T>(), s.str(), t, benchmark::kMicrosecond,
                   [s, t](benchmark::State& state) {
                       set_threads(t);
                       bench::time_gemm<T>(state, s, t, [](std::size_t m, std::size_t n, std::size_t k, const T* A,
                                                           const T* B, T* C) { product(m, n, k, A, B, C); });
                       state.SetLabel(describe() + " threads=" + std::to_string(t));
                   });
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::AddCustomContext("peer_library", describe());
    return bench::run(argc, argv, [](const bench::Options& o) {
        for (const auto& s : bench::gemm_shapes(o.quick)) {
            add_rows<float>(s);
#if FACT_BENCH_PEER_BLIS
            add_rows<double>(s);
#endif
        }
    });
}
