// FACT against the Neural Feature Ansatz on one trained network (docs/MATH.md §2-4).
//
// At a critical point of L_λ = L + (λ/2)‖θ‖² every weight matrix W (z = W h) satisfies, exactly,
//
//     WᵀW = FACT := −(1/λ) Wᵀ ∂L/∂W = −(1/(nλ)) Σᵢ ∇ₕℓᵢ hᵢᵀ            (docs/MATH.md §2)
//
// while the NFA is an observed proportionality, WᵀW ∝ AGOP^½ with AGOP = (1/n) Σᵢ Jᵢᵀ Jᵢ (docs/MATH.md §3). We train
// a small GELU network with weight decay to a critical point (full-batch L-BFGS in float64), then let
// fact::analyze compute both matrices in every layer, print their Pearson correlations with WᵀW (docs/MATH.md §4)
// before and after training, and draw the matrices side by side.
// Usage: nfa_vs_fact [out.svg]   (default runs/nfa_vs_fact.svg under the current directory; ./run example
// runs it from the repository root, whose runs/ git ignores)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "data/generators.hpp"
#include "data/random.hpp"
#include "fact/analysis.hpp"
#include "fact/plot.hpp"
#include "nn/init.hpp"
#include "nn/train.hpp"

using fact::Matrix;

namespace {

void print_layers(const fact::Analysis& a) {
    std::printf("  %-6s %-8s %12s %14s %12s %14s %12s\n", "layer", "W", "r(FACT)", "relerr(FACT)", "r(AGOP^½)",
                "r(AGOP)", "r(C^½)");
    for (const fact::LayerQuantities& q : a.layers) {
        const fact::LayerMetrics& m = q.metrics;
        const std::string shape = std::to_string(q.out) + "×" + std::to_string(q.in);
        std::printf("  %-6zu %-9s %12.6f %14.3e %12.6f %14.6f %12.6f\n", q.index, shape.c_str(), m.fact,
                    m.relerr_fact, m.nfa_sqrt, m.nfa, m.enfa);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::string svg_path = argc > 1 ? argv[1] : "runs/nfa_vs_fact.svg";
    const double lambda = 1e-2;   // large enough that L-BFGS reaches a critical point in ~500 iterations

    // y = x₀x₁·1[x₅ > 0] on Gaussian x ∈ R^8: only coordinates 0, 1, 5 matter, so a network that learns
    // features should concentrate the first layer's WᵀW on them.
    const data::Dataset train = data::lowrank_polynomial({/*d=*/8, /*n=*/200, /*noise=*/0.0, /*seed=*/3});
    // A smooth activation: with ReLU, samples sit on the kinks and no optimizer reaches a critical point
    // (docs/MATH.md §2.8). No biases, to keep the picture to the weight matrices.
    nn::MLP<double> model({8, {16, 16}, 1, nn::Activation::gelu, /*bias=*/false});
    data::Rng rng(4);
    nn::initialize(model, {}, rng);

    // FACT is an identity of the objective's stationarity condition, so the analysis must be told the same
    // loss and λ as the training: mse with ℓᵢ = (1/c)‖fᵢ − yᵢ‖² = (fᵢ − yᵢ)² here (c = 1), coupled λ on every
    // parameter.
    fact::AnalysisOptions options;
    options.objective = {nn::Loss::mse, lambda, /*decay_biases=*/true};

    std::printf("data: y = x0*x1*1[x5>0], n = %zu, d = %zu; MLP 8-16-16-1 GELU, no biases\n", train.n(), train.d());
    std::printf("loss: L = (1/n) Σᵢ ℓᵢ, ℓᵢ = (f(xᵢ) − yᵢ)²; coupled weight decay L_λ = L + (λ/2)‖θ‖², λ = %g\n", lambda);
    // What the columns of the tables mean, before the first table.
    std::printf("per layer, W its weight (out×in), h its input, Jᵢ = ∂f(xᵢ)/∂h:\n"
                "  FACT = −(1/λ) Wᵀ ∂L/∂W (docs/MATH.md §2), AGOP = (1/n) Σᵢ JᵢᵀJᵢ, C = (1/n) Σᵢ ∇ₕℓᵢ ∇ₕℓᵢᵀ "
                "(the loss-gradient covariance, a stand-in for the eNFA; docs/MATH.md §3)\n"
                "  r(X) = pearson(WᵀW, X) (docs/MATH.md §4), relerr(FACT) = ‖WᵀW − FACT‖_F / ‖WᵀW‖_F\n\n");
    std::printf("at initialisation (far from a critical point):\n");
    const fact::Analysis before = fact::analyze(model, train, options);
    std::printf("  %s\n", before.regime.c_str());
    print_layers(before);

    // Full-batch L-BFGS on the coupled objective: the optimizer whose fixed points are the critical points
    // FACT speaks about (Adam with decoupled decay, or mini-batches, would not reach one; docs/MATH.md §2.7, §7).
    nn::TrainConfig config;
    config.optimizer.kind = nn::OptimizerKind::lbfgs;
    config.loss = nn::Loss::mse;
    config.weight_decay = lambda;
    config.epochs = 20000;      // L-BFGS iterations at most (about 500 are needed)
    config.tolerance = 1e-8;    // stop once ‖∇L_λ‖/‖θ‖ < 1e-8
    config.eval_every = 1000;
    config.quiet = true;
    const nn::TrainResult result = nn::train(model, train, data::Dataset{}, config);
    std::printf("\ntrained with full-batch L-BFGS: %s after %zu iterations\n", nn::to_string(result.stop).c_str(),
                result.epochs);

    const fact::Analysis after = fact::analyze(model, train, options);
    std::printf("at the critical point: train loss L = %.4f\n  %s\n", after.loss, after.regime.c_str());
    // Why relerr(FACT) is as small as the gradient: WᵀW − FACT = (1/λ) Wᵀ(λW + ∂L/∂W) = (1/λ) Wᵀ ∇_W L_λ, so
    // ‖WᵀW − FACT‖ ≤ ‖W‖ ‖∇_W L_λ‖ / λ: zero exactly at a critical point, ≈ 1e-6 relative here at ‖∇L_λ‖/‖θ‖ ≈ 1e-8.
    print_layers(after);

    // Where the first layer's features went: the share of diag(WᵀW) (the squared column norms of W, one per
    // input coordinate) on the three relevant coordinates; uniform would be 3/8.
    const Matrix& nfm0 = after.layers[0].nfm;
    double total = 0;
    for (std::size_t i = 0; i < nfm0.shape(0); ++i) total += nfm0(i, i);
    const double support = (nfm0(0, 0) + nfm0(1, 1) + nfm0(5, 5)) / total;
    std::printf("\nlayer 0: share of trace(WᵀW) on coordinates 0, 1, 5: %.3f (uniform: 0.375)\n", support);

    // Heatmaps, every layer side by side: WᵀW, FACT, AGOP^½. Pearson ignores scale, and AGOP^½ is on another
    // scale than WᵀW (the NFA is a proportionality), so heatmaps_svg gives each panel its own colour scale.
    std::vector<fact::Heatmap> panels;
    for (const fact::LayerQuantities& q : after.layers) {
        const std::string l = "layer " + std::to_string(q.index) + ": ";
        char r_fact[64], r_nfa[64];
        std::snprintf(r_fact, sizeof r_fact, "FACT (r %.4f)", q.metrics.fact);
        std::snprintf(r_nfa, sizeof r_nfa, "AGOP^½ (r %.4f)", q.metrics.nfa_sqrt);
        panels.push_back({l + "WᵀW", q.nfm});
        panels.push_back({l + r_fact, q.fact});
        panels.push_back({l + r_nfa, q.agop_sqrt});
    }
    const std::filesystem::path parent = std::filesystem::path(svg_path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    fact::write_svg(svg_path, fact::heatmaps_svg(panels, "WᵀW, FACT and AGOP^½ per layer at a critical point"));
    std::printf("heatmaps written to %s\n\n", svg_path.c_str());

    // The checks: FACT is an equality at the critical point in every layer (pearson ≥ 0.99 and a relative
    // error near the 1e-6 the bound above allows), it was far from one at initialisation, the first layer
    // found the relevant coordinates (uniform: 0.375), and the picture was written.
    double min_r = 1, max_relerr = 0, max_r_before = -1;
    for (const fact::LayerQuantities& q : after.layers) {
        min_r = std::min(min_r, q.metrics.fact);
        max_relerr = std::max(max_relerr, q.metrics.relerr_fact);
    }
    for (const fact::LayerQuantities& q : before.layers) max_r_before = std::max(max_r_before, q.metrics.fact);
    std::printf("over all layers: min pearson(WᵀW, FACT) = %.6f, max relerr(WᵀW, FACT) = %.3e at the critical point\n",
                min_r, max_relerr);
    std::printf("                 max pearson(WᵀW, FACT) = %.3f at initialisation\n", max_r_before);
    bool ok = true;
    auto require = [&ok](bool condition, const char* what) {
        if (!condition) std::printf("FAILED: %s\n", what);
        ok = ok && condition;
    };
    require(after.exact_expected, "training did not reach a critical point (‖∇L_λ‖/‖θ‖ ≥ 1e-6)");
    require(min_r >= 0.99, "pearson(WᵀW, FACT) < 0.99 in some layer at the critical point");
    require(max_relerr < 1e-4, "relerr(WᵀW, FACT) ≥ 1e-4 in some layer at the critical point");
    require(max_r_before < 0.9, "pearson(WᵀW, FACT) was already ≥ 0.9 at initialisation");
    require(support > 0.5, "the first layer did not concentrate on coordinates 0, 1, 5");
    require(std::filesystem::exists(svg_path) && std::filesystem::file_size(svg_path) > 0, "no SVG written");
    if (!ok) return 1;
    std::printf("nfa_vs_fact done: FACT holds at the critical point in every layer\n");
    return 0;
}
