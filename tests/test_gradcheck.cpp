// Every differentiable op against central finite differences in double precision (ad::gradcheck), at
// shapes 1×1, 1×n, n×1 and m×n (n past one SIMD pack, so packed and padded lanes are both exercised),
// with the broadcast variants. Tolerance: relative error < 1e-6 (the project's standard for every op), atol 1e-9 for
// entries near zero; gradcheck's fourth-order difference with ε = 1e-3 is accurate to ~1e-11 for these
// smooth functions on O(1) inputs. Kinked ops (relu, leaky_relu, abs) are checked at least 0.2 away from
// their kinks, further than any step.
#define BOOST_TEST_MODULE gradcheck
#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "test_util.hpp"

using ad::Tensor;
using ad::Var;
using Vars = std::vector<Var<double>>;
using Shape2 = std::pair<std::size_t, std::size_t>;

namespace {

const std::vector<Shape2> shapes = {{1, 1}, {1, 11}, {11, 1}, {3, 4}, {7, 19}};

// Gradient checks run so far: each test case asserts how many it ran, so a loop that silently covers fewer
// shapes or ops than intended fails.
std::size_t checks_run = 0;

void expect_ok(const ad::GradcheckFn& f, const std::vector<Tensor<double>>& inputs, const std::string& what) {
    ++checks_run;
    const ad::GradcheckResult r = ad::gradcheck(f, inputs, 1e-3, 1e-6, 1e-9);
    BOOST_TEST(r.ok, what << ": " << r.report);
    BOOST_TEST(r.max_rel_error < 1e-6, what << ": max relative error " << r.max_rel_error);
}

// One unary op at every shape, on inputs from make(rows, cols, seed).
void check_unary(const std::string& name, std::function<Var<double>(const Var<double>&)> op,
                 std::function<Tensor<double>(std::size_t, std::size_t, std::uint64_t)> make) {
    for (auto [m, n] : shapes)
        expect_ok([&](ad::Tape<double>&, const Vars& v) { return op(v[0]); }, {make(m, n, m * 31 + n)},
                  name + " " + ad::shape_str(m, n));
}

Tensor<double> any(std::size_t m, std::size_t n, std::uint64_t s) { return test::uniform<double>(m, n, s, -1.5, 1.5); }
Tensor<double> positive(std::size_t m, std::size_t n, std::uint64_t s) { return test::uniform<double>(m, n, s, 0.3, 2.0); }
Tensor<double> off_kink(std::size_t m, std::size_t n, std::uint64_t s) { return test::away_from_zero(m, n, s); }

}  // namespace

BOOST_AUTO_TEST_CASE(unary_elementwise_ops) {
    const std::size_t before = checks_run;
    check_unary("identity", [](auto& x) { return ad::identity(x); }, any);
    check_unary("watch", [](auto& x) { return ad::watch(x); }, any);
    check_unary("neg", [](auto& x) { return ad::neg(x); }, any);
    check_unary("scale", [](auto& x) { return ad::scale(x, -1.7); }, any);
    check_unary("shift", [](auto& x) { return ad::shift(x, 0.3); }, any);
    check_unary("exp", [](auto& x) { return ad::exp(x); }, any);
    check_unary("log", [](auto& x) { return ad::log(x); }, positive);
    check_unary("sqrt", [](auto& x) { return ad::sqrt(x); }, positive);
    check_unary("pow 2.5", [](auto& x) { return ad::pow(x, 2.5); }, positive);
    check_unary("pow -0.5", [](auto& x) { return ad::pow(x, -0.5); }, positive);
    check_unary("pow 3 (negative x)", [](auto& x) { return ad::pow(x, 3.0); }, off_kink);
    check_unary("pow 2 (negative x)", [](auto& x) { return ad::pow(x, 2.0); }, off_kink);
    check_unary("pow -2 (negative x)", [](auto& x) { return ad::pow(x, -2.0); }, off_kink);
    check_unary("square", [](auto& x) { return ad::square(x); }, any);
    check_unary("abs", [](auto& x) { return ad::abs(x); }, off_kink);
    check_unary("relu", [](auto& x) { return ad::relu(x); }, off_kink);
    check_unary("leaky_relu", [](auto& x) { return ad::leaky_relu(x, 0.1); }, off_kink);
    check_unary("tanh", [](auto& x) { return ad::tanh(x); }, any);
    check_unary("sigmoid", [](auto& x) { return ad::sigmoid(x); }, any);
    check_unary("softplus", [](auto& x) { return ad::softplus(x); }, any);
    check_unary("gelu", [](auto& x) { return ad::gelu(x); }, any);
    check_unary("transpose", [](auto& x) { return ad::transpose(x); }, any);
    check_unary("log_softmax", [](auto& x) { return ad::log_softmax(x); }, any);
    check_unary("sum", [](auto& x) { return ad::sum(x); }, any);
    check_unary("mean", [](auto& x) { return ad::mean(x); }, any);
    check_unary("row_sums", [](auto& x) { return ad::row_sums(x); }, any);
    check_unary("col_sums", [](auto& x) { return ad::col_sums(x); }, any);
    BOOST_TEST(checks_run - before == 135u);  // 27 ops × 5 shapes
}

BOOST_AUTO_TEST_CASE(binary_ops_same_shape_and_broadcast) {
    const std::size_t before = checks_run;
    using Op = std::function<Var<double>(const Var<double>&, const Var<double>&, ad::Bcast)>;
    const std::vector<std::pair<std::string, Op>> ops = {
        {"add", [](auto& a, auto& b, ad::Bcast c) { return ad::add(a, b, c); }},
        {"sub", [](auto& a, auto& b, ad::Bcast c) { return ad::sub(a, b, c); }},
        {"mul", [](auto& a, auto& b, ad::Bcast c) { return ad::mul(a, b, c); }},
        {"div", [](auto& a, auto& b, ad::Bcast c) { return ad::div(a, b, c); }},
    };
    const std::vector<std::pair<ad::Bcast, std::string>> kinds = {
        {ad::Bcast::none, "none"}, {ad::Bcast::row, "row"}, {ad::Bcast::col, "col"}, {ad::Bcast::scalar, "scalar"}};
    for (const auto& [name, op] : ops)
        for (const auto& [bc, kind] : kinds)
            for (auto [m, n] : shapes) {
                const std::size_t bm = (bc == ad::Bcast::row || bc == ad::Bcast::scalar) ? 1 : m;
                const std::size_t bn = (bc == ad::Bcast::col || bc == ad::Bcast::scalar) ? 1 : n;
                // b away from zero so that div is smooth
                expect_ok([&, bc = bc](ad::Tape<double>&, const Vars& v) { return op(v[0], v[1], bc); },
                          {any(m, n, m + n), off_kink(bm, bn, m * n + 5)},
                          name + " " + kind + " " + ad::shape_str(m, n));
            }
    BOOST_TEST(checks_run - before == 80u);  // 4 ops × 4 broadcasts × 5 shapes
}

BOOST_AUTO_TEST_CASE(operators) {
    const std::size_t before = checks_run;
    expect_ok([](ad::Tape<double>&, const Vars& v) { return (v[0] + v[1]) * v[0] - v[1] / v[0]; },
              {off_kink(3, 5, 1), any(3, 5, 2)}, "a + b, ·, −, /");
    expect_ok([](ad::Tape<double>&, const Vars& v) { return 2.0 * (-v[0]) + 1.0 - v[0] / 4.0 + (3.0 + v[0]) * 0.5; },
              {any(2, 9, 3)}, "scalar operators");
    // one node as both operands of a ± b: both gradients land in one buffer, the second adds to the first
    expect_ok([](ad::Tape<double>&, const Vars& v) { return ad::add(v[0], v[0]) * v[0] + ad::sub(v[1], v[1]); },
              {any(4, 3, 4), any(4, 3, 5)}, "a + a, b − b");
    BOOST_TEST(checks_run - before == 3u);  // 3 expressions
}

BOOST_AUTO_TEST_CASE(matmul_every_transpose) {
    const std::size_t before = checks_run;
    const std::vector<std::tuple<std::size_t, std::size_t, std::size_t>> mnk = {
        {1, 1, 1}, {1, 5, 9}, {9, 1, 5}, {5, 9, 1}, {3, 4, 5}, {17, 13, 11}};
    for (auto [m, n, k] : mnk)
        for (ad::Trans ta : {ad::Trans::no, ad::Trans::yes})
            for (ad::Trans tb : {ad::Trans::no, ad::Trans::yes}) {
                const Tensor<double> A = ta == ad::Trans::no ? any(m, k, 1) : any(k, m, 1);
                const Tensor<double> B = tb == ad::Trans::no ? any(k, n, 2) : any(n, k, 2);
                expect_ok([=](ad::Tape<double>&, const Vars& v) { return ad::matmul(v[0], v[1], ta, tb); }, {A, B},
                          "matmul m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k) +
                              (ta == ad::Trans::yes ? " A^T" : "") + (tb == ad::Trans::yes ? " B^T" : ""));
            }
    BOOST_TEST(checks_run - before == 24u);  // 6 shapes × 4 transposes
}

BOOST_AUTO_TEST_CASE(broadcast_op) {
    const std::size_t before = checks_run;
    expect_ok([](ad::Tape<double>&, const Vars& v) { return ad::broadcast(v[0], 4, 7); }, {any(1, 7, 1)}, "row");
    expect_ok([](ad::Tape<double>&, const Vars& v) { return ad::broadcast(v[0], 4, 7); }, {any(4, 1, 2)}, "col");
    expect_ok([](ad::Tape<double>&, const Vars& v) { return ad::broadcast(v[0], 4, 7); }, {any(1, 1, 3)}, "scalar");
    BOOST_TEST(checks_run - before == 3u);  // row, col, scalar
}

BOOST_AUTO_TEST_CASE(losses) {
    const std::size_t before = checks_run;
    for (auto [m, c] : std::vector<Shape2>{{1, 1}, {1, 5}, {6, 1}, {6, 3}, {9, 19}}) {
        const Tensor<double> target = any(m, c, 77);
        expect_ok([&](ad::Tape<double>&, const Vars& v) { return ad::mse(v[0], target); }, {any(m, c, 5)},
                  "mse " + ad::shape_str(m, c));

        std::vector<std::size_t> labels(m);
        Tensor<double> onehot = ad::zeros<double>(m, c), soft = test::uniform<double>(m, c, 9, 0.0, 1.0);
        for (std::size_t i = 0; i < m; ++i) {
            labels[i] = (i * 7 + 3) % c;
            onehot(i, labels[i]) = 1.0;
        }
        expect_ok([&](ad::Tape<double>&, const Vars& v) { return ad::cross_entropy(v[0], labels); }, {any(m, c, 6)},
                  "cross_entropy labels " + ad::shape_str(m, c));
        expect_ok([&](ad::Tape<double>&, const Vars& v) { return ad::cross_entropy(v[0], onehot); }, {any(m, c, 6)},
                  "cross_entropy one-hot " + ad::shape_str(m, c));
        expect_ok([&](ad::Tape<double>&, const Vars& v) { return ad::cross_entropy(v[0], soft); }, {any(m, c, 6)},
                  "cross_entropy soft targets " + ad::shape_str(m, c));
    }
    BOOST_TEST(checks_run - before == 20u);  // 5 shapes × 4 losses
}

BOOST_AUTO_TEST_CASE(two_layer_network_all_parameters) {
    const std::size_t before = checks_run;
    // The graph of an MLP step: every op of it at once, gradients w.r.t. weights, biases and input.
    auto net = [](ad::Tape<double>&, const Vars& v) {
        Var<double> h = ad::gelu(ad::add(ad::matmul(v[0], v[1], ad::Trans::no, ad::Trans::yes), v[2], ad::Bcast::row));
        Var<double> f = ad::add(ad::matmul(h, v[3], ad::Trans::no, ad::Trans::yes), v[4], ad::Bcast::row);
        return ad::cross_entropy(f, std::vector<std::size_t>{0, 2, 1, 2, 0});
    };
    expect_ok(net, {any(5, 4, 1), any(6, 4, 2), any(1, 6, 3), any(3, 6, 4), any(1, 3, 5)}, "2-layer gelu network");
    BOOST_TEST(checks_run - before == 1u);  // one network
}

BOOST_AUTO_TEST_CASE(log_softmax_is_shift_invariant_and_normalised) {
    // A value check beside the gradient check: rows of exp(log_softmax) sum to 1, and adding a constant
    // to a row changes nothing (so a large shift does not overflow).
    ad::Tape<double> tape;
    Tensor<double> x = any(4, 6, 3);
    Tensor<double> big = x + 1000.0;
    Var<double> a = ad::log_softmax(tape.constant(x)), b = ad::log_softmax(tape.constant(big));
    BOOST_TEST(test::max_abs_diff(a.value(), b.value()) < 1e-12);
    for (std::size_t i = 0; i < 4; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < 6; ++j) s += std::exp(a.value()(i, j));
        BOOST_TEST(std::abs(s - 1.0) < 1e-14);
    }
}

BOOST_AUTO_TEST_CASE(elementwise_values_match_the_standard_library) {
    // The forward values of the SIMD functions against <cmath>, to a few ulps.
    ad::Tape<double> tape;
    const Tensor<double> xv = any(3, 11, 4);
    Var<double> x = tape.constant(xv);
    const std::vector<std::pair<Var<double>, std::function<double(double)>>> cases = {
        {ad::exp(x), [](double v) { return std::exp(v); }},
        {ad::tanh(x), [](double v) { return std::tanh(v); }},
        {ad::sigmoid(x), [](double v) { return 1 / (1 + std::exp(-v)); }},
        {ad::softplus(x), [](double v) { return std::log1p(std::exp(v)); }},
        {ad::gelu(x), [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }},
        {ad::pow(x, 3.0), [](double v) { return v * v * v; }},
        {ad::leaky_relu(x, 0.2), [](double v) { return v > 0 ? v : 0.2 * v; }},
    };
    for (const auto& [y, f] : cases)
        for (std::size_t i = 0; i < xv.size(); ++i)
            BOOST_TEST(std::abs(y.value().data()[i] - f(xv.data()[i])) <= 1e-14 * (1 + std::abs(f(xv.data()[i]))));
}

BOOST_AUTO_TEST_CASE(gradcheck_catches_a_wrong_gradient) {
    // The checker must be able to fail. f(a) = a·stop(a), where stop(a) is a constant copy of a that cuts
    // the gradient path: the analytic gradient is a, the true (numeric) one 2a.
    auto f = [](ad::Tape<double>& tape, const Vars& v) {
        Var<double> frozen = tape.constant(v[0].value());
        return ad::mul(v[0], frozen);
    };
    const ad::GradcheckResult r = ad::gradcheck(f, {any(2, 3, 1)});
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.report.find("gradcheck: input 0") != std::string::npos);
}
