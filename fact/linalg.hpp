// Symmetric matrix functions through LAPACK (MATH.md section 3): never a hand-written eigensolver.
// All in double: the FACT quantities accumulate in float64 whatever the model's dtype.
#pragma once

#include <vector>

#include "autodiff/tensor.hpp"

namespace fact {

using Matrix = ad::Tensor<double>;

/// (S + Sᵀ)/2. Throws ad::ShapeError for a non-square S.
Matrix symmetrize(const Matrix& S);

/// Eigendecomposition of a symmetric S = U diag(values) Uᵀ (LAPACK dsyevd, divide and conquer):
/// values ascending, U's columns the eigenvectors. Only the lower triangle of S is read.
struct SymmetricEigen {
    std::vector<double> values;
    Matrix vectors;  // (d, d), column j for values[j]
};
SymmetricEigen eigh(const Matrix& S);

/// S^p for a symmetric PSD S: symmetrize, eigendecompose, clip eigenvalues < 0 to 0, U diag(σ^p) Uᵀ.
/// For p ≤ 0, eigenvalues below d·ε·max σ count as zero and contribute 0 (S⁰ is the projector on the
/// positive eigenspace, S⁻¹ the pseudo-inverse). Throws ad::ShapeError for a non-square S, ad::ValueError
/// for a non-finite p or entry, or (naming the LAPACK routine and its info) if the eigensolver fails.
Matrix matrix_power(const Matrix& S, double p);

/// The symmetric square root (M Mᵀ)^{1/2} of a general square M (the polar factor's PSD part).
Matrix sqrt_of_outer(const Matrix& M);

}  // namespace fact
