// FACT at a critical point of a loss with weight decay (docs/MATH.md §2, experiment E0).
//
// Train with coupled L2 weight decay λ (nn/objective.hpp):
//   L_λ(θ) = L(θ) + (λ/2)‖θ‖²,   L = (1/n) Σᵢ ℓᵢ,   ℓᵢ = (1/c)‖f(xᵢ) − yᵢ‖² = (f(xᵢ) − yᵢ)²  (one output: c = 1)
// Its gradient with respect to a weight matrix W (k×d, z = W h) is ∂L/∂W + λW. At a critical point that is
// zero, so λW = −∂L/∂W = −(1/n) Σᵢ (∂ℓᵢ/∂zᵢ) hᵢᵀ; multiplying on the left by Wᵀ, and using
// Wᵀ ∂ℓᵢ/∂zᵢ = ∇ₕℓᵢ (the gradient arriving at the layer's input h through W):
//   WᵀW = FACT := −(1/(nλ)) Σᵢ ∇ₕℓᵢ hᵢᵀ           (d×d; an equality, for every layer)
// It needs a real critical point, so: float64, a smooth activation (tanh), full-batch L-BFGS run until
// ‖∇L_λ‖/‖θ‖ is tiny. Before that point the two matrices need not agree at all; this example shows both.
#include <algorithm>
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
    const std::size_t n = 48, d = 3, width = 5;
    const double lambda = 1e-3;  // λ of the coupled term (λ/2)‖θ‖², on weights and biases alike

    // The data: x ~ N(0, I₃), y = sin(2x₀)·x₁ + ½x₂², a smooth target that needs all three inputs.
    data::Rng rng(0);
    data::Matrix X = data::Matrix::from_shape({n, d}), Y = data::Matrix::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) X(i, j) = rng.normal();
        Y(i, 0) = std::sin(2 * X(i, 0)) * X(i, 1) + 0.5 * X(i, 2) * X(i, 2);
    }
    const data::Dataset train = data::make_regression("sin-product", X, Y);

    // A 3-5-1 tanh network: layer 0 has W (5×3), so its WᵀW and FACT are 3×3.
    nn::MLP<double> model({d, {width}, 1, nn::Activation::tanh, /*bias=*/true});
    nn::initialize(model, {nn::InitConfig::Kind::pytorch}, rng);
    const nn::Objective objective{nn::Loss::mse, lambda, /*decay_biases=*/true};
    const nn::Examples<double> examples = nn::to_examples<double>(train);

    // What L-BFGS minimises: evaluate_objective computes L_λ and leaves ∇L_λ (data gradient + λθ) in the
    // parameters' gradients. The progress callback reports ‖∇L_λ‖/‖θ‖, the scale-free distance from a
    // critical point.
    const auto evaluate = [&] { return nn::evaluate_objective(model, examples, objective).objective; };
    fact::AnalysisOptions options;
    options.objective = objective;  // the same loss and λ as training: FACT divides by exactly this λ
    options.agop = false;           // FACT only; the NFA's AGOP is another example's subject

    // fact::analyze gives, for each layer, WᵀW (nfm) and FACT from the sum over samples (fact_sum), both
    // computed in float64; relerr = ‖WᵀW − FACT‖_F / ‖WᵀW‖_F (docs/MATH.md §4).
    const auto relerr_layer0 = [&](const fact::Analysis& a) {
        return fact::relerr(a.layers[0].nfm, a.layers[0].fact_sum);
    };

    // The setting, and the names of what is printed, before any number.
    std::printf("y = sin(2 x0) x1 + x2^2/2 on n = %zu points x ~ N(0, I_3); a 3-%zu-1 tanh network f\n", n, width);
    std::printf("L = (1/n) sum_i l_i with l_i = (f(x_i) - y_i)^2;  L_lambda = L + (lambda/2)||theta||^2, theta = all "
                "weights and biases, lambda = %g\n", lambda);
    std::printf("layer 0 has W (%zux%zu), layer 1, the read-out, W (1x%zu); in each, h_i is the layer's input and "
                "grad_h l_i the gradient of l_i arriving there through W,\n", width, d, width);
    std::printf("  FACT = -(1/(n lambda)) sum_i grad_h l_i h_i^T, of W^T W's shape\n");
    std::printf("relerr(W^T W, FACT) = ||W^T W - FACT||_F / ||W^T W||_F;  ||grad L_lambda||/||theta|| is 0 at a critical "
                "point\n\n");

    // Phase 1: a few iterations only, far from a critical point.
    nn::LbfgsConfig early;
    early.max_iterations = 10;
    early.tolerance = 0;
    nn::lbfgs_minimize<double>(model.parameters(), evaluate, early);
    const fact::Analysis a_early = fact::analyze(model, train, options);
    std::printf("after %zu L-BFGS iterations: ||grad L_lambda||/||theta|| = %.3e, layer 0: relerr(W^T W, FACT) = %.3e "
                "(not a critical point: no reason to agree)\n",
                early.max_iterations, a_early.grad_norm_ratio, relerr_layer0(a_early));

    // Phase 2: on to a critical point, printing the distance from one as it falls (iterations counted
    // from the start of this run; L-BFGS's progress callback sees every one, the gradient-norm polish steps
    // at the end included).
    nn::LbfgsConfig config;
    config.max_iterations = 5000;
    config.tolerance = 1e-10;  // stop once ‖∇L_λ‖/‖θ‖ < 1e-10 (float64 reaches it on a smooth network)
    std::printf("\nL-BFGS on L_lambda from there until ||grad L_lambda||/||theta|| < %g:\n", config.tolerance);
    const nn::LbfgsResult result = nn::lbfgs_minimize<double>(
        model.parameters(), evaluate, config, [](std::size_t it, double value, double ratio) {
            if (it % 100 == 0) std::printf("  iteration %4zu   L_lambda %.8f   ||grad L_lambda||/||theta|| %.3e\n", it, value, ratio);
            return true;
        });
    std::printf("stopped after %zu iterations, %s: ||grad L_lambda||/||theta|| = %.3e\n", result.iterations,
                result.converged ? "converged" : "NOT converged", result.grad_norm_ratio);
    if (!result.converged) std::printf("  (L-BFGS: %s)\n", result.status.c_str());

    // At the critical point: the two sides of the theorem for the first layer, side by side.
    const fact::Analysis a = fact::analyze(model, train, options);
    const fact::LayerQuantities& q = a.layers[0];
    std::printf("\nlayer 0 (W is %zux%zu) at that point:\n", q.out, q.in);
    std::printf("  %-36s  %s\n", "W^T W", "FACT");
    for (std::size_t r = 0; r < q.in; ++r) {
        std::printf(" ");
        for (std::size_t c = 0; c < q.in; ++c) std::printf(" % 11.7f", q.nfm(r, c));
        std::printf("   ");
        for (std::size_t c = 0; c < q.in; ++c) std::printf(" % 11.7f", q.fact_sum(r, c));
        std::printf("\n");
    }
    // Every layer obeys the theorem, the read-out W (1×5) too (its WᵀW is 5×5).
    double worst = 0;
    for (const fact::LayerQuantities& l : a.layers) {
        const double e = fact::relerr(l.nfm, l.fact_sum);
        worst = std::max(worst, e);
        std::printf("layer %zu: relerr(W^T W, FACT) = %.3e\n", l.index, e);
    }

    // The checks. At ‖∇L_λ‖/‖θ‖ = r the stationarity residual λW + ∂L/∂W is of size ~r‖θ‖, and FACT divides
    // it by λ: relerr ~ r‖θ‖·‖W‖/(λ‖WᵀW‖), about 1e-7 here for r = 1e-10. 1e-4 leaves room for a run that
    // stops at a larger r (e.g. another compiler's rounding); a wrong λ convention (a factor 2) gives ~1.
    if (!(a.grad_norm_ratio < 1e-8)) {
        std::printf("FAILED: L-BFGS did not reach a critical point (||grad||/||theta|| = %.3e)\n", a.grad_norm_ratio);
        return 1;
    }
    if (!(worst < 1e-4)) {
        std::printf("FAILED: W^T W and FACT differ by %.3e at a critical point\n", worst);
        return 1;
    }
    std::printf("weight_decay_critical_point done: W^T W = FACT at the critical point\n");
    return 0;
}
