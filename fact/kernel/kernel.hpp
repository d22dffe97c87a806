/// \file
/// Mahalanobis kernels of the Recursive Feature Machine (docs/MATH.md §5), with bandwidth L and a PSD
/// feature matrix M (d×d; a diagonal M is just a matrix with zero off-diagonal entries):
/// ~~~{.unparsed}
///   laplace      k(x,z) = exp(−‖x − z‖_M / L)
///   gaussian     k(x,z) = exp(−‖x − z‖²_M / (2L²))
///   quadratic    k(x,z) = (xᵀ M z)²          (inner-product kernels take no bandwidth: scale M instead)
///   exponential  k(x,z) = exp(xᵀ M z)
/// ~~~
/// Kernel matrices come from GEMMs: ‖x − z‖²_M = xᵀMx + zᵀMz − 2xᵀMz, then the kernel's function entrywise,
/// in parallel over fixed row chunks. The expansion's rounding (≈ 4(d+1)ε·(xᵀMx + zᵀMz)) is floored to 0,
/// so a point is at distance exactly 0 from itself and k(x, x) = 1.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "fact/linalg.hpp"

namespace fact {

/// The kernel function (the table above).
enum class KernelKind { laplace, gaussian, quadratic, exponential };

/// "laplace" | "gaussian" | "quadratic" | "exp" (also "exponential"); ad::ValueError listing them otherwise.
KernelKind parse_kernel(const std::string& name);
std::string to_string(KernelKind kind);  ///< "laplace", "gaussian", "quadratic" or "exp"
/// Laplace and Gaussian depend on ‖x − z‖_M; the others on xᵀMz.
bool is_distance_kernel(KernelKind kind);

/// A kernel: its function and bandwidth (M is passed separately, since RFM changes it).
struct Kernel {
    KernelKind kind = KernelKind::laplace;  ///< which function
    double bandwidth = 10.0;   ///< L (> 0); unused by the inner-product kernels
};

/// The kernel's scalar function: of the squared distance r = ‖x − z‖²_M (distance kernels) or of the
/// inner product t = xᵀMz. value(r or t) = k; derivative: ∂k/∂t for inner-product kernels (φ'(t)).
double kernel_value(const Kernel& kernel, double r_or_t);
/// φ'(t) of an inner-product kernel (2t for t², eᵗ for eᵗ). \throws ad::ValueError for a distance kernel.
double inner_derivative(const Kernel& kernel, double t);

/// Throws ad::ShapeError unless X (n,d), Z (m,d) and M (d,d) fit; ad::ValueError for L <= 0 or non-finite.
void check_kernel_arguments(const char* op, const Kernel& kernel, const Matrix& X, const Matrix& Z, const Matrix& M);

/// The products every kernel needs, for X (n,d) against Z (m,d) under M (d,d): XM = X M (n,d), so that
/// xᵢᵀ M zⱼ = (XM)ᵢ · zⱼ, and the squared M-norms xᵢᵀMxᵢ, zⱼᵀMzⱼ of the rows (distance kernels only).
struct KernelOperands {
    const Matrix* Z = nullptr;   ///< the second argument, not owned: must outlive the operands
    Matrix XM;                   ///< X M, (n,d)
    ///@{
    std::vector<double> x_norms, z_norms;  ///< xᵢᵀMxᵢ (n values) and zⱼᵀMzⱼ (m values); empty for inner kernels
    ///@}
};
/// The KernelOperands of X (n,d), Z (m,d) under M (d,d): O((n + m)d²). Arguments are not checked here
/// (kernel_matrix and the fits call check_kernel_arguments first).
KernelOperands kernel_operands(const Kernel& kernel, const Matrix& X, const Matrix& Z, const Matrix& M);

/// Rows [begin, end) of the kernel matrix into K (end − begin, m), resized if needed. When aux is not null it
/// gets, same shape, the argument of the kernel's function: the distance ‖x_i − z_j‖_M for the distance
/// kernels, the inner product x_iᵀ M z_j for the others (what the gradients of docs/MATH.md §5.3 need).
/// O((end − begin)·m·d).
void kernel_rows(const Kernel& kernel, const Matrix& X, const KernelOperands& ops, std::size_t begin,
                 std::size_t end, Matrix& K, Matrix* aux = nullptr);

/// K (n,m) with K_ij = k(x_i, z_j). O(nmd + (n + m)d²) time, the n×m result as memory.
/// \throws ad::ShapeError unless X (n,d), Z (m,d) and M (d,d) fit; ad::ValueError for a bandwidth L ≤ 0.
Matrix kernel_matrix(const Kernel& kernel, const Matrix& X, const Matrix& Z, const Matrix& M);

}  // namespace fact
