/// \file
/// Gradients of a kernel machine f(x) = Σ_j k(x, x_j) α_j and the two feature matrices RFM builds from them
/// (docs/MATH.md §5): AGOP_t = (1/n) Σ_i G_i G_iᵀ and FACT_t = Σ_i G_i α_i x_iᵀ, the latter also by its
/// closed forms, which need no per-sample Jacobians (tests check the two against each other).
///
/// G(x) = ∇_x f(x) ∈ R^{d×c} with the centres x_j fixed, column c (the sign exactly as written; some
/// published RFM code computes −∇f, harmless for the AGOP, wrong for FACT):
/// ~~~{.unparsed}
///   laplace   (1/L)  Σ_j α_jc [k(x,x_j)/‖x − x_j‖_M] M (x_j − x)     (terms with ‖x − x_j‖_M < 1e-10 dropped)
///   gaussian  (1/L²) Σ_j α_jc k(x,x_j) M (x_j − x)
///   inner     Σ_j α_jc φ'(xᵀ M x_j) M x_j
/// ~~~
/// All of them are one pattern: with a weight S(x, x_j) (k/(L‖x − x_j‖_M), k/L², or φ'),
/// ~~~{.unparsed}
///   G(x)ᵀ[c] = (Σ_j S α_jc x_jᵀ − [distance kernels] (Σ_j S α_jc) xᵀ) M,
/// ~~~
/// which for a block of evaluation points is one GEMM against the n×(c·d) matrix [α_jc x_j], then one
/// against M. Work proceeds in row blocks, so memory is O(block·n + n·c·d), never n×n per class.
#pragma once

#include <cstddef>

#include "fact/kernel/kernel.hpp"

namespace fact {

/// G at n_e evaluation points, stacked: G is (n_e·c, d) with row i·c + k = ∇f_k(x_i)ᵀ, i.e. G_iᵀ (c,d)
/// in rows i·c .. i·c + c − 1. predictions (n_e, c) = K(X_eval, X) α, computed on the way.
struct KernelGradients {
    ///@{
    std::size_t points = 0, outputs = 0;   ///< n_e, c
    ///@}
    Matrix G;                              ///< (n_e·c, d)
    Matrix predictions;                    ///< (n_e, c)
};

/// Gradients of f = K(·, X) α at the rows of X_eval (n_e,d), centres X (n,d), α (n,c), M (d,d), computed in
/// dtype (the results are float64 either way). O(n_e·n·c·d + n_e·c·d²) time. Throws ad::ShapeError for
/// shapes that do not fit.
KernelGradients kernel_gradients(const Kernel& kernel, const Matrix& X_eval, const Matrix& X, const Matrix& alpha,
                                 const Matrix& M, Dtype dtype = Dtype::f64);

/// AGOP = (1/n) Σ_i G_i G_iᵀ (d,d); with center, G_i ← G_i − (1/n) Σ_i G_i first. O(n·c·d²).
/// The zero matrix for gradients at no points.
Matrix agop(const KernelGradients& g, bool center = false);

/// FACT_t = Σ_i G_i α_i x_iᵀ (d,d) by the direct sum, for gradients taken at the training points X (n,d)
/// with coefficients α (n,c). Not symmetric in general. O(n·c·d + n·d²).
/// \throws ad::ShapeError unless g, α and X agree on n, c and d.
Matrix fact_matrix_direct(const KernelGradients& g, const Matrix& alpha, const Matrix& X);

/// FACT_t by the closed forms (A = α αᵀ, ∘ entrywise, Lap(B) = diag(B·1) − B):
/// ~~~{.unparsed}
///   laplace   −(1/L)  M Xᵀ Lap(B) X,   B_ij = (K_ij / ‖x_i − x_j‖_M) A_ij, B_ij = 0 when ‖x_i − x_j‖_M < 1e-10
///   gaussian  −(1/L²) M Xᵀ Lap(K ∘ A) X
///   inner      M Xᵀ (K' ∘ A) X,         K'_ij = φ'(x_iᵀ M x_j)
/// ~~~
/// In row blocks: O(n²(c + d) + nd²) time, O(block·n) memory.
/// \throws ad::ShapeError unless X (n,d), α (n,c) and M (d,d) fit; ad::ValueError for a bandwidth ≤ 0.
Matrix fact_matrix_closed_form(const Kernel& kernel, const Matrix& X, const Matrix& alpha, const Matrix& M);

/// AGOP_t of an inner-product kernel in closed form: M Xᵀ (T ∘ A) X M with T = (1/n) K'ᵀ K' (uncentred).
/// Forms the n×n matrices K' and T: O(n³) time, O(n²) memory; a cross-check for small n.
/// Throws ad::ValueError for a distance kernel.
Matrix agop_closed_form_inner(const Kernel& kernel, const Matrix& X, const Matrix& alpha, const Matrix& M);

/// Rows per block so that a block × n matrix of doubles stays near 16M entries (128 MB): in [16, n].
std::size_t kernel_block_rows(std::size_t n);

}  // namespace fact
