// Learning-rate schedules, as a function of the epoch (0-based):
//   constant   η_e = η
//   step       η_e = η·γ^⌊e / step⌋
//   cosine     η_e = η_min + (η − η_min)·(1 + cos(π·e/E))/2        (E = total epochs)
// and, before any of them, a linear warm-up over W epochs: η_e ← η_e·(e + 1)/W for e < W.
#pragma once

#include <cstddef>
#include <string>

namespace nn {

struct Schedule {
    enum class Kind { constant, step, cosine };
    Kind kind = Kind::constant;
    double gamma = 0.1;             // step
    std::size_t step_every = 100;   // step
    double min_lr = 0.0;            // cosine
    std::size_t total_epochs = 1;   // cosine
    std::size_t warmup_epochs = 0;

    double lr(std::size_t epoch, double base_lr) const;
};

/// "constant" | "step" | "cosine"; throws ConfigError listing them.
Schedule::Kind parse_schedule(const std::string& name);

}  // namespace nn
