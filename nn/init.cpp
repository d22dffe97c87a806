// Initialisers: see init.hpp.
#include "nn/init.hpp"

#include <cmath>

#include <fmt/format.h>

#include "nn/error.hpp"

namespace nn {

InitConfig::Kind parse_init(const std::string& name) {
    if (name == "pytorch") return InitConfig::Kind::pytorch;
    if (name == "kaiming_normal") return InitConfig::Kind::kaiming_normal;
    if (name == "normal") return InitConfig::Kind::normal;
    if (name == "zeros") return InitConfig::Kind::zeros;
    throw ConfigError(fmt::format("init '{}' is unknown (valid: pytorch, kaiming_normal, normal, zeros)", name));
}

std::string to_string(InitConfig::Kind kind) {
    switch (kind) {
        case InitConfig::Kind::pytorch: return "pytorch";
        case InitConfig::Kind::kaiming_normal: return "kaiming_normal";
        case InitConfig::Kind::normal: return "normal";
        case InitConfig::Kind::zeros: return "zeros";
    }
    return "?";
}

template <class T>
void initialize(MLP<T>& model, const InitConfig& config, data::Rng& rng) {
    if (config.kind == InitConfig::Kind::normal && !(config.std >= 0))
        throw ConfigError(fmt::format("init normal: std = {}; expected ≥ 0", config.std));
    for (Linear<T>& layer : model.layers()) {
        const double fan_in = double(layer.in()), bound = 1.0 / std::sqrt(fan_in);
        auto draw_weight = [&]() -> double {
            switch (config.kind) {
                case InitConfig::Kind::pytorch: return rng.uniform(-bound, bound);
                case InitConfig::Kind::kaiming_normal: return std::sqrt(2.0 / fan_in) * rng.normal();
                case InitConfig::Kind::normal: return config.std * rng.normal();
                case InitConfig::Kind::zeros: return 0.0;
            }
            return 0.0;
        };
        for (T& w : layer.weight().mutable_value()) w = T(config.scale * draw_weight());
        if (layer.has_bias())
            for (T& b : layer.bias().mutable_value())
                b = T(config.kind == InitConfig::Kind::pytorch ? config.scale * rng.uniform(-bound, bound) : 0.0);
    }
}

template void initialize<float>(MLP<float>&, const InitConfig&, data::Rng&);
template void initialize<double>(MLP<double>&, const InitConfig&, data::Rng&);

}  // namespace nn
