// Speed of ad::gemm on square products, read against the machine's peak measured in the same run.
//
// BM_fma_peak times independent xsimd FMAs: the most flops one core can do, with nothing to load.
// BM_gemm reports GFLOP/s (2n³ per product) and "%peak", its fraction of that peak times the number
// of threads, so the numbers mean something on any machine.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <random>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

#include "autodiff/autodiff.hpp"

namespace {

// 12 independent accumulators: enough to cover FMA latency (4-5 cycles) × 2 FMA ports, few enough to
// stay in registers. Each step does 12 FMAs of W lanes, 2 flops per lane.
constexpr std::size_t accumulators = 12;

template <class T>
constexpr double flops_per_step() {
    return 2.0 * accumulators * xsimd::batch<T>::size;
}

// `steps` rounds of acc = acc·x + y. With x just below 1 the accumulators converge to y/(1−x) and never
// overflow or turn denormal. x and y are read from volatiles so the chain cannot be folded; not through
// DoNotOptimize(T&), whose "+m,r" asm GCC 12 lets read the local before its initial store (garbage, often
// denormal: FMAs 200× slower, depending on the stack).
template <class T>
T fma_chain(std::size_t steps) {
    using B = xsimd::batch<T>;
    volatile T xs = T(0.999), ys = T(0.001);
    const B x = B(T(xs)), y = B(T(ys));
    B acc[accumulators];
    for (std::size_t a = 0; a < accumulators; ++a) acc[a] = B(T(a));
    for (std::size_t s = 0; s < steps; ++s)
        for (std::size_t a = 0; a < accumulators; ++a) acc[a] = xsimd::fma(acc[a], x, y);
    B total = acc[0];
    for (std::size_t a = 1; a < accumulators; ++a) total += acc[a];
    return xsimd::hadd(total);  // xsimd 8 name of reduce_add
}

constexpr std::size_t peak_steps = 4096;  // per benchmark iteration: ~10 µs, long enough to amortise

template <class T>
void BM_fma_peak(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(fma_chain<T>(peak_steps));
    state.counters["GFLOP/s"] = benchmark::Counter(flops_per_step<T>() * peak_steps,
                                                   benchmark::Counter::kIsIterationInvariantRate,
                                                   benchmark::Counter::kIs1000);
}

// One core's peak in flop/s, measured once (best of a few 20 ms runs) for the %peak column of gemm.
template <class T>
double peak_flops() {
    static const double peak = [] {
        double best = 0;
        for (int run = 0; run < 5; ++run) {
            const auto start = std::chrono::steady_clock::now();
            std::size_t steps = 0;
            while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(20)) {
                benchmark::DoNotOptimize(fma_chain<T>(peak_steps));
                steps += peak_steps;
            }
            const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - start;
            best = std::max(best, flops_per_step<T>() * double(steps) / dt.count());
        }
        return best;
    }();
    return peak;
}

// args: {n, threads}. C (n×n) = A·B with A, B uniform in [−1, 1) from a fixed seed.
template <class T>
void BM_gemm(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto threads = static_cast<int>(state.range(1));
    std::mt19937 rng(0);
    std::uniform_real_distribution<T> uniform(T(-1), T(1));
    std::vector<T> A(n * n), B(n * n), C(n * n);
    for (auto& a : A) a = uniform(rng);
    for (auto& b : B) b = uniform(rng);
    const double peak = peak_flops<T>() * threads;  // before set_num_threads: it runs on this thread

    ad::set_num_threads(threads);
    const auto start = std::chrono::steady_clock::now();  // for %peak; wall time like the benchmark's
    for (auto _ : state) {
        ad::gemm<T>(ad::Trans::no, ad::Trans::no, n, n, n, T(1), A.data(), n, B.data(), n, T(0), C.data(), n);
        benchmark::DoNotOptimize(C.data());
        benchmark::ClobberMemory();
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    ad::set_num_threads(0);

    const double flops = 2.0 * double(n) * double(n) * double(n);
    state.counters["GFLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate,
                                                   benchmark::Counter::kIs1000);
    // A plain counter, not a rate (a rate would print as "%/s"), so timed here.
    state.counters["%peak"] = 100.0 * flops * double(state.iterations()) / elapsed.count() / peak;
}

// n = 64 .. 1024 on 1 thread, and on 2 where the machine has them.
void gemm_args(benchmark::internal::Benchmark* b) {
    const int max_threads = std::thread::hardware_concurrency() >= 2 ? 2 : 1;
    b->ArgNames({"n", "threads"});
    for (int t = 1; t <= max_threads; ++t)
        for (long n : {64, 128, 256, 512, 1024}) b->Args({n, t});
}

}  // namespace

BENCHMARK_TEMPLATE(BM_fma_peak, float);
BENCHMARK_TEMPLATE(BM_fma_peak, double);
// Wall-clock time: with 2 threads the worker's CPU time is not on the benchmark's thread.
BENCHMARK_TEMPLATE(BM_gemm, float)->Apply(gemm_args)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_gemm, double)->Apply(gemm_args)->UseRealTime()->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
