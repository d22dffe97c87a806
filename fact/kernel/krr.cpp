// Kernel ridge regression: see krr.hpp.
#include "fact/kernel/krr.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "autodiff/kernels/gemm.hpp"   // ad::transpose
#include "autodiff/kernels/reduce.hpp"
#include "data/dataset.hpp"
#include "fact/kernel/gradients.hpp"

namespace fact {

double kernel_system_bytes(std::size_t n, std::size_t d, std::size_t c, Dtype dtype) {
    const double N = double(n), B = double(kernel_block_rows(std::max<std::size_t>(n, 1)));
    // The float32 machine also keeps float32 copies of X, α and the gradients beside the float64 ones.
    const double inputs = dtype == Dtype::f32 ? 1.5 : 1.0;
    return double(bytes_of(dtype)) * (N * N + 2.0 * B * N) +
           8.0 * inputs * (3.0 * N * double(c) * double(d) + 2.0 * N * double(d));
}

void check_kernel_system(const std::string& who, std::size_t n, std::size_t d, std::size_t c, Dtype dtype) {
    data::check_memory(fmt::format("{}: n = {}, d = {}, c = {}", who, n, d, c), kernel_system_bytes(n, d, c, dtype),
                       fmt::format("the n×n kernel matrix and the gradients' workspace, {}",
                                   dtype == Dtype::f32 ? "float32" : "float64"),
                       "the kernel system");
}

KrrFit fit_krr(const Kernel& kernel, const Matrix& X, const Matrix& Y, const Matrix& M, double ridge, Dtype dtype) {
    if (Y.shape(0) != X.shape(0))
        throw ad::ShapeError(fmt::format("fit_krr: X is {} but Y is {}; expected one target row per sample",
                                         ad::shape_str(X), ad::shape_str(Y)));
    // Checked here, before the O(n²d) kernel matrix, so that the message names fit_krr.
    check_kernel_arguments("fit_krr", kernel, X, X, M);
    if (!(ridge >= 0) || !std::isfinite(ridge))
        throw ad::ValueError(fmt::format("fit_krr: ridge μ = {}; expected a finite μ >= 0", ridge));
    const std::size_t n = X.shape(0), d = X.shape(1), c = Y.shape(1);
    check_kernel_system("fit_krr", n, d, c, dtype);
    KrrFit fit;
    std::string note;
    if (dtype == Dtype::f32) {
        const ad::Tensor<float> Xf = converted<float>(X);
        ad::Tensor<float> K = kernel_matrix_lower(kernel, Xf, converted<float>(M));   // all the solve reads
        ad::Tensor<float> alpha = converted<float>(Y);
        const std::string why = solve_ridge_cholesky_f32(K, ridge, alpha, fit.solve);
        if (why.empty()) {
            fit.alpha = widened(alpha);
            return fit;
        }
        note = why;
    }   // the float32 matrix is freed before the float64 one is formed
    if (dtype == Dtype::f32) check_kernel_system("fit_krr (the float64 fallback)", n, d, c, Dtype::f64);
    Matrix K = kernel_matrix_lower(kernel, X, M);
    fit.alpha = Y;
    fit.solve = solve_ridge_system(K, ridge, fit.alpha);
    if (!note.empty())
        fit.solve.note = fit.solve.note.empty()
                             ? fmt::format("{}; solved in float64 by {}", note, to_string(fit.solve.method))
                             : fmt::format("{}; in float64: {}", note, fit.solve.note);
    return fit;
}

namespace {

// K(X_eval, X) α in T, one block of rows of K at a time, into out (n_e, c).
template <class T>
void predict_in(const Kernel& kernel, const ad::Tensor<T>& X_eval, const ad::Tensor<T>& X, const ad::Tensor<T>& alpha,
                const ad::Tensor<T>& M, ad::Tensor<T>& out) {
    const KernelOperands<T> ops = kernel_operands(kernel, X_eval, X, M);
    const std::size_t ne = X_eval.shape(0), n = X.shape(0), c = alpha.shape(1);
    out = ad::Tensor<T>::from_shape({ne, c});
    const std::size_t block = kernel_block_rows(n);
    const ad::Tensor<T> alpha_t = ad::transpose(alpha);   // (c, n): α's columns contiguous
    ad::Tensor<T> K;
    for (std::size_t b = 0; b < ne; b += block) {
        const std::size_t e = std::min(ne, b + block);
        // c dot products per row while the row is in cache (a product with c columns would pack and read the
        // whole block again).
        kernel_rows<T>(kernel, X_eval, ops, b, e, K, nullptr, [&](std::size_t i, const T* k, T*) {
            for (std::size_t o = 0; o < c; ++o) out(b + i, o) = ad::dot(k, alpha_t.data() + o * n, n);
        });
    }
}

}  // namespace

// X_eval (n_e,d), X (n,d), α (n,c) -> K(X_eval, X) α (n_e,c).
Matrix krr_predict(const Kernel& kernel, const Matrix& X_eval, const Matrix& X, const Matrix& alpha, const Matrix& M,
                   Dtype dtype) {
    if (alpha.shape(0) != X.shape(0))
        throw ad::ShapeError(fmt::format("krr_predict: α is {} for {} centres; expected α (n,c) with n = {}",
                                         ad::shape_str(alpha), X.shape(0), X.shape(0)));
    check_kernel_arguments("krr_predict", kernel, X_eval, X, M);
    Matrix out;
    if (dtype == Dtype::f64) {
        predict_in(kernel, X_eval, X, alpha, M, out);
        return out;
    }
    const ad::Tensor<float> Xf = converted<float>(X);
    ad::Tensor<float> pred;
    // The same object twice keeps kernel_operands' shortcut for X against itself.
    if (&X_eval == &X) predict_in(kernel, Xf, Xf, converted<float>(alpha), converted<float>(M), pred);
    else predict_in(kernel, converted<float>(X_eval), Xf, converted<float>(alpha), converted<float>(M), pred);
    return widened(pred);
}

namespace {

void check_same_shape(const char* op, const Matrix& P, const Matrix& Y) {
    if (P.shape(0) != Y.shape(0) || P.shape(1) != Y.shape(1))
        throw ad::ShapeError(fmt::format("{}: predictions {} and targets {}; expected the same shape", op,
                                         ad::shape_str(P), ad::shape_str(Y)));
}

}  // namespace

double mean_squared_error(const Matrix& P, const Matrix& Y) {
    check_same_shape("mean_squared_error", P, Y);
    if (P.size() == 0) return std::numeric_limits<double>::quiet_NaN();
    double s = 0;
    for (std::size_t i = 0; i < P.size(); ++i) s += (P.data()[i] - Y.data()[i]) * (P.data()[i] - Y.data()[i]);
    return s / static_cast<double>(P.size());
}

double argmax_accuracy(const Matrix& P, const Matrix& Y) {
    check_same_shape("argmax_accuracy", P, Y);
    const std::size_t n = P.shape(0), c = P.shape(1);
    if (n == 0 || c < 2) return std::numeric_limits<double>::quiet_NaN();
    std::size_t right = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double* p = P.data() + i * c;
        const double* y = Y.data() + i * c;
        // NaN predictions never count as right: max_element with NaN is unordered, so test explicitly.
        std::size_t bp = 0;
        bool finite = std::isfinite(p[0]);
        for (std::size_t k = 1; k < c; ++k) {
            finite = finite && std::isfinite(p[k]);
            if (p[k] > p[bp]) bp = k;
        }
        const std::size_t by = static_cast<std::size_t>(std::max_element(y, y + c) - y);
        right += finite && bp == by ? 1 : 0;
    }
    return static_cast<double>(right) / static_cast<double>(n);
}

}  // namespace fact
