// The Laplace kernel matrix of RFM (fact::kernel_matrix, docs/MATH.md §5) at M = I, beside its two matrix
// products alone: XM = X·M (n×d·d×d), then XM·Xᵀ (n×d·d×n), by ad::gemm. The ratio is what the distance
// expansion and the entrywise exp(−‖x − z‖_M / L) add to the products.
//   kernel.laplace/fact/f64/n<n>:d784/threads:<t>
//   kernel.laplace/gemms/f64/n<n>:d784/threads:<t>
// n and d from kernel_cases.hpp (4000 and 784; --quick 2000; --rfm_n=N, --rfm_d=D). Counters GFLOP/s and %peak of 2nd² + 2n²d.
#include <chrono>

#include "autodiff/kernels/gemm.hpp"
#include "fact/kernel/kernel.hpp"
#include "kernel_cases.hpp"
#include "peak.hpp"

namespace {

double kernel_flops(std::size_t n, std::size_t d) { return 2.0 * double(n) * double(d) * double(d + n); }

void kernel_matrix(benchmark::State& state, std::size_t n, std::size_t d, int threads) {
    const bench::KernelData k = bench::kernel_data(n, d);
    const fact::Matrix M = bench::identity(d);
    const fact::Kernel kernel{fact::KernelKind::laplace, 10.0};
    bench::peak_flops<double>();
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        const fact::Matrix K = fact::kernel_matrix(kernel, k.X, k.X, M);
        benchmark::DoNotOptimize(K.data());
        benchmark::ClobberMemory();
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    bench::set_flop_counters<double>(state, kernel_flops(n, d), threads, elapsed.count());
}

void kernel_gemms(benchmark::State& state, std::size_t n, std::size_t d, int threads) {
    const bench::KernelData k = bench::kernel_data(n, d);
    const fact::Matrix M = bench::identity(d);
    fact::Matrix XM = ad::zeros<double>(n, d), K = ad::zeros<double>(n, n);
    bench::peak_flops<double>();
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        ad::gemm<double>(ad::Trans::no, ad::Trans::no, n, d, d, 1.0, k.X.data(), d, M.data(), d, 0.0, XM.data(), d);
        ad::gemm<double>(ad::Trans::no, ad::Trans::yes, n, n, d, 1.0, XM.data(), d, k.X.data(), d, 0.0, K.data(), n);
        benchmark::DoNotOptimize(K.data());
        benchmark::ClobberMemory();
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    bench::set_flop_counters<double>(state, kernel_flops(n, d), threads, elapsed.count());
}

}  // namespace

int main(int argc, char** argv) {
    return bench::run(argc, argv, [](const bench::Options& o) {
        const std::size_t n = bench::kernel_n(o);
        const std::size_t d = bench::kernel_dim(o);
        const std::string shape = "n" + std::to_string(n) + ":d" + std::to_string(d);
        for (int t : bench::thread_counts()) {
            bench::add("kernel.laplace", "fact", "f64", shape, t, benchmark::kMillisecond,
                       [n, d, t](benchmark::State& s) { kernel_matrix(s, n, d, t); });
            bench::add("kernel.laplace", "gemms", "f64", shape, t, benchmark::kMillisecond,
                       [n, d, t](benchmark::State& s) { kernel_gemms(s, n, d, t); });
        }
    });
}
