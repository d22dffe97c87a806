/// \file
/// Reductions over a row-major (m, n) array, vectorised with xsimd and parallel over fixed chunks:
/// partial results are combined in chunk order, so sums are bitwise identical for any thread count.
/// Naming: row_sums gives the sum of each row (m×1), col_sums the sum of each column (1×n).
#pragma once

#include <cstddef>

#include "autodiff/tensor.hpp"

namespace ad {

/// Σ_i x[i] over n contiguous values.
template <class T>
T sum_all(const T* x, std::size_t n);

/// Σ_i x[i]·y[i] over n contiguous values (the Frobenius inner product of two arrays).
template <class T>
T dot(const T* x, const T* y, std::size_t n);

/// out[i] = Σ_j x[i,j]   x: (m,n), out: m values.
template <class T>
void row_sums(const T* x, std::size_t m, std::size_t n, T* out);

/// out[j] = Σ_i x[i,j]   x: (m,n), out: n values.
template <class T>
void col_sums(const T* x, std::size_t m, std::size_t n, T* out);

// Tensor forms.
template <class T> T sum_all(const Tensor<T>& x) { return sum_all(x.data(), x.size()); }  ///< Σ of all entries
template <class T> Tensor<T> row_sums(const Tensor<T>& x);  ///< (m,n) -> (m,1)
template <class T> Tensor<T> col_sums(const Tensor<T>& x);  ///< (m,n) -> (1,n)

}  // namespace ad
