/// \file
/// First-order optimizers. Each updates parameters in place from their current gradients g = .grad().
/// Weight decay convention (docs/MATH.md §1): with coupled L2 the objective is L + (λ/2)‖θ‖², and its
/// gradient λθ is already in g when step() is called (nn/objective adds it), so SGD and Adam know nothing
/// of λ. AdamW's decay is decoupled: g = ∇L only, and the optimizer shrinks θ itself.
///
/// ~~~{.unparsed}
///   SGD        v ← μ·v + g                    (v = g on the first step, as PyTorch)
///              θ ← θ − η·(g + μ·v)   (Nesterov)      θ ← θ − η·v   (otherwise; μ = 0 gives plain GD)
///   Adam       m ← β₁m + (1−β₁)g,  s ← β₂s + (1−β₂)g²,  m̂ = m/(1−β₁ᵗ),  ŝ = s/(1−β₂ᵗ)
///              θ ← θ − η·m̂/(√ŝ + ε)
///   AdamW      θ ← θ·(1 − η·wd)   (only where the decay mask is set), then the Adam update with g = ∇L
/// ~~~
///
/// t counts steps from 1. Fixed point of AdamW: m̂/(√ŝ+ε) = −wd·θ, not ∇L = −λθ, so FACT does not hold
/// exactly there (docs/MATH.md §2).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/tape.hpp"

namespace nn {

/// The parameters an optimizer updates, in a fixed order (MLP::parameters()).
template <class T>
using Params = std::vector<ad::Var<T>>;

/// Which optimizer (the update rules above; lbfgs: nn/lbfgs.hpp).
enum class OptimizerKind { sgd, adam, adamw, lbfgs };

/// "sgd" | "gd" (plain SGD) | "adam" | "adamw" | "lbfgs"; throws ConfigError listing the names.
OptimizerKind parse_optimizer(const std::string& name);
std::string to_string(OptimizerKind kind);  ///< the name parse_optimizer reads ("sgd" for sgd)

/// Hyperparameters of the step-wise optimizers (the learning rate comes with each step).
struct OptimizerConfig {
    OptimizerKind kind = OptimizerKind::sgd;  ///< which update rule
    double momentum = 0.0;       ///< SGD μ
    bool nesterov = false;       ///< SGD
    double beta1 = 0.9;          ///< Adam, AdamW
    double beta2 = 0.999;        ///< Adam, AdamW
    double eps = 1e-8;           ///< Adam, AdamW: ε of the denominator
    double decoupled_weight_decay = 0.0;  ///< AdamW's wd (coupled λ lives in the objective instead)
};

/// Optimizer state as named tensors in double (exact for float and double), for checkpoints.
using OptimizerState = std::map<std::string, ad::Tensor<double>>;

/// A step-wise optimizer holding its buffers (momentum, moments) for one list of parameters.
template <class T>
class Optimizer {
public:
    virtual ~Optimizer() = default;
    /// One update of every parameter with learning rate lr, from the gradients they hold. O(parameters).
    /// \throws ConfigError for a negative or non-finite lr, or parameters that do not match the buffers;
    ///         ad::GraphError (with nothing changed) if a parameter has no gradient.
    virtual void step(const Params<T>& params, double lr) = 0;
    /// Steps taken so far.
    virtual std::size_t steps() const = 0;
    /// Buffers by "<buffer>/<parameter name>" plus "step" (1×1); restored exactly by load_state.
    virtual OptimizerState state(const Params<T>& params) const = 0;
    /// Throws CheckpointError naming the buffer if a shape or name does not match params.
    virtual void load_state(const Params<T>& params, const OptimizerState& state) = 0;
};

/// SGD, Adam or AdamW (L-BFGS is a minimiser of its own: nn/lbfgs.hpp). decay_mask[i] says whether AdamW
/// decays parameter i (empty: all). Throws ConfigError for kind lbfgs or bad hyperparameters.
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerConfig& config, std::vector<bool> decay_mask = {});

}  // namespace nn
