/// \file
/// Symmetric matrix functions through LAPACK (docs/MATH.md §3): never a hand-written eigensolver.
/// All in double: the FACT quantities accumulate in float64 whatever the model's dtype.
#pragma once

#include <string>
#include <vector>

#include "autodiff/tensor.hpp"

/// The fact component: the per-layer FACT/NFA quantities of trained networks, matrix functions, metrics,
/// SVG plots, runs on disk, the kernel machines (RFM) and the paper's experiments. Errors are the typed
/// exceptions of the other components: ad::ShapeError / ad::ValueError for matrices, nn::ConfigError
/// for options and output directories, data::DataError for data.
namespace fact {

/// A (rows, cols) double matrix: every FACT quantity is computed in float64.
using Matrix = ad::Tensor<double>;

/// (S + Sᵀ)/2. Throws ad::ShapeError for a non-square S.
Matrix symmetrize(const Matrix& S);

/// A(j, i) = A(i, j) for j < i: the whole symmetric matrix from a computation that wrote only the lower
/// triangle of the square A (ad::gemmt_lower, a Cholesky's input).
void fill_upper(Matrix& A);

/// Eigendecomposition of a symmetric S = U diag(values) Uᵀ (LAPACK dsyevd, divide and conquer):
/// values ascending, U's columns the eigenvectors. Only the lower triangle of S is read.
struct SymmetricEigen {
    std::vector<double> values;  ///< the eigenvalues, ascending
    Matrix vectors;  ///< (d, d), column j for values[j]
};
/// Eigendecomposition of a symmetric S (d,d): O(d³) time, O(d²) memory.
/// \throws ad::ShapeError for a non-square S; ad::ValueError for an empty S, a non-finite entry, or a
///         failure of LAPACK (naming its info).
SymmetricEigen eigh(const Matrix& S);

/// S^p for a symmetric PSD S: symmetrize, eigendecompose, clip eigenvalues < 0 to 0, U diag(σ^p) Uᵀ.
/// For p ≤ 0, eigenvalues below d·ε·max σ count as zero and contribute 0 (S⁰ is the projector on the
/// positive eigenspace, S⁻¹ the pseudo-inverse). Throws ad::ShapeError for a non-square S, ad::ValueError
/// for a non-finite p or entry, or (naming the LAPACK routine and its info) if the eigensolver fails.
Matrix matrix_power(const Matrix& S, double p);

/// The symmetric square root (M Mᵀ)^{1/2} of a general square M (the polar factor's PSD part). O(d³).
/// \throws ad::ShapeError for a non-square M; ad::ValueError as matrix_power.
Matrix sqrt_of_outer(const Matrix& M);

/// How solve_ridge_system solved its system (reported by every command that solves one).
enum class SolveMethod { cholesky, symmetric_indefinite, least_squares };
std::string to_string(SolveMethod method);  ///< "cholesky", "symmetric-indefinite" or "least-squares"

/// What solve_ridge_system did.
struct SolveReport {
    SolveMethod method = SolveMethod::cholesky;  ///< the path that produced X
    double rcond = 0;   ///< LAPACK's estimate of 1/cond₁ of the factored matrix (NaN for least squares)
    std::string note;   ///< why a fallback was taken ("" when the first choice worked)
};

/// Solve (A + μI) X = B for X, the kernel ridge regression system α = (K + μI)⁻¹Y (docs/MATH.md §5).
/// A (n,n) symmetric, only its lower triangle read and then destroyed; B (n,c) is replaced by X.
/// μ > 0: Cholesky (ad::potrf_lower and ad::potrs_lower, the project's own on its gemm; 1/cond₁ by LAPACK's
/// dpocon). μ = 0, or Cholesky failed: symmetric indefinite LDLᵀ (dsysv). If that
/// factorization is singular or its estimated 1/cond₁ is below n·ε, the system is solved in the least-squares
/// sense by SVD (dgelsd, minimum norm, singular values below n·ε·σ_max dropped). O(n³); no copy of A is made
/// except for the least-squares fallback. Throws ad::ShapeError for non-matching shapes, ad::ValueError
/// for μ < 0 or non-finite entries.
SolveReport solve_ridge_system(Matrix& A, double ridge, Matrix& B);

/// The Cholesky path of solve_ridge_system in float32, for the float32 kernel machines (docs/MATH.md §5.9):
/// (A + μI) X = B by ad::potrf_lower and ad::potrs_lower in float, 1/cond₁ by LAPACK's spocon; for any μ ≥ 0
/// (a kernel matrix is positive semi-definite). A (n,n) symmetric, lower triangle read and destroyed; B (n,c)
/// replaced by X. Returns an empty string on success (`report` filled), else why float32 did not do:
/// an entry that is not finite in float32, or a pivot ≤ 0 (A + μI not positive definite in float32). B is
/// then unchanged and A destroyed; the caller solves again in float64 (fit_krr does, and says so).
/// \throws ad::ShapeError for non-matching shapes, ad::ValueError for μ < 0 or non-finite.
std::string solve_ridge_cholesky_f32(ad::Tensor<float>& A, double ridge, ad::Tensor<float>& B, SolveReport& report);

}  // namespace fact
