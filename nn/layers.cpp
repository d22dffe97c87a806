// Activations and the linear layer: see layers.hpp.
#include "nn/layers.hpp"

#include <fmt/format.h>

#include "nn/error.hpp"

namespace nn {

namespace {
struct ActivationName {
    Activation a;
    const char* name;
};
constexpr ActivationName activation_names[] = {
    {Activation::relu, "relu"},         {Activation::leaky_relu, "leaky_relu"}, {Activation::tanh, "tanh"},
    {Activation::gelu, "gelu"},         {Activation::identity, "identity"},     {Activation::quadratic, "quadratic"},
    {Activation::softplus, "softplus"},
};
}  // namespace

Activation parse_activation(const std::string& name) {
    std::string valid;
    for (const auto& [a, n] : activation_names) {
        if (name == n) return a;
        valid += (valid.empty() ? "" : ", ") + std::string(n);
    }
    throw ConfigError(fmt::format("activation '{}' is unknown (valid: {})", name, valid));
}

std::string to_string(Activation a) {
    for (const auto& [b, n] : activation_names)
        if (a == b) return n;
    return "?";
}

template <class T>
ad::Var<T> activate(Activation a, const ad::Var<T>& z) {
    switch (a) {
        case Activation::relu: return ad::relu(z);
        case Activation::leaky_relu: return ad::leaky_relu(z, T(0.01));
        case Activation::tanh: return ad::tanh(z);
        case Activation::gelu: return ad::gelu(z);
        case Activation::identity: return z;
        case Activation::quadratic: return ad::square(z);
        case Activation::softplus: return ad::softplus(z);
    }
    return z;
}

template <class T>
Linear<T>::Linear(ad::Tape<T>& tape, std::size_t in, std::size_t out, bool bias, const std::string& prefix)
    : in_(in), out_(out) {
    if (in == 0 || out == 0)
        throw ConfigError(fmt::format("{}: a linear layer needs positive sizes, got in = {}, out = {}", prefix, in, out));
    ad::Tensor<T> w = ad::Tensor<T>::from_shape({out, in});
    w.fill(T(0));
    weight_ = tape.parameter(std::move(w), prefix + ".weight");
    if (bias) {
        ad::Tensor<T> b = ad::Tensor<T>::from_shape({1, out});
        b.fill(T(0));
        bias_ = tape.parameter(std::move(b), prefix + ".bias");
    }
}

template <class T>
ad::Var<T> Linear<T>::forward(const ad::Var<T>& h, bool watch_input) {
    // (n, in): its gradient will be ∇_h ℓ through W alone
    // Watched, the input is a node of its own that gets a gradient even when H is the data. Otherwise H itself
    // (no copy: one pass over the activations less per layer and step when FACT is not being tracked).
    input_ = watch_input ? ad::watch(h) : h;
    ad::Var<T> z = ad::matmul(input_, weight_, ad::Trans::no, ad::Trans::yes);  // (n, in)·(in, out)
    return has_bias() ? ad::add(z, bias_, ad::Bcast::row) : z;
}

template ad::Var<float> activate<float>(Activation, const ad::Var<float>&);
template ad::Var<double> activate<double>(Activation, const ad::Var<double>&);
template class Linear<float>;
template class Linear<double>;

}  // namespace nn
