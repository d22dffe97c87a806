// Kernels against oracles computed another way: gemm against the naive triple loop (every transpose
// combination, awkward sizes, α/β cases), gemmt_lower against gemm, reductions and maps against plain loops in long double.
#define BOOST_TEST_MODULE kernels
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "autodiff/kernels/gemm.hpp"
#include "autodiff/kernels/map.hpp"
#include "autodiff/kernels/reduce.hpp"
#include "autodiff/parallel.hpp"
#include "test_util.hpp"

using ad::Tensor;
using ad::Trans;

namespace {

// Check C = α·op(A)·op(B) + β·C0 from gemm against gemm_naive. Both round differently; the error of a
// k-term dot product is bounded by k·u·Σ|a||b| (u the unit roundoff), so the tolerance per entry is
// 2k·u·(|α|·(|op(A)|·|op(B)|)_ij + |β|·|C0_ij|) + tiny, computed with the naive kernel on |A|, |B|.
template <class T>
void check_gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, T alpha, T beta) {
    const std::size_t ar = ta == Trans::no ? m : k, ac = ta == Trans::no ? k : m;
    const std::size_t br = tb == Trans::no ? k : n, bc = tb == Trans::no ? n : k;
    const Tensor<T> A = test::uniform<T>(ar, ac, 1 + m), B = test::uniform<T>(br, bc, 2 + n);
    const Tensor<T> C0 = test::uniform<T>(m, n, 3 + k);
    Tensor<T> fast = C0, slow = C0;
    ad::gemm(ta, tb, m, n, k, alpha, A.data(), ac, B.data(), bc, beta, fast.data(), n);
    ad::gemm_naive(ta, tb, m, n, k, alpha, A.data(), ac, B.data(), bc, beta, slow.data(), n);

    Tensor<T> absA = xt::abs(A), absB = xt::abs(B), bound = xt::abs(C0);
    ad::gemm_naive(ta, tb, m, n, k, std::abs(alpha), absA.data(), ac, absB.data(), bc, std::abs(beta), bound.data(),
                   n);
    const double u = std::numeric_limits<T>::epsilon() / 2;
    std::size_t bad = 0;
    for (std::size_t i = 0; i < fast.size(); ++i) {
        const double tol = 2.0 * double(k + 2) * u * double(bound.data()[i]) + 1e-30;
        if (!(std::abs(double(fast.data()[i]) - double(slow.data()[i])) <= tol)) ++bad;
    }
    BOOST_TEST(bad == 0u, "gemm " << (ta == Trans::yes ? "T" : "N") << (tb == Trans::yes ? "T" : "N") << " m=" << m
                                  << " n=" << n << " k=" << k << " alpha=" << alpha << " beta=" << beta << ": " << bad
                                  << " entries off");
}

const std::vector<std::size_t> sizes = {1, 2, 3, 7, 16, 17, 31, 64, 65, 257};
const Trans both[] = {Trans::no, Trans::yes};

template <class T>
void gemm_all_sizes() {
    for (Trans ta : both)
        for (Trans tb : both)
            for (std::size_t i = 0; i < sizes.size(); ++i) {
                const std::size_t s = sizes[i];
                check_gemm<T>(ta, tb, s, s, s, T(1), T(0));  // square
                // rectangular: neighbours in the list, so every size appears as m, n and k
                const std::size_t s1 = sizes[(i + 3) % sizes.size()], s2 = sizes[(i + 7) % sizes.size()];
                check_gemm<T>(ta, tb, s, s1, s2, T(0.5), T(-2));
            }
}

}  // namespace

BOOST_AUTO_TEST_CASE(gemm_matches_naive_float) { gemm_all_sizes<float>(); }
BOOST_AUTO_TEST_CASE(gemm_matches_naive_double) { gemm_all_sizes<double>(); }

BOOST_AUTO_TEST_CASE(gemm_alpha_beta_cases) {
    for (Trans ta : both)
        for (Trans tb : both)
            for (double alpha : {0.0, 1.0, -0.75})
                for (double beta : {0.0, 1.0, 0.5}) check_gemm<double>(ta, tb, 33, 47, 300, alpha, beta);  // k > KC
}

BOOST_AUTO_TEST_CASE(gemm_beta_zero_overwrites_nan) {
    Tensor<float> A = test::uniform<float>(5, 6, 1), B = test::uniform<float>(6, 7, 2);
    Tensor<float> C = Tensor<float>::from_shape({5, 7});
    C.fill(std::numeric_limits<float>::quiet_NaN());
    ad::gemm(Trans::no, Trans::no, 1.0f, A, B, 0.0f, C);
    for (float v : C) BOOST_TEST(std::isfinite(v));
    // β = 0 writes C on the first k panel and adds the later ones: with two panels (k > KC), edge tiles in
    // both directions and a product large enough to run in parallel, C holds the product and no NaN.
    for (Trans ta : both)
        for (Trans tb : both) {
            const std::size_t m = 131, n = 70, k = 300;
            const Tensor<double> a = ta == Trans::no ? test::uniform<double>(m, k, 3) : test::uniform<double>(k, m, 3);
            const Tensor<double> b = tb == Trans::no ? test::uniform<double>(k, n, 4) : test::uniform<double>(n, k, 4);
            Tensor<double> fast = Tensor<double>::from_shape({m, n}), slow = Tensor<double>::from_shape({m, n});
            fast.fill(std::numeric_limits<double>::quiet_NaN());
            slow.fill(0.0);
            ad::gemm(ta, tb, 1.0, a, b, 0.0, fast);
            ad::gemm_naive(ta, tb, m, n, k, 1.0, a.data(), a.shape(1), b.data(), b.shape(1), 0.0, slow.data(), n);
            double worst = 0;
            for (std::size_t i = 0; i < fast.size(); ++i) worst = std::max(worst, std::abs(fast[i] - slow[i]));
            BOOST_TEST(worst < 1e-11);  // entries are sums of 300 products of numbers in [−1, 1)
        }
}

// gemmt_lower writes, on and below the diagonal, exactly the bits gemm writes there (the same FMAs in the same
// order), and leaves the strict upper triangle alone: sizes around the micro-tile (6 rows; 16 or 32 columns)
// and the row blocks (96), k across the k panel (256), β = 0 over NaNs, a leading dimension wider than n,
// on 1 and 2 threads.
template <class T>
void check_gemmt(Trans ta, Trans tb, std::size_t n, std::size_t k, T alpha, T beta) {
    const std::size_t ld = n + 3;
    const Tensor<T> A = test::uniform<T>(ta == Trans::no ? n : k, ta == Trans::no ? k : n, unsigned(n + k));
    const Tensor<T> B = test::uniform<T>(tb == Trans::no ? k : n, tb == Trans::no ? n : k, unsigned(2 * n + k));
    Tensor<T> C0 = test::uniform<T>(n, ld, unsigned(n + 3 * k));
    if (beta == T(0)) C0.fill(std::numeric_limits<T>::quiet_NaN());
    const T sentinel = T(-12345);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < ld; ++j) C0(i, j) = sentinel;
    Tensor<T> full = C0;
    ad::gemm(ta, tb, n, n, k, alpha, A.data(), A.shape(1), B.data(), B.shape(1), beta, full.data(), ld);
    for (int threads : {1, 2}) {
        ad::set_num_threads(threads);
        Tensor<T> lower = C0;
        ad::gemmt_lower(ta, tb, n, k, alpha, A.data(), A.shape(1), B.data(), B.shape(1), beta, lower.data(), ld);
        std::size_t wrong = 0, touched = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < ld; ++j) {
                if (j <= i && !(lower(i, j) == full(i, j))) ++wrong;
                if (j > i && !(lower(i, j) == sentinel)) ++touched;
            }
        BOOST_TEST(wrong == 0u, "gemmt " << (ta == Trans::yes ? "T" : "N") << (tb == Trans::yes ? "T" : "N")
                                         << " n=" << n << " k=" << k << " beta=" << beta << " threads=" << threads
                                         << ": " << wrong << " lower entries differ from gemm's");
        BOOST_TEST(touched == 0u, "gemmt n=" << n << " k=" << k << ": " << touched << " upper entries written");
    }
    ad::set_num_threads(0);
}

BOOST_AUTO_TEST_CASE(gemmt_lower_is_gemm_on_the_lower_triangle) {
    for (Trans ta : both)
        for (Trans tb : both)
            for (std::size_t n : {1u, 5u, 6u, 7u, 17u, 33u, 97u, 200u})
                for (std::size_t k : {1u, 40u, 300u}) {
                    check_gemmt<double>(ta, tb, n, k, 1.0, 0.0);
                    check_gemmt<float>(ta, tb, n, k, -0.5f, 1.0f);
                }
    check_gemmt<double>(Trans::no, Trans::yes, 700, 260, -1.0, 0.5);   // parallel, two k panels
    check_gemmt<float>(Trans::no, Trans::yes, 2100, 20, 1.0f, 0.0f);   // two column blocks (NC = 2048)
}

BOOST_AUTO_TEST_CASE(gemm_strided_leading_dimensions) {
    // A 4×3 block inside a 4×10 array, B 3×5 inside 3×8, C 4×5 inside 4×9.
    Tensor<double> A = test::uniform<double>(4, 10, 1), B = test::uniform<double>(3, 8, 2);
    Tensor<double> C1 = test::uniform<double>(4, 9, 3), C2 = C1;
    ad::gemm(Trans::no, Trans::no, 4, 5, 3, 1.0, A.data(), 10, B.data(), 8, 1.0, C1.data(), 9);
    ad::gemm_naive(Trans::no, Trans::no, 4, 5, 3, 1.0, A.data(), 10, B.data(), 8, 1.0, C2.data(), 9);
    BOOST_TEST(test::max_abs_diff(C1, C2) < 1e-14);
}

BOOST_AUTO_TEST_CASE(matmul_and_transpose_tensor_forms) {
    const Tensor<double> A = test::uniform<double>(7, 5, 1), B = test::uniform<double>(7, 3, 2);
    const Tensor<double> AtB = ad::matmul(A, B, Trans::yes, Trans::no);  // (5,3)
    const Tensor<double> At = ad::transpose(A);
    BOOST_TEST(At.shape(0) == 5u);
    for (std::size_t i = 0; i < 7; ++i)
        for (std::size_t j = 0; j < 5; ++j) BOOST_TEST(At(j, i) == A(i, j));
    const Tensor<double> ref = ad::matmul(At, B);
    BOOST_TEST(test::max_abs_diff(AtB, ref) < 1e-14);
}

BOOST_AUTO_TEST_CASE(transpose_large_blocks) {
    const Tensor<float> X = test::uniform<float>(301, 77, 4);
    const Tensor<float> Y = ad::transpose(X);
    bool ok = true;
    for (std::size_t i = 0; i < 301; ++i)
        for (std::size_t j = 0; j < 77; ++j) ok = ok && Y(j, i) == X(i, j);
    BOOST_TEST(ok);
}

// --- reductions -------------------------------------------------------------------------------------

// Entries k/8 with k an integer in [-8, 8]: every partial sum (and every partial dot product, in
// multiples of 1/64) of up to 2^18 of them is exactly representable in float, so whatever order the
// kernel adds in, its result must equal the plain loop's exactly. A dropped or doubled element, or a
// wrong chunk boundary, cannot hide inside a rounding tolerance.
template <class T>
Tensor<T> eighths(std::size_t m, std::size_t n, std::uint64_t seed) {
    Tensor<T> x = test::uniform<T>(m, n, seed, -8.5, 8.5);
    for (T& v : x) v = std::round(v) / T(8);
    return x;
}

template <class T>
void check_reductions(std::size_t m, std::size_t n) {
    const Tensor<T> X = eighths<T>(m, n, m * 1000 + n), Y = eighths<T>(m, n, m * 1000 + n + 1);
    double all = 0, xy = 0;
    std::vector<double> rows(m, 0), cols(n, 0);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            all += X(i, j);
            xy += double(X(i, j)) * double(Y(i, j));
            rows[i] += X(i, j);
            cols[j] += X(i, j);
        }
    BOOST_TEST(double(ad::sum_all(X)) == all);
    BOOST_TEST(double(ad::dot(X.data(), Y.data(), X.size())) == xy);
    const Tensor<T> rs = ad::row_sums(X), cs = ad::col_sums(X);
    BOOST_TEST((rs.shape(0) == m && rs.shape(1) == 1u));
    BOOST_TEST((cs.shape(0) == 1u && cs.shape(1) == n));
    bool rows_ok = true, cols_ok = true;
    for (std::size_t i = 0; i < m; ++i) rows_ok = rows_ok && double(rs(i, 0)) == rows[i];
    for (std::size_t j = 0; j < n; ++j) cols_ok = cols_ok && double(cs(0, j)) == cols[j];
    BOOST_TEST(rows_ok, "row sums of " << m << "x" << n);
    BOOST_TEST(cols_ok, "column sums of " << m << "x" << n);
}

BOOST_AUTO_TEST_CASE(reductions_match_plain_loops) {
    // 1×1 up to shapes that cross the parallel chunk size (2^15 elements) in rows, columns and total.
    for (auto [m, n] : std::vector<std::pair<std::size_t, std::size_t>>{
             {1, 1}, {1, 17}, {17, 1}, {3, 5}, {64, 65}, {5, 40000}, {40000, 3}, {300, 301}}) {
        check_reductions<float>(m, n);
        check_reductions<double>(m, n);
    }
}

BOOST_AUTO_TEST_CASE(map_covers_every_element_including_the_padded_tail) {
    for (std::size_t n : {std::size_t(1), std::size_t(15), std::size_t(16), std::size_t(17), std::size_t(100003)}) {
        const Tensor<double> a = test::uniform<double>(1, n, n), b = test::uniform<double>(1, n, n + 1);
        Tensor<double> y = Tensor<double>::from_shape({1, n});
        ad::map(n, y.data(), [](auto u, auto v) { return u * v + u; }, a.data(), b.data());
        bool ok = true;
        for (std::size_t i = 0; i < n; ++i) ok = ok && std::abs(y(0, i) - (a(0, i) * b(0, i) + a(0, i))) < 1e-15;
        BOOST_TEST(ok, "n = " << n);
    }
}

BOOST_AUTO_TEST_CASE(map_bcast_spreads_b_as_asked) {
    const std::size_t m = 5, n = 21;
    const Tensor<double> a = test::uniform<double>(m, n, 1);
    const Tensor<double> full = test::uniform<double>(m, n, 2), row = test::uniform<double>(1, n, 3),
                         col = test::uniform<double>(m, 1, 4), one = test::uniform<double>(1, 1, 5);
    auto f = [](auto u, auto v) { return u - v * v; };
    const std::pair<ad::Bcast, const Tensor<double>*> cases[] = {
        {ad::Bcast::none, &full}, {ad::Bcast::row, &row}, {ad::Bcast::col, &col}, {ad::Bcast::scalar, &one}};
    for (const auto& [bc, b] : cases) {
        Tensor<double> y = Tensor<double>::from_shape({m, n});
        ad::map_bcast(bc, m, n, y.data(), f, a.data(), b->data());
        bool ok = true;
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                const double bv = (*b)(b->shape(0) == 1 ? 0 : i, b->shape(1) == 1 ? 0 : j);
                // not ==: the compiler may fuse either side into an FMA (one rounding fewer)
                ok = ok && std::abs(y(i, j) - (a(i, j) - bv * bv)) <= 1e-15;
            }
        BOOST_TEST(ok, "broadcast kind " << int(bc));
    }
}
