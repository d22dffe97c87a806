/// \file
/// Initialisers, drawn from the run's seeded generator (data::Rng), then multiplied by a global scale:
/// ~~~{.unparsed}
///   pytorch          W, b ~ U(−1/√fan_in, 1/√fan_in)   (torch.nn.Linear's default)
///   kaiming_normal   W ~ N(0, 2/fan_in), b = 0          (He et al., for ReLU)
///   normal           W ~ N(0, std²), b = 0
///   zeros            W = b = 0
/// ~~~
/// fan_in is the layer's input width. Parameters are filled layer by layer, weight before bias.
#pragma once

#include <string>

#include "data/random.hpp"
#include "nn/mlp.hpp"

namespace nn {

/// Which initialiser, and the global scale.
struct InitConfig {
    /// The rows of the table above.
    enum class Kind { pytorch, kaiming_normal, normal, zeros };
    Kind kind = Kind::pytorch;  ///< the distribution
    double std = 0.01;   ///< for normal
    double scale = 1.0;  ///< multiplies every parameter after drawing
};

/// "pytorch" | "kaiming_normal" | "normal" | "zeros"; throws ConfigError listing them.
InitConfig::Kind parse_init(const std::string& name);
/// The name parse_init reads.
std::string to_string(InitConfig::Kind kind);

/// Fill every parameter of model from rng, layer by layer (weight before bias), then times config.scale.
/// \throws ConfigError for kind normal with a negative std.
template <class T>
void initialize(MLP<T>& model, const InitConfig& config, data::Rng& rng);

}  // namespace nn
