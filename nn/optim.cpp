// SGD, Adam and AdamW: the update rules written out in optim.hpp, one class each, applied in place to the
// parameters' values with plain loops (one pass over θ, g and the state buffers per parameter, no
// temporaries). An optimizer's state is one or two buffers per parameter, of the parameter's shape, plus
// the step count t; state() and load_state() move it to and from checkpoints in double.
#include "nn/optim.hpp"

#include <cmath>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "nn/error.hpp"

namespace nn {

OptimizerKind parse_optimizer(const std::string& name) {
    if (name == "sgd" || name == "gd") return OptimizerKind::sgd;
    if (name == "adam") return OptimizerKind::adam;
    if (name == "adamw") return OptimizerKind::adamw;
    if (name == "lbfgs") return OptimizerKind::lbfgs;
    throw ConfigError(fmt::format("optimizer '{}' is unknown (valid: sgd, gd, adam, adamw, lbfgs)", name));
}

std::string to_string(OptimizerKind kind) {
    switch (kind) {
        case OptimizerKind::sgd: return "sgd";
        case OptimizerKind::adam: return "adam";
        case OptimizerKind::adamw: return "adamw";
        case OptimizerKind::lbfgs: return "lbfgs";
    }
    throw ConfigError(fmt::format("optimizer kind {} is not one of sgd, adam, adamw, lbfgs", int(kind)));
}

namespace {

// --- hyperparameters ---------------------------------------------------------------------------------

// The comparisons are written so that NaN fails them.
bool in_unit_interval(double x) { return x >= 0.0 && x < 1.0; }  // [0, 1)

void check_config(const OptimizerConfig& c) {
    const std::string name = to_string(c.kind);
    if (c.kind == OptimizerKind::lbfgs)
        throw ConfigError("make_optimizer: lbfgs is a minimiser of its own, not a step-wise optimizer: "
                          "call nn::lbfgs_minimize (nn/lbfgs.hpp)");
    if (c.kind == OptimizerKind::sgd) {
        if (!in_unit_interval(c.momentum))
            throw ConfigError(fmt::format("sgd: momentum = {}; expected a value in [0, 1)", c.momentum));
        if (c.nesterov && !(c.momentum > 0.0))
            throw ConfigError(fmt::format("sgd: nesterov needs momentum > 0; momentum = {}", c.momentum));
    } else {
        if (!in_unit_interval(c.beta1))
            throw ConfigError(fmt::format("{}: beta1 = {}; expected a value in [0, 1)", name, c.beta1));
        if (!in_unit_interval(c.beta2))
            throw ConfigError(fmt::format("{}: beta2 = {}; expected a value in [0, 1)", name, c.beta2));
        if (!(c.eps > 0.0) || !std::isfinite(c.eps))
            throw ConfigError(fmt::format("{}: eps = {}; expected a finite value > 0", name, c.eps));
    }
    if (c.kind == OptimizerKind::adamw) {
        if (!(c.decoupled_weight_decay >= 0.0) || !std::isfinite(c.decoupled_weight_decay))
            throw ConfigError(fmt::format("adamw: decoupled_weight_decay = {}; expected a finite value ≥ 0",
                                          c.decoupled_weight_decay));
    } else if (c.decoupled_weight_decay != 0.0) {
        // Silently ignoring it would train a different objective from the one asked for.
        throw ConfigError(fmt::format("{}: decoupled_weight_decay = {}; expected 0: decoupled decay is AdamW's "
                                      "(use adamw), the coupled λ of {} belongs in the objective (docs/MATH.md §1)",
                                      name, c.decoupled_weight_decay, name));
    }
}

// --- what every optimizer here shares: per-parameter buffers, the step count, checkpoints ---------------

/// One parameter as a step sees it: its value θ (written in place) and its gradient g, both `size` long.
template <class T>
struct Slot {
    T* theta;
    const T* grad;
    std::size_t size;
};

/// The key of parameter i in state(): its name, or its index when it has none. Names must be unique.
template <class T>
std::vector<std::string> parameter_keys(const Params<T>& params) {
    std::vector<std::string> keys;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < params.size(); ++i) {
        keys.push_back(params[i].name().empty() ? std::to_string(i) : params[i].name());
        if (!seen.insert(keys.back()).second)
            throw CheckpointError(fmt::format("optimizer state: two parameters are called '{}' (parameter {} "
                                              "and an earlier one); buffer names need unique parameter names",
                                              keys.back(), i));
    }
    return keys;
}

template <class T>
class BufferedOptimizer : public Optimizer<T> {
public:
    std::size_t steps() const override { return steps_; }

    OptimizerState state(const Params<T>& params) const override {
        const std::vector<std::string> keys = parameter_keys(params);
        if (allocated() && params.size() != buffers_[0].size())
            throw CheckpointError(fmt::format("optimizer state ({}): the optimizer holds buffers for {} parameters; "
                                              "{} given",
                                              name_, buffers_[0].size(), params.size()));
        OptimizerState out;
        for (std::size_t b = 0; b < buffer_names_.size(); ++b) {
            for (std::size_t i = 0; i < params.size(); ++i) {
                const ad::Tensor<T>& p = params[i].value();
                ad::Tensor<double> d = ad::zeros<double>(p.shape(0), p.shape(1));  // zeros before the first step
                if (allocated()) {
                    const ad::Tensor<T>& buf = buffers_[b][i];
                    check_shape(buf, params[i], buffer_names_[b] + "/" + keys[i]);
                    for (std::size_t j = 0; j < buf.size(); ++j) d.data()[j] = double(buf.data()[j]);
                }
                out.emplace(buffer_names_[b] + "/" + keys[i], std::move(d));
            }
        }
        ad::Tensor<double> step = ad::zeros<double>(1, 1);
        step(0, 0) = double(steps_);
        out.emplace("step", std::move(step));
        return out;
    }

    void load_state(const Params<T>& params, const OptimizerState& state) override {
        const std::vector<std::string> keys = parameter_keys(params);
        // Everything is checked before anything changes: a bad checkpoint leaves the optimizer as it was.
        std::set<std::string> expected{"step"};
        std::vector<std::vector<ad::Tensor<T>>> buffers(buffer_names_.size());
        for (std::size_t b = 0; b < buffer_names_.size(); ++b) {
            for (std::size_t i = 0; i < params.size(); ++i) {
                const std::string key = buffer_names_[b] + "/" + keys[i];
                expected.insert(key);
                const auto it = state.find(key);
                if (it == state.end())
                    throw CheckpointError(fmt::format("optimizer state ({}): buffer '{}' is missing", name_, key));
                const ad::Tensor<double>& d = it->second;
                check_shape(d, params[i], key);
                ad::Tensor<T> buf = ad::Tensor<T>::from_shape({d.shape(0), d.shape(1)});
                for (std::size_t j = 0; j < d.size(); ++j) buf.data()[j] = T(d.data()[j]);
                buffers[b].push_back(std::move(buf));
            }
        }
        for (const auto& [key, value] : state)
            if (expected.count(key) == 0)
                throw CheckpointError(fmt::format("optimizer state ({}): unexpected buffer '{}' (expected {})", name_,
                                                  key, expected_names()));
        const auto it = state.find("step");
        if (it == state.end())
            throw CheckpointError(fmt::format("optimizer state ({}): buffer 'step' is missing", name_));
        const ad::Tensor<double>& step = it->second;
        if (step.shape(0) != 1 || step.shape(1) != 1)
            throw CheckpointError(fmt::format("optimizer state ({}): buffer 'step' has shape {}; expected (1,1)",
                                              name_, ad::shape_str(step)));
        const double t = step(0, 0);
        if (!(t >= 0.0 && t <= 9007199254740992.0) || t != std::floor(t))  // an integer that double holds exactly
            throw CheckpointError(
                fmt::format("optimizer state ({}): buffer 'step' holds {}; expected a whole number ≥ 0", name_, t));
        buffers_ = std::move(buffers);
        steps_ = std::size_t(t);
    }

protected:
    BufferedOptimizer(std::string name, std::vector<std::string> buffer_names)
        : name_(std::move(name)), buffer_names_(std::move(buffer_names)), buffers_(buffer_names_.size()) {}

    /// Checks lr and the parameters, allocates the buffers (zeros) on the first step and returns every
    /// parameter's value and gradient. All gradients are read before any value changes, so a parameter
    /// without one (grad() throws ad::GraphError) leaves every parameter and buffer as it was.
    const std::vector<Slot<T>>& begin_step(const Params<T>& params, double lr) {
        if (!(lr >= 0.0) || !std::isfinite(lr))
            throw ConfigError(fmt::format("{} step: learning rate = {}; expected a finite value ≥ 0", name_, lr));
        if (allocated() && params.size() != buffers_[0].size())
            throw ConfigError(fmt::format("{} step: {} parameters given; the optimizer's buffers are for {} (an "
                                          "optimizer must see the same parameters at every step)",
                                          name_, params.size(), buffers_[0].size()));
        std::vector<Slot<T>>& slots = slots_;  // reused: no allocation in a steady loop
        slots.clear();
        for (std::size_t i = 0; i < params.size(); ++i) {
            const ad::Tensor<T>& g = params[i].grad();
            ad::Tensor<T>& theta = params[i].mutable_value();
            if (g.shape() != theta.shape())  // cannot happen through the tape; guards the raw loops below
                throw ConfigError(fmt::format("{} step: parameter '{}' is {} but its gradient is {}", name_,
                                              params[i].name(), ad::shape_str(theta), ad::shape_str(g)));
            for (std::size_t b = 0; allocated() && b < buffer_names_.size(); ++b)
                if (buffers_[b][i].shape() != theta.shape())
                    throw ConfigError(fmt::format("{} step: parameter {} ('{}') is {} but its {} buffer is {} (an "
                                                  "optimizer must see the same parameters at every step)",
                                                  name_, i, params[i].name(), ad::shape_str(theta),
                                                  buffer_names_[b], ad::shape_str(buffers_[b][i])));
            slots.push_back({theta.data(), g.data(), theta.size()});
        }
        if (!allocated() && !buffer_names_.empty())
            for (auto& per_param : buffers_)
                for (const ad::Var<T>& p : params) per_param.push_back(ad::zeros<T>(p.rows(), p.cols()));
        return slots;
    }

    /// Buffer b of parameter i (b indexes the buffer names given to the constructor).
    T* buffer(std::size_t b, std::size_t i) { return buffers_[b][i].data(); }

    std::string name_;  // "sgd", "adam" or "adamw", for messages
    std::size_t steps_ = 0;

private:
    bool allocated() const { return !buffers_.empty() && !buffers_[0].empty(); }

    template <class U>
    void check_shape(const ad::Tensor<U>& buf, const ad::Var<T>& param, const std::string& key) const {
        if (buf.shape(0) != param.rows() || buf.shape(1) != param.cols())
            throw CheckpointError(fmt::format("optimizer state ({}): buffer '{}' has shape {}; its parameter is {}",
                                              name_, key, ad::shape_str(buf), ad::shape_str(param.value())));
    }

    std::string expected_names() const {
        std::string s;
        for (const std::string& b : buffer_names_) s += b + "/<parameter>, ";
        return s + "step";
    }

    std::vector<std::string> buffer_names_;          // e.g. {"exp_avg", "exp_avg_sq"}
    std::vector<std::vector<ad::Tensor<T>>> buffers_;  // buffers_[b][i]: buffer b of parameter i; empty until step 1
    std::vector<Slot<T>> slots_;                       // begin_step's answer
};

// --- SGD ----------------------------------------------------------------------------------------------

/// v ← μ·v + g (v = g at t = 1);  θ ← θ − η·(g + μ·v) (Nesterov) or θ ← θ − η·v.  μ = 0 keeps no buffer.
template <class T>
class Sgd final : public BufferedOptimizer<T> {
public:
    Sgd(double momentum, bool nesterov)
        : BufferedOptimizer<T>("sgd", momentum > 0.0 ? std::vector<std::string>{"momentum"}
                                                     : std::vector<std::string>{}),
          momentum_(momentum), nesterov_(nesterov) {}

    void step(const Params<T>& params, double lr) override {
        const std::vector<Slot<T>>& slots = this->begin_step(params, lr);
        const T eta = T(lr), mu = T(momentum_);
        const bool first = this->steps_ == 0;
        for (std::size_t i = 0; i < slots.size(); ++i) {
            T* theta = slots[i].theta;
            const T* g = slots[i].grad;
            const std::size_t n = slots[i].size;
            if (momentum_ == 0.0) {
                for (std::size_t j = 0; j < n; ++j) theta[j] -= eta * g[j];
                continue;
            }
            T* v = this->buffer(0, i);
            if (first)
                for (std::size_t j = 0; j < n; ++j) v[j] = g[j];
            else
                for (std::size_t j = 0; j < n; ++j) v[j] = mu * v[j] + g[j];
            if (nesterov_)
                for (std::size_t j = 0; j < n; ++j) theta[j] -= eta * (g[j] + mu * v[j]);
            else
                for (std::size_t j = 0; j < n; ++j) theta[j] -= eta * v[j];
        }
        ++this->steps_;
    }

private:
    double momentum_;
    bool nesterov_;
};

// --- Adam and AdamW -------------------------------------------------------------------------------------

/// m ← β₁m + (1−β₁)g,  s ← β₂s + (1−β₂)g²,  θ ← θ − η·m̂/(√ŝ + ε) with m̂ = m/(1−β₁ᵗ), ŝ = s/(1−β₂ᵗ).
template <class T>
class Adam : public BufferedOptimizer<T> {
    /// 1 − βᵗ, the bias correction, as −expm1(t·log1p(β − 1)): written 1 − pow(β, t) it loses three digits
    /// to cancellation for β = 0.999 and small t (β − 1 itself is exact).
    static double one_minus_power(double beta, double t) { return -std::expm1(t * std::log1p(beta - 1.0)); }

public:
    explicit Adam(const OptimizerConfig& c) : Adam("adam", c) {}

    void step(const Params<T>& params, double lr) override {
        adam_update(this->begin_step(params, lr), lr);
        ++this->steps_;
    }

protected:
    Adam(std::string name, const OptimizerConfig& c)
        : BufferedOptimizer<T>(std::move(name), {"exp_avg", "exp_avg_sq"}),
          beta1_(c.beta1), beta2_(c.beta2), eps_(c.eps) {}

    /// The Adam update of step t = steps() + 1 (m is buffer 0, s buffer 1).
    void adam_update(const std::vector<Slot<T>>& slots, double lr) {
        const double t = double(this->steps_ + 1);
        const T eta = T(lr), eps = T(eps_);
        const T b1 = T(beta1_), b2 = T(beta2_), one_minus_b1 = T(1.0 - beta1_), one_minus_b2 = T(1.0 - beta2_);
        const T bias1 = T(one_minus_power(beta1_, t)), bias2 = T(one_minus_power(beta2_, t));
        for (std::size_t i = 0; i < slots.size(); ++i) {
            T* theta = slots[i].theta;
            const T* g = slots[i].grad;
            T* m = this->buffer(0, i);
            T* s = this->buffer(1, i);
            for (std::size_t j = 0; j < slots[i].size; ++j) {
                m[j] = b1 * m[j] + one_minus_b1 * g[j];
                s[j] = b2 * s[j] + one_minus_b2 * (g[j] * g[j]);
                const T m_hat = m[j] / bias1, s_hat = s[j] / bias2;
                theta[j] -= eta * m_hat / (std::sqrt(s_hat) + eps);
            }
        }
    }

private:
    double beta1_, beta2_, eps_;
};

/// θ ← θ·(1 − η·wd) where the decay mask is set, then the Adam update with g = ∇L (no λ in g).
template <class T>
class AdamW final : public Adam<T> {
public:
    AdamW(const OptimizerConfig& c, std::vector<bool> decay_mask)
        : Adam<T>("adamw", c), weight_decay_(c.decoupled_weight_decay), decay_mask_(std::move(decay_mask)) {}

    void step(const Params<T>& params, double lr) override {
        if (!decay_mask_.empty() && decay_mask_.size() != params.size())
            throw ConfigError(fmt::format("adamw step: the decay mask has {} entries for {} parameters",
                                          decay_mask_.size(), params.size()));
        const std::vector<Slot<T>>& slots = this->begin_step(params, lr);
        const T shrink = T(1.0 - lr * weight_decay_);
        for (std::size_t i = 0; i < slots.size(); ++i) {
            if (!decay_mask_.empty() && !decay_mask_[i]) continue;
            T* theta = slots[i].theta;
            for (std::size_t j = 0; j < slots[i].size; ++j) theta[j] *= shrink;
        }
        this->adam_update(slots, lr);
        ++this->steps_;
    }

private:
    double weight_decay_;
    std::vector<bool> decay_mask_;  // empty: decay every parameter
};

}  // namespace

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerConfig& config, std::vector<bool> decay_mask) {
    check_config(config);
    switch (config.kind) {
        case OptimizerKind::sgd: return std::make_unique<Sgd<T>>(config.momentum, config.nesterov);
        case OptimizerKind::adam: return std::make_unique<Adam<T>>(config);
        case OptimizerKind::adamw: return std::make_unique<AdamW<T>>(config, std::move(decay_mask));
        case OptimizerKind::lbfgs: break;  // rejected by check_config
    }
    throw ConfigError(fmt::format("make_optimizer: optimizer kind {} has no step-wise optimizer", int(config.kind)));
}

template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerConfig&, std::vector<bool>);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerConfig&, std::vector<bool>);

}  // namespace nn
