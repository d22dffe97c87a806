// fact/kernel (kernels, gradients, AGOP/FACT, kernel ridge regression) against oracles computed another way
// (docs/MATH.md §5):
//   - kernel values: a double loop that forms x − z and (x − z)ᵀ M (x − z), or xᵀ M z, entry by entry, where
//     the code under test expands ‖x − z‖²_M = xᵀMx + zᵀMz − 2xᵀMz through GEMMs;
//   - gradients: central differences with Richardson extrapolation of f(x) = Σ_j k(x, x_j) α_j evaluated by
//     that loop (which also fixes the sign: ∇f, not −∇f);
//   - FACT: the closed forms against the direct sum Σ_i G_i α_i x_iᵀ; the inner-product AGOP in closed form
//     against the sum of G_i G_iᵀ; the centred AGOP against an explicit mean subtraction;
//   - kernel ridge regression: Gaussian elimination with partial pivoting written here, the pseudo-inverse
//     from an eigendecomposition (matrix_power(K, −1)), and the normal-equation identity K α = Y − μα;
//   - metrics and normalisations worked out by hand; errors by type and message; thread-count determinism.
#define BOOST_TEST_MODULE fact_kernel
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "autodiff/error.hpp"
#include "autodiff/parallel.hpp"
#include "expect_error.hpp"
#include "fact/kernel/gradients.hpp"
#include "fact/kernel/kernel.hpp"
#include "fact/kernel/krr.hpp"
#include "fact/kernel/rfm.hpp"
#include "fact/linalg.hpp"
#include "test_util.hpp"

using fact::Kernel;
using fact::KernelKind;
using fact::Matrix;

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

Matrix from_rows(std::size_t rows, std::size_t cols, const std::vector<double>& v) {
    Matrix m = Matrix::from_shape({rows, cols});
    std::copy(v.begin(), v.end(), m.begin());
    return m;
}

Matrix identity(std::size_t d) {
    Matrix m = ad::zeros<double>(d, d);
    for (std::size_t i = 0; i < d; ++i) m(i, i) = 1;
    return m;
}

double max_abs(const Matrix& A) {
    double m = 0;
    for (double v : A) m = std::max(m, std::abs(v));
    return m;
}

// max |A − B| / max(max |B|, tiny): the relative error of a whole matrix in the max norm.
double rel_err(const Matrix& A, const Matrix& B) {
    return test::max_abs_diff(A, B) / std::max(max_abs(B), 1e-300);
}

// A full PSD feature matrix B Bᵀ/d + 0.1 I (eigenvalues in about [0.1, 2]) and a diagonal one.
Matrix full_psd(std::size_t d, std::uint64_t seed) {
    const Matrix B = test::uniform<double>(d, d, seed);
    Matrix M = test::naive_matmul(B, test::naive_transpose(B));
    for (double& v : M) v /= static_cast<double>(d);
    for (std::size_t i = 0; i < d; ++i) M(i, i) += 0.1;
    return M;
}

Matrix diagonal_psd(std::size_t d, std::uint64_t seed) {
    const Matrix u = test::uniform<double>(1, d, seed, 0.3, 1.5);
    Matrix M = ad::zeros<double>(d, d);
    for (std::size_t i = 0; i < d; ++i) M(i, i) = u(0, i);
    return M;
}

// The four kernels with the bandwidths the tests use (the inner-product kernels ignore theirs).
std::vector<Kernel> all_kernels() {
    return {{KernelKind::laplace, 2.0}, {KernelKind::gaussian, 1.5}, {KernelKind::quadratic, 1.0},
            {KernelKind::exponential, 1.0}};
}

// k(x, z) straight from the definitions of docs/MATH.md §5: the difference u = x − z first, then uᵀ M u.
double naive_kernel(const Kernel& kernel, const double* x, const double* z, const Matrix& M) {
    const std::size_t d = M.shape(0);
    const double L = kernel.bandwidth;
    if (kernel.kind == KernelKind::laplace || kernel.kind == KernelKind::gaussian) {
        double q = 0;
        for (std::size_t p = 0; p < d; ++p)
            for (std::size_t r = 0; r < d; ++r) q += (x[p] - z[p]) * M(p, r) * (x[r] - z[r]);
        if (kernel.kind == KernelKind::laplace) return std::exp(-std::sqrt(q) / L);
        return std::exp(-q / (2 * L * L));
    }
    double t = 0;
    for (std::size_t p = 0; p < d; ++p)
        for (std::size_t r = 0; r < d; ++r) t += x[p] * M(p, r) * z[r];
    return kernel.kind == KernelKind::quadratic ? t * t : std::exp(t);
}

double m_distance(const double* x, const double* z, const Matrix& M) {
    const std::size_t d = M.shape(0);
    double q = 0;
    for (std::size_t p = 0; p < d; ++p)
        for (std::size_t r = 0; r < d; ++r) q += (x[p] - z[p]) * M(p, r) * (x[r] - z[r]);
    return std::sqrt(q);
}

Matrix naive_kernel_matrix(const Kernel& kernel, const Matrix& X, const Matrix& Z, const Matrix& M) {
    Matrix K = Matrix::from_shape({X.shape(0), Z.shape(0)});
    for (std::size_t i = 0; i < X.shape(0); ++i)
        for (std::size_t j = 0; j < Z.shape(0); ++j)
            K(i, j) = naive_kernel(kernel, X.data() + i * X.shape(1), Z.data() + j * Z.shape(1), M);
    return K;
}

// f_k(x) = Σ_{j ≠ skip} k(x, x_j) α_jk.
double naive_f(const Kernel& kernel, const std::vector<double>& x, const Matrix& X, const Matrix& alpha,
               const Matrix& M, std::size_t k, std::size_t skip = static_cast<std::size_t>(-1)) {
    double f = 0;
    for (std::size_t j = 0; j < X.shape(0); ++j)
        if (j != skip) f += naive_kernel(kernel, x.data(), X.data() + j * X.shape(1), M) * alpha(j, k);
    return f;
}

// ∇f_k at x (d) by central differences D(h) = (f(x + h e_q) − f(x − h e_q)) / 2h, Richardson-extrapolated:
// (4 D(h/2) − D(h)) / 3 has truncation error O(h⁴ f⁽⁵⁾), and rounding about ε|f|/h.
std::vector<double> fd_gradient(const Kernel& kernel, const std::vector<double>& x, const Matrix& X,
                                const Matrix& alpha, const Matrix& M, std::size_t k, double h,
                                std::size_t skip = static_cast<std::size_t>(-1)) {
    const std::size_t d = x.size();
    std::vector<double> g(d);
    auto central = [&](std::size_t q, double step) {
        std::vector<double> xp = x, xm = x;
        xp[q] += step;
        xm[q] -= step;
        return (naive_f(kernel, xp, X, alpha, M, k, skip) - naive_f(kernel, xm, X, alpha, M, k, skip)) / (2 * step);
    };
    for (std::size_t q = 0; q < d; ++q) g[q] = (4 * central(q, h / 2) - central(q, h)) / 3;
    return g;
}

std::vector<double> row(const Matrix& A, std::size_t i) {
    return std::vector<double>(A.data() + i * A.shape(1), A.data() + (i + 1) * A.shape(1));
}

// Solve A x = B by Gaussian elimination with partial pivoting (the oracle of the KRR solve).
Matrix gepp_solve(Matrix A, Matrix B) {
    const std::size_t n = A.shape(0), c = B.shape(1);
    for (std::size_t col = 0; col < n; ++col) {
        std::size_t piv = col;
        for (std::size_t r = col + 1; r < n; ++r)
            if (std::abs(A(r, col)) > std::abs(A(piv, col))) piv = r;
        for (std::size_t j = 0; j < n; ++j) std::swap(A(col, j), A(piv, j));
        for (std::size_t j = 0; j < c; ++j) std::swap(B(col, j), B(piv, j));
        for (std::size_t r = col + 1; r < n; ++r) {
            const double f = A(r, col) / A(col, col);
            for (std::size_t j = col; j < n; ++j) A(r, j) -= f * A(col, j);
            for (std::size_t j = 0; j < c; ++j) B(r, j) -= f * B(col, j);
        }
    }
    Matrix x = Matrix::from_shape({n, c});
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = 0; j < c; ++j) {
            double s = B(i, j);
            for (std::size_t k = i + 1; k < n; ++k) s -= A(i, k) * x(k, j);
            x(i, j) = s / A(i, i);
        }
    return x;
}

// Restores the default thread count however a test leaves.
struct ResetThreads {
    ~ResetThreads() { ad::set_num_threads(0); }
};

void check_contains(const std::string& msg, const std::vector<std::string>& parts) {
    for (const auto& p : parts) BOOST_TEST(msg.find(p) != std::string::npos, "'" << msg << "' lacks '" << p << "'");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fact_kernel)

// kernel_matrix_lower (what the fits factor) holds, on and below the diagonal, exactly the bits of
// kernel_matrix(X, X): every kernel, float and double, sizes around the packs and the parallel split, 1 and 2
// threads.
template <class T>
void check_lower_kernel_matrix(std::size_t n) {
    const std::size_t d = 5;
    const ad::Tensor<T> X = fact::converted<T>(test::uniform<double>(n, d, unsigned(n))),
                        M = fact::converted<T>(full_psd(d, 3));
    for (const Kernel& kernel : all_kernels()) {
        const ad::Tensor<T> K = fact::kernel_matrix(kernel, X, X, M);
        for (int threads : {1, 2}) {
            ad::set_num_threads(threads);
            const ad::Tensor<T> L = fact::kernel_matrix_lower(kernel, X, M);
            BOOST_TEST_REQUIRE((L.shape(0) == n && L.shape(1) == n));
            std::size_t differ = 0;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j <= i; ++j) differ += !(L(i, j) == K(i, j));
            BOOST_TEST(differ == 0u, fact::to_string(kernel.kind) << " n = " << n << ", " << threads << " threads, "
                                                                  << sizeof(T) * 8 << "-bit: " << differ
                                                                  << " entries differ");
        }
        ad::set_num_threads(0);
    }
}

BOOST_AUTO_TEST_CASE(lower_kernel_matrix_is_the_full_ones_lower_triangle) {
    for (std::size_t n : {1u, 7u, 17u, 65u, 300u}) {
        check_lower_kernel_matrix<double>(n);
        check_lower_kernel_matrix<float>(n);
    }
}

// Tolerance: ‖x − z‖²_M from the expansion xᵀMx + zᵀMz − 2xᵀMz loses to cancellation about d·ε·(‖x‖²_M +
// ‖z‖²_M) ≈ 5·2e-16·20 = 2e-14 absolute (|x| ≤ 1 entrywise, λ(M) ≤ 2); the distances here are ≥ 0.1, so the
// kernel values (all O(1) or smaller, derivatives ≤ 1/(2L·dist)) move by < 1e-13. 1e-12 · max(1, |k|).
BOOST_AUTO_TEST_CASE(kernel_values_against_the_definitions) {
    const std::size_t n = 9, m = 7, d = 5;
    const Matrix X = test::uniform<double>(n, d, 11), Z = test::uniform<double>(m, d, 12);
    double worst = 0;
    for (const Matrix& M : {full_psd(d, 13), diagonal_psd(d, 14)})
        for (const Kernel& kernel : all_kernels()) {
            const Matrix K = fact::kernel_matrix(kernel, X, Z, M);
            const Matrix expected = naive_kernel_matrix(kernel, X, Z, M);
            BOOST_TEST_REQUIRE((K.shape(0) == n && K.shape(1) == m));
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < m; ++j) {
                    const double err = std::abs(K(i, j) - expected(i, j)) / std::max(1.0, std::abs(expected(i, j)));
                    worst = std::max(worst, err);
                    BOOST_TEST(err < 1e-12, fact::to_string(kernel.kind) << " (" << i << "," << j << "): " << K(i, j)
                                                                         << " vs " << expected(i, j));
                }

            // kernel_rows for the middle rows [3, 7): the same values, and aux = ‖x − z‖_M or xᵀMz.
            const auto ops = fact::kernel_operands(kernel, X, Z, M);
            Matrix Kb, aux;
            fact::kernel_rows(kernel, X, ops, 3, 7, Kb, &aux);
            BOOST_TEST_REQUIRE((Kb.shape(0) == 4 && aux.shape(0) == 4 && aux.shape(1) == m));
            for (std::size_t i = 0; i < 4; ++i)
                for (std::size_t j = 0; j < m; ++j) {
                    const double* x = X.data() + (3 + i) * d;
                    const double* z = Z.data() + j * d;
                    BOOST_TEST(std::abs(Kb(i, j) - K(3 + i, j)) < 1e-12 * std::max(1.0, std::abs(K(3 + i, j))));
                    double a = 0;
                    if (fact::is_distance_kernel(kernel.kind)) {
                        a = m_distance(x, z, M);
                    } else {
                        for (std::size_t p = 0; p < d; ++p)
                            for (std::size_t r = 0; r < d; ++r) a += x[p] * M(p, r) * z[r];
                    }
                    BOOST_TEST(std::abs(aux(i, j) - a) < 1e-12 * std::max(1.0, std::abs(a)));
                }
        }
    BOOST_TEST_MESSAGE("kernel values: worst relative error " << worst << " (tolerance 1e-12)");

    // A point against itself is at distance exactly 0 (so k = 1 and the Laplace self term is dropped), also
    // when the two sides are different objects; two distinct points 1e-6 apart are not merged (the expansion
    // resolves their squared distance 1e-12 to about ε·‖x‖²_M/1e-12 ≈ 1e-3 relative).
    Matrix near = X;
    near(4, 0) += 1e-6;
    const Matrix Mf = full_psd(d, 13);
    for (const Kernel& kernel : {all_kernels()[0], all_kernels()[1]}) {
        const Matrix Kxx = fact::kernel_matrix(kernel, X, Matrix(X), Mf);
        for (std::size_t i = 0; i < n; ++i) BOOST_TEST(Kxx(i, i) == 1.0);
        const auto ops = fact::kernel_operands(kernel, near, X, Mf);
        Matrix K, aux;
        fact::kernel_rows(kernel, near, ops, 4, 5, K, &aux);
        const double expected = m_distance(near.data() + 4 * d, X.data() + 4 * d, Mf);
        BOOST_TEST(std::abs(aux(0, 4) - expected) < 1e-2 * expected, aux(0, 4) << " vs " << expected);
    }

    // By hand: x = (1,0), z = (0,1), M = diag(2, 3): ‖x − z‖²_M = 5, xᵀMz = 0, xᵀMx = 2.
    const Matrix x = from_rows(1, 2, {1, 0}), z = from_rows(1, 2, {0, 1}), M = from_rows(2, 2, {2, 0, 0, 3});
    BOOST_TEST(std::abs(fact::kernel_matrix({KernelKind::laplace, 2.0}, x, z, M)(0, 0) - std::exp(-std::sqrt(5.0) / 2)) < 1e-15);
    BOOST_TEST(std::abs(fact::kernel_matrix({KernelKind::gaussian, 2.0}, x, z, M)(0, 0) - std::exp(-5.0 / 8)) < 1e-15);
    BOOST_TEST(fact::kernel_matrix({KernelKind::quadratic, 1.0}, x, z, M)(0, 0) == 0.0);
    BOOST_TEST(std::abs(fact::kernel_matrix({KernelKind::exponential, 1.0}, x, x, M)(0, 0) - std::exp(2.0)) < 1e-14);
    BOOST_TEST(fact::kernel_matrix({KernelKind::quadratic, 1.0}, x, x, M)(0, 0) == 4.0);
}

BOOST_AUTO_TEST_CASE(kernel_names) {
    for (const Kernel& kernel : all_kernels()) BOOST_TEST((fact::parse_kernel(fact::to_string(kernel.kind)) == kernel.kind));
    BOOST_TEST((fact::parse_kernel("exponential") == KernelKind::exponential));
    BOOST_TEST(fact::is_distance_kernel(KernelKind::laplace));
    BOOST_TEST(fact::is_distance_kernel(KernelKind::gaussian));
    BOOST_TEST(!fact::is_distance_kernel(KernelKind::quadratic));
    BOOST_TEST(!fact::is_distance_kernel(KernelKind::exponential));
}

// Tolerance: with h = 1e-3 the extrapolated difference has truncation error ~h⁴·|f⁽⁵⁾|/(some constant); the
// nearest centre is ≥ 0.1 away (checked), so even for Laplace |f⁽⁵⁾| ≲ Σ|α|·5!/dist⁵ ≈ 1e8 and the error is
// ≲ 1e-12·1e8/(5!·...) ≪ 1e-6; rounding adds ~ε·|f|/h ≈ 1e-13. 1e-6 relative to the largest gradient entry
// of the kernel (measured errors are ~1e-12) leaves margin over both and still catches a wrong sign or factor.
BOOST_AUTO_TEST_CASE(gradients_against_finite_differences) {
    const std::size_t n = 9, ne = 6, d = 5, c = 2;
    const Matrix X = test::uniform<double>(n, d, 21), alpha = test::uniform<double>(n, c, 22);
    const Matrix Xe = test::uniform<double>(ne, d, 23);
    const double h = 1e-3;
    for (const Matrix& M : {full_psd(d, 24), diagonal_psd(d, 25)}) {
        // Precondition of the tolerance: the evaluation points are far from the centres (Laplace's kink).
        double nearest = INFINITY;
        for (std::size_t i = 0; i < ne; ++i)
            for (std::size_t j = 0; j < n; ++j) nearest = std::min(nearest, m_distance(Xe.data() + i * d, X.data() + j * d, M));
        BOOST_TEST_REQUIRE(nearest > 0.1);

        for (const Kernel& kernel : all_kernels()) {
            const fact::KernelGradients g = fact::kernel_gradients(kernel, Xe, X, alpha, M);
            BOOST_TEST_REQUIRE((g.points == ne && g.outputs == c && g.G.shape(0) == ne * c && g.G.shape(1) == d));
            const double scale = max_abs(g.G);
            BOOST_TEST_REQUIRE(scale > 1e-3);   // a gradient that is not trivially zero
            double worst = 0, agreement = 0;
            for (std::size_t i = 0; i < ne; ++i)
                for (std::size_t k = 0; k < c; ++k) {
                    const std::vector<double> fd = fd_gradient(kernel, row(Xe, i), X, alpha, M, k, h);
                    for (std::size_t q = 0; q < d; ++q) {
                        worst = std::max(worst, std::abs(g.G(i * c + k, q) - fd[q]) / scale);
                        agreement += g.G(i * c + k, q) * fd[q];
                    }
                    // predictions = K α, by the naive sum
                    const double f = naive_f(kernel, row(Xe, i), X, alpha, M, k);
                    BOOST_TEST(std::abs(g.predictions(i, k) - f) < 1e-12 * std::max(1.0, std::abs(f)));
                }
            BOOST_TEST(worst < 1e-6, fact::to_string(kernel.kind) << ": relative error " << worst);
            BOOST_TEST(agreement > 0, fact::to_string(kernel.kind) << ": G points against ∇f (sign)");
            BOOST_TEST_MESSAGE(fact::to_string(kernel.kind) << " gradient vs FD: " << worst << " (tolerance 1e-6)");
        }
    }
}

// At the training points. Laplace: the formula drops the self term (‖x_i − x_i‖_M = 0 < 1e-10), so G(x_i) is the
// gradient of the differentiable f − k(·, x_i) α_i. The others: the self term is smooth and kept (Gaussian: its
// gradient vanishes at x = x_i; inner product: φ'(x_iᵀMx_i) M x_i with the centre fixed). Tolerance as above.
BOOST_AUTO_TEST_CASE(gradients_at_the_training_points) {
    const std::size_t n = 9, d = 5, c = 2;
    const Matrix X = test::uniform<double>(n, d, 31), alpha = test::uniform<double>(n, c, 32);
    const Matrix Xcopy = X;   // a different object with the same rows: no identity shortcut
    const double h = 1e-3;
    for (const Matrix& M : {full_psd(d, 33), diagonal_psd(d, 34)})
        for (const Kernel& kernel : all_kernels()) {
            const bool laplace = kernel.kind == KernelKind::laplace;
            for (const Matrix* Xe : {&X, &Xcopy}) {
                const fact::KernelGradients g = fact::kernel_gradients(kernel, *Xe, X, alpha, M);
                const double scale = max_abs(g.G);
                double worst = 0;
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t k = 0; k < c; ++k) {
                        const std::vector<double> fd =
                            fd_gradient(kernel, row(X, i), X, alpha, M, k, h, laplace ? i : static_cast<std::size_t>(-1));
                        for (std::size_t q = 0; q < d; ++q)
                            worst = std::max(worst, std::abs(g.G(i * c + k, q) - fd[q]) / scale);
                        const double f = naive_f(kernel, row(X, i), X, alpha, M, k);
                        BOOST_TEST(std::abs(g.predictions(i, k) - f) < 1e-12 * std::max(1.0, std::abs(f)));
                    }
                BOOST_TEST(worst < 1e-6, fact::to_string(kernel.kind) << " at the training points: " << worst);
                BOOST_TEST_MESSAGE(fact::to_string(kernel.kind) << " gradient at training points vs FD: " << worst);
            }
            // The self distance the Laplace gradient tests against 1e-10 must come out as (near) zero, not as the
            // square root of the expansion's rounding (√(ε·‖x‖²_M) ≈ 1e-8, which would keep a 1e8-sized weight).
            const auto ops = fact::kernel_operands(kernel, Xcopy, X, M);
            Matrix K, aux;
            fact::kernel_rows(kernel, Xcopy, ops, 0, n, K, &aux);
            if (fact::is_distance_kernel(kernel.kind))
                for (std::size_t i = 0; i < n; ++i) BOOST_TEST(aux(i, i) < 1e-10, "self distance " << aux(i, i));
        }
}

// The direct sum and the closed form are two evaluations of the same finite sums (no truncation); they differ
// only by rounding, a few ε per term over n = 40 terms of size ≤ max|FACT|: 1e-10 relative.
BOOST_AUTO_TEST_CASE(fact_closed_form_against_the_direct_sum) {
    const std::size_t n = 40, d = 6, c = 3;
    const Matrix X = test::uniform<double>(n, d, 41), alpha = test::uniform<double>(n, c, 42);
    for (const Matrix& M : {full_psd(d, 43), diagonal_psd(d, 44)})
        for (const Kernel& kernel : all_kernels()) {
            const fact::KernelGradients g = fact::kernel_gradients(kernel, X, X, alpha, M);
            const Matrix direct = fact::fact_matrix_direct(g, alpha, X);
            const Matrix closed = fact::fact_matrix_closed_form(kernel, X, alpha, M);
            const double err = rel_err(closed, direct);
            BOOST_TEST(err < 1e-10, fact::to_string(kernel.kind) << ": " << err);
            BOOST_TEST_MESSAGE(fact::to_string(kernel.kind) << " FACT closed form vs direct: " << err << " (tolerance 1e-10)");

            // The direct sum itself against a loop over i of G_i α_i x_iᵀ.
            Matrix naive = ad::zeros<double>(d, d);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t p = 0; p < d; ++p) {
                    double ga = 0;
                    for (std::size_t k = 0; k < c; ++k) ga += g.G(i * c + k, p) * alpha(i, k);
                    for (std::size_t q = 0; q < d; ++q) naive(p, q) += ga * X(i, q);
                }
            BOOST_TEST(rel_err(direct, naive) < 1e-12);

            // AGOP, uncentred and centred, against explicit loops: (1/n) Σ_i (G_i − Ḡ)(G_i − Ḡ)ᵀ.
            for (bool center : {false, true}) {
                Matrix mean = ad::zeros<double>(c, d);
                if (center)
                    for (std::size_t i = 0; i < n; ++i)
                        for (std::size_t k = 0; k < c; ++k)
                            for (std::size_t q = 0; q < d; ++q) mean(k, q) += g.G(i * c + k, q) / static_cast<double>(n);
                Matrix expected = ad::zeros<double>(d, d);
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t k = 0; k < c; ++k)
                        for (std::size_t p = 0; p < d; ++p)
                            for (std::size_t q = 0; q < d; ++q)
                                expected(p, q) += (g.G(i * c + k, p) - mean(k, p)) * (g.G(i * c + k, q) - mean(k, q)) /
                                                  static_cast<double>(n);
                const Matrix A = fact::agop(g, center);
                BOOST_TEST(rel_err(A, expected) < 1e-12, "center " << center << ": " << rel_err(A, expected));
                for (std::size_t p = 0; p < d; ++p)
                    for (std::size_t q = 0; q < p; ++q) BOOST_TEST(A(p, q) == A(q, p));
            }

            if (!fact::is_distance_kernel(kernel.kind)) {
                const Matrix closed_agop = fact::agop_closed_form_inner(kernel, X, alpha, M);
                const double e = rel_err(closed_agop, fact::agop(g, false));
                BOOST_TEST(e < 1e-10, fact::to_string(kernel.kind) << " AGOP: " << e);
                BOOST_TEST_MESSAGE(fact::to_string(kernel.kind) << " AGOP closed form vs sum: " << e << " (tolerance 1e-10)");
            }
        }
}

// kernel_block_rows(n) = 2²⁴/n clamped to [16, n]: more than one block needs n > 4096 centres (or ≥ 2²⁰ at the
// floor of 16 rows), and every block is then ~2²⁴ kernel entries. n = 4100, d = 2, c = 2 gives blocks of 4092
// rows: [0, 4092) and [4092, 4100). The rows on both sides of the seam are checked against the naive formulas
// (1e-10 relative: sums of 4100 terms), the blocked FACT closed form against the blocked direct sum.
BOOST_AUTO_TEST_CASE(blocked_path) {
    const std::size_t n = 4100, d = 2, c = 2;
    const std::size_t block = fact::kernel_block_rows(n);
    BOOST_TEST_REQUIRE(block == (std::size_t(1) << 24) / n);
    BOOST_TEST_REQUIRE(block < n);
    BOOST_TEST(fact::kernel_block_rows(10) == 10);
    BOOST_TEST(fact::kernel_block_rows(100) == 100);
    BOOST_TEST(fact::kernel_block_rows(std::size_t(1) << 22) == 16);

    const Matrix X = test::uniform<double>(n, d, 51), alpha = test::uniform<double>(n, c, 52);
    const Matrix M = full_psd(d, 53);
    const Kernel kernel{KernelKind::laplace, 1.0};
    const fact::KernelGradients g = fact::kernel_gradients(kernel, X, X, alpha, M);
    const Matrix P = fact::krr_predict(kernel, X, X, alpha, M);
    for (std::size_t i : {std::size_t(0), std::size_t(1), block - 1, block, block + 1, n - 1}) {
        // G(x_i)ᵀ[k] = (1/L) Σ_{j ≠ i} α_jk k/‖x_i − x_j‖_M M (x_j − x_i), by a loop over j.
        std::vector<double> sum(c * d, 0.0);
        double scale = 0;
        for (std::size_t j = 0; j < n; ++j) {
            const double dist = m_distance(X.data() + i * d, X.data() + j * d, M);
            if (j == i) continue;
            const double kv = naive_kernel(kernel, X.data() + i * d, X.data() + j * d, M);
            for (std::size_t k = 0; k < c; ++k)
                for (std::size_t q = 0; q < d; ++q) sum[k * d + q] += alpha(j, k) * kv / dist * (X(j, q) - X(i, q));
        }
        for (std::size_t k = 0; k < c; ++k) {
            std::vector<double> gk(d, 0.0);
            for (std::size_t p = 0; p < d; ++p)
                for (std::size_t q = 0; q < d; ++q) gk[p] += M(p, q) * sum[k * d + q] / kernel.bandwidth;
            for (std::size_t p = 0; p < d; ++p) scale = std::max(scale, std::abs(gk[p]));
            for (std::size_t p = 0; p < d; ++p)
                BOOST_TEST(std::abs(g.G(i * c + k, p) - gk[p]) < 1e-10 * std::max(scale, 1.0), "row " << i);
            const double f = naive_f(kernel, row(X, i), X, alpha, M, k);
            BOOST_TEST(std::abs(g.predictions(i, k) - f) < 1e-10 * std::max(1.0, std::abs(f)), "row " << i);
            BOOST_TEST(std::abs(P(i, k) - f) < 1e-10 * std::max(1.0, std::abs(f)), "row " << i);
        }
    }
    const double err = rel_err(fact::fact_matrix_closed_form(kernel, X, alpha, M), fact::fact_matrix_direct(g, alpha, X));
    BOOST_TEST(err < 1e-10, "blocked FACT: " << err);
    BOOST_TEST_MESSAGE("blocked FACT closed form vs direct: " << err << " (tolerance 1e-10)");
}

// KRR against Gaussian elimination. Gaussian kernel, L = 1, n = 8 points in d = 3: the conditioning is measured
// (eigenvalues from fact::eigh) and the tolerance is 1e3·cond·ε (backward-stable solves: forward error ≲ cond·ε
// times a modest constant).
BOOST_AUTO_TEST_CASE(krr_against_gaussian_elimination) {
    const std::size_t n = 8, d = 3, c = 2;
    const Matrix X = test::uniform<double>(n, d, 61), Y = test::uniform<double>(n, c, 62);
    const Matrix M = full_psd(d, 63);
    const Kernel kernel{KernelKind::gaussian, 1.0};
    const Matrix K = naive_kernel_matrix(kernel, X, X, M);
    const fact::SymmetricEigen eig = fact::eigh(K);
    BOOST_TEST_REQUIRE(eig.values.front() > 0);
    const double cond = eig.values.back() / eig.values.front();
    BOOST_TEST_MESSAGE("KRR: cond(K) = " << cond);
    BOOST_TEST_REQUIRE(cond < 1e6);   // precondition of the tolerances below

    for (double ridge : {0.1, 0.0}) {
        Matrix Kr = K;
        for (std::size_t i = 0; i < n; ++i) Kr(i, i) += ridge;
        const Matrix expected = gepp_solve(Kr, Y);
        const fact::KrrFit fit = fact::fit_krr(kernel, X, Y, M, ridge);
        const double cond_r = (eig.values.back() + ridge) / (eig.values.front() + ridge);
        const double err = rel_err(fit.alpha, expected);
        BOOST_TEST(err < 1e3 * cond_r * kEps, "ridge " << ridge << ": " << err);
        BOOST_TEST_MESSAGE("KRR ridge " << ridge << ": α error " << err << " (tolerance " << 1e3 * cond_r * kEps << ")");
        BOOST_TEST(fit.solve.note.empty(), fit.solve.note);
        BOOST_TEST(fit.solve.rcond > 0);
        if (ridge > 0) {
            BOOST_TEST((fit.solve.method == fact::SolveMethod::cholesky));
            // K α + μ α = Y, so the predictions at the training points are Y − μα (within ‖K‖·‖α‖·ε·n).
            const Matrix P = fact::krr_predict(kernel, X, X, fit.alpha, M);
            Matrix expected_P = Y;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t k = 0; k < c; ++k) expected_P(i, k) -= ridge * fit.alpha(i, k);
            BOOST_TEST(test::max_abs_diff(P, expected_P) < 1e-12 * std::max(1.0, max_abs(fit.alpha)) * n);
        } else {
            BOOST_TEST((fit.solve.method == fact::SolveMethod::symmetric_indefinite));
            BOOST_TEST(fit.solve.rcond >= n * kEps);
            // Ridgeless interpolation: K α = Y.
            BOOST_TEST(test::max_abs_diff(fact::krr_predict(kernel, X, X, fit.alpha, M), Y) < 1e3 * cond * kEps);
        }
    }

    // Predictions at new points: the naive K(X_new, X) α.
    const fact::KrrFit fit = fact::fit_krr(kernel, X, Y, M, 0.1);
    const Matrix Xn = test::uniform<double>(5, d, 64);
    const Matrix expected = test::naive_matmul(naive_kernel_matrix(kernel, Xn, X, M), fit.alpha);
    BOOST_TEST(rel_err(fact::krr_predict(kernel, Xn, X, fit.alpha, M), expected) < 1e-12);
}

// A singular system: rows 2 = 5 and 0 = 7 of X are equal, so K has two exactly repeated rows (rank n − 2), and
// the targets of the duplicates differ (no exact solution). Least squares must report itself and return the
// minimum-norm solution K⁺Y: it satisfies the normal equations Kᵀ(Kα − Y) = 0, equals the pseudo-inverse from
// an eigendecomposition (matrix_power(K, −1) drops eigenvalues ≤ n·ε·σ_max), and gives duplicates equal
// coefficients (α ⊥ the null vectors e_2 − e_5, e_0 − e_7). Tolerance 1e3·cond⁺·ε with cond⁺ = σ_max over the
// smallest nonzero eigenvalue, measured.
BOOST_AUTO_TEST_CASE(krr_singular_system_falls_back_to_least_squares) {
    const std::size_t n = 8, d = 3, c = 2;
    Matrix X = test::uniform<double>(n, d, 71);
    const Matrix Y = test::uniform<double>(n, c, 72);
    for (std::size_t q = 0; q < d; ++q) {
        X(5, q) = X(2, q);
        X(7, q) = X(0, q);
    }
    const Matrix M = diagonal_psd(d, 73);
    const Kernel kernel{KernelKind::gaussian, 1.0};
    const fact::KrrFit fit = fact::fit_krr(kernel, X, Y, M, 0.0);
    BOOST_TEST((fit.solve.method == fact::SolveMethod::least_squares));
    BOOST_TEST(!fit.solve.note.empty());
    BOOST_TEST(std::isnan(fit.solve.rcond));
    BOOST_TEST_MESSAGE("singular KRR note: " << fit.solve.note);

    const Matrix K = naive_kernel_matrix(kernel, X, X, M);
    const fact::SymmetricEigen eig = fact::eigh(K);
    const double smallest_nonzero = eig.values[2];   // two eigenvalues are zero
    BOOST_TEST_REQUIRE(std::abs(eig.values[1]) < 1e-13 * eig.values.back());
    const double cond = eig.values.back() / smallest_nonzero;
    BOOST_TEST_MESSAGE("singular KRR: cond⁺ = " << cond);
    BOOST_TEST_REQUIRE(cond < 1e6);
    const double tol = 1e3 * cond * kEps;

    const Matrix pinv_Y = test::naive_matmul(fact::matrix_power(K, -1.0), Y);
    const double err = rel_err(fit.alpha, pinv_Y);
    BOOST_TEST(err < tol, "least squares vs K⁺Y: " << err);
    BOOST_TEST_MESSAGE("least squares vs K⁺Y: " << err << " (tolerance " << tol << ")");

    Matrix residual = test::naive_matmul(K, fit.alpha);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < c; ++k) residual(i, k) -= Y(i, k);
    const Matrix normal = test::naive_matmul(test::naive_transpose(K), residual);
    BOOST_TEST(max_abs(normal) < tol * eig.values.back() * max_abs(Y), "normal equations: " << max_abs(normal));
    BOOST_TEST(max_abs(residual) > 1e-3);   // inconsistent targets: the residual cannot vanish
    for (std::size_t k = 0; k < c; ++k) {
        BOOST_TEST(std::abs(fit.alpha(2, k) - fit.alpha(5, k)) < tol * max_abs(fit.alpha));
        BOOST_TEST(std::abs(fit.alpha(0, k) - fit.alpha(7, k)) < tol * max_abs(fit.alpha));
    }
}

// solve_ridge_system directly, on a symmetric indefinite A (eigenvalues 3 ± ..., one negative): with μ > 0 the
// Cholesky factorization fails and the LDLᵀ fallback must say so and still solve (A + μI) X = B. Only the lower
// triangle of A is to be read, so the strict upper triangle is filled with garbage, which must not matter on any
// path. Oracle: Gaussian elimination on the clean matrix; cond(A + μI) < 1e2 here, so 1e-12.
BOOST_AUTO_TEST_CASE(solve_ridge_system_paths_read_only_the_lower_triangle) {
    const Matrix clean = from_rows(3, 3, {1, 2, 0.5,  2, 1, 0.3,  0.5, 0.3, 2});
    const Matrix B = from_rows(3, 2, {1, 0, -1, 2, 0.5, 1});
    const Matrix pd = from_rows(3, 3, {4, 1, 0.5,  1, 3, 0.3,  0.5, 0.3, 2});
    struct Case {
        const Matrix* A;
        double ridge;
        fact::SolveMethod method;
        bool note;
    };
    for (const Case& cs : {Case{&clean, 0.1, fact::SolveMethod::symmetric_indefinite, true},
                           Case{&clean, 0.0, fact::SolveMethod::symmetric_indefinite, false},
                           Case{&pd, 0.1, fact::SolveMethod::cholesky, false}}) {
        Matrix Ar = *cs.A;
        for (std::size_t i = 0; i < 3; ++i) Ar(i, i) += cs.ridge;
        const Matrix expected = gepp_solve(Ar, B);
        Matrix A = *cs.A;
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = i + 1; j < 3; ++j) A(i, j) = 100.0 + static_cast<double>(i + j);   // garbage
        Matrix X = B;
        const fact::SolveReport r = fact::solve_ridge_system(A, cs.ridge, X);
        BOOST_TEST((r.method == cs.method), "ridge " << cs.ridge << ": " << fact::to_string(r.method));
        BOOST_TEST(r.note.empty() != cs.note, "note: '" << r.note << "'");
        if (cs.note) check_contains(r.note, {"Cholesky"});
        BOOST_TEST(rel_err(X, expected) < 1e-12, "ridge " << cs.ridge << ": " << rel_err(X, expected));
    }

    // Exactly singular (rows 0 and 1 equal), μ = 0: least squares, the minimum-norm solution A⁺B (eigenvalues
    // 0, 2, 2: the pseudo-inverse from matrix_power is exact to a few ε).
    const Matrix singular = from_rows(3, 3, {1, 1, 0,  1, 1, 0,  0, 0, 2});
    Matrix A = singular;
    A(0, 1) = 7;
    A(0, 2) = -3;
    A(1, 2) = 5;
    Matrix X = B;
    const fact::SolveReport r = fact::solve_ridge_system(A, 0.0, X);
    BOOST_TEST((r.method == fact::SolveMethod::least_squares));
    check_contains(r.note, {"least squares", "rank 2 of 3"});
    const Matrix expected = test::naive_matmul(fact::matrix_power(singular, -1.0), B);
    BOOST_TEST(rel_err(X, expected) < 1e-12, "least squares: " << rel_err(X, expected));
}

// The reciprocal condition number solve_ridge_system reports (‖A + μI‖₁ from the lower triangle, LAPACK's
// estimate of ‖(A + μI)⁻¹‖₁) on a diagonal system, where both are exact: 1/cond₁ = min/max of the diagonal,
// whatever the garbage in the strict upper triangle.
BOOST_AUTO_TEST_CASE(solve_ridge_system_reports_the_condition_number) {
    Matrix A = from_rows(3, 3, {2, 50, -70,  0, 8, 90,  0, 0, 4});
    Matrix X = from_rows(3, 1, {1, 1, 1});
    const fact::SolveReport r = fact::solve_ridge_system(A, 0.5, X);
    BOOST_TEST((r.method == fact::SolveMethod::cholesky));
    BOOST_TEST(std::abs(r.rcond - 2.5 / 8.5) < 1e-15, "rcond " << r.rcond);
    BOOST_TEST(std::abs(X(0, 0) - 1 / 2.5) < 1e-15);
    BOOST_TEST(std::abs(X(1, 0) - 1 / 8.5) < 1e-15);
    BOOST_TEST(std::abs(X(2, 0) - 1 / 4.5) < 1e-15);
}

// The same at a size where ‖A + μI‖₁ is summed in SIMD packs over several chunks of rows (fixed chunks of at
// least 256 rows): A + μI = a·I − b·vvᵀ with v_j = 1 − j/n, whose largest column sum (column 0) lies mostly
// below the diagonal. Its inverse (I + b·vvᵀ/s)/a, s = a − b‖v‖² > 0, has no negative entry, so LAPACK's
// estimator finds its norm exactly: max_j (1 + b·v_j·Σv/s)/a. Garbage in the strict upper triangle is ignored,
// in float64 and float32.
BOOST_AUTO_TEST_CASE(condition_number_of_a_large_system) {
    const std::size_t n = 700;
    const double a = 2.0 + 0.5, b = 0.005;   // the diagonal 2 plus μ = 0.5
    std::vector<double> v(n);
    double sum = 0, norm2 = 0;
    for (std::size_t j = 0; j < n; ++j) {
        v[j] = 1.0 - double(j) / double(n);
        sum += v[j];
        norm2 += v[j] * v[j];
    }
    const double s = a - b * norm2;
    BOOST_TEST_REQUIRE(s > 0.5);
    double norm = 0, inverse_norm = 0;
    for (std::size_t j = 0; j < n; ++j) {
        norm = std::max(norm, a - 2.0 * b * v[j] * v[j] + b * v[j] * sum);
        inverse_norm = std::max(inverse_norm, (1.0 + b * v[j] * sum / s) / a);
    }
    const double expected = 1.0 / (norm * inverse_norm);
    Matrix A = Matrix::from_shape({n, n});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) A(i, j) = j < i ? -b * v[i] * v[j] : j == i ? 2.0 - b * v[i] * v[i] : 1e30;
    ad::Tensor<float> Af = A;
    Matrix X = Matrix::from_shape({n, 1});
    X.fill(1.0);
    ad::Tensor<float> Xf = X;
    const fact::SolveReport r = fact::solve_ridge_system(A, 0.5, X);
    BOOST_TEST((r.method == fact::SolveMethod::cholesky));
    BOOST_TEST(std::abs(r.rcond - expected) < 1e-12 * expected, "rcond " << r.rcond << ", expected " << expected);
    fact::SolveReport rf;
    BOOST_TEST(fact::solve_ridge_cholesky_f32(Af, 0.5, Xf, rf) == "");
    BOOST_TEST(std::abs(rf.rcond - expected) < 1e-5 * expected, "float32 rcond " << rf.rcond << ", expected " << expected);
}

// The float32 machine (docs/MATH.md §5.9) computes what the float64 one does, to float32's precision: the
// kernel matrix, the gradients, the predictions and a well-conditioned fit; a point stays at distance exactly
// 0 from itself, so k(x, x) = 1 in float32 too.
BOOST_AUTO_TEST_CASE(float32_machine_agrees_with_float64) {
    const std::size_t ne = 150, n = 200, d = 6, c = 3;
    const Matrix Xe = test::uniform<double>(ne, d, 31), X = test::uniform<double>(n, d, 32);
    const Matrix alpha = test::uniform<double>(n, c, 33), Y = test::uniform<double>(n, c, 34), M = full_psd(d, 35);
    const auto f64 = fact::Dtype::f64, f32 = fact::Dtype::f32;
    for (const Kernel& kernel : all_kernels()) {
        const std::string name = fact::to_string(kernel.kind);
        const ad::Tensor<float> Xf = fact::converted<float>(X);
        const Matrix K = fact::kernel_matrix(kernel, X, X, M);
        const Matrix Kf = fact::widened(fact::kernel_matrix(kernel, Xf, Xf, fact::converted<float>(M)));
        BOOST_TEST(rel_err(Kf, K) < 2e-5, name << " K: " << rel_err(Kf, K));
        if (fact::is_distance_kernel(kernel.kind))
            for (std::size_t i = 0; i < n; ++i) BOOST_TEST(Kf(i, i) == 1.0, name << " K(x,x) at " << i);

        const fact::KernelGradients g = fact::kernel_gradients(kernel, Xe, X, alpha, M, f64);
        const fact::KernelGradients gf = fact::kernel_gradients(kernel, Xe, X, alpha, M, f32);
        BOOST_TEST(rel_err(gf.G, g.G) < 1e-4, name << " G: " << rel_err(gf.G, g.G));
        BOOST_TEST(rel_err(gf.G, g.G) > 0, name << ": not computed in float32");
        BOOST_TEST(rel_err(gf.predictions, g.predictions) < 1e-4, name);
        BOOST_TEST(rel_err(fact::krr_predict(kernel, Xe, X, alpha, M, f32), g.predictions) < 1e-4, name);
        // At the training points themselves (the shortcut for X against itself).
        const fact::KernelGradients gx = fact::kernel_gradients(kernel, X, X, alpha, M, f64);
        BOOST_TEST(rel_err(fact::kernel_gradients(kernel, X, X, alpha, M, f32).G, gx.G) < 1e-4, name);

        // A well-conditioned fit (the inner-product kernels' matrices are far from it; scale M down for them).
        const Matrix Ms = fact::is_distance_kernel(kernel.kind) ? M : Matrix(M * 0.05);
        const fact::KrrFit fit = fact::fit_krr(kernel, X, Y, Ms, 0.5, f64);
        const fact::KrrFit fitf = fact::fit_krr(kernel, X, Y, Ms, 0.5, f32);
        BOOST_TEST((fitf.solve.method == fact::SolveMethod::cholesky), name);
        BOOST_TEST(fitf.solve.note.empty(), name << ": " << fitf.solve.note);
        BOOST_TEST(fitf.solve.rcond > 0, name);
        BOOST_TEST(std::abs(fitf.solve.rcond - fit.solve.rcond) < 1e-3 * fit.solve.rcond + 1e-6, name);
        const Matrix p = fact::krr_predict(kernel, Xe, X, fit.alpha, Ms, f64);
        const Matrix pf = fact::krr_predict(kernel, Xe, X, fitf.alpha, Ms, f32);
        BOOST_TEST(rel_err(pf, p) < 1e-3, name << " predictions: " << rel_err(pf, p));
        BOOST_TEST(rel_err(fitf.alpha, fit.alpha) > 0, name << ": not solved in float32");
    }
    BOOST_TEST(fact::to_string(fact::parse_dtype("f32")) == "f32");
    BOOST_TEST(fact::to_string(fact::parse_dtype("f64")) == "f64");
    check_contains(test::message_of<ad::ValueError>([] { fact::parse_dtype("f16"); }), {"dtype", "'f16'", "f64", "f32"});
    // The float32 system takes half the n×n matrix of the float64 one.
    const double b64 = fact::kernel_system_bytes(20000, 50, 1), b32 = fact::kernel_system_bytes(20000, 50, 1, f32);
    BOOST_TEST(b32 < 0.55 * b64);
    BOOST_TEST(b32 > 4.0 * 20000.0 * 20000.0);
}

// Where float32 is not enough, fit_krr solves in float64 and says why. Two copies of one point under μ = 1e-10:
// K = [[1, 1], [1, 1]] exactly, and 1 + 1e-10 rounds to 1 in float32, so the second Cholesky pivot is 0 there,
// while in float64 it is about 2e-10 > 0. An exponential kernel of xᵀMx ≈ 100 overflows float32 (e¹⁰⁰ > 3.4e38).
BOOST_AUTO_TEST_CASE(float32_failure_falls_back_to_float64) {
    const Kernel lap{KernelKind::laplace, 2.0};
    const Matrix X = from_rows(2, 3, {0.5, -1, 2,  0.5, -1, 2});
    const Matrix Y = from_rows(2, 1, {1, 1});
    const fact::KrrFit fit = fact::fit_krr(lap, X, Y, identity(3), 1e-10, fact::Dtype::f32);
    check_contains(fit.solve.note, {"not positive definite in float32", "pivot 2", "solved in float64 by cholesky"});
    BOOST_TEST((fit.solve.method == fact::SolveMethod::cholesky));
    const fact::KrrFit exact = fact::fit_krr(lap, X, Y, identity(3), 1e-10, fact::Dtype::f64);
    BOOST_TEST(test::bitwise_equal(fit.alpha, exact.alpha));
    BOOST_TEST(exact.solve.note.empty());

    // solve_ridge_cholesky_f32 itself: the same reason, and B left as it was.
    ad::Tensor<float> A = fact::converted<float>(from_rows(2, 2, {1, 0, 1, 1}));
    ad::Tensor<float> B = fact::converted<float>(Y);
    fact::SolveReport report;
    check_contains(fact::solve_ridge_cholesky_f32(A, 1e-10, B, report), {"float32", "pivot 2"});
    BOOST_TEST((B(0, 0) == 1.0f && B(1, 0) == 1.0f));

    const Kernel ex{KernelKind::exponential, 1.0};
    const Matrix Xe = from_rows(3, 2, {7, 7,  7.2, 6.8,  -1, 0.5});   // x₀ᵀx₀ = 98
    const Matrix Ye = from_rows(3, 1, {1, 0, -1});
    const fact::KrrFit big = fact::fit_krr(ex, Xe, Ye, identity(2), 1e-3, fact::Dtype::f32);
    check_contains(big.solve.note, {"not finite in float32", "in float64"});
    const fact::KrrFit big64 = fact::fit_krr(ex, Xe, Ye, identity(2), 1e-3, fact::Dtype::f64);
    BOOST_TEST(test::bitwise_equal(big.alpha, big64.alpha));
}

BOOST_AUTO_TEST_CASE(metrics_by_hand) {
    const Matrix Y = from_rows(4, 2, {0, 1, 0, 1, 1, 0, 1, 0});
    // Row 0 right, row 1 wrong, row 2 NaN (never right), row 3 a tie (first index, 0 = the target): 2/4.
    const Matrix P = from_rows(4, 2, {0.1, 0.9, 0.8, 0.2, std::nan(""), 1.0, 0.5, 0.5});
    BOOST_TEST(fact::argmax_accuracy(P, Y) == 0.5);
    // A NaN in the second column, where the first column alone would have been the right argmax.
    BOOST_TEST(fact::argmax_accuracy(from_rows(1, 2, {1.0, std::nan("")}), from_rows(1, 2, {1, 0})) == 0.0);
    BOOST_TEST(fact::argmax_accuracy(Y, Y) == 1.0);
    // c = 1: no argmax to speak of.
    BOOST_TEST(std::isnan(fact::argmax_accuracy(from_rows(3, 1, {1, 2, 3}), from_rows(3, 1, {1, 2, 3}))));

    // (1/(n·c)) Σ (p − y)²: differences 1, −2, 0.5, 0 -> (1 + 4 + 0.25 + 0) / 4.
    const Matrix A = from_rows(2, 2, {1, -1, 3.5, 2}), B = from_rows(2, 2, {0, 1, 3, 2});
    BOOST_TEST(fact::mean_squared_error(A, B) == 5.25 / 4);
    BOOST_TEST(fact::mean_squared_error(B, B) == 0.0);
    BOOST_TEST(fact::mean_squared_error(from_rows(3, 1, {1, 2, 3}), from_rows(3, 1, {0, 0, 0})) == 14.0 / 3);
}

// S = Q diag(λ) Qᵀ with a Householder Q: λ_max and tr are known exactly. 1e-14: a few roundings of O(1) numbers.
BOOST_AUTO_TEST_CASE(normalize_feature_matrix_rescales) {
    const std::size_t d = 4;
    const std::vector<double> v{1, -2, 0.5, 1}, lambda{0.5, 1, 3, 4};
    double vv = 0;
    for (double x : v) vv += x * x;
    Matrix Q = identity(d);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) Q(i, j) -= 2 * v[i] * v[j] / vv;
    Matrix D = ad::zeros<double>(d, d);
    for (std::size_t i = 0; i < d; ++i) D(i, i) = lambda[i];
    const Matrix S = test::naive_matmul(test::naive_matmul(Q, D), test::naive_transpose(Q));

    const Matrix by_max = fact::normalize_feature_matrix(S, fact::Normalization::max);
    const fact::SymmetricEigen e = fact::eigh(by_max);
    BOOST_TEST(std::abs(e.values.back() - 1.0) < 1e-14);
    for (std::size_t j = 0; j < d; ++j) BOOST_TEST(std::abs(e.values[j] - lambda[j] / 4) < 1e-14);

    const Matrix by_trace = fact::normalize_feature_matrix(S, fact::Normalization::trace);
    double tr = 0;
    for (std::size_t i = 0; i < d; ++i) tr += by_trace(i, i);
    BOOST_TEST(std::abs(tr - static_cast<double>(d)) < 1e-14);
    Matrix expected = S;
    for (double& x : expected) x *= static_cast<double>(d) / 8.5;   // tr S = 0.5 + 1 + 3 + 4
    BOOST_TEST(test::max_abs_diff(by_trace, expected) < 1e-14);

    BOOST_TEST(test::bitwise_equal(fact::normalize_feature_matrix(S, fact::Normalization::none), S));
    // No positive scale: returned unchanged.
    const Matrix zero = ad::zeros<double>(d, d);
    BOOST_TEST(test::bitwise_equal(fact::normalize_feature_matrix(zero, fact::Normalization::max), zero));
    BOOST_TEST(test::bitwise_equal(fact::normalize_feature_matrix(zero, fact::Normalization::trace), zero));
}

BOOST_AUTO_TEST_CASE(errors_are_typed_and_name_the_operation) {
    using test::message_of;
    const Matrix X = test::uniform<double>(4, 3, 81), Z2 = test::uniform<double>(5, 2, 82);
    const Matrix M = identity(3), alpha = test::uniform<double>(4, 2, 83), Y = test::uniform<double>(4, 2, 84);
    const Kernel lap{KernelKind::laplace, 1.0};

    check_contains(message_of<ad::ShapeError>([&] { fact::kernel_matrix(lap, X, Z2, M); }),
                   {"kernel_matrix", "(4,3)", "(5,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::kernel_matrix(lap, X, X, identity(2)); }),
                   {"kernel_matrix", "(2,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::kernel_matrix(lap, X, X, ad::zeros<double>(3, 2)); }),
                   {"kernel_matrix", "(3,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::kernel_gradients(lap, Z2, X, alpha, M); }),
                   {"kernel_gradients", "(5,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::kernel_gradients(lap, X, X, Z2, M); }),
                   {"kernel_gradients", "(5,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::fact_matrix_closed_form(lap, X, Z2, M); }),
                   {"fact_matrix_closed_form", "(5,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::krr_predict(lap, X, X, Z2, M); }), {"krr_predict", "(5,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::krr_predict(lap, Z2, X, alpha, M); }), {"krr_predict", "(5,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::fit_krr(lap, X, Z2, M, 0.1); }), {"fit_krr", "(5,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::fit_krr(lap, X, Y, identity(2), 0.1); }), {"fit_krr", "(2,2)"});
    const fact::KernelGradients g = fact::kernel_gradients(lap, X, X, alpha, M);
    check_contains(message_of<ad::ShapeError>([&] { fact::fact_matrix_direct(g, Z2, X); }),
                   {"fact_matrix_direct", "(5,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::mean_squared_error(X, Y); }),
                   {"mean_squared_error", "(4,3)", "(4,2)"});
    check_contains(message_of<ad::ShapeError>([&] { fact::argmax_accuracy(X, Y); }), {"argmax_accuracy", "(4,3)"});

    for (KernelKind kind : {KernelKind::laplace, KernelKind::gaussian})
        for (double L : {0.0, -1.0, double(INFINITY), std::nan("")}) {
            const Kernel bad{kind, L};
            check_contains(message_of<ad::ValueError>([&] { fact::kernel_matrix(bad, X, X, M); }),
                           {"kernel_matrix", "bandwidth"});
            check_contains(message_of<ad::ValueError>([&] { fact::kernel_gradients(bad, X, X, alpha, M); }),
                           {"kernel_gradients", "bandwidth"});
            check_contains(message_of<ad::ValueError>([&] { fact::fit_krr(bad, X, Y, M, 0.1); }),
                           {"fit_krr", "bandwidth"});
        }
    // The inner-product kernels take no bandwidth: any value is accepted.
    BOOST_CHECK_NO_THROW(fact::kernel_matrix({KernelKind::quadratic, 0.0}, X, X, M));
    BOOST_CHECK_NO_THROW(fact::kernel_matrix({KernelKind::exponential, -1.0}, X, X, M));

    for (double ridge : {-1e-3, double(-INFINITY), std::nan("")})
        check_contains(message_of<ad::ValueError>([&] { fact::fit_krr(lap, X, Y, M, ridge); }), {"fit_krr", "ridge"});

    check_contains(message_of<ad::ValueError>([] { fact::parse_kernel("cubic"); }),
                   {"kernel", "'cubic'", "laplace", "gaussian", "quadratic", "exp"});
    check_contains(message_of<ad::ValueError>([&] { fact::agop_closed_form_inner(lap, X, alpha, M); }),
                   {"agop_closed_form_inner", "laplace"});
}

// Bitwise identical for 1 and 2 threads (parallel loops split work into fixed chunks). 300 evaluation points are 5 chunks of the
// 64-row kernel loops; the GEMMs split their macro-tiles the same way.
BOOST_AUTO_TEST_CASE(determinism_across_thread_counts) {
    ResetThreads reset;
    const std::size_t ne = 300, n = 260, d = 8, c = 3;
    const Matrix Xe = test::uniform<double>(ne, d, 91), X = test::uniform<double>(n, d, 92);
    const Matrix alpha = test::uniform<double>(n, c, 93), M = full_psd(d, 94);
    for (const Kernel& kernel : all_kernels()) {
        ad::set_num_threads(1);
        const fact::KernelGradients g1 = fact::kernel_gradients(kernel, Xe, X, alpha, M);
        const Matrix f1 = fact::fact_matrix_closed_form(kernel, X, alpha, M);
        const Matrix p1 = fact::krr_predict(kernel, Xe, X, alpha, M);
        ad::set_num_threads(2);
        const fact::KernelGradients g2 = fact::kernel_gradients(kernel, Xe, X, alpha, M);
        const Matrix f2 = fact::fact_matrix_closed_form(kernel, X, alpha, M);
        const Matrix p2 = fact::krr_predict(kernel, Xe, X, alpha, M);
        BOOST_TEST(test::bitwise_equal(g1.G, g2.G), fact::to_string(kernel.kind));
        BOOST_TEST(test::bitwise_equal(g1.predictions, g2.predictions), fact::to_string(kernel.kind));
        BOOST_TEST(test::bitwise_equal(f1, f2), fact::to_string(kernel.kind));
        BOOST_TEST(test::bitwise_equal(p1, p2), fact::to_string(kernel.kind));
        BOOST_TEST(test::bitwise_equal(fact::agop(g1, true), fact::agop(g2, true)), fact::to_string(kernel.kind));
        // The float32 machine too.
        ad::set_num_threads(1);
        const fact::KernelGradients h1 = fact::kernel_gradients(kernel, Xe, X, alpha, M, fact::Dtype::f32);
        const fact::KrrFit fit1 = fact::fit_krr(kernel, X, alpha, M, 0.1, fact::Dtype::f32);
        ad::set_num_threads(2);
        const fact::KernelGradients h2 = fact::kernel_gradients(kernel, Xe, X, alpha, M, fact::Dtype::f32);
        const fact::KrrFit fit2 = fact::fit_krr(kernel, X, alpha, M, 0.1, fact::Dtype::f32);
        BOOST_TEST(test::bitwise_equal(h1.G, h2.G), fact::to_string(kernel.kind) << " f32");
        BOOST_TEST(test::bitwise_equal(h1.predictions, h2.predictions), fact::to_string(kernel.kind) << " f32");
        BOOST_TEST(test::bitwise_equal(fit1.alpha, fit2.alpha), fact::to_string(kernel.kind) << " f32");
    }
}

BOOST_AUTO_TEST_SUITE_END()
