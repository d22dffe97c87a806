// What every benchmark binary shares: the naming scheme that bench/summary.py reads, the thread counts and
// their pinning (TBB and OpenBLAS together, so no participant oversubscribes the cores), and a main that
// takes the options of bench/ beside Google Benchmark's own.
//
// Every benchmark is named  <workload>/<impl>/<dtype>/<shape>/threads:<t>
//   workload  what is computed: gemm, map.exp, reduce.col_sums, mlp.step, rfm.iter, ...
//   impl      fact (this project), or the baseline measured beside it: loop (a plain loop), gemms (the
//             workload's matrix products alone, by ad::gemm), hand (the gradient written out by hand),
//             openblas (bench_blas). The peers of bench/peers/ use torch and numpy.
//   dtype     f32 | f64
//   shape     the sizes, without '/' (gemm: m x k x n; an MLP: b<batch>:<in>-<widths>-<out>)
// so that rows of different binaries and of the Python peers meet on (workload, dtype, shape, threads).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace bench {

/// Options of bench/ itself, taken out of argv before Google Benchmark sees it:
///   --quick        smaller sizes (./run bench --quick: a few minutes in all)
///   --rfm_n=N      the n of the kernel and RFM benchmarks (also env FACT_BENCH_RFM_N); n = 25000 takes minutes
///   --rfm_d=D      their input dimension d (default 784, MNIST's; the paper's sparse parity has d = 50)
///   --rfm_c=C      the RFM benchmark's number of classes c (default 10; sparse parity has 2)
struct Options {
    bool quick = false;
    std::size_t rfm_n = 0;  // 0: the default sizes
    std::size_t rfm_d = 0;  // 0: the default
    std::size_t rfm_c = 0;  // 0: the default
};

/// Parse and remove our flags from argv; the rest is left for benchmark::Initialize. Throws
/// std::invalid_argument naming the flag for a value that is not a positive integer.
Options parse_options(int& argc, char** argv);

/// Thread counts to measure: 1 and 2, or 1 alone on a one-core machine. Never more than 2: the machine
/// this was written for has 2 cores, and a row is only meaningful if nothing else competes for them.
std::vector<int> thread_counts();

/// Limit both pools of the process to t threads: the project's TBB loops (ad::set_num_threads) and
/// OpenBLAS, which LAPACK calls of fact/linalg.cpp and the OpenBLAS gemm rows run on.
void pin_threads(int t);

template <class T>
constexpr const char* dtype_name() {
    return sizeof(T) == 4 ? "f32" : "f64";
}

/// "<workload>/<impl>/<dtype>/<shape>/threads:<t>"
std::string name(const std::string& workload, const std::string& impl, const std::string& dtype,
                 const std::string& shape, int threads);

/// Register fn under name(...) with wall-clock timing (a multi-threaded run's work is not all on the
/// benchmark's thread) and the given display unit; pins the threads before every run of fn.
template <class Fn>
benchmark::internal::Benchmark* add(const std::string& workload, const std::string& impl, const std::string& dtype,
                                    const std::string& shape, int threads, benchmark::TimeUnit unit, Fn fn) {
    return benchmark::RegisterBenchmark(name(workload, impl, dtype, shape, threads).c_str(),
                                        [fn, threads](benchmark::State& state) {
                                            pin_threads(threads);
                                            fn(state);
                                        })
        ->UseRealTime()
        ->Unit(unit);
}

/// The main of every binary: parse our options, let register_all add the benchmarks for them, then
/// Google Benchmark's Initialize (unknown flags are an error), run and shutdown. The OpenBLAS core and the
/// thread environment go into the JSON context. A bad option: one line on stderr, exit status 2.
int run(int argc, char** argv, const std::function<void(const Options&)>& register_all);

/// "a x b" for shape strings.
std::string dims(std::size_t a, std::size_t b);

}  // namespace bench
