/// \file
/// Learning-rate schedules, as a function of the epoch (0-based):
/// ~~~{.unparsed}
///   constant   η_e = η
///   step       η_e = η·γ^⌊e / step⌋
///   cosine     η_e = η_min + (η − η_min)·(1 + cos(π·e/E))/2        (E = total epochs)
/// ~~~
/// and, before any of them, a linear warm-up over W epochs: η_e ← η_e·(e + 1)/W for e < W.
#pragma once

#include <cstddef>
#include <string>

namespace nn {

/// A learning-rate schedule (the formulas above) with its parameters.
struct Schedule {
    /// The rows of the table above.
    enum class Kind { constant, step, cosine };
    Kind kind = Kind::constant;     ///< which formula
    double gamma = 0.1;             ///< step
    std::size_t step_every = 100;   ///< step
    double min_lr = 0.0;            ///< cosine
    std::size_t total_epochs = 1;   ///< cosine
    std::size_t warmup_epochs = 0;  ///< W of the linear warm-up (0: none)

    /// η_e for epoch e (0-based) and base rate η = base_lr.
    /// \throws ConfigError for step_every 0 or a gamma ≤ 0 (step), total_epochs 0 or a min_lr < 0 (cosine).
    double lr(std::size_t epoch, double base_lr) const;
};

/// "constant" | "step" | "cosine"; throws ConfigError listing them.
Schedule::Kind parse_schedule(const std::string& name);
/// The name parse_schedule reads: "constant", "step" or "cosine".
std::string to_string(Schedule::Kind kind);

}  // namespace nn
