// Optimizers, L-BFGS and learning-rate schedules. Oracles: two steps of every update rule worked out by hand
// with literal hyperparameters (scalar arithmetic per coordinate, independent of the optimizer's loops),
// the closed-form ridge solution for L-BFGS, and schedule values computed by hand.
#define BOOST_TEST_MODULE nn_optim
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/error.hpp"
#include "autodiff/ops.hpp"
#include "nn/error.hpp"
#include "nn/lbfgs.hpp"
#include "nn/optim.hpp"
#include "nn/schedule.hpp"
#include "test_util.hpp"

namespace tt = boost::test_tools;

namespace {

/// A predicate for BOOST_CHECK_EXCEPTION: the message contains every one of `parts`.
template <class E>
auto message_has(std::vector<std::string> parts) {
    return [parts = std::move(parts)](const E& e) {
        const std::string what = e.what();
        for (const std::string& p : parts)
            if (what.find(p) == std::string::npos) {
                BOOST_TEST_MESSAGE("message '" << what << "' lacks '" << p << "'");
                return false;
            }
        return true;
    };
}

ad::Tensor<double> row(double a, double b) {
    ad::Tensor<double> t = ad::zeros<double>(1, 2);
    t(0, 0) = a;
    t(0, 1) = b;
    return t;
}

// The tiny problem of the hand-worked steps: w = (0.5, −1.5) and f(w) = Σ_j c_j w_j² with c = (1, 3), so
// ∇f = (2w₀, 6w₁); with coupled L2 λ the gradient is ∇f + λw. A second parameter b = 0.7 (1×1) with
// f_b = b², ∇ = 2b, is added when asked (AdamW's decay mask).
struct TinyProblem {
    ad::Tape<double> tape;
    ad::Var<double> w;
    ad::Var<double> b;

    explicit TinyProblem(bool with_b = false) {
        w = tape.parameter(row(0.5, -1.5), "w");
        if (with_b) b = tape.parameter(ad::Tensor<double>{{0.7}}, "b");
    }
    nn::Params<double> params() { return b.empty() ? nn::Params<double>{w} : nn::Params<double>{w, b}; }

    /// A backward pass of f (+ (λ/2)‖w‖²), leaving the gradients in w.grad() and b.grad().
    void backward(double coupled_lambda = 0.0) {
        tape.clear();
        tape.zero_grad();
        ad::Var<double> f = ad::sum(ad::mul(tape.constant(row(1.0, 3.0)), ad::square(w)));
        if (coupled_lambda != 0.0) f = f + ad::scale(ad::sum(ad::square(w)), coupled_lambda / 2);
        if (!b.empty()) f = f + ad::sum(ad::square(b));
        tape.backward(f);
    }

    /// Two optimizer steps, each after a backward pass at the current point.
    void two_steps(nn::Optimizer<double>& opt, double lr, double coupled_lambda = 0.0) {
        for (int k = 0; k < 2; ++k) {
            backward(coupled_lambda);
            opt.step(params(), lr);
        }
    }
};

// Values to 1e-15 relative: the hand arithmetic below performs the optimizer's operations on the same
// doubles, and differs only by a rounding or two (fused multiply-adds, 0.19 written for 1 − 0.9², ...),
// each of relative size ~1e-16 and shrunk further because an update is a fraction of the value.
void check_w(const ad::Var<double>& w, double w0, double w1) {
    BOOST_TEST(w.value()(0, 0) == w0, tt::tolerance(1e-15));
    BOOST_TEST(w.value()(0, 1) == w1, tt::tolerance(1e-15));
}

nn::OptimizerConfig sgd(double momentum, bool nesterov = false) {
    nn::OptimizerConfig c;
    c.kind = nn::OptimizerKind::sgd;
    c.momentum = momentum;
    c.nesterov = nesterov;
    return c;
}

nn::OptimizerConfig adam(nn::OptimizerKind kind = nn::OptimizerKind::adam, double wd = 0.0) {
    nn::OptimizerConfig c;
    c.kind = kind;  // β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (the defaults)
    c.decoupled_weight_decay = wd;
    return c;
}

/// Two Adam steps of one coordinate by hand: β₁ = 0.9, β₂ = 0.999, ε = 1e-8, η = 0.1, with the gradient
/// g(w) = k·w (k = 2c, plus λ for coupled L2) and the decoupled shrink factor (1 − η·wd) = `shrink`.
/// Bias corrections: 1 − 0.9 = 0.1 and 1 − 0.999 = 0.001 at t = 1; 1 − 0.81 = 0.19 and 1 − 0.998001 =
/// 0.001999 at t = 2.
double adam_two_steps_by_hand(double w, double k, double shrink) {
    const double g1 = k * w;
    const double m1 = 0.1 * g1, s1 = 0.001 * (g1 * g1);
    w = w * shrink;
    w = w - 0.1 * (m1 / 0.1) / (std::sqrt(s1 / 0.001) + 1e-8);
    const double g2 = k * w;
    const double m2 = 0.9 * m1 + 0.1 * g2, s2 = 0.999 * s1 + 0.001 * (g2 * g2);
    w = w * shrink;
    return w - 0.1 * (m2 / 0.19) / (std::sqrt(s2 / 0.001999) + 1e-8);
}

}  // namespace

// --- names ------------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(optimizer_names) {
    BOOST_TEST(int(nn::parse_optimizer("sgd")) == int(nn::OptimizerKind::sgd));
    BOOST_TEST(int(nn::parse_optimizer("gd")) == int(nn::OptimizerKind::sgd));
    BOOST_TEST(int(nn::parse_optimizer("adam")) == int(nn::OptimizerKind::adam));
    BOOST_TEST(int(nn::parse_optimizer("adamw")) == int(nn::OptimizerKind::adamw));
    BOOST_TEST(int(nn::parse_optimizer("lbfgs")) == int(nn::OptimizerKind::lbfgs));
    for (auto kind : {nn::OptimizerKind::sgd, nn::OptimizerKind::adam, nn::OptimizerKind::adamw,
                      nn::OptimizerKind::lbfgs})
        BOOST_TEST(int(nn::parse_optimizer(nn::to_string(kind))) == int(kind));
    BOOST_CHECK_EXCEPTION(nn::parse_optimizer("rmsprop"), nn::ConfigError,
                          message_has<nn::ConfigError>({"'rmsprop'", "sgd, gd, adam, adamw, lbfgs"}));
}

// --- SGD --------------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(sgd_plain_two_steps) {
    // η = 0.1.  step 1: g = (1, −9),    w = (0.5 − 0.1, −1.5 + 0.9)   = (0.4, −0.6)
    //           step 2: g = (0.8, −3.6), w = (0.4 − 0.08, −0.6 + 0.36) = (0.32, −0.24)
    TinyProblem p;
    auto opt = nn::make_optimizer<double>(sgd(0.0));
    p.two_steps(*opt, 0.1);
    check_w(p.w, 0.4 - 0.1 * 0.8, -0.6 - 0.1 * -3.6);
    BOOST_TEST(opt->steps() == 2u);
}

BOOST_AUTO_TEST_CASE(sgd_momentum_two_steps) {
    // μ = 0.9, η = 0.1, v = g on the first step.
    //   coordinate 0: g = 1, v = 1, w = 0.4;       g = 0.8,  v = 0.9·1 + 0.8 = 1.7,        w = 0.4 − 0.17 = 0.23
    //   coordinate 1: g = −9, v = −9, w = −0.6;    g = −3.6, v = 0.9·(−9) − 3.6 = −11.7,   w = −0.6 + 1.17 = 0.57
    TinyProblem p;
    auto opt = nn::make_optimizer<double>(sgd(0.9));
    p.two_steps(*opt, 0.1);
    check_w(p.w, 0.4 - 0.1 * (0.9 * 1.0 + 0.8), -0.6 - 0.1 * (0.9 * -9.0 + -3.6));
}

BOOST_AUTO_TEST_CASE(sgd_nesterov_two_steps) {
    // μ = 0.9, η = 0.1, w ← w − η·(g + μ·v).
    //   coordinate 0: g = 1, v = 1,   w = 0.5 − 0.1·(1 + 0.9)    = 0.31
    //                 g = 0.62, v = 0.9 + 0.62 = 1.52,  w = 0.31 − 0.1·(0.62 + 0.9·1.52)  = 0.1112
    //   coordinate 1: g = −9, v = −9, w = −1.5 − 0.1·(−9 − 8.1)  = 0.21
    //                 g = 1.26, v = −8.1 + 1.26 = −6.84, w = 0.21 − 0.1·(1.26 − 0.9·6.84) = 0.6996
    TinyProblem p;
    auto opt = nn::make_optimizer<double>(sgd(0.9, true));
    p.two_steps(*opt, 0.1);
    const double w0 = 0.5 - 0.1 * (1.0 + 0.9 * 1.0), w1 = -1.5 - 0.1 * (-9.0 + 0.9 * -9.0);
    BOOST_TEST(w0 == 0.31, tt::tolerance(1e-15));
    BOOST_TEST(w1 == 0.21, tt::tolerance(1e-14));  // 1.5 − 1.71: a cancellation of ~7 in relative error
    const double g0 = 2 * w0, g1 = 6 * w1;
    check_w(p.w, w0 - 0.1 * (g0 + 0.9 * (0.9 * 1.0 + g0)), w1 - 0.1 * (g1 + 0.9 * (0.9 * -9.0 + g1)));
    BOOST_TEST(p.w.value()(0, 0) == 0.1112, tt::tolerance(1e-14));
    BOOST_TEST(p.w.value()(0, 1) == 0.6996, tt::tolerance(1e-14));
}

// --- Adam and AdamW -----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(adam_two_steps) {
    // Step 1 of Adam moves every coordinate by η·g/(|g| + ε) ≈ η; step 2 depends on β₁, β₂ through
    // m̂ = (0.09·g₁ + 0.1·g₂)/0.19 and ŝ = (0.000999·g₁² + 0.001·g₂²)/0.001999.
    TinyProblem p;
    auto opt = nn::make_optimizer<double>(adam());
    p.two_steps(*opt, 0.1);
    check_w(p.w, adam_two_steps_by_hand(0.5, 2.0, 1.0), adam_two_steps_by_hand(-1.5, 6.0, 1.0));
    // Written out for coordinate 0: w = 0.5 − 0.1·1/(1 + 1e-8) = 0.400000001, g = 0.800000002, and
    // w = 0.4 − 0.1·m̂/(√ŝ + ε) with m̂ = 0.8947368..., √ŝ = 0.8956... : w ≈ 0.30010.
    BOOST_TEST(p.w.value()(0, 0) == 0.4 - 0.1 * (0.09 + 0.08) / 0.19 / std::sqrt((0.000999 + 0.00064) / 0.001999),
               tt::tolerance(1e-7));  // the ε and the 1e-9 shift of w neglected
}

BOOST_AUTO_TEST_CASE(adamw_differs_from_adam_with_coupled_l2) {
    // wd = λ = 0.1, η = 0.1. AdamW: g = ∇f only and w ← 0.99·w before each Adam update (b is masked out of
    // the decay). Adam with coupled L2: g = ∇f + λw, no shrink. The first Adam update is ≈ η·sign(g) in
    // both, so after step 1 they differ by exactly the shrink, 0.01·w; the expected trajectories are
    // worked by hand for both.
    const double lambda = 0.1, shrink = 1.0 - 0.1 * 0.1;

    TinyProblem decoupled(true);
    auto adamw = nn::make_optimizer<double>(adam(nn::OptimizerKind::adamw, lambda), {true, false});
    decoupled.two_steps(*adamw, 0.1);
    const double adamw_w0 = adam_two_steps_by_hand(0.5, 2.0, shrink);
    const double adamw_w1 = adam_two_steps_by_hand(-1.5, 6.0, shrink);
    check_w(decoupled.w, adamw_w0, adamw_w1);
    BOOST_TEST(decoupled.b.value()(0, 0) == adam_two_steps_by_hand(0.7, 2.0, 1.0), tt::tolerance(1e-15));

    TinyProblem coupled(true);
    auto adam_l2 = nn::make_optimizer<double>(adam());
    coupled.two_steps(*adam_l2, 0.1, lambda);
    const double adam_w0 = adam_two_steps_by_hand(0.5, 2.0 + lambda, 1.0);
    const double adam_w1 = adam_two_steps_by_hand(-1.5, 6.0 + lambda, 1.0);
    check_w(coupled.w, adam_w0, adam_w1);
    BOOST_TEST(coupled.b.value()(0, 0) == decoupled.b.value()(0, 0));  // undecayed in both

    // The predicted gap is ~0.01·|w|: far above rounding, so the two rules are told apart.
    BOOST_TEST(std::abs(adamw_w0 - adam_w0) > 1e-3);
    BOOST_TEST(std::abs(adamw_w1 - adam_w1) > 1e-3);
    BOOST_TEST(decoupled.w.value()(0, 0) - coupled.w.value()(0, 0) == adamw_w0 - adam_w0, tt::tolerance(1e-12));
    BOOST_TEST(decoupled.w.value()(0, 1) - coupled.w.value()(0, 1) == adamw_w1 - adam_w1, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(adamw_without_decay_is_adam) {
    TinyProblem a, b;
    auto adam_opt = nn::make_optimizer<double>(adam());
    auto adamw_opt = nn::make_optimizer<double>(adam(nn::OptimizerKind::adamw, 0.0));
    a.two_steps(*adam_opt, 0.1);
    b.two_steps(*adamw_opt, 0.1);
    BOOST_TEST(test::bitwise_equal(a.w.value(), b.w.value()));  // θ·1 changes nothing
}

// --- checkpoints of the optimizer state --------------------------------------------------------------------

namespace {

// Two parameters named as a model names them, and f = Σ C∘W² + Σ exp(b): gradients change every step.
template <class T>
struct Model {
    ad::Tape<T> tape;
    ad::Var<T> weight, bias;
    Model() {
        weight = tape.parameter(test::uniform<T>(2, 3, 11), "layers.0.weight");
        bias = tape.parameter(test::uniform<T>(1, 3, 12), "layers.0.bias");
    }
    nn::Params<T> params() { return {weight, bias}; }
    void backward() {
        tape.clear();
        tape.zero_grad();
        const ad::Tensor<T> c = test::uniform<T>(2, 3, 13, 0.5, 2.0);
        tape.backward(ad::sum(ad::mul(tape.constant(c), ad::square(weight))) + ad::sum(ad::exp(bias)));
    }
    void steps(nn::Optimizer<T>& opt, int n) {
        for (int k = 0; k < n; ++k) {
            backward();
            opt.step(params(), 0.05);
        }
    }
};

template <class T>
void check_round_trip(const nn::OptimizerConfig& config, const std::vector<std::string>& buffers) {
    const std::vector<bool> mask{true, false};
    Model<T> straight;  // 5 steps without interruption
    auto opt = nn::make_optimizer<T>(config, mask);
    straight.steps(*opt, 5);

    Model<T> resumed;  // 3 steps, state saved, a fresh optimizer loads it and takes 2 more
    auto first = nn::make_optimizer<T>(config, mask);
    resumed.steps(*first, 3);
    const nn::OptimizerState state = first->state(resumed.params());
    BOOST_TEST(state.size() == 1 + 2 * buffers.size());
    BOOST_TEST(state.at("step")(0, 0) == 3.0);
    for (const std::string& b : buffers) {
        BOOST_TEST(state.count(b + "/layers.0.weight") == 1u);
        BOOST_TEST((state.at(b + "/layers.0.bias").shape() == ad::Shape{1, 3}));
    }
    auto second = nn::make_optimizer<T>(config, mask);
    second->load_state(resumed.params(), state);
    BOOST_TEST(second->steps() == 3u);
    resumed.steps(*second, 2);

    BOOST_TEST(test::bitwise_equal(straight.weight.value(), resumed.weight.value()));
    BOOST_TEST(test::bitwise_equal(straight.bias.value(), resumed.bias.value()));
}

}  // namespace

BOOST_AUTO_TEST_CASE(state_round_trip_is_bitwise) {
    const std::vector<std::string> adam_buffers{"exp_avg", "exp_avg_sq"};
    check_round_trip<double>(sgd(0.9, true), {"momentum"});
    check_round_trip<double>(sgd(0.0), {});
    check_round_trip<double>(adam(), adam_buffers);
    check_round_trip<double>(adam(nn::OptimizerKind::adamw, 0.01), adam_buffers);
    check_round_trip<float>(sgd(0.5), {"momentum"});  // float -> double -> float is exact
    check_round_trip<float>(adam(), adam_buffers);
    check_round_trip<float>(adam(nn::OptimizerKind::adamw, 0.01), adam_buffers);
}

BOOST_AUTO_TEST_CASE(state_before_the_first_step) {
    // Zero buffers and step 0: loading them is the same as starting fresh.
    Model<double> a, b;
    auto fresh = nn::make_optimizer<double>(adam());
    const nn::OptimizerState state = fresh->state(a.params());
    BOOST_TEST(state.at("step")(0, 0) == 0.0);
    BOOST_TEST(test::max_abs_diff(state.at("exp_avg_sq/layers.0.weight"), ad::zeros<double>(2, 3)) == 0.0);
    auto loaded = nn::make_optimizer<double>(adam());
    loaded->load_state(b.params(), state);
    a.steps(*fresh, 2);
    b.steps(*loaded, 2);
    BOOST_TEST(test::bitwise_equal(a.weight.value(), b.weight.value()));
}

BOOST_AUTO_TEST_CASE(state_mismatches_are_named) {
    Model<double> m;
    auto opt = nn::make_optimizer<double>(adam());
    m.steps(*opt, 2);
    const nn::OptimizerState good = opt->state(m.params());
    auto fresh = [] { return nn::make_optimizer<double>(adam()); };

    nn::OptimizerState missing = good;
    missing.erase("exp_avg/layers.0.bias");
    BOOST_CHECK_EXCEPTION(fresh()->load_state(m.params(), missing), nn::CheckpointError,
                          message_has<nn::CheckpointError>({"'exp_avg/layers.0.bias'", "missing"}));

    nn::OptimizerState wrong_shape = good;
    wrong_shape["exp_avg_sq/layers.0.weight"] = ad::zeros<double>(3, 2);
    BOOST_CHECK_EXCEPTION(fresh()->load_state(m.params(), wrong_shape), nn::CheckpointError,
                          message_has<nn::CheckpointError>({"'exp_avg_sq/layers.0.weight'", "(3,2)", "(2,3)"}));

    nn::OptimizerState extra = good;
    extra["momentum/layers.0.weight"] = ad::zeros<double>(2, 3);  // an SGD buffer in an Adam state
    BOOST_CHECK_EXCEPTION(fresh()->load_state(m.params(), extra), nn::CheckpointError,
                          message_has<nn::CheckpointError>({"unexpected", "'momentum/layers.0.weight'"}));

    nn::OptimizerState no_step = good;
    no_step.erase("step");
    BOOST_CHECK_EXCEPTION(fresh()->load_state(m.params(), no_step), nn::CheckpointError,
                          message_has<nn::CheckpointError>({"'step'", "missing"}));
    nn::OptimizerState bad_step = good;
    bad_step["step"] = ad::Tensor<double>{{2.5}};
    BOOST_CHECK_EXCEPTION(fresh()->load_state(m.params(), bad_step), nn::CheckpointError,
                          message_has<nn::CheckpointError>({"'step'", "2.5", "whole number"}));
    bad_step["step"] = ad::zeros<double>(1, 2);
    BOOST_CHECK_EXCEPTION(fresh()->load_state(m.params(), bad_step), nn::CheckpointError,
                          message_has<nn::CheckpointError>({"'step'", "(1,2)", "(1,1)"}));

    // A state of an SGD without momentum has no buffers: an Adam cannot load it.
    auto plain = nn::make_optimizer<double>(sgd(0.0));
    BOOST_CHECK_EXCEPTION(fresh()->load_state(m.params(), plain->state(m.params())), nn::CheckpointError,
                          message_has<nn::CheckpointError>({"'exp_avg/layers.0.weight'", "missing"}));

    // Parameters named differently from the checkpoint's.
    ad::Tape<double> other;
    nn::Params<double> renamed{other.parameter(ad::zeros<double>(2, 3), "layer.weight"),
                               other.parameter(ad::zeros<double>(1, 3), "layers.0.bias")};
    BOOST_CHECK_EXCEPTION(fresh()->load_state(renamed, good), nn::CheckpointError,
                          message_has<nn::CheckpointError>({"'exp_avg/layer.weight'", "missing"}));

    // A failed load leaves the optimizer as it was.
    BOOST_CHECK_THROW(opt->load_state(m.params(), missing), nn::CheckpointError);
    BOOST_TEST(opt->steps() == 2u);
    const nn::OptimizerState after = opt->state(m.params());
    for (const auto& [name, value] : good) BOOST_TEST(test::bitwise_equal(after.at(name), value), name);
}

// --- errors ------------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(hyperparameter_errors) {
    using E = nn::ConfigError;
    auto make = [](const nn::OptimizerConfig& c) { return nn::make_optimizer<double>(c); };
    BOOST_CHECK_EXCEPTION(make(sgd(1.0)), E, message_has<E>({"momentum = 1", "[0, 1)"}));
    BOOST_CHECK_EXCEPTION(make(sgd(-0.1)), E, message_has<E>({"momentum = -0.1", "[0, 1)"}));
    BOOST_CHECK_EXCEPTION(make(sgd(0.0, true)), E, message_has<E>({"nesterov", "momentum > 0", "momentum = 0"}));
    nn::OptimizerConfig c = adam();
    c.beta1 = 1.0;
    BOOST_CHECK_EXCEPTION(make(c), E, message_has<E>({"adam", "beta1 = 1", "[0, 1)"}));
    c = adam(nn::OptimizerKind::adamw);
    c.beta2 = -0.5;
    BOOST_CHECK_EXCEPTION(make(c), E, message_has<E>({"adamw", "beta2 = -0.5", "[0, 1)"}));
    c = adam();
    c.eps = 0.0;
    BOOST_CHECK_EXCEPTION(make(c), E, message_has<E>({"eps = 0", "> 0"}));
    c.eps = std::nan("");
    BOOST_CHECK_EXCEPTION(make(c), E, message_has<E>({"eps = nan", "> 0"}));
    BOOST_CHECK_EXCEPTION(make(adam(nn::OptimizerKind::adamw, -0.01)), E,
                          message_has<E>({"decoupled_weight_decay = -0.01", "≥ 0"}));
    BOOST_CHECK_EXCEPTION(make(adam(nn::OptimizerKind::adam, 0.01)), E,
                          message_has<E>({"adam", "decoupled_weight_decay = 0.01", "adamw"}));
    nn::OptimizerConfig lbfgs;
    lbfgs.kind = nn::OptimizerKind::lbfgs;
    BOOST_CHECK_EXCEPTION(make(lbfgs), E, message_has<E>({"lbfgs", "lbfgs_minimize"}));
    // Values on the edges of the ranges are accepted.
    BOOST_CHECK_NO_THROW(make(sgd(0.0)));
    c = adam();
    c.beta1 = 0.0;
    c.beta2 = 0.0;
    BOOST_CHECK_NO_THROW(make(c));
}

BOOST_AUTO_TEST_CASE(step_errors) {
    TinyProblem p;
    auto opt = nn::make_optimizer<double>(sgd(0.9));
    p.backward();
    BOOST_CHECK_EXCEPTION(opt->step(p.params(), -0.1), nn::ConfigError,
                          message_has<nn::ConfigError>({"learning rate = -0.1", "≥ 0"}));

    // A parameter that no backward pass has reached: ad::GraphError, and nothing changes (the gradients
    // are all read before any value is written).
    ad::Var<double> unused = p.tape.parameter(ad::zeros<double>(1, 1), "unused");
    const ad::Tensor<double> before = p.w.value();
    BOOST_CHECK_THROW(opt->step({p.w, unused}, 0.1), ad::GraphError);
    BOOST_TEST(test::bitwise_equal(p.w.value(), before));
    BOOST_TEST(opt->steps() == 0u);

    // A different set of parameters after the first step.
    opt->step(p.params(), 0.1);
    BOOST_CHECK_EXCEPTION(opt->step({p.w, p.w}, 0.1), nn::ConfigError,
                          message_has<nn::ConfigError>({"2 parameters given", "for 1"}));

    // AdamW's decay mask must have one entry per parameter.
    auto adamw = nn::make_optimizer<double>(adam(nn::OptimizerKind::adamw, 0.1), {true, false, true});
    BOOST_CHECK_EXCEPTION(adamw->step(p.params(), 0.1), nn::ConfigError,
                          message_has<nn::ConfigError>({"decay mask", "3", "1 parameters"}));
}

// --- schedules ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(schedules_by_hand) {
    nn::Schedule s;  // constant
    BOOST_TEST(s.lr(0, 0.1) == 0.1);
    BOOST_TEST(s.lr(57, 0.1) == 0.1);

    s.kind = nn::Schedule::Kind::step;  // 0.1·0.5^⌊e/3⌋
    s.gamma = 0.5;
    s.step_every = 3;
    BOOST_TEST(s.lr(0, 0.1) == 0.1);
    BOOST_TEST(s.lr(2, 0.1) == 0.1);
    BOOST_TEST(s.lr(3, 0.1) == 0.05);
    BOOST_TEST(s.lr(8, 0.1) == 0.025);
    BOOST_TEST(s.lr(9, 0.1) == 0.0125);

    // Cosine from 0.1 to 0.01 over 10 epochs: 0.01 + 0.09·(1 + cos(πe/10))/2, with cos 36° = (1 + √5)/4 and
    // cos 18° = √((5 + √5)/8). Tolerance 1e-14: the cosine of the library and the radicals differ in the
    // last bits.
    s = nn::Schedule{};
    s.kind = nn::Schedule::Kind::cosine;
    s.min_lr = 0.01;
    s.total_epochs = 10;
    const double cos36 = (1 + std::sqrt(5.0)) / 4, cos18 = std::sqrt((5 + std::sqrt(5.0)) / 8);
    BOOST_TEST(s.lr(0, 0.1) == 0.1, tt::tolerance(1e-14));
    BOOST_TEST(s.lr(2, 0.1) == 0.01 + 0.09 * (1 + cos36) / 2, tt::tolerance(1e-14));  // 0.0914057647...
    BOOST_TEST(s.lr(2, 0.1) == 0.09140576474687264, tt::tolerance(1e-14));
    BOOST_TEST(s.lr(5, 0.1) == 0.055, tt::tolerance(1e-14));  // cos 90° = 0: the midpoint
    BOOST_TEST(s.lr(10, 0.1) == 0.01, tt::tolerance(1e-14));

    // Warm-up over 4 epochs multiplies by (e + 1)/4.
    s.warmup_epochs = 4;
    BOOST_TEST(s.lr(0, 0.1) == 0.025, tt::tolerance(1e-14));
    BOOST_TEST(s.lr(1, 0.1) == (0.01 + 0.09 * (1 + cos18) / 2) * 2 / 4, tt::tolerance(1e-14));  // 0.04889877...
    BOOST_TEST(s.lr(4, 0.1) == 0.01 + 0.09 * (1 + (std::sqrt(5.0) - 1) / 4) / 2, tt::tolerance(1e-14));  // cos 72°
    nn::Schedule warm;
    warm.warmup_epochs = 4;
    BOOST_TEST(warm.lr(1, 0.1) == 0.05, tt::tolerance(1e-15));
    BOOST_TEST(warm.lr(3, 0.1) == 0.1);
    BOOST_TEST(warm.lr(4, 0.1) == 0.1);
}

BOOST_AUTO_TEST_CASE(schedule_errors) {
    BOOST_TEST(int(nn::parse_schedule("constant")) == int(nn::Schedule::Kind::constant));
    BOOST_TEST(int(nn::parse_schedule("step")) == int(nn::Schedule::Kind::step));
    BOOST_TEST(int(nn::parse_schedule("cosine")) == int(nn::Schedule::Kind::cosine));
    for (const char* name : {"constant", "step", "cosine"}) BOOST_TEST(nn::to_string(nn::parse_schedule(name)) == name);
    BOOST_CHECK_EXCEPTION(nn::parse_schedule("linear"), nn::ConfigError,
                          message_has<nn::ConfigError>({"'linear'", "constant, step, cosine"}));
    nn::Schedule s;
    s.kind = nn::Schedule::Kind::step;
    s.step_every = 0;
    BOOST_CHECK_EXCEPTION(s.lr(0, 0.1), nn::ConfigError, message_has<nn::ConfigError>({"step_every = 0", "≥ 1"}));
    s.kind = nn::Schedule::Kind::cosine;
    s.total_epochs = 0;
    BOOST_CHECK_EXCEPTION(s.lr(0, 0.1), nn::ConfigError, message_has<nn::ConfigError>({"total_epochs = 0"}));
}

// --- L-BFGS ------------------------------------------------------------------------------------------------

namespace {

constexpr std::size_t n_samples = 50, n_features = 5;
constexpr double ridge_lambda = 0.1;

struct RidgeData {
    ad::Tensor<double> X = test::uniform<double>(n_samples, n_features, 2024);
    ad::Tensor<double> y = ad::zeros<double>(n_samples, 1);
    RidgeData() {
        const double w_true[n_features] = {1.0, -2.0, 0.5, 3.0, -1.0};
        const ad::Tensor<double> noise = test::uniform<double>(n_samples, 1, 2025);
        for (std::size_t i = 0; i < n_samples; ++i) {
            y(i, 0) = 0.1 * noise(i, 0);
            for (std::size_t j = 0; j < n_features; ++j) y(i, 0) += X(i, j) * w_true[j];
        }
    }

    /// w* = (XᵀX/n + λI)⁻¹ Xᵀy/n by Gaussian elimination with partial pivoting on the 5×5 system.
    std::vector<double> closed_form() const {
        const std::size_t d = n_features;
        std::vector<std::vector<double>> a(d, std::vector<double>(d + 1, 0.0));  // [A | b]
        for (std::size_t r = 0; r < d; ++r) {
            for (std::size_t c = 0; c < d; ++c) {
                for (std::size_t i = 0; i < n_samples; ++i) a[r][c] += X(i, r) * X(i, c);
                a[r][c] /= double(n_samples);
            }
            a[r][r] += ridge_lambda;
            for (std::size_t i = 0; i < n_samples; ++i) a[r][d] += X(i, r) * y(i, 0);
            a[r][d] /= double(n_samples);
        }
        for (std::size_t k = 0; k < d; ++k) {
            std::size_t pivot = k;
            for (std::size_t r = k + 1; r < d; ++r)
                if (std::abs(a[r][k]) > std::abs(a[pivot][k])) pivot = r;
            std::swap(a[k], a[pivot]);
            for (std::size_t r = k + 1; r < d; ++r) {
                const double factor = a[r][k] / a[k][k];
                for (std::size_t c = k; c <= d; ++c) a[r][c] -= factor * a[k][c];
            }
        }
        std::vector<double> w(d);
        for (std::size_t k = d; k-- > 0;) {
            double s = a[k][d];
            for (std::size_t c = k + 1; c < d; ++c) s -= a[k][c] * w[c];
            w[k] = s / a[k][k];
        }
        return w;
    }

    /// The gradient Xᵀ(Xw − y)/n + λw by plain loops.
    std::vector<double> gradient(const std::vector<double>& w) const {
        std::vector<double> g(n_features, 0.0);
        for (std::size_t i = 0; i < n_samples; ++i) {
            double r = -y(i, 0);
            for (std::size_t j = 0; j < n_features; ++j) r += X(i, j) * w[j];
            for (std::size_t j = 0; j < n_features; ++j) g[j] += X(i, j) * r / double(n_samples);
        }
        for (std::size_t j = 0; j < n_features; ++j) g[j] += ridge_lambda * w[j];
        return g;
    }
};

/// The ridge objective (1/2n)‖Xw − y‖² + (λ/2)‖w‖² on a tape, w a 5×1 parameter.
template <class T>
struct Ridge {
    ad::Tape<T> tape;
    ad::Var<T> w;
    ad::Tensor<T> X, y;
    std::size_t calls = 0;

    explicit Ridge(const RidgeData& data) : X(data.X.shape()), y(data.y.shape()) {
        for (std::size_t i = 0; i < X.size(); ++i) X.data()[i] = T(data.X.data()[i]);
        for (std::size_t i = 0; i < y.size(); ++i) y.data()[i] = T(data.y.data()[i]);
        w = tape.parameter(ad::zeros<T>(n_features, 1), "w");
    }
    double evaluate() {
        ++calls;
        tape.clear();
        const ad::Var<T> residual = ad::sub(ad::matmul(tape.constant(X), w), tape.constant(y));  // (n,1)
        const ad::Var<T> loss = ad::scale(ad::sum(ad::square(residual)), T(1.0 / (2.0 * n_samples))) +
                                ad::scale(ad::sum(ad::square(w)), T(ridge_lambda / 2));
        tape.zero_grad();
        tape.backward(loss);
        return double(loss.value()(0, 0));
    }
    std::vector<double> w_values() const {
        std::vector<double> v;
        for (T x : w.value()) v.push_back(double(x));
        return v;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(lbfgs_ridge_matches_closed_form) {
    const RidgeData data;
    Ridge<double> ridge(data);
    nn::LbfgsConfig config;  // tolerance 1e-10
    std::vector<double> ratios;
    std::size_t last_iteration = 0;
    const nn::LbfgsResult result = nn::lbfgs_minimize<double>(
        {ridge.w}, [&] { return ridge.evaluate(); }, config,
        [&](std::size_t iteration, double, double ratio) {
            BOOST_TEST(iteration == last_iteration + 1);
            last_iteration = iteration;
            ratios.push_back(ratio);
            return true;
        });
    BOOST_TEST_MESSAGE("L-BFGS on ridge: " << result.iterations << " iterations, " << result.evaluations
                                           << " evaluations, ratio " << result.grad_norm_ratio << ", status: "
                                           << result.status);
    BOOST_TEST(result.converged);
    BOOST_TEST(result.grad_norm_ratio < 1e-10);
    BOOST_TEST(result.iterations == ratios.size());
    BOOST_TEST(result.evaluations == ridge.calls);
    BOOST_TEST(result.status.find("converged") != std::string::npos);

    // ‖w − w*‖ ≤ ‖∇f‖/λ_min(A) ≤ 1e-10·‖w‖/0.1 ≈ 4e-9 (λ_min ≥ λ = 0.1, ‖w‖ ≈ 4): 1e-8 holds.
    const std::vector<double> w_star = data.closed_form(), w = ridge.w_values();
    for (std::size_t j = 0; j < n_features; ++j) BOOST_TEST(w[j] == w_star[j], tt::tolerance(1e-8));

    // The parameters' gradient is the one at the returned point (compared with the loop gradient to 1e-14
    // absolute: a sum of 50 products of O(1) terms), and so is the value.
    const std::vector<double> g = data.gradient(w);
    for (std::size_t j = 0; j < n_features; ++j)
        BOOST_TEST(std::abs(ridge.w.grad()(j, 0) - g[j]) < 1e-14);
    double loss = 0;
    for (std::size_t i = 0; i < n_samples; ++i) {
        double r = -data.y(i, 0);
        for (std::size_t j = 0; j < n_features; ++j) r += data.X(i, j) * w[j];
        loss += r * r / (2.0 * n_samples);
    }
    for (double v : w) loss += ridge_lambda / 2 * v * v;
    BOOST_TEST(result.value == loss, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(lbfgs_float_decreases_the_loss) {
    const RidgeData data;
    Ridge<float> ridge(data);
    const double start = ridge.evaluate();
    nn::LbfgsConfig config;
    config.tolerance = 1e-5;  // about what float gradients resolve: ~100·ε_float
    const nn::LbfgsResult result = nn::lbfgs_minimize<float>({ridge.w}, [&] { return ridge.evaluate(); }, config);
    BOOST_TEST_MESSAGE("L-BFGS in float: " << result.iterations << " iterations, ratio " << result.grad_norm_ratio
                                           << ", status: " << result.status);
    BOOST_TEST(result.value < start);
    BOOST_TEST(result.iterations > 0u);
    // The minimum value to 1e-6 relative: float rounding of f (~ε_float = 6e-8 relative) plus the
    // quadratic excess of the float minimiser, ~λ_max·‖w − w*‖² ≈ 1e-8.
    double loss_star = 0;
    {
        Ridge<double> at_minimum(data);
        const std::vector<double> w_star = data.closed_form();
        for (std::size_t j = 0; j < n_features; ++j) at_minimum.w.mutable_value()(j, 0) = w_star[j];
        loss_star = at_minimum.evaluate();
    }
    BOOST_TEST(result.value == loss_star, tt::tolerance(1e-6));
    // float: the minimiser to ~1e-4 (ε_float times the condition number, a few tens, and ‖w‖).
    const std::vector<double> w_star = data.closed_form(), w = ridge.w_values();
    for (std::size_t j = 0; j < n_features; ++j) BOOST_TEST(std::abs(w[j] - w_star[j]) < 1e-4);
}

BOOST_AUTO_TEST_CASE(lbfgs_stops) {
    const RidgeData data;
    {  // max_iterations
        Ridge<double> ridge(data);
        nn::LbfgsConfig config;
        config.max_iterations = 2;
        const auto result = nn::lbfgs_minimize<double>({ridge.w}, [&] { return ridge.evaluate(); }, config);
        BOOST_TEST(result.iterations == 2u);
        BOOST_TEST(!result.converged);
        BOOST_TEST(result.status.find("max_iterations = 2") != std::string::npos);
    }
    {  // the progress callback says stop
        Ridge<double> ridge(data);
        const auto result = nn::lbfgs_minimize<double>({ridge.w}, [&] { return ridge.evaluate(); }, {},
                                                       [](std::size_t, double, double) { return false; });
        BOOST_TEST(result.iterations == 1u);
        BOOST_TEST(result.status.find("progress callback") != std::string::npos);
    }
    {  // already at the minimiser within the tolerance: no iteration
        Ridge<double> ridge(data);
        const std::vector<double> w_star = data.closed_form();
        for (std::size_t j = 0; j < n_features; ++j) ridge.w.mutable_value()(j, 0) = w_star[j];
        nn::LbfgsConfig config;
        config.tolerance = 1e-6;
        const auto result = nn::lbfgs_minimize<double>({ridge.w}, [&] { return ridge.evaluate(); }, config);
        BOOST_TEST(result.iterations == 0u);
        BOOST_TEST(result.converged);
    }
}

BOOST_AUTO_TEST_CASE(lbfgs_errors) {
    const RidgeData data;
    Ridge<double> ridge(data);
    // An exception in evaluate() crosses liblbfgs's C code as a stored exception and comes out unchanged.
    auto failing = [&] {
        if (ridge.calls == 3) throw std::domain_error("evaluate failed on purpose");
        return ridge.evaluate();
    };
    BOOST_CHECK_EXCEPTION(nn::lbfgs_minimize<double>({ridge.w}, failing, {}), std::domain_error,
                          message_has<std::domain_error>({"on purpose"}));
    // ... and so does one of the progress callback.
    BOOST_CHECK_THROW(nn::lbfgs_minimize<double>({ridge.w}, [&] { return ridge.evaluate(); }, {},
                                                 [](std::size_t, double, double) -> bool {
                                                     throw std::logic_error("progress failed");
                                                 }),
                      std::logic_error);
    nn::LbfgsConfig bad;
    bad.history = 0;
    BOOST_CHECK_EXCEPTION(nn::lbfgs_minimize<double>({ridge.w}, [&] { return ridge.evaluate(); }, bad),
                          nn::ConfigError, message_has<nn::ConfigError>({"history = 0"}));
    BOOST_CHECK_THROW(nn::lbfgs_minimize<double>({}, [&] { return ridge.evaluate(); }, {}), nn::ConfigError);
    // A parameter that evaluate() does not reach has no gradient.
    ad::Var<double> unused = ridge.tape.parameter(ad::zeros<double>(1, 1), "unused");
    BOOST_CHECK_THROW(nn::lbfgs_minimize<double>({ridge.w, unused}, [&] { return ridge.evaluate(); }, {}),
                      ad::GraphError);
}
