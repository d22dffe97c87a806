// One iteration of the Recursive Feature Machine (fact/kernel/rfm.hpp, docs/MATH.md §5) as run_rfm does
// it, from M = I: fit_krr (the n×n Laplace kernel matrix and its Cholesky solve), kernel_gradients at the
// training points, and the nfa update M ← AGOP^{1/2} (rfm_update). Counters fit_s, gradients_s, update_s:
// seconds per iteration in each phase. The f32 rows compute the kernel system and the gradients in float32
// (RfmConfig::dtype, docs/MATH.md §5.9).
//   rfm.iter/fact/<f64|f32>/n<n>:d<d>:c<c>/threads:<t>
// n, d and c from kernel_cases.hpp (4000, 784, 10; --quick 2000; --rfm_n=N, --rfm_d=D, --rfm_c=C). The NumPy
// peer runs the same iteration at d = 784, c = 10. ./run bench --memory runs this binary alone at the paper's
// sparse-parity shape n = 25000, d = 50, c = 2 for the time and peak resident memory of one iteration.
#include <chrono>

#include "fact/kernel/rfm.hpp"
#include "kernel_cases.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void rfm_iteration(benchmark::State& state, std::size_t n, std::size_t d, std::size_t c, fact::Dtype dtype) {
    const bench::KernelData k = bench::kernel_data(n, d, c);
    const fact::Matrix M = bench::identity(d);
    fact::RfmConfig config;  // Laplace, L = 10, ridge 1e-3, nfa with s = 1/2, no normalisation
    config.dtype = dtype;
    double fit_s = 0, gradients_s = 0, update_s = 0;
    for (auto _ : state) {
        auto t = Clock::now();
        const fact::KrrFit fit = fact::fit_krr(config.kernel, k.X, k.Y, M, config.ridge, dtype);
        fit_s += since(t);
        t = Clock::now();
        const fact::KernelGradients g = fact::kernel_gradients(config.kernel, k.X, k.X, fit.alpha, M, dtype);
        gradients_s += since(t);
        t = Clock::now();
        const fact::Matrix next = fact::rfm_update(config, k.X, fit.alpha, M, g);
        update_s += since(t);
        benchmark::DoNotOptimize(next.data());
        benchmark::ClobberMemory();
    }
    state.counters["fit_s"] = benchmark::Counter(fit_s, benchmark::Counter::kAvgIterations);
    state.counters["gradients_s"] = benchmark::Counter(gradients_s, benchmark::Counter::kAvgIterations);
    state.counters["update_s"] = benchmark::Counter(update_s, benchmark::Counter::kAvgIterations);
}

}  // namespace

int main(int argc, char** argv) {
    return bench::run(argc, argv, [](const bench::Options& o) {
        const std::size_t n = bench::kernel_n(o), d = bench::kernel_dim(o), c = bench::kernel_classes(o);
        const std::string shape = "n" + std::to_string(n) + ":d" + std::to_string(d) + ":c" + std::to_string(c);
        for (fact::Dtype dtype : {fact::Dtype::f64, fact::Dtype::f32})
            for (int t : bench::thread_counts())
                bench::add("rfm.iter", "fact", fact::to_string(dtype), shape, t, benchmark::kMillisecond,
                           [n, d, c, dtype](benchmark::State& s) { rfm_iteration(s, n, d, c, dtype); });
    });
}
