/// \file
/// General matrix product C = α·op(A)·op(B) + β·C on row-major arrays, op(X) = X or Xᵀ.
/// gemm is the fast kernel (packed, cache-blocked, with a register-blocked xsimd micro-kernel, parallel
/// over macro-tiles); gemm_naive is the triple loop kept beside it as the test oracle.
#pragma once

#include <cstddef>

#include "autodiff/tensor.hpp"

namespace ad {

/// op(X) of a product: X as it is (no) or transposed (yes).
enum class Trans { no, yes };

/// C (m×n) = α·op(A)·op(B) + β·C, with op(A) m×k and op(B) k×n. Row-major with leading dimensions
/// lda, ldb, ldc (A is m×k with lda >= k, or k×m with lda >= m when transposed; likewise B).
/// β = 0 overwrites C (NaNs in C do not propagate). Bitwise identical results for any thread count.
/// Cost: 2mnk flops.
template <class T>
void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* A,
          std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc);

/// gemm on C's lower triangle only (BLAS's gemmt): C (n×n) = α·op(A)·op(B) + β·C for the entries C[i][j] with
/// j ≤ i; the strict upper triangle is neither read nor written. Each entry it writes is bitwise the one gemm
/// would write; micro-tiles above the diagonal are skipped, so it costs about half of gemm: n²·k flops
/// (A·Aᵀ on one triangle is the symmetric rank-k update, kernels/cholesky.hpp's syrk_lower).
template <class T>
void gemmt_lower(Trans ta, Trans tb, std::size_t n, std::size_t k, T alpha, const T* A, std::size_t lda,
                 const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc);

/// The same product by the textbook triple loop (accumulating in T); the oracle of the tests.
template <class T>
void gemm_naive(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* A,
                std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc);

/// Tensor form: C = α·op(A)·op(B) + β·C, C (m,n) already of its final shape.
/// \throws ShapeError naming the shapes when the inner dimensions differ or C is not (m,n).
template <class T>
void gemm(Trans ta, Trans tb, T alpha, const Tensor<T>& A, const Tensor<T>& B, T beta, Tensor<T>& C);

/// op(A)·op(B) as a new (m,n) tensor. Cost: 2mnk flops.
/// \throws ShapeError ("matmul: (3,4) x (5,2): inner dimensions 4 and 5 differ").
template <class T>
Tensor<T> matmul(const Tensor<T>& A, const Tensor<T>& B, Trans ta = Trans::no, Trans tb = Trans::no);

/// Out-of-place transpose: (m,n) -> (n,m), cache-blocked.
template <class T>
Tensor<T> transpose(const Tensor<T>& x);

/// out (n×m, row-major) = xᵀ for x (m×n, row-major); out must not alias x.
template <class T>
void transpose(const T* x, std::size_t m, std::size_t n, T* out);

}  // namespace ad
