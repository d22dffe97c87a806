// Kernel-machine gradients, AGOP and FACT (docs/MATH.md §5), in row blocks of GEMMs.
#include "fact/kernel/gradients.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "autodiff/kernels/gemm.hpp"
#include "autodiff/kernels/map.hpp"
#include "autodiff/kernels/reduce.hpp"
#include "autodiff/parallel.hpp"

namespace fact {

namespace {

// Terms with ‖x − x_j‖_M below this are dropped from the Laplace gradient (docs/MATH.md §5): the
// kernel is not differentiable at x = x_j, and the self term of a training point is one of them.
constexpr double kZeroDistance = 1e-10;

void check_coefficients(const char* op, const Matrix& X, const Matrix& alpha) {
    if (alpha.shape(0) != X.shape(0))
        throw ad::ShapeError(fmt::format("{}: α is {} but there are {} centres; expected α (n,c) with n = {}", op,
                                         ad::shape_str(alpha), X.shape(0), X.shape(0)));
}

// One row of the gradient formulas' weight S into aux (in place), from the row's kernel values k and its aux
// (distance or inner product), right after kernel_rows computed them:
//   laplace  S = K / (L·dist), 0 when dist < 1e-10;  gaussian  S = K / L²;  inner  S = φ'(t).
template <class T>
void gradient_weights(const Kernel& kernel, std::size_t m, const T* k, T* a) {
    const auto L = static_cast<T>(kernel.bandwidth), inv_L2 = static_cast<T>(1.0 / (kernel.bandwidth * kernel.bandwidth));
    const auto zero_distance = static_cast<T>(kZeroDistance);
    using P = ad::Pack<T>;
    switch (kernel.kind) {
        case KernelKind::laplace:
            ad::map_range(0, m, a, [&](P kv, P r) { return xsimd::select(r < P(zero_distance), P(T(0)), kv / (P(L) * r)); },
                          k, static_cast<const T*>(a));
            break;
        case KernelKind::gaussian:
            ad::map_range(0, m, a, [&](P kv) { return kv * P(inv_L2); }, k);
            break;
        case KernelKind::quadratic:
            ad::map_range(0, m, a, [](P t) { return P(T(2)) * t; }, static_cast<const T*>(a));
            break;
        case KernelKind::exponential:
            ad::map_range(0, m, a, [](P t) { return xsimd::exp(t); }, static_cast<const T*>(a));
            break;
    }
}

// The gradient pass in T: G (n_e·c, d) and predictions (n_e, c), both allocated by the caller.
template <class T>
void gradients_in(const Kernel& kernel, const ad::Tensor<T>& X_eval, const ad::Tensor<T>& X,
                  const ad::Tensor<T>& alpha, const ad::Tensor<T>& M, ad::Tensor<T>& G, ad::Tensor<T>& predictions) {
    using Tensor = ad::Tensor<T>;
    const KernelOperands<T> ops = kernel_operands(kernel, X_eval, X, M);
    const std::size_t ne = X_eval.shape(0), n = X.shape(0), d = X.shape(1), c = alpha.shape(1);
    const bool distance = is_distance_kernel(kernel.kind);
    if (ne == 0 || c == 0 || d == 0) return;

    // Xa (n, c·d + c): row j = [α_j1 x_jᵀ, …, α_jc x_jᵀ, α_j1, …, α_jc]; the last c columns give the distance
    // kernels' Σ_j S_ij α_jk in the same product as the rest.
    const std::size_t width = c * d + (distance ? c : 0);
    Tensor Xa = Tensor::from_shape({n, width});
    for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t k = 0; k < c; ++k)
            for (std::size_t q = 0; q < d; ++q) Xa(j, k * d + q) = alpha(j, k) * X(j, q);
        if (distance)
            for (std::size_t k = 0; k < c; ++k) Xa(j, c * d + k) = alpha(j, k);
    }

    const std::size_t block = kernel_block_rows(n);
    const Tensor alpha_t = ad::transpose(alpha);   // (c, n): α's columns contiguous
    Tensor K, S, H;
    for (std::size_t b = 0; b < ne; b += block) {
        const std::size_t e = std::min(ne, b + block), rows = e - b;
        // Each row, while it is still in cache: its predictions Σ_j k_ij α_jk, and its weights S (into aux).
        // Two passes over the block fewer than a product K_blk α and a weight pass after kernel_rows.
        const KernelRowHook<T> row_pass = [&](std::size_t i, const T* k, T* s) {
            for (std::size_t o = 0; o < c; ++o) predictions(b + i, o) = ad::dot(k, alpha_t.data() + o * n, n);
            gradient_weights(kernel, n, k, s);
        };
        kernel_rows(kernel, X_eval, ops, b, e, K, &S, row_pass);
        // H (rows, width) = S Xa: row i, block k = Σ_j S_ij α_jk x_jᵀ (then Σ_j S_ij α_jk for distance kernels)
        if (H.shape(0) != rows) H = Tensor::from_shape({rows, width});
        ad::gemm(ad::Trans::no, ad::Trans::no, rows, width, n, T(1), S.data(), n, Xa.data(), width, T(0), H.data(),
                 width);
        if (distance) {
            // minus (Σ_j S_ij α_jk) x_iᵀ: the (x_j − x) of the distance kernels
            for (std::size_t i = 0; i < rows; ++i)
                for (std::size_t k = 0; k < c; ++k) {
                    const T s = H(i, c * d + k);
                    T* h = H.data() + i * width + k * d;
                    const T* x = X_eval.data() + (b + i) * d;
                    for (std::size_t q = 0; q < d; ++q) h[q] -= s * x[q];
                }
        }
        // G row b·c + i·c + k = (block k of H's row i) M (M symmetric, so (M v)ᵀ = vᵀ M): one product per k.
        for (std::size_t k = 0; k < c; ++k)
            ad::gemm(ad::Trans::no, ad::Trans::no, rows, d, d, T(1), H.data() + k * d, width, M.data(), d, T(0),
                     G.data() + (b * c + k) * d, c * d);
    }
}

}  // namespace

std::size_t kernel_block_rows(std::size_t n) {
    const std::size_t target = (std::size_t(1) << 24) / std::max<std::size_t>(n, 1);
    return std::max<std::size_t>(1, std::min(n, std::max<std::size_t>(16, target)));
}

// X_eval (n_e,d), X (n,d), α (n,c), M (d,d) -> G (n_e·c, d), predictions (n_e, c).
KernelGradients kernel_gradients(const Kernel& kernel, const Matrix& X_eval, const Matrix& X, const Matrix& alpha,
                                 const Matrix& M, Dtype dtype) {
    check_coefficients("kernel_gradients", X, alpha);
    check_kernel_arguments("kernel_gradients", kernel, X_eval, X, M);   // kernel_operands would say kernel_matrix
    const std::size_t ne = X_eval.shape(0), d = X.shape(1), c = alpha.shape(1);
    KernelGradients g;
    g.points = ne;
    g.outputs = c;
    if (dtype == Dtype::f64) {
        g.G = Matrix::from_shape({ne * c, d});
        g.predictions = Matrix::from_shape({ne, c});
        gradients_in(kernel, X_eval, X, alpha, M, g.G, g.predictions);
        return g;
    }
    ad::Tensor<float> G = ad::Tensor<float>::from_shape({ne * c, d}), P = ad::Tensor<float>::from_shape({ne, c});
    const ad::Tensor<float> Xf = converted<float>(X), af = converted<float>(alpha), Mf = converted<float>(M);
    // The same object twice keeps kernel_operands' shortcut for X against itself.
    if (&X_eval == &X) gradients_in(kernel, Xf, Xf, af, Mf, G, P);
    else gradients_in(kernel, converted<float>(X_eval), Xf, af, Mf, G, P);
    g.G = widened(G);
    g.predictions = widened(P);
    return g;
}

// G (n·c, d) -> (1/n) Gᵀ G (d,d) = (1/n) Σ_i G_i G_iᵀ, after subtracting the mean G_i when centering.
Matrix agop(const KernelGradients& g, bool center) {
    const std::size_t n = g.points, c = g.outputs, d = g.G.shape(1);
    Matrix out = ad::zeros<double>(d, d);
    if (n == 0) return out;
    const Matrix* G = &g.G;
    Matrix centred;
    if (center) {
        Matrix mean = ad::zeros<double>(c, d);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < c; ++k)
                for (std::size_t q = 0; q < d; ++q) mean(k, q) += g.G(i * c + k, q);
        mean /= static_cast<double>(n);
        centred = g.G;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < c; ++k)
                for (std::size_t q = 0; q < d; ++q) centred(i * c + k, q) -= mean(k, q);
        G = &centred;
    }
    ad::gemm(ad::Trans::yes, ad::Trans::no, d, d, n * c, 1.0 / static_cast<double>(n), G->data(), d, G->data(), d, 0.0,
             out.data(), d);
    return symmetrize(out);
}

// Σ_i G_i α_i x_iᵀ = Uᵀ X with U (n,d), u_i = Σ_k α_ik g_ik (g_ik = row i·c + k of G).
Matrix fact_matrix_direct(const KernelGradients& g, const Matrix& alpha, const Matrix& X) {
    const std::size_t n = g.points, c = g.outputs, d = g.G.shape(1);
    if (X.shape(0) != n || alpha.shape(0) != n || alpha.shape(1) != c || X.shape(1) != d)
        throw ad::ShapeError(fmt::format("fact_matrix_direct: gradients at {} points with {} outputs, α {}, X {}; "
                                         "expected α ({},{}) and X ({},{})", n, c, ad::shape_str(alpha),
                                         ad::shape_str(X), n, c, n, d));
    Matrix U = ad::zeros<double>(n, d);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < c; ++k) {
            const double a = alpha(i, k);
            const double* gk = g.G.data() + (i * c + k) * d;
            for (std::size_t q = 0; q < d; ++q) U(i, q) += a * gk[q];
        }
    return ad::matmul(U, X, ad::Trans::yes, ad::Trans::no);
}

// The closed forms of docs/MATH.md §5, accumulated over row blocks:
//   C = Σ_blocks X_blkᵀ (diag(W_blk 1) X_blk − W_blk X)   (distance kernels: Xᵀ Lap(W) X)
//   C = Σ_blocks X_blkᵀ (W_blk X)                          (inner: Xᵀ (K' ∘ A) X)
// with W = (weight) ∘ A, A_blk = α_blk αᵀ; then FACT = scale · M C.
Matrix fact_matrix_closed_form(const Kernel& kernel, const Matrix& X, const Matrix& alpha, const Matrix& M) {
    check_coefficients("fact_matrix_closed_form", X, alpha);
    check_kernel_arguments("fact_matrix_closed_form", kernel, X, X, M);
    const KernelOperands ops = kernel_operands(kernel, X, X, M);
    const std::size_t n = X.shape(0), d = X.shape(1), c = alpha.shape(1);
    const double L = kernel.bandwidth;
    const bool distance = is_distance_kernel(kernel.kind);
    Matrix C = ad::zeros<double>(d, d);
    const std::size_t block = kernel_block_rows(n);
    Matrix K, aux, A, WX;
    for (std::size_t b = 0; b < n; b += block) {
        const std::size_t e = std::min(n, b + block), rows = e - b;
        kernel_rows(kernel, X, ops, b, e, K, &aux);
        if (A.shape(0) != rows) A = Matrix::from_shape({rows, n});
        ad::gemm(ad::Trans::no, ad::Trans::yes, rows, n, c, 1.0, alpha.data() + b * c, c, alpha.data(), c, 0.0,
                 A.data(), n);
        // W (in K) = weight ∘ A, where weight is K/dist (laplace, 0 at dist < 1e-10), K (gaussian), φ'(t) (inner)
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                double w = K(i, j);
                if (kernel.kind == KernelKind::laplace) w = aux(i, j) < kZeroDistance ? 0.0 : w / aux(i, j);
                else if (!distance) w = inner_derivative(kernel, aux(i, j));
                K(i, j) = w * A(i, j);
            }
        if (WX.shape(0) != rows) WX = Matrix::from_shape({rows, d});
        ad::gemm(ad::Trans::no, ad::Trans::no, rows, d, n, 1.0, K.data(), n, X.data(), d, 0.0, WX.data(), d);
        if (distance) {
            // WX ← diag(W 1) X_blk − W X
            for (std::size_t i = 0; i < rows; ++i) {
                double r = 0;
                for (std::size_t j = 0; j < n; ++j) r += K(i, j);
                for (std::size_t q = 0; q < d; ++q) WX(i, q) = r * X(b + i, q) - WX(i, q);
            }
        }
        ad::gemm(ad::Trans::yes, ad::Trans::no, d, d, rows, 1.0, X.data() + b * d, d, WX.data(), d, 1.0, C.data(), d);
    }
    const double scale = kernel.kind == KernelKind::laplace ? -1.0 / L
                         : kernel.kind == KernelKind::gaussian ? -1.0 / (L * L)
                                                               : 1.0;
    Matrix F = ad::matmul(M, C);
    F *= scale;
    return F;
}

// M Xᵀ (T ∘ A) X M with T = (1/n) K'ᵀ K', K'_lj = φ'(x_lᵀ M x_j), A = α αᵀ.
Matrix agop_closed_form_inner(const Kernel& kernel, const Matrix& X, const Matrix& alpha, const Matrix& M) {
    if (is_distance_kernel(kernel.kind))
        throw ad::ValueError(fmt::format("agop_closed_form_inner: the {} kernel is not an inner-product kernel",
                                         to_string(kernel.kind)));
    check_coefficients("agop_closed_form_inner", X, alpha);
    check_kernel_arguments("agop_closed_form_inner", kernel, X, X, M);
    const KernelOperands ops = kernel_operands(kernel, X, X, M);
    const std::size_t n = X.shape(0);
    Matrix K, Kd;
    kernel_rows(kernel, X, ops, 0, n, K, &Kd);
    for (double& t : Kd) t = inner_derivative(kernel, t);
    Matrix T = ad::matmul(Kd, Kd, ad::Trans::yes, ad::Trans::no);
    const Matrix A = ad::matmul(alpha, alpha, ad::Trans::no, ad::Trans::yes);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) T(i, j) *= A(i, j) / static_cast<double>(n);
    const Matrix XM = ad::matmul(X, M);                          // (n,d)
    const Matrix TXM = ad::matmul(T, XM);                        // (n,d)
    return symmetrize(ad::matmul(XM, TXM, ad::Trans::yes, ad::Trans::no));
}

}  // namespace fact
