// Layers: activations and the linear layer z = W h + b.
//
// Shapes: a batch is a matrix with one sample per row, so for inputs H (n, in) the layer computes
// Z = H Wᵀ + b with W (out, in) — the z = W h of MATH.md section 1, applied to every row — and b (1, out).
//
// The layer marks its input with ad::identity: that node feeds only the matmul with W, so after a
// backward pass its gradient is exactly ∇_h ℓ through W (MATH.md section 1), which is what the FACT
// quantities read. input() gives it, input().grad() the gradient.
#pragma once

#include <cstddef>
#include <string>

#include "autodiff/ops.hpp"

namespace nn {

enum class Activation { relu, leaky_relu, tanh, gelu, identity, quadratic, softplus };

/// "relu" | "leaky_relu" | "tanh" | "gelu" | "identity" | "quadratic" | "softplus"; throws ConfigError
/// listing them otherwise.
Activation parse_activation(const std::string& name);
std::string to_string(Activation a);

/// σ(z) entrywise: relu max(z,0); leaky_relu z or 0.01z; tanh; gelu z·Φ(z); identity z; quadratic z²;
/// softplus log(1+eᶻ).
template <class T>
ad::Var<T> activate(Activation a, const ad::Var<T>& z);

template <class T>
class Linear {
public:
    /// Parameters `<prefix>.weight` (out, in) and, with bias, `<prefix>.bias` (1, out), zero-filled
    /// until an initialiser runs (nn/init.hpp).
    Linear(ad::Tape<T>& tape, std::size_t in, std::size_t out, bool bias, const std::string& prefix);

    /// Z = H Wᵀ + b for H (n, in) -> (n, out). Throws ad::ShapeError if H has not `in` columns.
    /// With watch_input, input() gets a gradient even when H does not need one (H = the data).
    ad::Var<T> forward(const ad::Var<T>& h, bool watch_input = false);

    std::size_t in() const { return in_; }
    std::size_t out() const { return out_; }
    bool has_bias() const { return !bias_.empty(); }
    const ad::Var<T>& weight() const { return weight_; }
    const ad::Var<T>& bias() const { return bias_; }   // empty Var without bias
    /// The input H of the last forward on the current graph (the node whose gradient is ∇_h ℓ through W).
    const ad::Var<T>& input() const { return input_; }

private:
    std::size_t in_, out_;
    ad::Var<T> weight_, bias_, input_;
};

}  // namespace nn
