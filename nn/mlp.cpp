// The multilayer perceptron: see mlp.hpp.
#include "nn/mlp.hpp"

#include <fmt/format.h>

#include "nn/error.hpp"

namespace nn {

template <class T>
MLP<T>::MLP(const MLPConfig& config) : config_(config) {
    std::vector<std::size_t> widths{config.input};
    widths.insert(widths.end(), config.hidden.begin(), config.hidden.end());
    widths.push_back(config.output);
    for (std::size_t i = 0; i < widths.size(); ++i)
        if (widths[i] == 0)
            throw ConfigError(fmt::format("MLP: width {} of layer sizes {} is 0; every width must be positive", i,
                                          fmt::join(widths, "-")));
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
