// The Cholesky factorization, triangular solve and rank-k update of autodiff/kernels/cholesky.hpp: the
// residual ‖L·Lᵀ − A‖/‖A‖ within a small multiple of n·ε at sizes around the recursion's block edges, in
// float and double, with a leading dimension larger than n; the strict upper triangle never touched; LAPACK's
// factor and failure index (info) when LAPACKE is there; trsm and syrk against the textbook products; the
// same bits for 1 and 2 threads.
#define BOOST_TEST_MODULE cholesky
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "autodiff/kernels/cholesky.hpp"
#include "autodiff/kernels/gemm.hpp"
#include "autodiff/parallel.hpp"

#if FACT_HAVE_LAPACKE
#include <lapacke.h>
#endif

namespace {

constexpr double kSentinel = 12345.0;   // the strict upper triangle's entries, which must survive

// A well-conditioned symmetric positive definite n×n matrix G·Gᵀ/r + I (G n×r Gaussian, r ≤ 64; κ of a few
// units) in an lda-wide buffer whose strict upper triangle and padding hold kSentinel.
template <class T>
std::vector<T> spd(std::size_t n, std::size_t lda, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    const std::size_t r = std::min<std::size_t>(n, 64);
    std::vector<double> G(n * r);
    for (double& g : G) g = normal(rng);
    std::vector<T> A(n * lda, T(kSentinel));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            double s = i == j ? 1.0 : 0.0;
            for (std::size_t k = 0; k < r; ++k) s += G[i * r + k] * G[j * r + k] / double(r);
            A[i * lda + j] = T(s);
        }
    return A;
}

// ‖L·Lᵀ − A‖_F / ‖A‖_F over the lower triangle, in double, for L and A in lda-wide buffers.
template <class T>
double residual(const std::vector<T>& L, const std::vector<T>& A, std::size_t n, std::size_t lda) {
    double num = 0, den = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            double s = 0;
            for (std::size_t k = 0; k <= j; ++k) s += double(L[i * lda + k]) * double(L[j * lda + k]);
            const double a = A[i * lda + j];
            num += (s - a) * (s - a);
            den += a * a;
        }
    return std::sqrt(num / den);
}

template <class T>
bool upper_untouched(const std::vector<T>& A, std::size_t n, std::size_t lda) {
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < lda; ++j)
            if (A[i * lda + j] != T(kSentinel)) return false;
    return true;
}

const std::size_t sizes[] = {1, 2, 7, 31, 32, 33, 63, 64, 65, 97, 257, 1000};

template <class T>
void factorizations() {
    const double eps = std::numeric_limits<T>::epsilon();
    for (std::size_t n : sizes) {
        const std::size_t lda = n + 3;
        const std::vector<T> A = spd<T>(n, lda, 7 + unsigned(n));
        std::vector<T> L = A;
        BOOST_TEST_CONTEXT("n = " << n << ", " << sizeof(T) * 8 << "-bit") {
            BOOST_TEST(ad::potrf_lower(n, L.data(), lda) == 0u);
            BOOST_TEST(residual(L, A, n, lda) <= 4.0 * double(n) * eps);
            BOOST_TEST(upper_untouched(L, n, lda));
#if FACT_HAVE_LAPACKE
            std::vector<T> ref = A;
            lapack_int info;
            if constexpr (sizeof(T) == 8)
                info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', lapack_int(n), ref.data(), lapack_int(lda));
            else
                info = LAPACKE_spotrf(LAPACK_ROW_MAJOR, 'L', lapack_int(n), ref.data(), lapack_int(lda));
            BOOST_TEST(info == 0);
            double diff = 0, norm = 0;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j <= i; ++j) {
                    const double d = double(L[i * lda + j]) - double(ref[i * lda + j]);
                    diff += d * d;
                    norm += double(ref[i * lda + j]) * double(ref[i * lda + j]);
                }
            BOOST_TEST(std::sqrt(diff / norm) <= 8.0 * double(n) * eps);
#endif
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_factor_reproduces_the_matrix_double) { factorizations<double>(); }
BOOST_AUTO_TEST_CASE(the_factor_reproduces_the_matrix_float) { factorizations<float>(); }

// A matrix that is not positive definite: the failing pivot's order, as LAPACK's info, in either half of the
// recursion, for a negative pivot and for a NaN.
BOOST_AUTO_TEST_CASE(a_matrix_that_is_not_positive_definite_names_its_pivot) {
    for (std::size_t p : {0u, 5u, 40u, 70u, 99u})
        for (double bad : {-1.0, std::numeric_limits<double>::quiet_NaN()}) {
            const std::size_t n = 100;
            std::vector<double> A = spd<double>(n, n, 3);
            // Make the leading minor of order p + 1 indefinite: its last pivot becomes A_pp − (≥ 0) ≤ bad.
            A[p * n + p] = bad;
            std::vector<double> L = A;
            BOOST_TEST_CONTEXT("pivot " << p << ", value " << bad) {
                BOOST_TEST(ad::potrf_lower(n, L.data(), n) == p + 1);
#if FACT_HAVE_LAPACKE
                if (std::isnan(bad)) continue;   // LAPACKE refuses a NaN input (info −4) before factoring
                std::vector<double> ref = A;
                BOOST_TEST(LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', lapack_int(n), ref.data(), lapack_int(n)) ==
                           lapack_int(p + 1));
#endif
            }
        }
}

// trsm: X·Lᵀ = B for the X it returns, checked with the textbook product; syrk: the lower triangle of
// β·C + α·A·Aᵀ against gemm_naive, the upper triangle untouched, and β = 0 ignoring NaNs in C.
BOOST_AUTO_TEST_CASE(trsm_and_syrk_against_the_textbook_products) {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal;
    for (std::size_t n : {1u, 31u, 33u, 65u, 130u})
        for (std::size_t m : {1u, 3u, 64u, 129u}) {
            const std::size_t ldl = n + 1, ldb = n + 2;
            std::vector<double> L = spd<double>(n, ldl, unsigned(n + m));
            BOOST_TEST_REQUIRE(ad::potrf_lower(n, L.data(), ldl) == 0u);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = i + 1; j < ldl; ++j) L[i * ldl + j] = 0;   // the full matrix L for gemm_naive
            std::vector<double> B(m * ldb);
            for (double& b : B) b = normal(rng);
            for (const ad::Trans t : {ad::Trans::yes, ad::Trans::no}) {
                std::vector<double> X = B;
                if (t == ad::Trans::yes) ad::trsm_right_lower_trans(m, n, L.data(), ldl, X.data(), ldb);
                else ad::trsm_right_lower(m, n, L.data(), ldl, X.data(), ldb);
                std::vector<double> back(m * ldb, 0.0);
                ad::gemm_naive(ad::Trans::no, t, m, n, n, 1.0, X.data(), ldb, L.data(), ldl, 0.0, back.data(), ldb);
                double err = 0;
                for (std::size_t i = 0; i < m; ++i)
                    for (std::size_t j = 0; j < n; ++j) err = std::max(err, std::abs(back[i * ldb + j] - B[i * ldb + j]));
                BOOST_TEST(err <= 1e-12, "trsm (L" << (t == ad::Trans::yes ? "ᵀ" : "") << ") m = " << m << ", n = " << n
                                                   << ": max error " << err);
            }
        }
    for (std::size_t n : {1u, 63u, 64u, 65u, 200u})
        for (double beta : {0.0, 0.5}) {
            const std::size_t k = 37, lda = k + 1, ldc = n + 2;
            std::vector<double> A(n * lda), C(n * ldc, kSentinel), expect(n * ldc, 0.0);
            for (double& a : A) a = normal(rng);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j <= i; ++j)
                    C[i * ldc + j] = beta == 0.0 ? std::numeric_limits<double>::quiet_NaN() : normal(rng);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j <= i; ++j) expect[i * ldc + j] = beta == 0.0 ? 0.0 : C[i * ldc + j];
            ad::gemm_naive(ad::Trans::no, ad::Trans::yes, n, n, k, -1.5, A.data(), lda, A.data(), lda, beta,
                           expect.data(), ldc);
            ad::syrk_lower(n, k, -1.5, A.data(), lda, beta, C.data(), ldc);
            double err = 0;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j <= i; ++j) err = std::max(err, std::abs(C[i * ldc + j] - expect[i * ldc + j]));
            BOOST_TEST(err <= 1e-12, "syrk n = " << n << ", beta = " << beta << ": max error " << err);
            BOOST_TEST(upper_untouched(C, n, ldc));
        }
}

// potrs: every row x of the result solves A·xᵀ = bᵀ (residual against the original A, in double).
BOOST_AUTO_TEST_CASE(potrs_solves_with_the_factor) {
    std::mt19937_64 rng(13);
    std::normal_distribution<double> normal;
    for (std::size_t n : {1u, 40u, 300u}) {
        const std::size_t m = 3;
        const std::vector<double> A = spd<double>(n, n, unsigned(n));
        std::vector<double> L = A;
        BOOST_TEST_REQUIRE(ad::potrf_lower(n, L.data(), n) == 0u);
        std::vector<double> B(m * n);
        for (double& b : B) b = normal(rng);
        std::vector<double> X = B;
        ad::potrs_lower(m, n, L.data(), n, X.data(), n);
        double err = 0;
        for (std::size_t r = 0; r < m; ++r)
            for (std::size_t i = 0; i < n; ++i) {
                double s = 0;
                for (std::size_t j = 0; j < n; ++j) s += (j <= i ? A[i * n + j] : A[j * n + i]) * X[r * n + j];
                err = std::max(err, std::abs(s - B[r * n + i]));
            }
        BOOST_TEST(err <= 1e-12, "potrs n = " << n << ": max residual " << err);
    }
}

BOOST_AUTO_TEST_CASE(the_same_bits_for_one_and_two_threads) {
    const std::size_t n = 700;
    const std::vector<double> A = spd<double>(n, n, 5);
    std::vector<double> one = A, two = A;
    ad::set_num_threads(1);
    BOOST_TEST(ad::potrf_lower(n, one.data(), n) == 0u);
    ad::set_num_threads(2);
    BOOST_TEST(ad::potrf_lower(n, two.data(), n) == 0u);
    ad::set_num_threads(0);
    BOOST_TEST(std::memcmp(one.data(), two.data(), n * n * sizeof(double)) == 0);
}
