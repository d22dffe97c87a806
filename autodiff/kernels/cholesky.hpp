/// \file
/// The Cholesky factorization A = L·Lᵀ of a symmetric positive definite matrix and the two products it is made
/// of, on the project's gemm (kernels/gemm.hpp), so that almost all of its n³/3 flops run at gemm speed:
/// ~~~{.unparsed}
///   potrf_lower             A = L·Lᵀ, L over A's lower triangle            n³/3 flops
///   trsm_right_lower_trans  B ← B·L⁻ᵀ  (solves X·Lᵀ = B)                   m·n² flops
///   trsm_right_lower        B ← B·L⁻¹  (solves X·L = B)                    m·n² flops
///   potrs_lower             B ← B·A⁻¹ from A's factor (the two solves)     2·m·n² flops
///   syrk_lower              C ← β·C + α·A·Aᵀ on C's lower triangle           n²·k flops
/// ~~~
/// Recursive, as in Gustavson's recursive Cholesky: split A = [[A11, ·], [A21, A22]] at about n/2, factor
/// A11 = L11·L11ᵀ, solve L21 = A21·L11⁻ᵀ, update A22 ← A22 − L21·L21ᵀ, factor A22. trsm recurses the same
/// way, down to blocks of 64 columns done directly (the triangular solve of such a block runs down 64 rows at
/// a time with SIMD, its Cholesky with dot products); everything above them is one gemm call. syrk is one
/// call of the gemm restricted to the lower triangle (gemmt_lower), which packs A once; a recursion down to
/// small diagonal tiles packed it again at every level and cost a fifth of the Cholesky's time. Row-major with a leading dimension, in place on the lower triangle: the strict upper
/// triangle is neither read nor written (no n×n copy: in kernel machines A is the largest object in memory).
/// Deterministic: the recursion depends only on the sizes and the gemm is bitwise identical for any thread
/// count, so these are too.
#pragma once

#include <cstddef>

namespace ad {

/// A (n×n, row-major, leading dimension lda ≥ n) = L·Lᵀ with L lower triangular: L overwrites the lower
/// triangle (diagonal included) of A; the strict upper triangle is not accessed. Returns 0, or, like LAPACK's
/// info, j + 1 when the leading minor of order j + 1 is not positive definite (its pivot is ≤ 0 or NaN);
/// the factorization then stops and A's lower triangle holds a partial result. Cost: n³/3 flops.
template <class T>
std::size_t potrf_lower(std::size_t n, T* A, std::size_t lda);

/// B (m×n, leading dimension ldb) ← B·L⁻ᵀ for L (n×n, lower triangular, leading dimension ldl, non-zero
/// diagonal): the X with X·Lᵀ = B, i.e. every row x of X solves L·xᵀ = bᵀ. Only L's lower triangle is read.
/// Cost: m·n² flops.
template <class T>
void trsm_right_lower_trans(std::size_t m, std::size_t n, const T* L, std::size_t ldl, T* B, std::size_t ldb);

/// B (m×n, leading dimension ldb) ← B·L⁻¹ for L (n×n, lower triangular, leading dimension ldl, non-zero
/// diagonal): the X with X·L = B, i.e. every row x of X solves Lᵀ·xᵀ = bᵀ (back substitution). Only L's
/// lower triangle is read. Cost: m·n² flops.
template <class T>
void trsm_right_lower(std::size_t m, std::size_t n, const T* L, std::size_t ldl, T* B, std::size_t ldb);

/// B (m×n, leading dimension ldb) ← B·A⁻¹ for the symmetric A = L·Lᵀ whose factor potrf_lower left in L
/// (n×n, leading dimension ldl): every row of B becomes the solution x of A·xᵀ = bᵀ, by the two triangular
/// solves X·Lᵀ = B, then X·L = the result. (The right-hand sides are rows, so a column-major n×m right-hand
/// side is B as it lies in memory.) Cost: 2·m·n² flops.
template <class T>
void potrs_lower(std::size_t m, std::size_t n, const T* L, std::size_t ldl, T* B, std::size_t ldb);

/// C (n×n, leading dimension ldc) ← β·C + α·A·Aᵀ on C's lower triangle (diagonal included), A n×k with
/// leading dimension lda; the strict upper triangle of C is not accessed. β = 0 overwrites (NaNs in C do
/// not propagate). Cost: n²·k flops (half of the gemm's).
template <class T>
void syrk_lower(std::size_t n, std::size_t k, T alpha, const T* A, std::size_t lda, T beta, T* C, std::size_t ldc);

}  // namespace ad
