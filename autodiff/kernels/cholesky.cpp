// Recursive Cholesky, triangular solve and symmetric rank-k update on the gemm: see cholesky.hpp.
#include "autodiff/kernels/cholesky.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "autodiff/kernels/gemm.hpp"
#include "autodiff/kernels/map.hpp"
#include "autodiff/kernels/reduce.hpp"
#include "autodiff/parallel.hpp"

namespace ad {

namespace {

// Blocks at most this wide are done directly (substitution, vectorised over rows); above, the recursion
// splits them. 64 measured 2-3 % faster than 32 on the Cholesky (n = 2000-8000) and no worse than 128.
constexpr std::size_t kBase = 64;
// Rows per parallel chunk of the direct triangular solve (fixed, so the result ignores the thread count).
constexpr std::size_t kRowChunk = 64;

// Where to split n > kBase: about half, rounded to a multiple of kBase so the blocks below stay aligned.
std::size_t split(std::size_t n) { return std::max(kBase, (n / 2 + kBase / 2) / kBase * kBase); }

// Cholesky–Banachiewicz, row by row: L[i][j] = (A[i][j] − Σ_{k<j} L[i][k]·L[j][k]) / L[j][j], and
// L[i][i] = √(A[i][i] − Σ_{k<i} L[i][k]²). Both sums are contiguous in row-major storage.
template <class T>
std::size_t potrf_direct(std::size_t n, T* A, std::size_t lda) {
    for (std::size_t i = 0; i < n; ++i) {
        T* Li = A + i * lda;
        for (std::size_t j = 0; j < i; ++j) Li[j] = (Li[j] - dot(Li, A + j * lda, j)) / A[j * lda + j];
        const T pivot = Li[i] - dot(Li, Li, i);
        if (!(pivot > T(0))) return i + 1;   // ≤ 0 or NaN: A is not positive definite
        Li[i] = std::sqrt(pivot);
    }
    return 0;
}

// Every row x of B (m×n, n ≤ kBase) solves L·xᵀ = bᵀ by forward substitution,
//   x[j] = (b[j] − Σ_{k<j} L[j][k]·x[k]) / L[j][j],
// for a whole chunk of kRowChunk rows at once: the chunk is transposed into a scratch block (column j of B
// contiguous), so that every step is a SIMD operation down a column with L[j][k] broadcast, over as many
// independent packs as the chunk holds. Chunks run in parallel; the result ignores the thread count.
template <class T>
void trsm_direct(std::size_t m, std::size_t n, const T* L, std::size_t ldl, T* B, std::size_t ldb) {
    using P = Pack<T>;
    constexpr std::size_t W = P::size, packs = kRowChunk / W;
    static_assert(kRowChunk % W == 0, "a chunk of rows is whole packs");
    parallel_chunks(m, kRowChunk, [&](std::size_t, std::size_t begin, std::size_t end) {
        alignas(64) T xt[kBase * kRowChunk];   // xt[j·kRowChunk + r] = B(begin + r, j)
        const std::size_t rows = end - begin;
        for (std::size_t j = 0; j < n; ++j) {
            T* column = xt + j * kRowChunk;
            for (std::size_t r = 0; r < rows; ++r) column[r] = B[(begin + r) * ldb + j];
            std::fill(column + rows, column + kRowChunk, T(0));   // padding rows: solved, never written back
        }
        for (std::size_t j = 0; j < n; ++j) {
            const T* Lj = L + j * ldl;
            P acc[packs];
            for (std::size_t q = 0; q < packs; ++q) acc[q] = P::load_aligned(xt + j * kRowChunk + q * W);
            for (std::size_t k = 0; k < j; ++k) {
                const P l(Lj[k]);
                const T* xk = xt + k * kRowChunk;
#pragma GCC unroll 8
                for (std::size_t q = 0; q < packs; ++q) acc[q] = xsimd::fnma(l, P::load_aligned(xk + q * W), acc[q]);
            }
            const P pivot(Lj[j]);
            for (std::size_t q = 0; q < packs; ++q) (acc[q] / pivot).store_aligned(xt + j * kRowChunk + q * W);
        }
        for (std::size_t r = 0; r < rows; ++r) {
            T* x = B + (begin + r) * ldb;
            for (std::size_t j = 0; j < n; ++j) x[j] = xt[j * kRowChunk + r];
        }
    });
}

// Every row x of B (m×n, n ≤ kBase) solves Lᵀ·xᵀ = bᵀ by back substitution:
// x[j] = (b[j] − Σ_{k>j} x[k]·L[k][j]) / L[j][j], from the last j down; rows in parallel chunks.
template <class T>
void trsm_direct_back(std::size_t m, std::size_t n, const T* L, std::size_t ldl, T* B, std::size_t ldb) {
    parallel_chunks(m, kRowChunk, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            T* x = B + i * ldb;
            for (std::size_t j = n; j-- > 0;) {
                T s = x[j];
                for (std::size_t k = j + 1; k < n; ++k) s -= x[k] * L[k * ldl + j];
                x[j] = s / L[j * ldl + j];
            }
        }
    });
}

}  // namespace

template <class T>
void syrk_lower(std::size_t n, std::size_t k, T alpha, const T* A, std::size_t lda, T beta, T* C, std::size_t ldc) {
    gemmt_lower(Trans::no, Trans::yes, n, k, alpha, A, lda, A, lda, beta, C, ldc);
}

template <class T>
void trsm_right_lower_trans(std::size_t m, std::size_t n, const T* L, std::size_t ldl, T* B, std::size_t ldb) {
    if (m == 0 || n == 0) return;
    if (n <= kBase) return trsm_direct(m, n, L, ldl, B, ldb);
    // X·Lᵀ = B with L = [[L11, 0], [L21, L22]], X = [X1 X2], B = [B1 B2]:
    //   X1·L11ᵀ = B1,   X2·L22ᵀ = B2 − X1·L21ᵀ.
    const std::size_t n1 = split(n), n2 = n - n1;
    trsm_right_lower_trans(m, n1, L, ldl, B, ldb);
    gemm(Trans::no, Trans::yes, m, n2, n1, T(-1), B, ldb, L + n1 * ldl, ldl, T(1), B + n1, ldb);
    trsm_right_lower_trans(m, n2, L + n1 * ldl + n1, ldl, B + n1, ldb);
}

template <class T>
void trsm_right_lower(std::size_t m, std::size_t n, const T* L, std::size_t ldl, T* B, std::size_t ldb) {
    if (m == 0 || n == 0) return;
    if (n <= kBase) return trsm_direct_back(m, n, L, ldl, B, ldb);
    // X·L = B with L = [[L11, 0], [L21, L22]], X = [X1 X2], B = [B1 B2]:
    //   X2·L22 = B2,   X1·L11 = B1 − X2·L21.
    const std::size_t n1 = split(n), n2 = n - n1;
    trsm_right_lower(m, n2, L + n1 * ldl + n1, ldl, B + n1, ldb);
    gemm(Trans::no, Trans::no, m, n1, n2, T(-1), B + n1, ldb, L + n1 * ldl, ldl, T(1), B, ldb);
    trsm_right_lower(m, n1, L, ldl, B, ldb);
}

template <class T>
void potrs_lower(std::size_t m, std::size_t n, const T* L, std::size_t ldl, T* B, std::size_t ldb) {
    // x·A = b with A = L·Lᵀ (A symmetric: the same as A·xᵀ = bᵀ): first y·Lᵀ = b, then x·L = y.
    trsm_right_lower_trans(m, n, L, ldl, B, ldb);
    trsm_right_lower(m, n, L, ldl, B, ldb);
}

template <class T>
std::size_t potrf_lower(std::size_t n, T* A, std::size_t lda) {
    if (n <= kBase) return potrf_direct(n, A, lda);
    // A = [[A11, ·], [A21, A22]]:  A11 = L11·L11ᵀ,  L21 = A21·L11⁻ᵀ,  A22 − L21·L21ᵀ = L22·L22ᵀ.
    const std::size_t n1 = split(n), n2 = n - n1;
    if (const std::size_t info = potrf_lower(n1, A, lda)) return info;
    T* A21 = A + n1 * lda;
    T* A22 = A21 + n1;
    trsm_right_lower_trans(n2, n1, A, lda, A21, lda);
    syrk_lower(n2, n1, T(-1), A21, lda, T(1), A22, lda);
    if (const std::size_t info = potrf_lower(n2, A22, lda)) return n1 + info;
    return 0;
}

template std::size_t potrf_lower<float>(std::size_t, float*, std::size_t);
template std::size_t potrf_lower<double>(std::size_t, double*, std::size_t);
template void trsm_right_lower_trans<float>(std::size_t, std::size_t, const float*, std::size_t, float*, std::size_t);
template void trsm_right_lower_trans<double>(std::size_t, std::size_t, const double*, std::size_t, double*, std::size_t);
template void trsm_right_lower<float>(std::size_t, std::size_t, const float*, std::size_t, float*, std::size_t);
template void trsm_right_lower<double>(std::size_t, std::size_t, const double*, std::size_t, double*, std::size_t);
template void potrs_lower<float>(std::size_t, std::size_t, const float*, std::size_t, float*, std::size_t);
template void potrs_lower<double>(std::size_t, std::size_t, const double*, std::size_t, double*, std::size_t);
template void syrk_lower<float>(std::size_t, std::size_t, float, const float*, std::size_t, float, float*, std::size_t);
template void syrk_lower<double>(std::size_t, std::size_t, double, const double*, std::size_t, double, double*,
                                 std::size_t);

}  // namespace ad
