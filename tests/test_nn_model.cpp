// Layers, the MLP, initialisers and the objective: the whole-network gradient of L_λ against finite
// differences for every activation with and without bias; the layer's captured input gradient against the
// identity Wᵀ·∂L/∂W = Σ_i ∇_h ℓ_i h_iᵀ/n (docs/MATH.md §2); parameter naming and errors; init statistics.
#define BOOST_TEST_MODULE nn_model
#include <boost/test/unit_test.hpp>

#include "expect_error.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "autodiff/kernels/gemm.hpp"
#include "data/generators.hpp"
#include "data/random.hpp"
#include "nn/error.hpp"
#include "nn/init.hpp"
#include "nn/mlp.hpp"
#include "nn/objective.hpp"

using ad::Tensor;

namespace {

template <class F>
std::string config_error(F f) {
    return test::message_of<nn::ConfigError>(f);
}

// ∂L_λ/∂θ by Richardson-extrapolated central differences (error O(ε⁴)), entry by entry through
// model.set, compared with evaluate_objective's gradient. Returns the max relative error.
double max_gradient_error(nn::MLP<double>& model, const nn::Examples<double>& e, const nn::Objective& obj,
                          double h) {
    nn::evaluate_objective(model, e, obj);
    double worst = 0;
    for (const std::string& name : model.parameter_names()) {
        Tensor<double> analytic;
        for (const auto& p : model.parameters())
            if (p.name() == name) analytic = p.grad();
        Tensor<double> theta = model.get(name);
        for (std::size_t k = 0; k < theta.size(); ++k) {
            auto at = [&](double step) {
                Tensor<double> t = theta;
                t.data()[k] += step;
                model.set(name, t);
                return nn::evaluate_loss(model, e, obj.loss).loss +
                       0.5 * obj.weight_decay * [&] {
                           double s = 0;
                           for (const std::string& q : model.parameter_names())
                               if (nn::decays(obj, q))
                                   for (double v : model.get(q)) s += v * v;
                           return s;
                       }();
            };
            const double numeric = (8 * (at(h / 2) - at(-h / 2)) - (at(h) - at(-h))) / (6 * h);
            model.set(name, theta);
            const double a = analytic.data()[k];
            const double scale = std::max({std::abs(a), std::abs(numeric), 1e-6});
            worst = std::max(worst, std::abs(a - numeric) / scale);
        }
    }
    return worst;
}

}  // namespace

BOOST_AUTO_TEST_CASE(whole_network_gradient_every_activation) {
    // mse and cross-entropy, λ > 0 with and without decayed biases. ReLU-like activations are smooth
    // almost everywhere: a kink inside a difference step would show as an O(1) error.
    const data::Dataset d = data::gaussian_mixture({4, 3, 12, 2.0, 1});
    const nn::Examples<double> e = nn::to_examples<double>(d);
    for (nn::Activation act : {nn::Activation::relu, nn::Activation::leaky_relu, nn::Activation::tanh,
                               nn::Activation::gelu, nn::Activation::identity, nn::Activation::quadratic,
                               nn::Activation::softplus})
        for (bool bias : {true, false}) {
            nn::MLP<double> model({4, {5, 6}, 3, act, bias});
            data::Rng rng(7);
            nn::initialize(model, {nn::InitConfig::Kind::pytorch, 0.0, 1.0}, rng);
            for (nn::Loss loss : {nn::Loss::mse, nn::Loss::cross_entropy}) {
                const nn::Objective obj{loss, 0.05, !bias};
                // Smooth activations: a step of 1e-3 (truncation ~h⁴). Kinked ones (relu, leaky_relu): 1e-5,
                // small enough that no kink falls inside a step for these inputs, large enough that
                // rounding (~1e-16·L/h) stays below the tolerance.
                const bool kinked = act == nn::Activation::relu || act == nn::Activation::leaky_relu;
                const double err = max_gradient_error(model, e, obj, kinked ? 1e-5 : 1e-3);
                BOOST_TEST(err < 1e-6, nn::to_string(act) << (bias ? " bias " : " no bias ") << nn::to_string(loss)
                                                          << ": relative error " << err);
            }
        }
}

BOOST_AUTO_TEST_CASE(chunked_gradient_equals_one_pass) {
    const data::Dataset d = data::gaussian_mixture({3, 2, 50, 2.0, 2});
    const nn::Examples<double> e = nn::to_examples<double>(d);
    nn::MLP<double> model({3, {8}, 2, nn::Activation::tanh, true});
    data::Rng rng(1);
    nn::initialize(model, {}, rng);
    const nn::Objective obj{nn::Loss::cross_entropy, 1e-3, true};
    const nn::Evaluation one = nn::evaluate_objective(model, e, obj, 0);
    const Tensor<double> g1 = model.parameters()[0].grad();
    const nn::Evaluation chunked = nn::evaluate_objective(model, e, obj, 7);  // 8 chunks, the last of 1 row
    const Tensor<double> g7 = model.parameters()[0].grad();
    BOOST_TEST(std::abs(one.objective - chunked.objective) < 1e-14);
    BOOST_TEST(std::abs(one.accuracy - chunked.accuracy) < 1e-14);
    double diff = 0;
    for (std::size_t i = 0; i < g1.size(); ++i) diff = std::max(diff, std::abs(g1.data()[i] - g7.data()[i]));
    BOOST_TEST(diff < 1e-15);
}

BOOST_AUTO_TEST_CASE(track_inputs_guard_restores_the_setting_also_on_an_exception) {
    nn::MLP<double> model({3, {4}, 2, nn::Activation::tanh, true});
    BOOST_TEST(!model.track_inputs());
    try {
        const nn::TrackInputs<double> guard(model);
        BOOST_TEST(model.track_inputs());
        throw std::runtime_error("in the middle of an analysis");
    } catch (const std::runtime_error&) {
    }
    BOOST_TEST(!model.track_inputs());
    model.set_track_inputs(true);
    { const nn::TrackInputs<double> guard(model); }
    BOOST_TEST(model.track_inputs());  // it restores what was there, not off
}

BOOST_AUTO_TEST_CASE(layer_input_gradient_is_the_gradient_through_w) {
    // For z = H Wᵀ: ∂L/∂W = Δᵀ H and ∇_H = Δ W (Δ = ∂L/∂Z), so Wᵀ·∂L/∂W = (∇_H)ᵀ H. The right side uses
    // only what the layer exposes (input() and its gradient); the left only the weight gradient.
    const data::Dataset d = data::gaussian_mixture({5, 3, 40, 2.0, 3});
    const nn::Examples<double> e = nn::to_examples<double>(d);
    nn::MLP<double> model({5, {7, 6}, 3, nn::Activation::gelu, true});
    data::Rng rng(2);
    nn::initialize(model, {}, rng);
    model.set_track_inputs(true);  // the first layer's input is the data: ask for its gradient
    nn::evaluate_objective(model, e, {nn::Loss::cross_entropy, 0.0, true});
    for (const nn::Linear<double>& layer : model.layers()) {
        const Tensor<double> lhs = ad::matmul(layer.weight().value(), layer.weight().grad(), ad::Trans::yes);
        const Tensor<double> rhs = ad::matmul(layer.input().grad(), layer.input().value(), ad::Trans::yes);
        double diff = 0, size = 0;
        for (std::size_t i = 0; i < lhs.size(); ++i) {
            diff = std::max(diff, std::abs(lhs.data()[i] - rhs.data()[i]));
            size = std::max(size, std::abs(lhs.data()[i]));
        }
        BOOST_TEST(lhs.shape(0) == layer.in());
        BOOST_TEST(diff <= 1e-14 * size + 1e-300);
    }
}

BOOST_AUTO_TEST_CASE(parameters_are_named_and_addressable) {
    nn::MLP<float> model({3, {4}, 2, nn::Activation::relu, true});
    BOOST_TEST((model.parameter_names() ==
                std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"}));
    BOOST_TEST(model.parameter_count() == 3u * 4 + 4 + 4 * 2 + 2);
    BOOST_TEST(model.get("layers.1.weight").shape(0) == 2u);  // (out, in)
    BOOST_TEST(model.get("layers.1.weight").shape(1) == 4u);
    Tensor<float> w = Tensor<float>::from_shape({2, 4});
    w.fill(0.5f);
    model.set("layers.1.weight", w);
    BOOST_TEST(model.get("layers.1.weight")(1, 3) == 0.5f);
    BOOST_TEST(config_error([&] { model.get("layers.2.weight"); }) ==
               "MLP: no parameter named 'layers.2.weight' (parameters: layers.0.weight, layers.0.bias, "
               "layers.1.weight, layers.1.bias)");
    BOOST_TEST(config_error([&] { model.set("layers.0.bias", w); }) ==
               "MLP: parameter 'layers.0.bias' has shape (1,4), got a value of shape (2,4)");
    BOOST_TEST(config_error([] { nn::MLP<double>({3, {4, 0}, 2, nn::Activation::relu, true}); }) ==
               "MLP: width 2 of layer sizes 3-4-0-2 is 0; every width must be positive");
    nn::MLP<double> nobias({3, {}, 1, nn::Activation::relu, false});
    BOOST_TEST(nobias.parameter_names() == std::vector<std::string>{"layers.0.weight"});
}

BOOST_AUTO_TEST_CASE(names_of_options) {
    BOOST_TEST((nn::parse_activation("quadratic") == nn::Activation::quadratic));
    BOOST_TEST(config_error([] { nn::parse_activation("swish"); }) ==
               "activation 'swish' is unknown (valid: relu, leaky_relu, tanh, gelu, identity, quadratic, softplus)");
    BOOST_TEST((nn::parse_loss("ce") == nn::Loss::cross_entropy));
    BOOST_TEST(config_error([] { nn::parse_loss("hinge"); }) == "loss 'hinge' is unknown (valid: mse, ce, cross_entropy)");
    BOOST_TEST(config_error([] { nn::parse_init("xavier"); }) ==
               "init 'xavier' is unknown (valid: pytorch, kaiming_normal, normal, zeros)");
    BOOST_TEST(nn::decays({nn::Loss::mse, 0.1, false}, "layers.0.weight"));
    BOOST_TEST(!nn::decays({nn::Loss::mse, 0.1, false}, "layers.0.bias"));
    BOOST_TEST(nn::decays({nn::Loss::mse, 0.1, true}, "layers.0.bias"));
}

BOOST_AUTO_TEST_CASE(initialisers_have_their_distributions) {
    // fan_in 400: pytorch weights uniform in ±1/20 (variance 1/(3·400)); kaiming normal variance 2/400.
    nn::MLP<double> model({400, {300}, 1, nn::Activation::relu, true});
    data::Rng rng(3);
    nn::initialize(model, {nn::InitConfig::Kind::pytorch, 0, 1.0}, rng);
    const Tensor<double>& w = model.get("layers.0.weight");
    double mx = 0, var = 0;
    for (double v : w) {
        mx = std::max(mx, std::abs(v));
        var += v * v / double(w.size());
    }
    BOOST_TEST(mx <= 0.05);
    BOOST_TEST(std::abs(var / (1.0 / 1200) - 1) < 0.02);  // 120k draws: relative s.e. of a variance ≈ 0.4%
    double bmax = 0;
    for (double v : model.get("layers.0.bias")) bmax = std::max(bmax, std::abs(v));
    BOOST_TEST((bmax <= 0.05 && bmax > 0.04));

    nn::initialize(model, {nn::InitConfig::Kind::kaiming_normal, 0, 2.0}, rng);  // scale 2: variance ×4
    var = 0;
    for (double v : model.get("layers.0.weight")) var += v * v / double(w.size());
    BOOST_TEST(std::abs(var / (4 * 2.0 / 400) - 1) < 0.03);
    BOOST_TEST(model.get("layers.0.bias")(0, 0) == 0.0);

    nn::MLP<double> a({3, {4}, 2, nn::Activation::relu, true}), b({3, {4}, 2, nn::Activation::relu, true});
    data::Rng r1(9), r2(9);
    nn::initialize(a, {}, r1);
    nn::initialize(b, {}, r2);
    BOOST_TEST((a.get("layers.1.bias") == b.get("layers.1.bias")));  // same seed, same parameters
}
