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
#include <functional>
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

/// The floating-point type a kernel machine computes in (docs/MATH.md §5.9): the n×n kernel matrix, its
/// solve and the gradient pass. Its inputs and results (X, M, α, gradients, predictions) are float64 either
/// way, and so are the d×d matrix functions of RFM's update. float32 halves the memory of the kernel system
/// and doubles the speed of its gemms.
enum class Dtype { f64, f32 };
/// "f64" | "f32"; ad::ValueError otherwise.
Dtype parse_dtype(const std::string& name);
std::string to_string(Dtype dtype);  ///< "f64" or "f32"
/// Bytes of one number of the type: 8 or 4.
std::size_t bytes_of(Dtype dtype);

/// A copy of A in the type T (float64 values rounded to nearest for float).
template <class T>
ad::Tensor<T> converted(const ad::Tensor<double>& A);
/// A copy of A in float64 (exact).
Matrix widened(const ad::Tensor<float>& A);

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
template <class T>
void check_kernel_arguments(const char* op, const Kernel& kernel, const ad::Tensor<T>& X, const ad::Tensor<T>& Z,
                            const ad::Tensor<T>& M);

/// The products every kernel needs, for X (n,d) against Z (m,d) under M (d,d): XM = X M (n,d), so that
/// xᵢᵀ M zⱼ = (XM)ᵢ · zⱼ, and the squared M-norms xᵢᵀMxᵢ, zⱼᵀMzⱼ of the rows (distance kernels only).
/// T is the type the kernel rows are computed in (float or double).
template <class T>
struct KernelOperands {
    const ad::Tensor<T>* Z = nullptr;   ///< the second argument, not owned: must outlive the operands
    ad::Tensor<T> XM;                   ///< X M, (n,d)
    ///@{
    std::vector<T> x_norms, z_norms;  ///< xᵢᵀMxᵢ (n values) and zⱼᵀMzⱼ (m values); empty for inner kernels
    ///@}
};
/// The KernelOperands of X (n,d), Z (m,d) under M (d,d): O((n + m)d²). Arguments are not checked here
/// (kernel_matrix and the fits call check_kernel_arguments first).
template <class T>
KernelOperands<T> kernel_operands(const Kernel& kernel, const ad::Tensor<T>& X, const ad::Tensor<T>& Z,
                                  const ad::Tensor<T>& M);

/// Called by kernel_rows on each row as soon as it is done, while it is still in cache: the row's index in the
/// block (0 for row begin), its m kernel values, and its m aux values (null without aux), which it may rewrite.
template <class T>
using KernelRowHook = std::function<void(std::size_t row, const T* k, T* aux)>;

/// Rows [begin, end) of the kernel matrix into K (end − begin, m), resized if needed. When aux is not null it
/// gets, same shape, the argument of the kernel's function: the distance ‖x_i − z_j‖_M for the distance
/// kernels, the inner product x_iᵀ M z_j for the others (what the gradients of docs/MATH.md §5.3 need).
/// after_row, if set, runs on every row right after it (rows in parallel, each once).
/// O((end − begin)·m·d).
template <class T>
void kernel_rows(const Kernel& kernel, const ad::Tensor<T>& X, const KernelOperands<T>& ops, std::size_t begin,
                 std::size_t end, ad::Tensor<T>& K, ad::Tensor<T>* aux = nullptr,
                 const KernelRowHook<T>& after_row = {});

/// K (n,m) with K_ij = k(x_i, z_j), computed in T. O(nmd + (n + m)d²) time, the n×m result as memory.
/// \throws ad::ShapeError unless X (n,d), Z (m,d) and M (d,d) fit; ad::ValueError for a bandwidth L ≤ 0.
template <class T>
ad::Tensor<T> kernel_matrix(const Kernel& kernel, const ad::Tensor<T>& X, const ad::Tensor<T>& Z,
                            const ad::Tensor<T>& M);

/// K(X, X) (n,n) on its lower triangle only (diagonal included), which is all a Cholesky reads: each entry
/// bitwise kernel_matrix's, in half its work. The strict upper triangle is left unset (garbage).
/// Arguments are not checked here (the fits call check_kernel_arguments first).
template <class T>
ad::Tensor<T> kernel_matrix_lower(const Kernel& kernel, const ad::Tensor<T>& X, const ad::Tensor<T>& M);

}  // namespace fact
