// Learning-rate schedules: the formulas of schedule.hpp, evaluated per epoch.
#include "nn/schedule.hpp"

#include <cmath>

#include <fmt/format.h>

#include "nn/error.hpp"

namespace nn {

double Schedule::lr(std::size_t epoch, double base_lr) const {
    const double e = double(epoch);
    double eta = base_lr;
    switch (kind) {
        case Kind::constant: break;
        case Kind::step:
            if (step_every == 0) throw ConfigError("schedule step: step_every = 0; expected ≥ 1");
            if (!(gamma > 0.0) || !std::isfinite(gamma))
                throw ConfigError(fmt::format("schedule step: gamma = {}; expected a finite value > 0", gamma));
            eta = base_lr * std::pow(gamma, double(epoch / step_every));  // γ^⌊e/step⌋
            break;
        case Kind::cosine: {
            if (total_epochs == 0) throw ConfigError("schedule cosine: total_epochs = 0; expected ≥ 1");
            if (!(min_lr >= 0.0) || !std::isfinite(min_lr))
                throw ConfigError(fmt::format("schedule cosine: min_lr = {}; expected a finite value ≥ 0", min_lr));
            // Past E the formula is used as written (the cosine rises again), as PyTorch's CosineAnnealingLR.
            const double pi = std::acos(-1.0);
            eta = min_lr + (base_lr - min_lr) * (1.0 + std::cos(pi * e / double(total_epochs))) / 2.0;
            break;
        }
    }
    if (epoch < warmup_epochs) eta *= (e + 1.0) / double(warmup_epochs);  // linear warm-up
    return eta;
}

Schedule::Kind parse_schedule(const std::string& name) {
    if (name == "constant") return Schedule::Kind::constant;
    if (name == "step") return Schedule::Kind::step;
    if (name == "cosine") return Schedule::Kind::cosine;
    throw ConfigError(fmt::format("schedule '{}' is unknown (valid: constant, step, cosine)", name));
}

std::string to_string(Schedule::Kind kind) {
    switch (kind) {
        case Schedule::Kind::constant: return "constant";
        case Schedule::Kind::step: return "step";
        case Schedule::Kind::cosine: return "cosine";
    }
    return "?";
}

}  // namespace nn
