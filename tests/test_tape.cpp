// The tape's mechanics, each against a value worked out by hand: the reverse walk, accumulation over
// several uses of a node, seeds, parameter accumulation across passes, hooks, NoGradGuard, clearing and
// node reuse, Graphviz output.
#define BOOST_TEST_MODULE tape
#include <boost/test/unit_test.hpp>

#include <string>

#include "autodiff/autodiff.hpp"
#include "test_util.hpp"

using ad::Tensor;
using ad::Var;

namespace {
Tensor<double> t22(double a, double b, double c, double d) { return Tensor<double>{{a, b}, {c, d}}; }
Tensor<double> t11(double a) { return Tensor<double>{{a}}; }
}  // namespace

BOOST_AUTO_TEST_CASE(scalar_chain_rule_by_hand) {
    // y = x·w + b at x = 3, w = −2, b = 0.5: dy/dx = w, dy/dw = x, dy/db = 1.
    ad::Tape<double> tape;
    Var<double> w = tape.parameter(t11(-2.0), "w"), b = tape.parameter(t11(0.5), "b");
    Var<double> x = tape.variable(t11(3.0));
    Var<double> y = x * w + b;
    BOOST_TEST(y.value()(0, 0) == -5.5);
    tape.backward(y);
    BOOST_TEST(x.grad()(0, 0) == -2.0);
    BOOST_TEST(w.grad()(0, 0) == 3.0);
    BOOST_TEST(b.grad()(0, 0) == 1.0);
}

BOOST_AUTO_TEST_CASE(a_node_used_twice_accumulates) {
    // y = sum(x ∘ x + x): dy/dx = 2x + 1
    ad::Tape<double> tape;
    Var<double> x = tape.variable(t22(1, -2, 0.5, 3));
    tape.backward(ad::sum(x * x + x));
    BOOST_TEST(x.grad()(0, 0) == 3.0);
    BOOST_TEST(x.grad()(0, 1) == -3.0);
    BOOST_TEST(x.grad()(1, 0) == 2.0);
    BOOST_TEST(x.grad()(1, 1) == 7.0);
}

BOOST_AUTO_TEST_CASE(seeded_backward_gives_jacobian_rows) {
    // y = W x with x (2,1): the Jacobian of y w.r.t. x is W; seeding e_i returns row i of W.
    ad::Tape<double> tape;
    const Tensor<double> Wv = t22(1, 2, 3, 4);
    Var<double> W = tape.constant(Wv);
    Var<double> x = tape.variable(Tensor<double>{{0.5}, {-1}});
    Var<double> y = ad::matmul(W, x);
    for (std::size_t i = 0; i < 2; ++i) {
        Tensor<double> seed = ad::zeros<double>(2, 1);
        seed(i, 0) = 1;
        tape.backward(y, seed);  // per-step gradients are those of this pass only
        BOOST_TEST(x.grad()(0, 0) == Wv(i, 0));
        BOOST_TEST(x.grad()(1, 0) == Wv(i, 1));
    }
}

BOOST_AUTO_TEST_CASE(parameter_gradients_accumulate_until_zero_grad) {
    ad::Tape<double> tape;
    Var<double> w = tape.parameter(t11(2.0));
    for (int step = 1; step <= 3; ++step) {
        tape.clear();
        tape.backward(ad::square(w));  // d(w²)/dw = 4 each pass
        BOOST_TEST(w.grad()(0, 0) == 4.0 * step);
    }
    tape.zero_grad();
    tape.clear();
    tape.backward(ad::square(w) * 0.5);
    BOOST_TEST(w.grad()(0, 0) == 2.0);
}

BOOST_AUTO_TEST_CASE(hook_sees_the_gradient_arriving_at_a_layer_input) {
    // z = W h with h = tanh(x): the hook on h receives Wᵀ dz (the gradient through W), before it flows
    // on to x.
    ad::Tape<double> tape;
    Var<double> W = tape.parameter(Tensor<double>{{1, -1}, {2, 0.5}, {0, 3}});  // (3,2)
    Var<double> x = tape.variable(Tensor<double>{{0.2, -0.4}});                 // (1,2): one sample
    Var<double> h = ad::tanh(x);
    Tensor<double> seen;
    int calls = 0;
    h.on_grad([&](const Tensor<double>& g) {
        seen = g;
        ++calls;
    });
    Var<double> z = ad::matmul(h, W, ad::Trans::no, ad::Trans::yes);  // (1,3) = h Wᵀ
    Tensor<double> seed{{1.0, 2.0, -1.0}};
    tape.backward(z, seed);
    BOOST_TEST(calls == 1);
    // Wᵀ·seed = (1·1 + 2·2 + 0·(−1), −1·1 + 0.5·2 + 3·(−1)) = (5, −3)
    BOOST_TEST(seen(0, 0) == 5.0);
    BOOST_TEST(seen(0, 1) == -3.0);
    BOOST_TEST(std::abs(x.grad()(0, 0) - 5.0 * (1 - std::pow(std::tanh(0.2), 2))) < 1e-15);
}

BOOST_AUTO_TEST_CASE(no_grad_guard_records_values_only) {
    ad::Tape<float> tape;
    Var<float> w = tape.parameter(Tensor<float>{{2.0f}});
    {
        ad::NoGradGuard<float> guard(tape);
        Var<float> y = w * 3.0f;
        BOOST_TEST(y.value()(0, 0) == 6.0f);
        BOOST_TEST(!y.requires_grad());
        BOOST_CHECK_THROW(tape.backward(y), ad::GraphError);
    }
    BOOST_TEST(tape.recording());
    Var<float> y = w * 3.0f;
    BOOST_TEST(y.requires_grad());
}

BOOST_AUTO_TEST_CASE(clear_keeps_parameters_and_reuses_nodes) {
    ad::Tape<double> tape;
    Var<double> w = tape.parameter(test::uniform<double>(4, 4, 1), "w");
    Var<double> x0;
    const double* value_buffer = nullptr;
    for (int step = 0; step < 3; ++step) {
        tape.clear();
        BOOST_TEST(tape.size() == 0u);
        Var<double> x = tape.constant(test::uniform<double>(4, 4, 2));
        Var<double> y = ad::sum(ad::tanh(ad::matmul(x, w)));
        BOOST_TEST(tape.size() == 4u);
        if (step == 0) {
            x0 = x;
            value_buffer = x.value().data();
        } else {
            BOOST_TEST(x.value().data() == value_buffer);  // same node, same buffer: nothing reallocated
        }
        tape.backward(y);
    }
    BOOST_TEST(w.value().shape(0) == 4u);  // the parameter survived
    BOOST_CHECK_THROW(x0.value(), ad::GraphError);  // a Var of an earlier step is stale
    BOOST_TEST(tape.parameters().size() == 1u);
    BOOST_TEST(tape.parameters()[0].name() == "w");
}

BOOST_AUTO_TEST_CASE(nodes_off_the_path_get_no_gradient) {
    ad::Tape<double> tape;
    Var<double> a = tape.variable(t11(1.0)), b = tape.variable(t11(2.0));
    Var<double> unused = ad::exp(b);
    Var<double> y = a * 2.0;
    tape.backward(y);
    BOOST_TEST(a.grad()(0, 0) == 2.0);
    BOOST_CHECK_THROW(b.grad(), ad::GraphError);
    BOOST_CHECK_THROW(unused.grad(), ad::GraphError);
}

BOOST_AUTO_TEST_CASE(to_dot_lists_nodes_and_edges) {
    ad::Tape<double> tape;
    Var<double> w = tape.parameter(t22(1, 2, 3, 4), "W1");
    Var<double> x = tape.constant(t22(1, 0, 0, 1));
    ad::sum(ad::matmul(x, w));
    const std::string dot = tape.to_dot();
    BOOST_TEST(dot.find("digraph") != std::string::npos);
    BOOST_TEST(dot.find("W1 (2,2)") != std::string::npos);
    BOOST_TEST(dot.find("matmul (2,2)") != std::string::npos);
    BOOST_TEST(dot.find("p0 -> n1") != std::string::npos);   // W1 feeds matmul
    BOOST_TEST(dot.find("n0 -> n1") != std::string::npos);   // x feeds matmul
    BOOST_TEST(dot.find("n1 -> n2") != std::string::npos);   // matmul feeds sum
}

BOOST_AUTO_TEST_CASE(float_and_double_tapes_agree) {
    const Tensor<double> xd = test::uniform<double>(5, 3, 7), wd = test::uniform<double>(3, 4, 8);
    ad::Tape<double> td;
    ad::Tape<float> tf;
    Var<double> wv = td.parameter(wd);
    Var<float> wf = tf.parameter(xt::cast<float>(wd));
    td.backward(ad::mean(ad::sigmoid(ad::matmul(td.constant(xd), wv))));
    tf.backward(ad::mean(ad::sigmoid(ad::matmul(tf.constant(xt::cast<float>(xd)), wf))));
    for (std::size_t i = 0; i < wd.size(); ++i)
        BOOST_TEST(std::abs(double(wf.grad().data()[i]) - wv.grad().data()[i]) < 1e-6);
}

BOOST_AUTO_TEST_CASE(watch_gives_a_constant_its_gradient) {
    // y = sum(W x) with x data: watch(x) receives Wᵀ·1 although x itself needs no gradient.
    ad::Tape<double> tape;
    Var<double> W = tape.parameter(t22(1, 2, 3, 4));
    Var<double> x = tape.constant(Tensor<double>{{1.0}, {-1.0}});
    Var<double> xw = ad::watch(x);
    tape.backward(ad::sum(ad::matmul(W, xw)));
    BOOST_TEST(xw.grad()(0, 0) == 4.0);
    BOOST_TEST(xw.grad()(1, 0) == 6.0);
    BOOST_CHECK_THROW(x.grad(), ad::GraphError);
    BOOST_TEST(!ad::identity(x).requires_grad());
}
