// Reductions: see reduce.hpp. Each chunk sums with several independent SIMD accumulators (to hide FMA
// latency), and chunk partials are added in chunk order.
#include "autodiff/kernels/reduce.hpp"

#include <algorithm>
#include <vector>

#include "autodiff/kernels/map.hpp"

namespace ad {

namespace {

// Σ_i term(i) over [0, n) on the calling thread, where term(i) loads the pack starting at element i and
// term_at(i) gives one element: four pack accumulators, then the lanes, then the rest.
template <class T, class Term, class TermAt>
T accumulate_serial(std::size_t n, const Term& term, const TermAt& term_at) {
    constexpr std::size_t W = Pack<T>::size;
    Pack<T> a0(T(0)), a1(T(0)), a2(T(0)), a3(T(0));
    std::size_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
        a0 += term(i);
        a1 += term(i + W);
        a2 += term(i + 2 * W);
        a3 += term(i + 3 * W);
    }
    for (; i + W <= n; i += W) a0 += term(i);
    T s = xsimd::hadd((a0 + a1) + (a2 + a3));
    for (; i < n; ++i) s += term_at(i);
    return s;
}

template <class T>
T sum_serial(const T* x, std::size_t n) {
    return accumulate_serial<T>(
        n, [x](std::size_t i) { return Pack<T>::load_unaligned(x + i); }, [x](std::size_t i) { return x[i]; });
}

template <class T>
T dot_serial(const T* x, const T* y, std::size_t n) {
    return accumulate_serial<T>(
        n, [x, y](std::size_t i) { return Pack<T>::load_unaligned(x + i) * Pack<T>::load_unaligned(y + i); },
        [x, y](std::size_t i) { return x[i] * y[i]; });
}


// Elements per chunk of a whole-array sum.
constexpr std::size_t sum_chunk = std::size_t(1) << 15;

// `size` zeros for the per-chunk partial results of one parallel reduction. The memory is the calling
// thread's and is kept for its next reduction, so a steady training loop does not allocate here. A thread
// that waits in parallel_chunks may run another task meanwhile (TBB's work stealing); if that task starts
// a reduction of its own while the buffer is taken, it gets a fresh buffer instead.
template <class T>
class PartialSums {
public:
    explicit PartialSums(std::size_t size) : owns_reused_(!reused_taken_) {
        std::vector<T>& buffer = owns_reused_ ? reused_ : fresh_;
        buffer.assign(size, T(0));  // within the capacity after the first time
        data_ = buffer.data();
        if (owns_reused_) reused_taken_ = true;
    }
    ~PartialSums() {
        if (owns_reused_) reused_taken_ = false;
    }
    PartialSums(const PartialSums&) = delete;
    PartialSums& operator=(const PartialSums&) = delete;

    // A plain pointer: tasks on other threads must reach this thread's buffer, not their own.
    T* data() const { return data_; }

private:
    static thread_local std::vector<T> reused_;
    static thread_local bool reused_taken_;
    bool owns_reused_;
    std::vector<T> fresh_;
    T* data_ = nullptr;
};
template <class T> thread_local std::vector<T> PartialSums<T>::reused_;
template <class T> thread_local bool PartialSums<T>::reused_taken_ = false;

}  // namespace

// Σ over fixed chunks of partial_sum(begin, end), combined in chunk order.
template <class T, class PartialSum>
T chunked_sum(std::size_t n, const PartialSum& partial_sum) {
    if (n <= sum_chunk) return partial_sum(0, n);
    const std::size_t chunks = chunk_count(n, sum_chunk);
    const PartialSums<T> partials(chunks);
    T* partial = partials.data();
    parallel_chunks(n, sum_chunk, [&](std::size_t c, std::size_t begin, std::size_t end) {
        partial[c] = partial_sum(begin, end);
    });
    T s = T(0);
    for (std::size_t c = 0; c < chunks; ++c) s += partial[c];
    return s;
}

template <class T>
T sum_all(const T* x, std::size_t n) {
    return chunked_sum<T>(n, [x](std::size_t b, std::size_t e) { return sum_serial(x + b, e - b); });
}

template <class T>
T dot(const T* x, const T* y, std::size_t n) {
    return chunked_sum<T>(n, [x, y](std::size_t b, std::size_t e) { return dot_serial(x + b, y + b, e - b); });
}

template <class T>
void row_sums(const T* x, std::size_t m, std::size_t n, T* out) {
    for_each_row(m, n, [&](std::size_t i) { out[i] = sum_serial(x + i * n, n); });
}

template <class T>
void col_sums(const T* x, std::size_t m, std::size_t n, T* out) {
    // Rows are split into fixed chunks; each chunk adds its rows into a partial row vector.
    const std::size_t rows_per_chunk = std::max<std::size_t>(1, map_chunk / std::max<std::size_t>(n, 1));
    const std::size_t chunks = chunk_count(m, rows_per_chunk);
    std::fill(out, out + n, T(0));
    if (chunks <= 1) {
        for (std::size_t i = 0; i < m; ++i)
            map_range(0, n, out, [](auto acc, auto v) { return acc + v; }, out, x + i * n);
        return;
    }
    const PartialSums<T> partials(chunks * n);
    T* partial = partials.data();
    parallel_chunks(m, rows_per_chunk, [&](std::size_t c, std::size_t begin, std::size_t end) {
        T* p = partial + c * n;
        for (std::size_t i = begin; i < end; ++i)
            map_range(0, n, p, [](auto acc, auto v) { return acc + v; }, p, x + i * n);
    });
    for (std::size_t c = 0; c < chunks; ++c)
        map_range(0, n, out, [](auto acc, auto v) { return acc + v; }, out, partial + c * n);
}

template <class T>
Tensor<T> row_sums(const Tensor<T>& x) {
    Tensor<T> out = Tensor<T>::from_shape({x.shape(0), 1});
    row_sums(x.data(), x.shape(0), x.shape(1), out.data());
    return out;
}

template <class T>
Tensor<T> col_sums(const Tensor<T>& x) {
    Tensor<T> out = Tensor<T>::from_shape({1, x.shape(1)});
    col_sums(x.data(), x.shape(0), x.shape(1), out.data());
    return out;
}


#define AD_INSTANTIATE(T)                                                  \
    template T sum_all<T>(const T*, std::size_t);                          \
    template T dot<T>(const T*, const T*, std::size_t);                    \
    template void row_sums<T>(const T*, std::size_t, std::size_t, T*);     \
    template void col_sums<T>(const T*, std::size_t, std::size_t, T*);     \
    template Tensor<T> row_sums<T>(const Tensor<T>&);                      \
    template Tensor<T> col_sums<T>(const Tensor<T>&);
AD_INSTANTIATE(float)
AD_INSTANTIATE(double)
#undef AD_INSTANTIATE

}  // namespace ad
