// Reductions: ad::sum_all, ad::col_sums and ad::row_sums (xsimd, parallel over fixed chunks combined in
// chunk order) against the naive loops, compiled with the same flags. The naive Σ x[i] keeps one scalar
// accumulator in strict order (GCC may not reorder float additions without -ffast-math), so it runs at
// the latency of one add per element; the naive col_sums loop is vectorised by GCC itself.
//   reduce.sum_all/<impl>/<dtype>/n=<n>/threads:<t>             n = 2^16, 2^22
//   reduce.col_sums/<impl>/<dtype>/<m>x<n>/threads:<t>          (256, 1024): a bias gradient; (4096, 1024)
//   reduce.row_sums/<impl>/<dtype>/<m>x<n>/threads:<t>          (4096, 1024)
// impl fact on t threads, loop on one. Counter bytes_per_second: the input read once.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "autodiff/kernels/reduce.hpp"
#include "common.hpp"

namespace {

template <class T>
std::vector<T> inputs(std::size_t n) {
    std::mt19937 rng(0);
    std::uniform_real_distribution<T> u(T(-1), T(1));
    std::vector<T> x(n);
    for (auto& v : x) v = u(rng);
    return x;
}

// body(x, out) over an (m, n) input; out has `outputs` entries.
template <class T, class Body>
void time_reduce(benchmark::State& state, std::size_t m, std::size_t n, std::size_t outputs, Body body) {
    const std::vector<T> x = inputs<T>(m * n);
    std::vector<T> out(outputs);
    for (auto _ : state) {
        body(x.data(), out.data());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(m * n * sizeof(T)));
}

template <class T>
void naive_col_sums(const T* x, std::size_t m, std::size_t n, T* out) {
    for (std::size_t j = 0; j < n; ++j) out[j] = T(0);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) out[j] += x[i * n + j];
}

template <class T>
void naive_row_sums(const T* x, std::size_t m, std::size_t n, T* out) {
    for (std::size_t i = 0; i < m; ++i) {
        T s = T(0);
        for (std::size_t j = 0; j < n; ++j) s += x[i * n + j];
        out[i] = s;
    }
}

// Both implementations of one reduction: fact(x, m, n, out) on every thread count, naive on one.
template <class T, class Fact, class Naive>
void add_pair(const std::string& workload, const std::string& shape, std::size_t m, std::size_t n,
              std::size_t outputs, Fact fact, Naive naive) {
    for (int t : bench::thread_counts())
        bench::add(workload, "fact", bench::dtype_name<T>(), shape, t, benchmark::kMicrosecond,
                   [=](benchmark::State& state) {
                       time_reduce<T>(state, m, n, outputs, [&](const T* x, T* out) { fact(x, m, n, out); });
                   });
    bench::add(workload, "loop", bench::dtype_name<T>(), shape, 1, benchmark::kMicrosecond,
               [=](benchmark::State& state) {
                   time_reduce<T>(state, m, n, outputs, [&](const T* x, T* out) { naive(x, m, n, out); });
               });
}

template <class T>
void add_rows(bool quick) {
    for (std::size_t len : {std::size_t(1) << 16, std::size_t(1) << 22})
        add_pair<T>("reduce.sum_all", "n=" + std::to_string(len), 1, len, 1,
                    [](const T* x, std::size_t, std::size_t n, T* out) { out[0] = ad::sum_all(x, n); },
                    [](const T* x, std::size_t, std::size_t n, T* out) {
                        T s = T(0);
                        for (std::size_t i = 0; i < n; ++i) s += x[i];
                        out[0] = s;
                    });
    const std::vector<std::pair<std::size_t, std::size_t>> col_shapes =
        quick ? std::vector<std::pair<std::size_t, std::size_t>>{{4096, 1024}}
              : std::vector<std::pair<std::size_t, std::size_t>>{{256, 1024}, {4096, 1024}};
    for (auto [m, n] : col_shapes)
        add_pair<T>("reduce.col_sums", bench::dims(m, n), m, n, n,
                    [](const T* x, std::size_t m, std::size_t n, T* out) { ad::col_sums(x, m, n, out); },
                    naive_col_sums<T>);
    add_pair<T>("reduce.row_sums", bench::dims(4096, 1024), 4096, 1024, 4096,
                [](const T* x, std::size_t m, std::size_t n, T* out) { ad::row_sums(x, m, n, out); },
                naive_row_sums<T>);
}

}  // namespace

int main(int argc, char** argv) {
    return bench::run(argc, argv, [](const bench::Options& o) {
        add_rows<float>(o.quick);
        if (!o.quick) add_rows<double>(o.quick);
    });
}
