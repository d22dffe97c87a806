/// \file
/// Layers: activations and the linear layer z = W h + b.
///
/// Shapes: a batch is a matrix with one sample per row, so for inputs H (n, in) the layer computes
/// Z = H Wᵀ + b with W (out, in) — the z = W h of docs/MATH.md §1, applied to every row — and b (1, out).
///
/// The layer marks its input with ad::identity: that node feeds only the matmul with W, so after a
/// backward pass its gradient is exactly ∂L/∂H through W, whose row i is (1/n)∇_h ℓ_i for a mean loss
/// L = (1/n) Σ ℓ_i (docs/MATH.md §1): what the FACT quantities read. input() gives it, input().grad()
/// the gradient.
#pragma once

#include <cstddef>
#include <string>

#include "autodiff/ops.hpp"

namespace nn {

/// The activation σ between layers (see activate).
enum class Activation { relu, leaky_relu, tanh, gelu, identity, quadratic, softplus };

/// "relu" | "leaky_relu" | "tanh" | "gelu" | "identity" | "quadratic" | "softplus"; throws ConfigError
/// listing them otherwise.
Activation parse_activation(const std::string& name);
std::string to_string(Activation a);  ///< the name parse_activation reads

/// σ(z) entrywise: relu max(z,0); leaky_relu z or 0.01z; tanh; gelu z·Φ(z); identity z; quadratic z²;
/// softplus log(1+eᶻ).
template <class T>
ad::Var<T> activate(Activation a, const ad::Var<T>& z);

/// The linear layer Z = H Wᵀ + b: W (out, in), b (1, out), parameters of the tape it was made on.
/// forward on n rows costs 2n·in·out flops.
template <class T>
class Linear {
public:
    /// Parameters `<prefix>.weight` (out, in) and, with bias, `<prefix>.bias` (1, out), zero-filled
    /// until an initialiser runs (nn/init.hpp). \throws ConfigError for in or out 0.
    Linear(ad::Tape<T>& tape, std::size_t in, std::size_t out, bool bias, const std::string& prefix);

    /// Z = H Wᵀ + b for H (n, in) -> (n, out). Throws ad::ShapeError if H has not `in` columns.
    /// With watch_input, input() gets a gradient even when H does not need one (H = the data).
    ad::Var<T> forward(const ad::Var<T>& h, bool watch_input = false);

    std::size_t in() const { return in_; }             ///< input width d
    std::size_t out() const { return out_; }           ///< output width k
    bool has_bias() const { return !bias_.empty(); }   ///< whether the layer has b
    const ad::Var<T>& weight() const { return weight_; }  ///< W, (out, in)
    const ad::Var<T>& bias() const { return bias_; }   ///< b, (1, out); an empty Var without bias
    /// The input H of the last forward on the current graph (the node whose gradient ∂L/∂H has rows (1/n)∇_h ℓ_i;
    /// of a first layer, whose H is the data, only after a forward with watch_input).
    const ad::Var<T>& input() const { return input_; }

private:
    std::size_t in_, out_;
    ad::Var<T> weight_, bias_, input_;
};

}  // namespace nn
