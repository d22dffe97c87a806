/// \file
/// Kernel ridge regression (docs/MATH.md §5): α = (K(X,X) + μI)⁻¹ Y, f(x) = Σ_j k(x, x_j) α_j, and the
/// loss and accuracy of its predictions. Y is one-hot for classification (prediction = argmax).
#pragma once

#include <cstddef>
#include <string>

#include "fact/kernel/kernel.hpp"

namespace fact {

/// A fitted kernel ridge regression: its coefficients and how the system was solved.
struct KrrFit {
    Matrix alpha;          ///< (n, c)
    SolveReport solve;     ///< which LAPACK path solved it, and why
};

/// Bytes a kernel machine on n training rows of d features and c outputs needs at its peak when it computes
/// in `dtype`: the n×n kernel matrix (factorised in place), two blocks of kernel rows of the gradient pass,
/// and the n×c·d gradient buffers. What fit_krr checks against the memory budget before it allocates.
double kernel_system_bytes(std::size_t n, std::size_t d, std::size_t c, Dtype dtype = Dtype::f64);

/// Refuse a kernel system of kernel_system_bytes(n, d, c, dtype) that exceeds the memory budget, the message
/// starting with `who` ("fit_krr", or "rfm" before it generates its data). \throws data::DataError.
void check_kernel_system(const std::string& who, std::size_t n, std::size_t d, std::size_t c,
                         Dtype dtype = Dtype::f64);

/// Fit on X (n,d), Y (n,c) under M (d,d) with ridge μ ≥ 0. Forms the n×n kernel matrix (8n² bytes in
/// float64) and solves with solve_ridge_system (Cholesky for μ > 0, else LDLᵀ, least squares when singular).
/// In float32 (4n² bytes) it solves with solve_ridge_cholesky_f32 for any μ; when that fails it frees the
/// float32 matrix, forms the float64 one and solves as above, and the report's note says so. O(n²d + n³).
/// \throws ad::ShapeError for shapes that do not fit; ad::ValueError for μ < 0, a bandwidth ≤ 0, or a
///         non-finite kernel entry; data::DataError when kernel_system_bytes exceeds the memory budget
///         (data::check_memory; for the float64 fallback too).
KrrFit fit_krr(const Kernel& kernel, const Matrix& X, const Matrix& Y, const Matrix& M, double ridge,
               Dtype dtype = Dtype::f64);

/// Predictions (n_e, c) = K(X_eval, X) α, in row blocks of X_eval (memory O(block·n)), computed in dtype.
/// O(n_e·n·(d + c)).
/// \throws ad::ShapeError unless X_eval (n_e,d), X (n,d), α (n,c) and M (d,d) fit.
Matrix krr_predict(const Kernel& kernel, const Matrix& X_eval, const Matrix& X, const Matrix& alpha, const Matrix& M,
                   Dtype dtype = Dtype::f64);

/// Mean squared error (1/n) Σ_i (1/c) ‖f_i − y_i‖² (the mse of nn/objective.hpp).
/// \throws ad::ShapeError unless predictions and Y have the same shape (n,c).
double mean_squared_error(const Matrix& predictions, const Matrix& Y);

/// Fraction of rows whose argmax matches the argmax of Y (ties: the first index). NaN for c = 1.
/// \throws ad::ShapeError unless predictions and Y have the same shape (n,c).
double argmax_accuracy(const Matrix& predictions, const Matrix& Y);

}  // namespace fact
