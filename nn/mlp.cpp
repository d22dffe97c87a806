// The multilayer perceptron: see mlp.hpp.
#include "nn/mlp.hpp"

#include <fmt/format.h>

#include "data/dataset.hpp"
#include "nn/error.hpp"

namespace nn {

namespace {

std::vector<std::size_t> layer_widths(const MLPConfig& config) {
    std::vector<std::size_t> widths{config.input};
    widths.insert(widths.end(), config.hidden.begin(), config.hidden.end());
    widths.push_back(config.output);
    return widths;
}

}  // namespace

double parameter_count(const MLPConfig& config) {
    const std::vector<std::size_t> w = layer_widths(config);
    double count = 0;
    for (std::size_t i = 0; i + 1 < w.size(); ++i)
        count += double(w[i]) * double(w[i + 1]) + (config.bias ? double(w[i + 1]) : 0.0);
    return count;
}

double training_memory_bytes(const MLPConfig& config, std::size_t batch_rows, std::size_t scalar_bytes,
                             std::size_t optimizer_buffers) {
    double activations = 0;
    for (std::size_t width : layer_widths(config)) activations += 4.0 * double(batch_rows) * double(width);
    return (parameter_count(config) * double(2 + optimizer_buffers) + activations) * double(scalar_bytes);
}

template <class T>
MLP<T>::MLP(const MLPConfig& config) : config_(config) {
    const std::vector<std::size_t> widths = layer_widths(config);
    for (std::size_t i = 0; i < widths.size(); ++i)
        if (widths[i] == 0)
            throw ConfigError(fmt::format("MLP: width {} of layer sizes {} is 0; every width must be positive", i,
                                          fmt::join(widths, "-")));
    data::check_memory(fmt::format("MLP {}", fmt::join(widths, "-")), nn::parameter_count(config) * sizeof(T),
                       fmt::format("{:.3g} parameters of {} bytes", nn::parameter_count(config), sizeof(T)),
                       "the model");
    layers_.reserve(widths.size() - 1);
    for (std::size_t i = 0; i + 1 < widths.size(); ++i)
        layers_.emplace_back(tape_, widths[i], widths[i + 1], config.bias, "layers." + std::to_string(i));
}

template <class T>
ad::Var<T> MLP<T>::forward(const ad::Var<T>& x) {
    ad::Var<T> h = x;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        h = layers_[i].forward(h, track_inputs_);
        if (i + 1 < layers_.size()) h = activate(config_.activation, h);
    }
    return h;
}

template <class T>
std::vector<ad::Var<T>> MLP<T>::parameters() const {
    std::vector<ad::Var<T>> out;
    out.reserve(2 * layers_.size());
    for (const Linear<T>& l : layers_) {
        out.push_back(l.weight());
        if (l.has_bias()) out.push_back(l.bias());
    }
    return out;
}

template <class T>
std::vector<std::string> MLP<T>::parameter_names() const {
    std::vector<std::string> out;
    for (const ad::Var<T>& p : parameters()) out.push_back(p.name());
    return out;
}

template <class T>
const ad::Var<T>& MLP<T>::find(const std::string& name) const {
    for (const Linear<T>& l : layers_) {
        if (l.weight().name() == name) return l.weight();
        if (l.has_bias() && l.bias().name() == name) return l.bias();
    }
    throw ConfigError(fmt::format("MLP: no parameter named '{}' (parameters: {})", name,
                                  fmt::join(parameter_names(), ", ")));
}

template <class T>
const ad::Tensor<T>& MLP<T>::get(const std::string& name) const {
    return find(name).value();
}

template <class T>
void MLP<T>::set(const std::string& name, const ad::Tensor<T>& value) {
    ad::Tensor<T>& p = find(name).mutable_value();
    if (p.shape() != value.shape())
        throw ConfigError(fmt::format("MLP: parameter '{}' has shape {}, got a value of shape {}", name,
                                      ad::shape_str(p), ad::shape_str(value)));
    std::copy(value.begin(), value.end(), p.begin());
}

template <class T>
std::size_t MLP<T>::parameter_count() const {
    std::size_t n = 0;
    for (const ad::Var<T>& p : parameters()) n += p.value().size();
    return n;
}

template class MLP<float>;
template class MLP<double>;

}  // namespace nn
