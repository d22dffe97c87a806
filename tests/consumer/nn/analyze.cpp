// FACT with fact-fact: train a small tanh network with weight decay to a critical point (full-batch
// L-BFGS), then compare every layer's WᵀW with FACT = −(1/(nλ)) Σᵢ ∇ₕℓᵢ hᵢᵀ (docs/MATH.md §2), which
// must agree there. Exits non-zero if they do not (tests/check_install.sh runs it).
#include <cmath>
#include <cstdio>

#include "data/dataset.hpp"
#include "data/random.hpp"
#include "fact/analysis.hpp"
#include "fact/metrics.hpp"
#include "nn/init.hpp"
#include "nn/lbfgs.hpp"
#include "nn/mlp.hpp"
#include "nn/objective.hpp"

int main() {
    const std::size_t n = 48, d = 3;
    data::Rng rng(0);
    data::Matrix X = data::Matrix::from_shape({n, d}), Y = data::Matrix::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) X(i, j) = rng.normal();
        Y(i, 0) = std::sin(2 * X(i, 0)) * X(i, 1) + 0.5 * X(i, 2) * X(i, 2);
    }
    const data::Dataset train = data::make_regression("sin-product", X, Y);

    nn::MLP<double> model({d, {5}, 1, nn::Activation::tanh, /*bias=*/true});
    nn::initialize(model, {nn::InitConfig::Kind::pytorch}, rng);
    const nn::Objective objective{nn::Loss::mse, /*lambda=*/1e-3, /*decay_biases=*/true};
    const nn::Examples<double> examples = nn::to_examples<double>(train);
    nn::LbfgsConfig lbfgs;
    lbfgs.max_iterations = 5000;
    lbfgs.tolerance = 1e-10;
    nn::lbfgs_minimize<double>(model.parameters(),
                               [&] { return nn::evaluate_objective(model, examples, objective).objective; }, lbfgs);

    fact::AnalysisOptions options;
    options.objective = objective;
    const fact::Analysis a = fact::analyze(model, train, options);  // AGOP too: LAPACK square roots
    std::printf("%s\n", a.regime.c_str());
    bool ok = a.grad_norm_ratio < 1e-8;
    for (const fact::LayerQuantities& l : a.layers) {
        const double e = fact::relerr(l.nfm, l.fact_sum);
        std::printf("layer %zu: relerr(W^T W, FACT) = %.3e, pearson(W^T W, AGOP^1/2) = %.3f\n", l.index, e,
                    l.metrics.nfa_sqrt);
        ok = ok && e < 1e-4 && std::isfinite(l.metrics.nfa_sqrt);
    }
    std::printf("report.json has %zu layers\n", fact::to_json(a)["layers"].size());
    if (!ok) {
        std::printf("FAILED: no critical point, or W^T W and FACT differ there\n");
        return 1;
    }
    return 0;
}
