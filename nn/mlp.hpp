/// \file
/// A multilayer perceptron: Linear layers with an activation between them (none after the last).
/// ~~~{.unparsed}
///   x (n, input) -> [Linear -> σ] × hidden layers -> Linear -> f (n, output)
/// ~~~
/// The model owns its tape; parameters are named `layers.<i>.weight` and `layers.<i>.bias`, in layer order.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nn/layers.hpp"

/// The nn component: layers, MLPs, initialisers, the objective with weight decay, optimizers, the
/// training loop and checkpoints. Configuration errors are ConfigError, checkpoint errors CheckpointError.
namespace nn {

/// The architecture of an MLP: widths input -> hidden... -> output, one activation, biases or not.
struct MLPConfig {
    std::size_t input = 0;            ///< d, the columns of x
    std::vector<std::size_t> hidden;  ///< widths of the hidden layers
    std::size_t output = 0;           ///< c, the columns of f
    Activation activation = Activation::relu;  ///< σ between layers (none after the last)
    bool bias = true;                 ///< every layer has a bias b (1, out)
};

/// Scalars in the parameters of an MLP of this architecture: Σ in·out (+ out with biases).
double parameter_count(const MLPConfig& config);

/// Bytes a training step of this architecture takes at its peak, besides the data: the parameters, their
/// gradients, `optimizer_buffers` more copies of them (momentum 1, Adam 2, L-BFGS 2m + 4), and the
/// activations of one batch of `batch_rows` rows (per layer its input, pre-activation, output and their
/// gradients: about 4 matrices of batch_rows × width). An estimate for refusing sizes up front, not an
/// accounting of every temporary.
double training_memory_bytes(const MLPConfig& config, std::size_t batch_rows, std::size_t scalar_bytes,
                             std::size_t optimizer_buffers);

/// A multilayer perceptron on its own tape, in float or double. Not copyable (its layers hold Vars of its
/// tape). A forward pass on n rows costs 2n·Σ in·out flops; backward about twice that.
template <class T>
class MLP {
public:
    /// Throws ConfigError for a zero width, data::DataError when the parameters alone exceed the memory
    /// budget (data::check_memory).
    explicit MLP(const MLPConfig& config);
    MLP(const MLP&) = delete;  ///< layers hold Vars of this model's tape
    MLP& operator=(const MLP&) = delete;

    /// f(x) for x (n, input) recorded on tape(); call tape().clear() between steps.
    /// \throws ad::ShapeError if x has not `input` columns.
    ad::Var<T> forward(const ad::Var<T>& x);

    /// When on, every layer's input gets its gradient in backward, the first layer's (the data) included,
    /// which costs one more gemm per backward pass; the FACT quantities need it. Off by default (hidden
    /// layers' inputs have their gradients either way).
    void set_track_inputs(bool on) { track_inputs_ = on; }
    bool track_inputs() const { return track_inputs_; }  ///< see set_track_inputs
    /// Convenience: clears nothing, records x as a constant and runs forward.
    ad::Var<T> forward(const ad::Tensor<T>& x) { return forward(tape_.constant(x)); }

    ad::Tape<T>& tape() { return tape_; }                               ///< the tape the model records on
    const MLPConfig& config() const { return config_; }                 ///< the architecture
    std::vector<Linear<T>>& layers() { return layers_; }                ///< the Linear layers, input first
    const std::vector<Linear<T>>& layers() const { return layers_; }    ///< the Linear layers, input first

    /// All parameters in a stable order: layers.0.weight, layers.0.bias, layers.1.weight, ...
    std::vector<ad::Var<T>> parameters() const;
    std::vector<std::string> parameter_names() const;  ///< the names of parameters(), in the same order
    /// Read or write one parameter by name; throws ConfigError for an unknown name or a wrong shape.
    const ad::Tensor<T>& get(const std::string& name) const;
    /// Overwrite parameter `name` with value (same shape). \throws ConfigError for an unknown name or a
    /// wrong shape.
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

/// While alive, `model` tracks its layers' inputs (MLP::set_track_inputs(true)); the setting it had is restored
/// when the guard goes, by an exception too.
template <class T>
class TrackInputs {
public:
    explicit TrackInputs(MLP<T>& model) : model_(model), before_(model.track_inputs()) { model.set_track_inputs(true); }
    ~TrackInputs() { model_.set_track_inputs(before_); }
    TrackInputs(const TrackInputs&) = delete;
    TrackInputs& operator=(const TrackInputs&) = delete;

private:
    MLP<T>& model_;
    bool before_;
};

}  // namespace nn
