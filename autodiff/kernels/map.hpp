// Elementwise kernels: y[i] = f(x1[i], x2[i], ...) over raw pointers, with f written once for xsimd
// batches (a "pack" of Pack<T>::size lanes). The last partial pack is padded with ones, computed as a full
// pack and cut, so every element goes through the same SIMD code whatever its position.
// Work is split into fixed chunks of map_chunk elements (a multiple of every pack width): which element
// lands in the padded tail depends only on n, so results are bitwise identical for any thread count.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

#include <xsimd/xsimd.hpp>

#include "autodiff/parallel.hpp"

namespace ad {

/// The SIMD pack of the build's instruction set (16 floats with AVX-512, 8 with AVX2, 4 with SSE2).
template <class T>
using Pack = xsimd::batch<T>;

/// Elements per parallel chunk: below this a map runs on the calling thread.
inline constexpr std::size_t map_chunk = std::size_t(1) << 15;

/// y[i] = f(xs[i]...) for i in [begin, end), on the calling thread. y may alias any input.
template <class T, class F, class... In>
void map_range(std::size_t begin, std::size_t end, T* y, F f, const In*... xs) {
    constexpr std::size_t W = Pack<T>::size;
    std::size_t i = begin;
    for (; i + W <= end; i += W) {
        f(Pack<T>::load_unaligned(xs + i)...).store_unaligned(y + i);
    }
    if (i == end) return;
    // the padded tail: fewer than W elements
    const std::size_t r = end - i;
    auto padded = [&](const T* x) {
        alignas(64) std::array<T, W> buf;
        buf.fill(T(1));
        std::copy(x + i, x + end, buf.begin());
        return Pack<T>::load_aligned(buf.data());
    };
    alignas(64) std::array<T, W> out;
    f(padded(xs)...).store_aligned(out.data());
    std::copy(out.begin(), out.begin() + r, y + i);
}

/// y[i] = f(xs[i]...) for i in [0, n), in parallel above map_chunk elements. y may alias any input.
template <class T, class F, class... In>
void map(std::size_t n, T* y, F f, const In*... xs) {
    parallel_chunks(n, map_chunk, [&](std::size_t, std::size_t begin, std::size_t end) {
        map_range(begin, end, y, f, xs...);
    });
}

/// Call row(i) for every row i of an (m, n) array, in parallel over fixed chunks of rows holding about
/// map_chunk elements (the chunking depends only on m and n).
template <class Row>
void for_each_row(std::size_t m, std::size_t n, const Row& row) {
    const std::size_t rows_per_chunk = std::max<std::size_t>(1, map_chunk / std::max<std::size_t>(n, 1));
    parallel_chunks(m, rows_per_chunk, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) row(i);
    });
}

}  // namespace ad
