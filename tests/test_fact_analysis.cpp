// The FACT/NFA analysis against oracles: E0 (FACT and bFACT exact at a critical point of L_λ, docs/MATH.md
// §6), the two FACT computations agreeing at any point, AGOP against finite-difference Jacobians,
// neuron balance on a deep linear network, and the report's schema.
#define BOOST_TEST_MODULE fact_analysis
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <functional>
#include <string>

#include "data/generators.hpp"
#include "data/random.hpp"
#include "fact/analysis.hpp"
#include "fact/metrics.hpp"
#include "nn/error.hpp"
#include "nn/init.hpp"
#include "nn/train.hpp"

namespace {

// Train to ‖∇L_λ‖/‖θ‖ < tolerance with full-batch L-BFGS (coupled λ).
template <class T>
nn::TrainResult converge(nn::MLP<T>& model, const data::Dataset& d, double lambda, nn::Loss loss, double tolerance) {
    data::Rng rng(1);
    nn::initialize(model, {}, rng);
    nn::TrainConfig c;
    c.optimizer.kind = nn::OptimizerKind::lbfgs;
    c.loss = loss;
    c.weight_decay = lambda;
    c.epochs = 20000;
    c.tolerance = tolerance;
    c.eval_every = 1000;
    c.quiet = true;
    return nn::train(model, d, data::Dataset{}, c);
}

}  // namespace

BOOST_AUTO_TEST_CASE(e0_fact_is_exact_at_a_critical_point) {
    // d = 8, two hidden layers of 16, n = 64, no bias, float64, λ = 1e-2, smooth activations.
    const data::Dataset d = data::gaussian_mixture({8, 3, 64, 1.5, 4});
    for (nn::Activation act : {nn::Activation::tanh, nn::Activation::gelu, nn::Activation::softplus}) {
        nn::MLP<double> model({8, {16, 16}, 3, act, false});
        const nn::TrainResult r = converge(model, d, 1e-2, nn::Loss::mse, 1e-10);
        BOOST_TEST(r.grad_norm_ratio < 1e-10, nn::to_string(act) << ": " << r.message);
        fact::AnalysisOptions o;
        o.objective = {nn::Loss::mse, 1e-2, true};
        const fact::Analysis a = fact::analyze(model, d, o);
        BOOST_TEST(a.exact_expected);
        for (const fact::LayerQuantities& q : a.layers) {
            BOOST_TEST(q.metrics.relerr_fact < 1e-6, nn::to_string(act) << " layer " << q.index);
            BOOST_TEST(q.metrics.relerr_bfact < 1e-6, nn::to_string(act) << " layer " << q.index);
            BOOST_TEST(q.metrics.fact > 0.999999);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_two_fact_computations_agree_anywhere) {
    // Far from convergence FACT is neither symmetric nor close to WᵀW, but −(1/λ)Wᵀ∂L/∂W and
    // −(1/(nλ))Σ∇_hℓ_i h_iᵀ are the same matrix: to rounding, with or without chunking, float or double.
    const data::Dataset d = data::gaussian_mixture({5, 4, 50, 2.0, 5});
    nn::MLP<double> model({5, {9, 7}, 4, nn::Activation::gelu, true});
    data::Rng rng(2);
    nn::initialize(model, {}, rng);
    for (std::size_t chunk : {std::size_t(0), std::size_t(7)}) {
        fact::AnalysisOptions o;
        o.objective = {nn::Loss::cross_entropy, 1e-3, true};
        o.chunk = chunk;
        const fact::Analysis a = fact::analyze(model, d, o);
        BOOST_TEST(!a.exact_expected);
        BOOST_TEST(a.regime.find("not expected") != std::string::npos);
        for (const auto& q : a.layers) BOOST_TEST(q.metrics.relerr_fact_sum < 1e-12, "chunk " << chunk);
    }
    nn::MLP<float> small({5, {6}, 4, nn::Activation::tanh, true});
    data::Rng r2(3);
    nn::initialize(small, {}, r2);
    fact::AnalysisOptions o;
    o.objective = {nn::Loss::mse, 1e-3, true};
    for (const auto& q : fact::analyze(small, d, o).layers) BOOST_TEST(q.metrics.relerr_fact_sum < 1e-5);
}

BOOST_AUTO_TEST_CASE(agop_matches_finite_difference_jacobians) {
    // A tiny tanh network; for each layer l, J_i = ∂f/∂h at h_i by central differences through a plain
    // re-implementation of the rest of the network (loops over the parameters, no tape).
    const data::Dataset d = data::gaussian_mixture({3, 2, 6, 1.0, 6});
    nn::MLP<double> model({3, {4, 5}, 2, nn::Activation::tanh, true});
    data::Rng rng(4);
    nn::initialize(model, {}, rng);
    const std::size_t L = model.layers().size();
    // layer k applied to h: W_k h + b_k, then tanh except after the last layer
    auto layer = [&](std::size_t k, const std::vector<double>& h) {
        const auto& W = model.get("layers." + std::to_string(k) + ".weight");
        const auto& b = model.get("layers." + std::to_string(k) + ".bias");
        std::vector<double> z(W.shape(0));
        for (std::size_t r = 0; r < W.shape(0); ++r) {
            z[r] = b(0, r);
            for (std::size_t j = 0; j < W.shape(1); ++j) z[r] += W(r, j) * h[j];
            if (k + 1 < L) z[r] = std::tanh(z[r]);
        }
        return z;
    };
    // f from layer l's input h
    auto rest = [&](std::size_t l, std::vector<double> h) {
        for (std::size_t k = l; k < L; ++k) h = layer(k, h);
        return h;
    };
    // the input of layer l for sample i
    auto input_of = [&](std::size_t l, std::size_t i) {
        std::vector<double> h(d.d());
        for (std::size_t j = 0; j < d.d(); ++j) h[j] = d.X(i, j);
        for (std::size_t k = 0; k < l; ++k) h = layer(k, h);
        return h;
    };
    fact::AnalysisOptions o;
    o.objective = {nn::Loss::mse, 0.1, true};
    const fact::Analysis a = fact::analyze(model, d, o);
    for (std::size_t l = 0; l < L; ++l) {
        const std::size_t din = model.layers()[l].in();
        fact::Matrix agop = ad::zeros<double>(din, din);
        for (std::size_t i = 0; i < d.n(); ++i) {
            const std::vector<double> h = input_of(l, i);
            std::vector<std::vector<double>> J(2, std::vector<double>(din));  // c = 2 rows
            for (std::size_t j = 0; j < din; ++j) {
                const double e = 1e-5;
                std::vector<double> hp = h, hm = h;
                hp[j] += e;
                hm[j] -= e;
                const auto fp = rest(l, hp), fm = rest(l, hm);
                for (std::size_t r = 0; r < 2; ++r) J[r][j] = (fp[r] - fm[r]) / (2 * e);
            }
            for (std::size_t r = 0; r < 2; ++r)
                for (std::size_t p = 0; p < din; ++p)
                    for (std::size_t q = 0; q < din; ++q) agop(p, q) += J[r][p] * J[r][q] / double(d.n());
        }
        BOOST_TEST(fact::relerr(agop, a.layers[l].agop) < 1e-8, "layer " << l);
    }
}

BOOST_AUTO_TEST_CASE(neuron_balance_on_a_deep_linear_network) {
    // identity activation (σ'(z)z = σ(z)), no bias, the same λ everywhere: (W_l W_lᵀ)_kk = (W_{l+1}ᵀW_{l+1})_kk
    const data::Dataset d = data::lowrank_polynomial({6, 40, 0.0, 7});
    nn::MLP<double> model({6, {5, 4}, 1, nn::Activation::identity, false});
    converge(model, d, 1e-2, nn::Loss::mse, 1e-10);
    fact::AnalysisOptions o;
    o.objective = {nn::Loss::mse, 1e-2, true};
    const fact::Analysis a = fact::analyze(model, d, o);
    BOOST_TEST(a.layers.size() == 3u);
    BOOST_TEST(a.layers[0].balance < 1e-6);
    BOOST_TEST(a.layers[1].balance < 1e-6);
    BOOST_TEST(a.layers[2].balance == -1.0);
}

BOOST_AUTO_TEST_CASE(report_has_the_documented_keys) {
    const data::Dataset d = data::gaussian_mixture({4, 2, 20, 2.0, 8});
    nn::MLP<double> model({4, {6}, 2, nn::Activation::relu, true});
    data::Rng rng(5);
    nn::initialize(model, {}, rng);
    fact::AnalysisOptions o;
    o.objective = {nn::Loss::mse, 1e-4, true};
    o.full_batch_coupled = false;  // e.g. AdamW: never exact
    const nlohmann::json j = fact::to_json(fact::analyze(model, d, o));
    for (const char* key : {"lambda", "grad_norm_rel", "n", "exact_expected", "regime", "layers"})
        BOOST_TEST(j.contains(key), key);
    BOOST_TEST(j["exact_expected"] == false);
    BOOST_TEST(j["n"] == 20);
    BOOST_TEST(j["layers"].size() == 2u);
    const nlohmann::json& l0 = j["layers"][0];
    BOOST_TEST((l0["shape"] == nlohmann::json({6, 4})));
    for (const char* key : {"fact", "fact_sym", "fact_sqrt", "bfact", "nfa_sqrt", "nfa", "enfa"})
        BOOST_TEST(l0["pearson"].contains(key), key);
    BOOST_TEST(l0["relerr"].contains("fact"));
    BOOST_TEST(l0["cosine"].contains("nfa_sqrt"));
    BOOST_TEST(l0["relerr"].contains("bfact"));
    BOOST_TEST(nlohmann::json::parse(j.dump()) == j);  // valid JSON (no NaN tokens)
}

BOOST_AUTO_TEST_CASE(analysis_needs_a_positive_lambda_and_matching_data) {
    const data::Dataset d = data::gaussian_mixture({4, 2, 10, 2.0, 9});
    nn::MLP<double> model({4, {3}, 2, nn::Activation::tanh, true});
    fact::AnalysisOptions o;
    o.objective = {nn::Loss::mse, 0.0, true};
    BOOST_CHECK_THROW(fact::analyze(model, d, o), nn::ConfigError);
    nn::MLP<double> wrong({5, {3}, 2, nn::Activation::tanh, true});
    o.objective.weight_decay = 0.1;
    try {
        fact::analyze(wrong, d, o);
        BOOST_TEST(false, "no error");
    } catch (const nn::ConfigError& e) {
        BOOST_TEST(std::string(e.what()).find("the model takes 5 inputs") != std::string::npos, e.what());
    }
}
