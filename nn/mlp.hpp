// A multilayer perceptron: Linear layers with an activation between them (none after the last).
//   x (n, input) -> [Linear -> σ] × hidden layers -> Linear -> f (n, output)
// The model owns its tape; parameters are named layers.<i>.weight and layers.<i>.bias, in layer order.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nn/layers.hpp"

namespace nn {

struct MLPConfig {
    std::size_t input = 0;
    std::vector<std::size_t> hidden;  // widths of the hidden layers
    std::size_t output = 0;
    Activation activation = Activation::relu;
    bool bias = true;
};

template <class T>
class MLP {
public:
    /// Throws ConfigError for a zero width.
    explicit MLP(const MLPConfig& config);
    MLP(const MLP&) = delete;  // layers hold Vars of this model's tape
    MLP& operator=(const MLP&) = delete;

    /// f(x) for x (n, input) recorded on tape(); call tape().clear() between steps.
    ad::Var<T> forward(const ad::Var<T>& x);

    /// When on, every layer's input gets its gradient in backward, the first layer's (the data) included,
    /// which costs one more gemm per backward pass; the FACT quantities need it. Off by default (hidden
    /// layers' inputs have their gradients either way).
    void set_track_inputs(bool on) { track_inputs_ = on; }
    bool track_inputs() const { return track_inputs_; }
    /// Convenience: clears nothing, records x as a constant and runs forward.
    ad::Var<T> forward(const ad::Tensor<T>& x) { return forward(tape_.constant(x)); }

    ad::Tape<T>& tape() { return tape_; }
    const MLPConfig& config() const { return config_; }
    std::vector<Linear<T>>& layers() { return layers_; }
    const std::vector<Linear<T>>& layers() const { return layers_; }

    /// All parameters in a stable order: layers.0.weight, layers.0.bias, layers.1.weight, ...
    std::vector<ad::Var<T>> parameters() const;
    std::vector<std::string> parameter_names() const;
    /// Read or write one parameter by name; throws ConfigError for an unknown name or a wrong shape.
    const ad::Tensor<T>& get(const std::string& name) const;
    void set(const std::string& name, const ad::Tensor<T>& value);
    /// Total number of scalars in the parameters.
    std::size_t parameter_count() const;

private:
    const ad::Var<T>& find(const std::string& name) const;
    MLPConfig config_;
    ad::Tape<T> tape_;
    std::vector<Linear<T>> layers_;
    bool track_inputs_ = false;
};

}  // namespace nn
