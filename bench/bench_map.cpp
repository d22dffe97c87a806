// Elementwise maps: ad::map (xsimd packs, parallel over fixed chunks of map_chunk elements) against a plain
// loop calling the scalar std:: function, compiled with the same flags (GCC vectorises the relu loop itself,
// not std::exp or std::tanh, which have no vector form without -ffast-math).
//   map.<f>/fact/<dtype>/n=<n>/threads:<t>    y = f(x) by ad::map on t threads
//   map.<f>/loop/<dtype>/n=<n>/threads:1      the plain loop (one thread: it has no parallel form)
// n = 2^16 (in L2) and 2^22 (from memory); x uniform in [−3, 3). Counter bytes_per_second: x read, y written.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "autodiff/kernels/map.hpp"
#include "common.hpp"

namespace {

struct Relu {
    static constexpr const char* name = "relu";
    template <class P> static P pack(P x) { return xsimd::max(x, P(0)); }
    template <class T> static T scalar(T x) { return std::max(x, T(0)); }
};
struct Exp {
    static constexpr const char* name = "exp";
    template <class P> static P pack(P x) { return xsimd::exp(x); }
    template <class T> static T scalar(T x) { return std::exp(x); }
};
struct Tanh {
    static constexpr const char* name = "tanh";
    template <class P> static P pack(P x) { return xsimd::tanh(x); }
    template <class T> static T scalar(T x) { return std::tanh(x); }
};

template <class T>
std::vector<T> inputs(std::size_t n) {
    std::mt19937 rng(0);
    std::uniform_real_distribution<T> u(T(-3), T(3));
    std::vector<T> x(n);
    for (auto& v : x) v = u(rng);
    return x;
}

template <class F, class T, class Body>
void time_map(benchmark::State& state, std::size_t n, Body body) {
    const std::vector<T> x = inputs<T>(n);
    std::vector<T> y(n);
    for (auto _ : state) {
        body(n, y.data(), x.data());
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(2 * n * sizeof(T)));
}

template <class F, class T>
void add_map_rows(std::size_t n) {
    const std::string workload = std::string("map.") + F::name, shape = "n=" + std::to_string(n);
    for (int t : bench::thread_counts())
        bench::add(workload, "fact", bench::dtype_name<T>(), shape, t, benchmark::kMicrosecond,
                   [n](benchmark::State& state) {
                       time_map<F, T>(state, n, [](std::size_t m, T* y, const T* x) {
                           ad::map(m, y, [](auto p) { return F::pack(p); }, x);
                       });
                   });
    bench::add(workload, "loop", bench::dtype_name<T>(), shape, 1, benchmark::kMicrosecond,
               [n](benchmark::State& state) {
                   time_map<F, T>(state, n, [](std::size_t m, T* y, const T* x) {
                       for (std::size_t i = 0; i < m; ++i) y[i] = F::scalar(x[i]);
                   });
               });
}

template <class F>
void add_function(bool quick) {
    for (std::size_t n : {std::size_t(1) << 16, std::size_t(1) << 22}) {
        add_map_rows<F, float>(n);
        if (!quick) add_map_rows<F, double>(n);
    }
}

}  // namespace

int main(int argc, char** argv) {
    return bench::run(argc, argv, [](const bench::Options& o) {
        add_function<Relu>(o.quick);
        add_function<Exp>(o.quick);
        add_function<Tanh>(o.quick);
    });
}
