// fact/linalg and fact/metrics against oracles computed another way: matrices built as Q diag(λ) Qᵀ from
// a known orthogonal Q (Householder reflectors, Givens rotations, a Hadamard matrix) so that eigenvalues,
// eigenvectors and matrix powers are known in closed form; products checked with a naive triple loop;
// metrics against values worked out by hand and their invariances.
#define BOOST_TEST_MODULE fact_linalg
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "autodiff/error.hpp"
#include "fact/linalg.hpp"
#include "fact/metrics.hpp"
#include "test_util.hpp"

using fact::Matrix;

namespace {

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

Matrix diag(const std::vector<double>& v) {
    Matrix m = ad::zeros<double>(v.size(), v.size());
    for (std::size_t i = 0; i < v.size(); ++i) m(i, i) = v[i];
    return m;
}

// Q diag(λ) Qᵀ.
Matrix spectral(const Matrix& Q, const std::vector<double>& lambda) {
    return test::naive_matmul(test::naive_matmul(Q, diag(lambda)), test::naive_transpose(Q));
}

// Householder reflector I − 2vvᵀ/vᵀv: orthogonal and symmetric for any v ≠ 0.
Matrix householder(const std::vector<double>& v) {
    double vv = 0;
    for (double x : v) vv += x * x;
    Matrix H = identity(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        for (std::size_t j = 0; j < v.size(); ++j) H(i, j) -= 2 * v[i] * v[j] / vv;
    return H;
}

// Product of Givens rotations G(k, k+1, θ_k), k = 0..d-2, with the given angles: orthogonal, not symmetric.
Matrix givens_product(const std::vector<double>& angles) {
    const std::size_t d = angles.size() + 1;
    Matrix Q = identity(d);
    for (std::size_t k = 0; k + 1 < d; ++k) {
        Matrix G = identity(d);
        const double c = std::cos(angles[k]), s = std::sin(angles[k]);
        G(k, k) = c;
        G(k, k + 1) = -s;
        G(k + 1, k) = s;
        G(k + 1, k + 1) = c;
        Q = test::naive_matmul(Q, G);
    }
    return Q;
}

// ½·H₄ (Sylvester Hadamard): orthogonal with entries ±½, so Q diag(λ) Qᵀ with integer λ is exact in binary.
Matrix hadamard4() {
    return from_rows(4, 4, {0.5, 0.5, 0.5, 0.5,  //
                            0.5, -0.5, 0.5, -0.5,  //
                            0.5, 0.5, -0.5, -0.5,  //
                            0.5, -0.5, -0.5, 0.5});
}

double max_abs(const Matrix& A) {
    double m = 0;
    for (double v : A) m = std::max(m, std::abs(v));
    return m;
}

bool is_symmetric(const Matrix& A) {
    for (std::size_t i = 0; i < A.shape(0); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (A(i, j) != A(j, i)) return false;
    return true;
}

// Runs f, expects exception E whose message contains every one of `parts`.
template <class E, class F>
void check_throws(F f, const std::vector<std::string>& parts) {
    bool thrown = false;
    try {
        f();
    } catch (const E& e) {
        thrown = true;
        const std::string msg = e.what();
        for (const auto& p : parts) BOOST_TEST(msg.find(p) != std::string::npos, "'" << msg << "' lacks '" << p << "'");
    }
    BOOST_TEST(thrown);
}

// Tolerances. The test matrices have ‖S‖ <= 10 and eigenvalue gaps >= 0.5 (unless stated), d <= 6:
// LAPACK's backward error is a small multiple of d·ε·‖S‖ ≈ 1e-14, eigenvector errors add a factor
// ‖S‖/gap <= 20, and the oracle's own products round at the same level. 1e-12 leaves two orders of margin.
constexpr double tol = 1e-12;

}  // namespace

// ---------------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(symmetrize_and_eigh)

BOOST_AUTO_TEST_CASE(symmetrize_by_hand) {
    const Matrix S = fact::symmetrize(from_rows(2, 2, {1, 2, 4, 3}));
    BOOST_TEST(test::bitwise_equal(S, from_rows(2, 2, {1, 3, 3, 3})));
    check_throws<ad::ShapeError>([] { fact::symmetrize(ad::zeros<double>(3, 4)); }, {"symmetrize", "(3,4)"});
}

BOOST_AUTO_TEST_CASE(eigh_recovers_a_known_spectrum) {
    // Two independent orthogonal bases: a Householder reflector and a product of Givens rotations.
    const std::vector<double> lambda = {-3.0, -0.5, 1.0, 2.5, 7.0, 9.5};  // ascending, as eigh returns them
    for (const Matrix& Q : {householder({1, -2, 0.5, 3, -1, 2}), givens_product({0.3, -1.1, 2.0, 0.7, -0.4})}) {
        BOOST_TEST(max_abs(test::naive_matmul(test::naive_transpose(Q), Q) - identity(6)) < 1e-14);  // the oracle's own check
        const Matrix S = spectral(Q, lambda);
        const fact::SymmetricEigen eig = fact::eigh(S);
        BOOST_REQUIRE(eig.values.size() == 6u);
        BOOST_REQUIRE(eig.vectors.shape() == (ad::Shape{6, 6}));
        for (std::size_t j = 0; j < 6; ++j) BOOST_TEST(std::abs(eig.values[j] - lambda[j]) < tol);

        const Matrix& U = eig.vectors;
        BOOST_TEST(max_abs(test::naive_matmul(test::naive_matmul(U, diag(eig.values)), test::naive_transpose(U)) - S) < tol);
        BOOST_TEST(max_abs(test::naive_matmul(test::naive_transpose(U), U) - identity(6)) < tol);
        // Distinct eigenvalues: column j of U is ±(column j of Q).
        for (std::size_t j = 0; j < 6; ++j) {
            double dot = 0;
            for (std::size_t i = 0; i < 6; ++i) dot += U(i, j) * Q(i, j);
            BOOST_TEST(std::abs(std::abs(dot) - 1) < tol);
        }
    }
}

BOOST_AUTO_TEST_CASE(eigh_repeated_eigenvalues) {
    // A repeated eigenvalue has no unique eigenvectors, but U diag Uᵀ = S and UᵀU = I still hold.
    const Matrix S = spectral(householder({2, 1, -1, 1}), {1, 1, 1, 4});
    const fact::SymmetricEigen eig = fact::eigh(S);
    const std::vector<double> expected = {1, 1, 1, 4};
    for (std::size_t j = 0; j < 4; ++j) BOOST_TEST(std::abs(eig.values[j] - expected[j]) < tol);
    const Matrix& U = eig.vectors;
    BOOST_TEST(max_abs(test::naive_matmul(test::naive_matmul(U, diag(eig.values)), test::naive_transpose(U)) - S) < tol);
    BOOST_TEST(max_abs(test::naive_matmul(test::naive_transpose(U), U) - identity(4)) < tol);
}

BOOST_AUTO_TEST_CASE(eigh_reads_only_the_lower_triangle) {
    const Matrix S = spectral(givens_product({0.5, 1.5, -0.8}), {-1, 0.5, 2, 3});
    Matrix garbage_above = S;
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = i + 1; j < 4; ++j) garbage_above(i, j) = 1e6 + double(i + j);
    garbage_above(0, 3) = std::nan("");  // not read, so not checked either
    const auto a = fact::eigh(S), b = fact::eigh(garbage_above);
    BOOST_TEST(a.values == b.values);
    BOOST_TEST(test::bitwise_equal(a.vectors, b.vectors));
}

BOOST_AUTO_TEST_CASE(eigh_one_by_one) {
    const auto eig = fact::eigh(from_rows(1, 1, {5}));
    BOOST_TEST(eig.values == std::vector<double>{5});
    BOOST_TEST(std::abs(eig.vectors(0, 0)) == 1);
}

BOOST_AUTO_TEST_CASE(eigh_errors) {
    check_throws<ad::ShapeError>([] { fact::eigh(ad::zeros<double>(3, 4)); }, {"eigh", "(3,4)", "square"});
    check_throws<ad::ValueError>([] { fact::eigh(ad::zeros<double>(0, 0)); }, {"eigh", "empty", "(0,0)"});
    Matrix S = identity(3);
    S(2, 1) = INFINITY;
    check_throws<ad::ValueError>([&] { fact::eigh(S); }, {"eigh", "(2,1)", "inf", "(3,3)"});
    S(2, 1) = std::nan("");
    check_throws<ad::ValueError>([&] { fact::eigh(S); }, {"eigh", "(2,1)", "nan"});
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(matrix_power)

BOOST_AUTO_TEST_CASE(square_root_of_a_positive_definite_matrix) {
    const Matrix Q = householder({1, 2, -1, 0.5, 1.5});
    const std::vector<double> lambda = {0.5, 1, 2, 3, 5};
    const Matrix S = spectral(Q, lambda);
    const Matrix R = fact::matrix_power(S, 0.5);
    BOOST_TEST(is_symmetric(R));
    // Closed form Q diag(√λ) Qᵀ, and the defining identity R·R = S.
    BOOST_TEST(max_abs(R - spectral(Q, {std::sqrt(0.5), 1, std::sqrt(2.0), std::sqrt(3.0), std::sqrt(5.0)})) < tol);
    BOOST_TEST(max_abs(test::naive_matmul(R, R) - S) < tol);
}

BOOST_AUTO_TEST_CASE(first_power_is_the_matrix) {
    const Matrix S = spectral(givens_product({0.9, -0.2, 1.3, 0.4}), {0.1, 0.7, 1.5, 4, 6});
    BOOST_TEST(max_abs(fact::matrix_power(S, 1.0) - S) < tol);
}

BOOST_AUTO_TEST_CASE(inverse_of_a_positive_definite_matrix) {
    // cond(S) = 10, so S^{-1}·S = I holds to about 10·d·ε.
    const Matrix S = spectral(givens_product({0.9, -0.2, 1.3, 0.4}), {0.5, 0.7, 1.5, 4, 5});
    const Matrix Sinv = fact::matrix_power(S, -1.0);
    BOOST_TEST(max_abs(test::naive_matmul(Sinv, S) - identity(5)) < tol);
    BOOST_TEST(max_abs(test::naive_matmul(S, Sinv) - identity(5)) < tol);
}

BOOST_AUTO_TEST_CASE(zeroth_power_is_the_projector_on_the_positive_eigenspace) {
    // Hadamard Q and integer λ: S is exact, so its zero eigenvalues come back as LAPACK rounding only
    // (≈ ε·‖S‖, well under the d·ε·max|σ| threshold), and S^0 must not be the identity that 0^0 = 1 gives.
    const Matrix Q = hadamard4();
    const Matrix S = spectral(Q, {0, 0, 2, 3});
    const Matrix P = fact::matrix_power(S, 0.0);
    const Matrix expected = spectral(Q, {0, 0, 1, 1});
    BOOST_TEST(max_abs(P - expected) < tol);
    BOOST_TEST(max_abs(test::naive_matmul(P, P) - P) < tol);
    // Negative powers of a singular PSD matrix: the pseudo-inverse, finite, not inf.
    const Matrix Sinv = fact::matrix_power(S, -1.0);
    BOOST_TEST(max_abs(Sinv - spectral(Q, {0, 0, 0.5, 1.0 / 3})) < tol);
    // A zero matrix: every power is zero (p > 0: 0^p; p <= 0: all eigenvalues under the threshold).
    for (double p : {0.5, 0.0, -1.0}) BOOST_TEST(max_abs(fact::matrix_power(ad::zeros<double>(3, 3), p)) == 0);
}

BOOST_AUTO_TEST_CASE(negative_eigenvalues_are_clipped) {
    const Matrix Q = householder({1, -1, 2});
    const Matrix S = spectral(Q, {4, 1, -2});
    const Matrix R = fact::matrix_power(S, 0.5);
    BOOST_TEST(max_abs(R - spectral(Q, {2, 1, 0})) < tol);
    const auto eig = fact::eigh(R);
    const std::vector<double> expected = {0, 1, 2};
    for (std::size_t j = 0; j < 3; ++j) BOOST_TEST(std::abs(eig.values[j] - expected[j]) < tol);
    // p = 1 clips too: S^1 is the PSD part of S, not S.
    BOOST_TEST(max_abs(fact::matrix_power(S, 1.0) - spectral(Q, {4, 1, 0})) < tol);
}

BOOST_AUTO_TEST_CASE(non_symmetric_input_is_symmetrized_first) {
    // S + K with K antisymmetric has symmetric part S. Reading only one triangle of S + K would give a
    // different matrix, so this also checks that symmetrize runs before eigh.
    const Matrix S = spectral(householder({0.5, 1, -1, 2}), {0.5, 1, 2, 4});
    Matrix K = test::uniform<double>(4, 4, 7);
    K = K - test::naive_transpose(K);
    const Matrix SK = S + K;
    for (double p : {0.5, 1.0, 2.0, -1.0})
        BOOST_TEST(max_abs(fact::matrix_power(SK, p) - fact::matrix_power(S, p)) < tol);
}

BOOST_AUTO_TEST_CASE(matrix_power_errors) {
    check_throws<ad::ShapeError>([] { fact::matrix_power(ad::zeros<double>(2, 3), 0.5); },
                                 {"matrix_power", "(2,3)"});
    check_throws<ad::ValueError>([] { fact::matrix_power(identity(2), std::nan("")); }, {"matrix_power", "nan"});
    check_throws<ad::ValueError>([] { fact::matrix_power(ad::zeros<double>(0, 0), 0.5); }, {"eigh", "(0,0)"});
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(sqrt_of_outer)

BOOST_AUTO_TEST_CASE(polar_factor_of_an_orthogonal_times_diagonal) {
    // M = R·diag(δ): M Mᵀ = R diag(δ²) Rᵀ, so (M Mᵀ)^{1/2} = R diag(|δ|) Rᵀ.
    const Matrix R = givens_product({0.4, -1.2, 0.8});
    const std::vector<double> delta = {-2, 1, 3, 0.5};
    const Matrix M = test::naive_matmul(R, diag(delta));
    const Matrix P = fact::sqrt_of_outer(M);
    BOOST_TEST(is_symmetric(P));
    BOOST_TEST(max_abs(P - spectral(R, {2, 1, 3, 0.5})) < tol);
    BOOST_TEST(max_abs(test::naive_matmul(P, P) - test::naive_matmul(M, test::naive_transpose(M))) < tol);
}

BOOST_AUTO_TEST_CASE(general_square_matrix) {
    const Matrix M = test::uniform<double>(6, 6, 11);
    const Matrix P = fact::sqrt_of_outer(M);
    // Loose: a random M can have a small singular value, and √ loses half the digits near 0.
    BOOST_TEST(max_abs(test::naive_matmul(P, P) - test::naive_matmul(M, test::naive_transpose(M))) < 1e-10);
    for (double s : fact::eigh(P).values) BOOST_TEST(s > -1e-12);
    check_throws<ad::ShapeError>([] { fact::sqrt_of_outer(ad::zeros<double>(3, 2)); }, {"sqrt_of_outer", "(3,2)"});
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(metrics)

// A = [[1,2],[3,4]] and Aᵀ, worked by hand:
//   pearson: centred entries (−1.5,−0.5,0.5,1.5) and (−1.5,0.5,−0.5,1.5): 4 / 5 = 0.8
//   cosine:  ⟨A,Aᵀ⟩ = 1+6+6+16 = 29, ‖A‖² = 30: 29/30
//   relerr:  ‖A − Aᵀ‖² = 1+1 = 2: √(2/30)
BOOST_AUTO_TEST_CASE(worked_two_by_two) {
    const Matrix A = from_rows(2, 2, {1, 2, 3, 4});
    const Matrix At = from_rows(2, 2, {1, 3, 2, 4});
    BOOST_TEST(fact::pearson(A, At) == 0.8, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(fact::cosine(A, At) == 29.0 / 30, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(fact::relerr(A, At) == std::sqrt(2.0 / 30), boost::test_tools::tolerance(1e-15));
    BOOST_TEST(fact::pearson(A, 2.0 * A + 3.0) == 1.0, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(fact::pearson(A, -A) == -1.0, boost::test_tools::tolerance(1e-15));
}

// Off-diagonal entries, row-major: A → (1,2,3,4,5,6), B → (2,1,4,3,6,5), both with mean 3.5.
//   centred A: (−2.5,−1.5,−0.5,0.5,1.5,2.5), centred B: (−1.5,−2.5,0.5,−0.5,2.5,1.5)
//   ⟨·,·⟩ = 3.75+3.75−0.25−0.25+3.75+3.75 = 14.5, ‖·‖² = 17.5 each: pearson = 29/35
BOOST_AUTO_TEST_CASE(off_diagonal_by_hand) {
    const Matrix A = from_rows(3, 3, {100, 1, 2, 3, -7, 4, 5, 6, 0});
    Matrix B = from_rows(3, 3, {0, 2, 1, 4, 0, 3, 6, 5, 0});
    BOOST_TEST(fact::pearson(A, B, true) == 29.0 / 35, boost::test_tools::tolerance(1e-15));
    const double full = fact::pearson(A, B);
    BOOST_TEST(std::abs(full - 29.0 / 35) > 0.1);  // the diagonal matters to the full version
    // Changing B's diagonal changes nothing off the diagonal.
    const double before[3] = {fact::pearson(A, B, true), fact::cosine(A, B, true), fact::relerr(A, B, true)};
    B(0, 0) = 1e3;
    B(1, 1) = -50;
    B(2, 2) = 0.25;
    BOOST_TEST(fact::pearson(A, B, true) == before[0]);
    BOOST_TEST(fact::cosine(A, B, true) == before[1]);
    BOOST_TEST(fact::relerr(A, B, true) == before[2]);
    BOOST_TEST(fact::pearson(A, B) != full);
    // cosine off the diagonal: ⟨(1..6),(2,1,4,3,6,5)⟩ = 2+2+12+12+30+30 = 88, ‖·‖² = 91 each.
    BOOST_TEST(fact::cosine(A, B, true) == 88.0 / 91, boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(pearson_invariances) {
    const Matrix A = test::uniform<double>(5, 5, 1), B = test::uniform<double>(5, 5, 2);
    const double r = fact::pearson(A, B);
    BOOST_TEST(std::abs(r) <= 1.0);
    // Affine maps with positive scale leave it unchanged (to rounding: ≈ 1e-15 relative), a negative scale
    // flips its sign, and it is symmetric in its arguments.
    const auto close = boost::test_tools::tolerance(1e-12);
    BOOST_TEST(fact::pearson(3.0 * A + 7.0, B) == r, close);
    BOOST_TEST(fact::pearson(A, 0.5 * B - 2.0) == r, close);
    BOOST_TEST(fact::pearson(-4.0 * A, B) == -r, close);
    BOOST_TEST(fact::pearson(B, A) == r, close);
    BOOST_TEST(fact::pearson(A, B, true) == fact::pearson(B, A, true), close);
    BOOST_TEST(fact::pearson(A, A) == 1.0, close);
}

BOOST_AUTO_TEST_CASE(cosine_properties) {
    const Matrix A = test::uniform<double>(4, 4, 3), B = test::uniform<double>(4, 4, 4);
    const double c = fact::cosine(A, B);
    const auto close = boost::test_tools::tolerance(1e-12);
    BOOST_TEST(fact::cosine(3.0 * A, 0.2 * B) == c, close);
    BOOST_TEST(fact::cosine(-A, B) == -c, close);
    BOOST_TEST(fact::cosine(B, A) == c, close);
    BOOST_TEST(fact::cosine(A, A) == 1.0, close);
    // Orthogonal in the Frobenius sense: 1·4 + 2·(−3) + 3·2 + 4·(−1) = 0. Cosine is not shift-invariant:
    // unlike pearson, it sees the mean.
    const Matrix P = from_rows(2, 2, {1, 2, 3, 4}), O = from_rows(2, 2, {4, -3, 2, -1});
    BOOST_TEST(fact::cosine(P, O) == 0.0);
    BOOST_TEST(fact::cosine(P, O + 10.0) > 0.5);
}

BOOST_AUTO_TEST_CASE(relerr_properties) {
    const Matrix A = test::uniform<double>(4, 4, 5);
    BOOST_TEST(fact::relerr(A, A) == 0.0);
    BOOST_TEST(fact::relerr(A, 2.0 * A) == 1.0, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(fact::relerr(A, ad::zeros<double>(4, 4)) == 1.0);
    // A is the reference, so the measure is not symmetric: ‖A − 2A‖/‖2A‖ = 1/2.
    BOOST_TEST(fact::relerr(2.0 * A, A) == 0.5, boost::test_tools::tolerance(1e-15));
    // Scale-aware: the same B − A relative to a larger A is a smaller error.
    BOOST_TEST(fact::relerr(10.0 * A, 10.0 * A + 0.1) < fact::relerr(A, A + 0.1));
}

BOOST_AUTO_TEST_CASE(undefined_cases_are_nan) {
    const Matrix A = test::uniform<double>(3, 3, 6);
    const Matrix zero = ad::zeros<double>(3, 3);
    Matrix constant = Matrix::from_shape({3, 3});
    constant.fill(0.1);  // Σ/9 does not round back to 0.1: the centring must not turn noise into a signal
    BOOST_TEST(std::isnan(fact::pearson(constant, A)));
    BOOST_TEST(std::isnan(fact::pearson(A, constant)));
    BOOST_TEST(std::isnan(fact::pearson(zero, A)));
    BOOST_TEST(std::isnan(fact::cosine(zero, A)));
    BOOST_TEST(std::isnan(fact::cosine(A, zero)));
    BOOST_TEST(fact::cosine(constant, constant) == 1.0, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(std::isnan(fact::relerr(zero, A)));
    BOOST_TEST(fact::relerr(zero, zero) == 0.0);
    // Constant off the diagonal, not on it: defined for the full matrix, NaN for the off-diagonal variant.
    Matrix D = constant;
    D(0, 0) = 5;
    BOOST_TEST(!std::isnan(fact::pearson(D, A)));
    BOOST_TEST(std::isnan(fact::pearson(D, A, true)));
    Matrix Z = zero;
    Z(1, 1) = 3;
    BOOST_TEST(std::isnan(fact::cosine(Z, A, true)));
    BOOST_TEST(std::isnan(fact::relerr(Z, A, true)));
    BOOST_TEST(fact::relerr(Z, identity(3), true) == 0.0);
}

BOOST_AUTO_TEST_CASE(metric_errors) {
    const Matrix A3 = ad::zeros<double>(3, 3), A4 = ad::zeros<double>(4, 4);
    check_throws<ad::ShapeError>([&] { fact::pearson(A3, A4); }, {"pearson: (3,3) and (4,4) differ"});
    check_throws<ad::ShapeError>([&] { fact::cosine(A3, A4); }, {"cosine: (3,3) and (4,4) differ"});
    check_throws<ad::ShapeError>([&] { fact::relerr(A3, A4); }, {"relerr: (3,3) and (4,4) differ"});
    const Matrix R = test::uniform<double>(2, 3, 8);
    BOOST_TEST(std::isfinite(fact::pearson(R, R)));  // non-square is fine for the full version
    check_throws<ad::ShapeError>([&] { fact::pearson(R, R, true); }, {"pearson", "off_diagonal", "(2,3)"});
    const Matrix one = from_rows(1, 1, {2});
    check_throws<ad::ShapeError>([&] { fact::cosine(one, one, true); }, {"cosine", "off_diagonal", "(1,1)"});
    check_throws<ad::ValueError>([] { fact::relerr(ad::zeros<double>(0, 0), ad::zeros<double>(0, 0)); },
                                 {"relerr", "empty", "(0,0)"});
}

BOOST_AUTO_TEST_SUITE_END()
