// The machine's peak, measured rather than looked up: independent xsimd FMAs, the most flops one core can
// do with nothing to load. Benchmarks that report "%peak" divide by this, measured in the same binary and
// the same run, so the percentage means something on any machine (and under any load).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>

#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

namespace bench {

// 12 independent accumulators: enough to cover FMA latency (4-5 cycles) × 2 FMA ports, few enough to
// stay in registers. Each step does 12 FMAs of W lanes, 2 flops per lane.
inline constexpr std::size_t fma_accumulators = 12;

template <class T>
constexpr double flops_per_fma_step() {
    return 2.0 * fma_accumulators * xsimd::batch<T>::size;
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
    B acc[fma_accumulators];
    for (std::size_t a = 0; a < fma_accumulators; ++a) acc[a] = B(T(a));
    for (std::size_t s = 0; s < steps; ++s)
        for (std::size_t a = 0; a < fma_accumulators; ++a) acc[a] = xsimd::fma(acc[a], x, y);
    B total = acc[0];
    for (std::size_t a = 1; a < fma_accumulators; ++a) total += acc[a];
    return xsimd::hadd(total);  // xsimd 8 name of reduce_add
}

inline constexpr std::size_t fma_peak_steps = 4096;  // per benchmark iteration: ~10 µs, long enough to amortise

/// The benchmark row of the peak itself (one thread): counter GFLOP/s.
template <class T>
void fma_peak(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(fma_chain<T>(fma_peak_steps));
    state.counters["GFLOP/s"] = benchmark::Counter(flops_per_fma_step<T>() * fma_peak_steps,
                                                   benchmark::Counter::kIsIterationInvariantRate,
                                                   benchmark::Counter::kIs1000);
}

/// One core's peak in flop/s, measured once per process (best of five 20 ms runs), for "%peak" columns.
/// Call it on the benchmark's own thread before pinning a pool: it runs where it is called.
template <class T>
double peak_flops() {
    static const double peak = [] {
        double best = 0;
        for (int run = 0; run < 5; ++run) {
            const auto start = std::chrono::steady_clock::now();
            std::size_t steps = 0;
            while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(20)) {
                benchmark::DoNotOptimize(fma_chain<T>(fma_peak_steps));
                steps += fma_peak_steps;
            }
            const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - start;
            best = std::max(best, flops_per_fma_step<T>() * double(steps) / dt.count());
        }
        return best;
    }();
    return peak;
}

/// Counters of a run that did `flops` per iteration on `threads` threads: "GFLOP/s" (a rate over the
/// benchmark's own time) and "%peak" = achieved flop/s over (one core's peak × threads). `seconds` is the
/// wall time of the timed loop, measured by the caller: a plain counter cannot be a rate of it without
/// printing as "%/s".
template <class T>
void set_flop_counters(benchmark::State& state, double flops, int threads, double seconds) {
    state.counters["GFLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate,
                                                   benchmark::Counter::kIs1000);
    if (seconds > 0)
        state.counters["%peak"] = 100.0 * flops * double(state.iterations()) / seconds / (peak_flops<T>() * threads);
}

}  // namespace bench
