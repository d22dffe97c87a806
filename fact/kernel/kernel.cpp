// Mahalanobis kernel matrices (docs/MATH.md §5) from GEMMs: t = X M Zᵀ, r = ‖x‖²_M + ‖z‖²_M − 2t.
#include "fact/kernel/kernel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>


#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "autodiff/kernels/gemm.hpp"
#include "autodiff/kernels/map.hpp"
#include "autodiff/memory.hpp"
#include "autodiff/parallel.hpp"

namespace fact {

KernelKind parse_kernel(const std::string& name) {
    if (name == "laplace") return KernelKind::laplace;
    if (name == "gaussian") return KernelKind::gaussian;
    if (name == "quadratic") return KernelKind::quadratic;
    if (name == "exp" || name == "exponential") return KernelKind::exponential;
    throw ad::ValueError(fmt::format("kernel: unknown kernel '{}'; expected laplace, gaussian, quadratic or exp", name));
}

std::string to_string(KernelKind kind) {
    switch (kind) {
        case KernelKind::laplace: return "laplace";
        case KernelKind::gaussian: return "gaussian";
        case KernelKind::quadratic: return "quadratic";
        case KernelKind::exponential: return "exp";
    }
    return "?";
}

Dtype parse_dtype(const std::string& name) {
    if (name == "f64") return Dtype::f64;
    if (name == "f32") return Dtype::f32;
    throw ad::ValueError(fmt::format("kernel: unknown dtype '{}'; expected f64 or f32", name));
}

std::string to_string(Dtype dtype) { return dtype == Dtype::f32 ? "f32" : "f64"; }

std::size_t bytes_of(Dtype dtype) { return dtype == Dtype::f32 ? 4 : 8; }

template <class T>
ad::Tensor<T> converted(const Matrix& A) {
    ad::Tensor<T> out = ad::Tensor<T>::from_shape({A.shape(0), A.shape(1)});
    std::copy(A.begin(), A.end(), out.begin());
    return out;
}

Matrix widened(const ad::Tensor<float>& A) {
    Matrix out = Matrix::from_shape({A.shape(0), A.shape(1)});
    std::copy(A.begin(), A.end(), out.begin());
    return out;
}

bool is_distance_kernel(KernelKind kind) { return kind == KernelKind::laplace || kind == KernelKind::gaussian; }

// r = ‖x − z‖²_M for the distance kernels, t = xᵀMz for the inner-product ones.
double kernel_value(const Kernel& kernel, double r_or_t) {
    const double L = kernel.bandwidth;
    switch (kernel.kind) {
        case KernelKind::laplace: return std::exp(-std::sqrt(r_or_t) / L);
        case KernelKind::gaussian: return std::exp(-r_or_t / (2 * L * L));
        case KernelKind::quadratic: return r_or_t * r_or_t;
        case KernelKind::exponential: return std::exp(r_or_t);
    }
    return 0;
}

// φ'(t) of the inner-product kernels: 2t for t², eᵗ for eᵗ.
double inner_derivative(const Kernel& kernel, double t) {
    switch (kernel.kind) {
        case KernelKind::quadratic: return 2 * t;
        case KernelKind::exponential: return std::exp(t);
        default:
            throw ad::ValueError(fmt::format("inner_derivative: the {} kernel is not an inner-product kernel",
                                             to_string(kernel.kind)));
    }
}

template <class T>
void check_kernel_arguments(const char* op, const Kernel& kernel, const ad::Tensor<T>& X, const ad::Tensor<T>& Z,
                            const ad::Tensor<T>& M) {
    const std::size_t d = X.shape(1);
    if (Z.shape(1) != d || M.shape(0) != d || M.shape(1) != d)
        throw ad::ShapeError(fmt::format("{}: X {}, Z {} and M {} do not fit; expected X (n,d), Z (m,d), M (d,d)", op,
                                         ad::shape_str(X), ad::shape_str(Z), ad::shape_str(M)));
    if (is_distance_kernel(kernel.kind) && !(kernel.bandwidth > 0 && std::isfinite(kernel.bandwidth)))
        throw ad::ValueError(fmt::format("{}: bandwidth L = {}; expected a finite L > 0", op, kernel.bandwidth));
}

namespace {

// A (rows, cols) matrix, uninitialised, backed by huge pages (autodiff/memory.hpp). The kernel matrix is written
// once right after it is allocated, and faulting in 4 KiB pages one at a time took about a tenth of a fit's
// time in a VM (n = 12,000).
template <class T>
ad::Tensor<T> large_matrix(std::size_t rows, std::size_t cols) {
    ad::Tensor<T> out;
    ad::resize_buffer(out, rows, cols);
    return out;
}

// Row-wise dot products: out_i = A_i · B_i for A, B (n,d).
template <class T>
std::vector<T> row_dots(const ad::Tensor<T>& A, const ad::Tensor<T>& B) {
    const std::size_t n = A.shape(0), d = A.shape(1);
    std::vector<T> out(n);
    ad::parallel_chunks(n, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            const T* a = A.data() + i * d;
            const T* z = B.data() + i * d;
            T s = 0;
            for (std::size_t k = 0; k < d; ++k) s += a[k] * z[k];
            out[i] = s;
        }
    });
    return out;
}

}  // namespace

// X (n,d), Z (m,d), M (d,d) -> XM (n,d) and, for distance kernels, x_norms (n), z_norms (m). O((n+m)d²).
template <class T>
KernelOperands<T> kernel_operands(const Kernel& kernel, const ad::Tensor<T>& X, const ad::Tensor<T>& Z,
                                  const ad::Tensor<T>& M) {
    check_kernel_arguments("kernel_matrix", kernel, X, Z, M);
    KernelOperands<T> ops;
    ops.Z = &Z;
    ops.XM = ad::matmul(X, M);
    if (is_distance_kernel(kernel.kind)) {
        ops.x_norms = row_dots(ops.XM, X);
        ops.z_norms = &X == &Z ? ops.x_norms : row_dots(ad::matmul(Z, M), Z);
    }
    return ops;
}

namespace {

// K (end−begin, m) = k(x_i, z_j) for i in [begin, end); aux (same shape) = ‖x_i − z_j‖_M or x_iᵀMz_j. With
// lower (K(X, X) whole: begin = 0, end = m), only the entries j ≤ i, each bitwise what the full matrix holds.
template <class T>
void rows_of(const Kernel& kernel, const ad::Tensor<T>& X, const KernelOperands<T>& ops, std::size_t begin,
             std::size_t end, ad::Tensor<T>& K, ad::Tensor<T>* aux, bool lower, const KernelRowHook<T>& after_row) {
    using Tensor = ad::Tensor<T>;
    const Tensor& Z = *ops.Z;
    const std::size_t rows = end - begin, m = Z.shape(0), d = X.shape(1);
    if (K.shape(0) != rows || K.shape(1) != m) K = large_matrix<T>(rows, m);
    if (aux != nullptr && (aux->shape(0) != rows || aux->shape(1) != m)) *aux = large_matrix<T>(rows, m);
    if (rows == 0 || m == 0) return;
    // t = (XM)[begin:end] Zᵀ: the inner products x_iᵀ M z_j.
    if (lower)
        ad::gemmt_lower(ad::Trans::no, ad::Trans::yes, m, d, T(1), ops.XM.data(), d, Z.data(), d, T(0), K.data(), m);
    else
        ad::gemm(ad::Trans::no, ad::Trans::yes, rows, m, d, T(1), ops.XM.data() + begin * d, d, Z.data(), d, T(0),
                 K.data(), m);
    const bool distance = is_distance_kernel(kernel.kind);
    const T rounding = T(4) * static_cast<T>(d + 1) * std::numeric_limits<T>::epsilon();
    const T inv_L = static_cast<T>(1.0 / kernel.bandwidth);
    const T inv_2L2 = static_cast<T>(1.0 / (2 * kernel.bandwidth * kernel.bandwidth));
    using P = ad::Pack<T>;
    ad::parallel_chunks(rows, 64, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            T* k = K.data() + i * m;
            const std::size_t width = lower ? i + 1 : m;   // the entries of this row to compute
            T* a = aux != nullptr ? aux->data() + i * m : nullptr;
            if (distance) {
                // r = ‖x‖²_M + ‖z‖²_M − 2xᵀMz. The expansion carries a rounding error of up to about
                // 4(d+1)ε·(‖x‖²_M + ‖z‖²_M): below that the result is noise, not a distance, and counts as 0.
                // Otherwise a point against itself comes out at ‖x − x‖_M ≈ √(ε‖x‖²_M) ≈ 1e-8, above the
                // 1e-10 at which the Laplace gradient drops its self term (docs/MATH.md §5), and k(x, x) ≠ 1.
                const P xn(ops.x_norms[begin + i]);
                ad::map_range(0, width, k, [&](P t, P zn) {
                    const P sq = xn + zn - P(T(2)) * t;
                    return xsimd::select(sq <= P(rounding) * (xn + zn), P(T(0)), sq);
                }, static_cast<const T*>(k), ops.z_norms.data());
                if (a != nullptr) ad::map_range(0, width, a, [](P r) { return xsimd::sqrt(r); }, static_cast<const T*>(k));
                if (kernel.kind == KernelKind::laplace && a != nullptr)   // the distance is there already
                    ad::map_range(0, width, k, [&](P r) { return xsimd::exp(-r * P(inv_L)); }, static_cast<const T*>(a));
                else if (kernel.kind == KernelKind::laplace)
                    ad::map_range(0, width, k, [&](P r) { return xsimd::exp(-xsimd::sqrt(r) * P(inv_L)); },
                                  static_cast<const T*>(k));
                else
                    ad::map_range(0, width, k, [&](P r) { return xsimd::exp(-r * P(inv_2L2)); }, static_cast<const T*>(k));
            } else {
                if (a != nullptr) std::copy(k, k + width, a);
                if (kernel.kind == KernelKind::quadratic)
                    ad::map_range(0, width, k, [](P t) { return t * t; }, static_cast<const T*>(k));
                else
                    ad::map_range(0, width, k, [](P t) { return xsimd::exp(t); }, static_cast<const T*>(k));
            }
            if (after_row) after_row(i, k, a);
        }
    });
}

}  // namespace

template <class T>
void kernel_rows(const Kernel& kernel, const ad::Tensor<T>& X, const KernelOperands<T>& ops, std::size_t begin,
                 std::size_t end, ad::Tensor<T>& K, ad::Tensor<T>* aux, const KernelRowHook<T>& after_row) {
    rows_of<T>(kernel, X, ops, begin, end, K, aux, false, after_row);
}

template <class T>
ad::Tensor<T> kernel_matrix(const Kernel& kernel, const ad::Tensor<T>& X, const ad::Tensor<T>& Z,
                            const ad::Tensor<T>& M) {
    const KernelOperands<T> ops = kernel_operands(kernel, X, Z, M);
    ad::Tensor<T> K;
    kernel_rows(kernel, X, ops, 0, X.shape(0), K);
    return K;
}

template <class T>
ad::Tensor<T> kernel_matrix_lower(const Kernel& kernel, const ad::Tensor<T>& X, const ad::Tensor<T>& M) {
    const KernelOperands<T> ops = kernel_operands(kernel, X, X, M);
    ad::Tensor<T> K;
    rows_of<T>(kernel, X, ops, 0, X.shape(0), K, nullptr, true, {});
    return K;
}

#define FACT_KERNEL_INSTANTIATE(T)                                                                                   \
    template ad::Tensor<T> converted<T>(const Matrix&);                                                              \
    template void check_kernel_arguments<T>(const char*, const Kernel&, const ad::Tensor<T>&, const ad::Tensor<T>&,  \
                                            const ad::Tensor<T>&);                                                   \
    template KernelOperands<T> kernel_operands<T>(const Kernel&, const ad::Tensor<T>&, const ad::Tensor<T>&,         \
                                                  const ad::Tensor<T>&);                                             \
    template void kernel_rows<T>(const Kernel&, const ad::Tensor<T>&, const KernelOperands<T>&, std::size_t,         \
                                 std::size_t, ad::Tensor<T>&, ad::Tensor<T>*, const KernelRowHook<T>&);              \
    template ad::Tensor<T> kernel_matrix<T>(const Kernel&, const ad::Tensor<T>&, const ad::Tensor<T>&,               \
                                            const ad::Tensor<T>&);                                                   \
    template ad::Tensor<T> kernel_matrix_lower<T>(const Kernel&, const ad::Tensor<T>&, const ad::Tensor<T>&);
FACT_KERNEL_INSTANTIATE(float)
FACT_KERNEL_INSTANTIATE(double)
#undef FACT_KERNEL_INSTANTIATE

}  // namespace fact
