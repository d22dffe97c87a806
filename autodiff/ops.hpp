/// \file
/// The differentiable operations. Each takes and returns Vars of one tape and records a node whose backward
/// adds the chain-rule contribution to its operands' gradients. Shapes are (rows, cols); a mismatch throws
/// ShapeError naming the op and both shapes. Broadcasting is never implicit: a row vector, column vector or
/// scalar operand is named with a Bcast argument, and its gradient is reduced over the broadcast axis.
/// Every op also throws GraphError for an empty or stale Var or for operands of two different tapes.
/// Cost: O(size) time and memory per node for the elementwise ops, 2mnk flops for a matmul (and twice
/// that in backward when both operands need a gradient).
#pragma once

#include <cstddef>
#include <vector>

#include "autodiff/kernels/gemm.hpp"
#include "autodiff/kernels/map.hpp"
#include "autodiff/tape.hpp"

namespace ad {

/// The scalar type of Var<T>, in a form that does not take part in template deduction, so that
/// x * 2 and scale(x, 0.5) work for Var<float> as well as Var<double>.
template <class T>
using Scalar = typename Var<T>::value_type;

// --- arithmetic --------------------------------------------------------------------------------------
template <class T> Var<T> add(const Var<T>& a, const Var<T>& b, Bcast bc = Bcast::none);  ///< a + b
template <class T> Var<T> sub(const Var<T>& a, const Var<T>& b, Bcast bc = Bcast::none);  ///< a − b
template <class T> Var<T> mul(const Var<T>& a, const Var<T>& b, Bcast bc = Bcast::none);  ///< a ∘ b (entrywise)
template <class T> Var<T> div(const Var<T>& a, const Var<T>& b, Bcast bc = Bcast::none);  ///< a / b (entrywise)
template <class T> Var<T> neg(const Var<T>& x);             ///< −x
/// A copy of x as a node of its own: its gradient is exactly what flows through the ops that consume it
/// (a layer marks its input this way, so the gradient through its weight can be read off it).
template <class T> Var<T> identity(const Var<T>& x);
/// identity(x) that receives its gradient in backward even when x needs none (x data or a constant):
/// the way to ask for ∂root/∂x of an input. The gradient still flows on into x when x needs it.
template <class T> Var<T> watch(const Var<T>& x);
template <class T> Var<T> scale(const Var<T>& x, Scalar<T> c);      ///< c·x
template <class T> Var<T> shift(const Var<T>& x, Scalar<T> c);      ///< x + c

// --- linear algebra ----------------------------------------------------------------------------------
/// op(a)·op(b) with op(X) = X or Xᵀ: (m,k)·(k,n) -> (m,n).
/// \throws ShapeError ("matmul: (3,4) x (5,2): inner dimensions 4 and 5 differ").
template <class T> Var<T> matmul(const Var<T>& a, const Var<T>& b, Trans ta = Trans::no, Trans tb = Trans::no);
template <class T> Var<T> transpose(const Var<T>& x);       ///< (m,n) -> (n,m)

// --- reductions and broadcasting -----------------------------------------------------------------------
template <class T> Var<T> sum(const Var<T>& x);             ///< Σ all entries -> (1,1)
template <class T> Var<T> mean(const Var<T>& x);            ///< mean of all entries -> (1,1)
template <class T> Var<T> row_sums(const Var<T>& x);        ///< the sum of each row: (m,n) -> (m,1)
template <class T> Var<T> col_sums(const Var<T>& x);        ///< the sum of each column: (m,n) -> (1,n)
/// x of shape (1,1), (1,cols) or (rows,1) repeated to (rows,cols); backward sums over the repeats.
/// \throws ShapeError for any other shape of x, ValueError for rows or cols 0.
template <class T> Var<T> broadcast(const Var<T>& x, std::size_t rows, std::size_t cols);

// --- elementwise functions -----------------------------------------------------------------------------
template <class T> Var<T> exp(const Var<T>& x);             ///< eˣ
template <class T> Var<T> log(const Var<T>& x);             ///< natural log; x > 0
template <class T> Var<T> sqrt(const Var<T>& x);            ///< x ≥ 0 (the gradient needs x > 0)
template <class T> Var<T> pow(const Var<T>& x, Scalar<T> p);        ///< x^p; x > 0 unless p is an integer
template <class T> Var<T> square(const Var<T>& x);          ///< x²
template <class T> Var<T> abs(const Var<T>& x);             ///< |x|, gradient sign(x) (0 at 0)
template <class T> Var<T> relu(const Var<T>& x);            ///< max(x, 0), gradient 1[x > 0]
template <class T> Var<T> leaky_relu(const Var<T>& x, Scalar<T> slope = Scalar<T>(0.01));  ///< x if x > 0 else slope·x
template <class T> Var<T> tanh(const Var<T>& x);            ///< tanh x, gradient 1 − tanh² x
template <class T> Var<T> sigmoid(const Var<T>& x);         ///< 1 / (1 + e^{−x})
template <class T> Var<T> softplus(const Var<T>& x);        ///< log(1 + e^x), computed stably
template <class T> Var<T> gelu(const Var<T>& x);            ///< x·Φ(x), the exact (erf) form

// --- softmax and losses ---------------------------------------------------------------------------------
/// log softmax of each row: y_ij = x_ij − log Σ_k e^{x_ik}, computed with the row max subtracted.
template <class T> Var<T> log_softmax(const Var<T>& x);

/// Mean squared error over all n·c entries (PyTorch's MSELoss):  L = (1/n) Σ_i ℓ_i  with the per-sample
/// term  ℓ_i = (1/c) ‖f_i − y_i‖²  (f_i, y_i the rows of pred and target). Returns (1,1).
/// \throws ShapeError unless target has pred's shape (n,c).
template <class T> Var<T> mse(const Var<T>& pred, const Tensor<T>& target);

/// Softmax cross-entropy from logits with integer class labels:  L = (1/n) Σ_i ℓ_i,
/// ℓ_i = −log softmax(f_i)_{y_i}. Returns (1,1).
/// \throws ShapeError unless there is one label per row of logits (n,c).
/// \throws ValueError for a label ≥ the number of columns c.
template <class T> Var<T> cross_entropy(const Var<T>& logits, const std::vector<std::size_t>& labels);

/// Softmax cross-entropy with target rows (one-hot, or any weights):  ℓ_i = −Σ_j Y_ij log softmax(f_i)_j.
/// Returns (1,1). \throws ShapeError unless targets has the shape (n,c) of logits.
template <class T> Var<T> cross_entropy(const Var<T>& logits, const Tensor<T>& targets);

// --- operators (same shapes; broadcasting goes through add/sub/mul/div with a Bcast) ----------------------
template <class T> Var<T> operator+(const Var<T>& a, const Var<T>& b) { return add(a, b); }  ///< add(a, b)
template <class T> Var<T> operator-(const Var<T>& a, const Var<T>& b) { return sub(a, b); }  ///< sub(a, b)
template <class T> Var<T> operator*(const Var<T>& a, const Var<T>& b) { return mul(a, b); }  ///< mul(a, b)
template <class T> Var<T> operator/(const Var<T>& a, const Var<T>& b) { return div(a, b); }  ///< div(a, b)
template <class T> Var<T> operator-(const Var<T>& x) { return neg(x); }                      ///< neg(x)
template <class T> Var<T> operator*(const Var<T>& x, Scalar<T> c) { return scale(x, c); }    ///< scale(x, c)
template <class T> Var<T> operator*(Scalar<T> c, const Var<T>& x) { return scale(x, c); }    ///< scale(x, c)
template <class T> Var<T> operator/(const Var<T>& x, Scalar<T> c) { return scale(x, T(1) / c); }  ///< scale(x, 1/c)
template <class T> Var<T> operator+(const Var<T>& x, Scalar<T> c) { return shift(x, c); }    ///< shift(x, c)
template <class T> Var<T> operator+(Scalar<T> c, const Var<T>& x) { return shift(x, c); }    ///< shift(x, c)
template <class T> Var<T> operator-(const Var<T>& x, Scalar<T> c) { return shift(x, -c); }   ///< shift(x, −c)

}  // namespace ad
