/// \file
/// Elementwise kernels: y[i] = f(x1[i], x2[i], ...) over raw pointers, with f written once for xsimd
/// batches (a "pack" of Pack<T>::size lanes). The last partial pack is padded with ones, computed as a full
/// pack and cut, so every element goes through the same SIMD code whatever its position.
/// Work is split into fixed chunks of map_chunk elements (a multiple of every pack width): which element
/// lands in the padded tail depends only on n, so results are bitwise identical for any thread count.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

#include <xsimd/xsimd.hpp>

#include "autodiff/kernels/reduce.hpp"
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

/// How the second operand b of a binary map is spread over the first operand a, of shape (m,n).
enum class Bcast {
    none,    ///< b is (m,n)
    row,     ///< b is a row vector (1,n), repeated for every row of a   (a bias added to every sample)
    col,     ///< b is a column vector (m,1), repeated for every column of a
    scalar,  ///< b is (1,1)
};

/// Call row(i) for every row i of an (m, n) array, in parallel over fixed chunks of rows holding about
/// map_chunk elements (the chunking depends only on m and n).
template <class Row>
void for_each_row(std::size_t m, std::size_t n, const Row& row) {
    const std::size_t rows_per_chunk = std::max<std::size_t>(1, map_chunk / std::max<std::size_t>(n, 1));
    parallel_chunks(m, rows_per_chunk, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) row(i);
    });
}

/// Row-wise binary map with an explicit broadcast of b: for every row i of an (m,n) result,
/// on_ptr(i, b_row) where b_row points at the n values of b that meet row i (bc = none, row), or
/// on_pack(i, b_pack) with the one value of b that meets row i as a pack (bc = col, scalar).
/// The callbacks run their own map_range over the row; rows go in parallel as in for_each_row.
template <class T, class OnPtr, class OnPack>
void for_each_row_bcast(Bcast bc, std::size_t m, std::size_t n, const T* b, const OnPtr& on_ptr,
                        const OnPack& on_pack) {
    for_each_row(m, n, [&](std::size_t i) {
        switch (bc) {
            case Bcast::none: on_ptr(i, b + i * n); break;
            case Bcast::row: on_ptr(i, b); break;
            case Bcast::col: on_pack(i, Pack<T>(b[i])); break;
            case Bcast::scalar: on_pack(i, Pack<T>(b[0])); break;
        }
    });
}

/// y[i,j] = f(a[i,j], b[·]) for an (m,n) a with b broadcast as bc says (b: (m,n), (1,n), (m,1) or (1,1)).
template <class T, class F>
void map_bcast(Bcast bc, std::size_t m, std::size_t n, T* y, F f, const T* a, const T* b) {
    for_each_row_bcast(
        bc, m, n, b,
        [&](std::size_t i, const T* bi) { map_range(0, n, y + i * n, f, a + i * n, bi); },
        [&](std::size_t i, Pack<T> bk) {
            map_range(0, n, y + i * n, [&f, bk](auto u) { return f(u, bk); }, a + i * n);
        });
}

/// dst ±= x summed over the repeats of a broadcast operand (negate: −=), the adjoint of map_bcast's spreading:
/// for an (m,n) x, every entry for Bcast::scalar (dst: 1 value), the column sums for row (n values), the row
/// sums for col (m values). The sums go through `sums`, which the caller keeps across steps. Not for none.
template <class T>
void add_reduced(Bcast bc, std::size_t m, std::size_t n, const T* x, bool negate, Tensor<T>& sums, T* dst) {
    std::size_t len = 1;
    if (bc == Bcast::row) {
        sums.resize({1, n});
        col_sums(x, m, n, sums.data());
        len = n;
    } else if (bc == Bcast::col) {
        sums.resize({m, 1});
        row_sums(x, m, n, sums.data());
        len = m;
    } else {
        sums.resize({1, 1});
        sums(0, 0) = sum_all(x, m * n);
    }
    const T* s = sums.data();
    if (negate) {
        for (std::size_t i = 0; i < len; ++i) dst[i] -= s[i];
    } else {
        for (std::size_t i = 0; i < len; ++i) dst[i] += s[i];
    }
}

}  // namespace ad
