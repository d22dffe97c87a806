// The training loop: see train.hpp.
#include "nn/train.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "data/files.hpp"
#include "data/random.hpp"
#include "nn/error.hpp"
#include "nn/progress.hpp"

namespace nn {

std::string to_string(StopReason r) {
    switch (r) {
        case StopReason::converged: return "converged";
        case StopReason::max_epochs: return "max_epochs";
        case StopReason::diverged: return "diverged";
        case StopReason::observer: return "observer";
    }
    return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// One progress line per evaluated epoch (nn/progress.hpp adds elapsed time and, without a tolerance, the ETA).
// With a tolerance the epochs are a maximum that convergence usually cuts short: "(at most N)", no ETA.
std::string progress_line(const EpochRecord& r, const TrainConfig& c) {
    const char* unit = c.optimizer.kind == OptimizerKind::lbfgs ? "iteration" : "epoch";
    std::string line = c.tolerance > 0 ? fmt::format("{} {} (at most {})  loss {:.6g}", unit, r.epoch, c.epochs, r.train_loss)
                                       : fmt::format("{} {}/{}  loss {:.6g}", unit, r.epoch, c.epochs, r.train_loss);
    if (r.train_accuracy >= 0) line += fmt::format("  acc {:.4f}", r.train_accuracy);
    if (r.test_loss >= 0) line += fmt::format("  test {:.6g}", r.test_loss);
    if (r.test_accuracy >= 0) line += fmt::format("  test acc {:.4f}", r.test_accuracy);
    if (r.grad_norm_ratio >= 0) line += fmt::format("  |g|/|θ| {:.3g}", r.grad_norm_ratio);
    if (c.tolerance > 0) line += fmt::format(" (stop < {:.3g})", c.tolerance);
    return line + fmt::format("  {:.3g}s/{}", r.seconds, unit);
}

template <class T>
std::vector<ad::Tensor<T>> snapshot(const MLP<T>& model) {
    std::vector<ad::Tensor<T>> out;
    for (const ad::Var<T>& p : model.parameters()) out.push_back(p.value());
    return out;
}

// snapshot() into the tensors of an earlier one: a copy into a tensor of the same size reuses its buffer,
// so this allocates nothing per step.
template <class T>
void snapshot_into(std::vector<ad::Tensor<T>>& values, const Params<T>& params) {
    for (std::size_t i = 0; i < params.size(); ++i) values[i] = params[i].value();
}

template <class T>
void restore(MLP<T>& model, const std::vector<ad::Tensor<T>>& values) {
    const auto params = model.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].mutable_value() = values[i];
}

template <class T>
bool finite_gradients(const Params<T>& params) {
    for (const ad::Var<T>& p : params)
        for (T g : p.grad())
            if (!std::isfinite(g)) return false;
    return true;
}

// Rows order[begin, end) of e, in that order, into b. b's buffers are reused from the previous batch (they
// are reallocated only when the number of rows changes, for the last batch of an epoch).
template <class T>
void gather(const Examples<T>& e, const std::vector<std::size_t>& order, std::size_t begin, std::size_t end,
            Examples<T>& b) {
    const std::size_t d = e.X.shape(1), c = e.Y.shape(1);
    b.X.resize({end - begin, d});
    b.Y.resize({end - begin, c});
    b.labels.clear();
    for (std::size_t r = begin; r < end; ++r) {
        const std::size_t i = order[r];
        std::copy(e.X.data() + i * d, e.X.data() + (i + 1) * d, b.X.data() + (r - begin) * d);
        std::copy(e.Y.data() + i * c, e.Y.data() + (i + 1) * c, b.Y.data() + (r - begin) * c);
        if (!e.labels.empty()) b.labels.push_back(e.labels[i]);
    }
}

// The divergence rules of train.hpp on the objective of each evaluated epoch: L₀, the streak of rises
// above L₀, and a copy of the last parameters whose L_λ was finite and ≤ L₀ (the initial ones at first).
template <class T>
struct DivergenceGuard {
    double initial = 0;                      // L₀
    double previous = std::numeric_limits<double>::quiet_NaN();  // L_λ at the previous evaluated epoch
    std::size_t rising = 0;                  // consecutive rises while above L₀
    std::vector<ad::Tensor<T>> kept;         // the parameters restored on divergence
    std::size_t kept_epoch = 0;              // their epoch (0: the initial parameters)
    double kept_objective = 0;               // their L_λ

    // The rule that fires for L_λ = obj after `epoch`, in words, or "" (then the parameters are kept if
    // obj ≤ L₀).
    std::string check(double obj, std::size_t epoch, const Params<T>& params, const TrainConfig& c) {
        if (!std::isfinite(obj)) return fmt::format("the objective L_λ is {}", obj);
        if (c.divergence_factor > 0 && initial > 0 && obj > c.divergence_factor * initial)
            return fmt::format("L_λ = {:.3g} exceeds {:g} × its initial value {:.3g}", obj, c.divergence_factor,
                               initial);
        rising = obj > previous && obj > initial ? rising + 1 : 0;   // false against the NaN of the start
        previous = obj;
        if (c.divergence_patience > 0 && rising >= c.divergence_patience)
            return fmt::format("L_λ rose at {} consecutive evaluated epochs while above its initial value {:.3g} "
                               "(now {:.3g})", rising, initial, obj);
        if (obj <= initial) {
            snapshot_into(kept, params);
            kept_epoch = epoch;
            kept_objective = obj;
        }
        return "";
    }

    // "the parameters of epoch 3 (L_λ = 0.31)", or of the start.
    std::string kept_text(const char* unit) const {
        return kept_epoch == 0 ? fmt::format("the initial parameters (L_λ = {:.6g})", kept_objective)
                               : fmt::format("the parameters of {} {} (L_λ = {:.6g})", unit, kept_epoch,
                                             kept_objective);
    }
};

void check_config(const TrainConfig& c) {
    if (!(c.lr > 0) && c.optimizer.kind != OptimizerKind::lbfgs)
        throw ConfigError(fmt::format("train: learning rate {} must be positive", c.lr));
    if (!(c.weight_decay >= 0)) throw ConfigError(fmt::format("train: weight decay {} must be ≥ 0", c.weight_decay));
    if (!(c.tolerance >= 0)) throw ConfigError(fmt::format("train: tolerance {} must be ≥ 0", c.tolerance));
    if (c.eval_every == 0 || c.check_every == 0)
        throw ConfigError("train: eval_every and check_every must be ≥ 1");
}

}  // namespace

std::size_t optimizer_buffers(const TrainConfig& config) {
    switch (config.optimizer.kind) {
        case OptimizerKind::lbfgs: return 2 * std::size_t(config.lbfgs.history) + 4;
        case OptimizerKind::sgd: return config.optimizer.momentum > 0 ? 1 : 0;
        case OptimizerKind::adam:
        case OptimizerKind::adamw: return 2;
    }
    return 0;
}

template <class T>
TrainResult train(MLP<T>& model, const data::Dataset& train_set, const data::Dataset& test_set,
                  const TrainConfig& config, const std::vector<Observer<T>>& observers, const TrainHooks& hooks) {
    check_config(config);
    const TrainState* resume = hooks.resume;
    if (resume != nullptr && resume->epoch > config.epochs)
        throw ConfigError(fmt::format("train: the state to resume from is at epoch {}, beyond the {} epochs of the "
                                      "run", resume->epoch, config.epochs));
    if (resume != nullptr && !config.resume.empty())
        throw ConfigError("train: both TrainConfig::resume (optimizer buffers) and TrainHooks::resume (a whole "
                          "state) are given; expected at most one");
    const bool adamw = config.optimizer.kind == OptimizerKind::adamw;
    const bool lbfgs = config.optimizer.kind == OptimizerKind::lbfgs;
    const bool full_batch = lbfgs || config.batch == 0 || config.batch >= train_set.n();
    // Coupled λ lives in the objective; AdamW's wd in the optimizer (train.hpp).
    const Objective objective{config.loss, adamw ? 0.0 : config.weight_decay, config.decay_biases};
    const Examples<T> tr = to_examples<T>(train_set);
    const Examples<T> te = test_set.n() > 0 ? to_examples<T>(test_set) : Examples<T>{};
    const auto params = model.parameters();

    TrainResult result;
    // Past a gigabyte the line says how much memory the training takes (nn::training_memory_bytes).
    const double bytes = training_memory_bytes(model.config(), full_batch ? train_set.n() : config.batch, sizeof(T),
                                               optimizer_buffers(config));
    // With a tolerance, epochs is only a maximum: no ETA towards it (progress.hpp: total 0 = unknown).
    Progress progress(config.tolerance > 0 ? 0 : config.epochs, config.quiet);
    progress.message(fmt::format("training {} parameters on {} samples: {}, {}, {}, batch {}, {} loss",
                               model.parameter_count(), train_set.n(), to_string(config.optimizer.kind),
                               lbfgs ? std::string("line search (no learning rate)") : fmt::format("lr {}", config.lr),
                               config.weight_decay == 0 ? std::string("no weight decay")
                               : adamw ? fmt::format("decoupled weight decay wd = {}", config.weight_decay)
                                       : fmt::format("coupled L2 weight decay λ = {}{}", config.weight_decay,
                                                     config.decay_biases ? "" : " (weights only)"),
                               full_batch ? std::string("full") : std::to_string(config.batch), to_string(config.loss))
                     + (bytes >= 1e9 ? fmt::format("; about {} of memory", data::format_bytes(bytes)) : std::string()));
    DivergenceGuard<T> guard;
    guard.kept = snapshot(model);
    const char* unit = lbfgs ? "iteration" : "epoch";
    const auto started = Clock::now();
    const std::size_t first_epoch = resume != nullptr ? resume->epoch + 1 : 1;
    if (resume != nullptr) {
        result.history = resume->history;
        result.epochs = resume->epoch;
        guard.initial = resume->initial_objective;
        guard.previous = resume->previous_objective;
        guard.rising = resume->rising;
        guard.kept_epoch = resume->kept_epoch;
        guard.kept_objective = resume->kept_objective;
        for (std::size_t i = 0; i < params.size(); ++i) {
            const auto it = resume->kept.find(params[i].name());
            if (it == resume->kept.end() || it->second.shape() != params[i].value().shape())
                throw CheckpointError(fmt::format("train: the state to resume from {} for parameter {} {}",
                                                  it == resume->kept.end() ? "has no kept values" : "has kept values "
                                                  + ad::shape_str(it->second), params[i].name(),
                                                  ad::shape_str(params[i].value())));
            for (std::size_t j = 0; j < it->second.size(); ++j) guard.kept[i].data()[j] = T(it->second.data()[j]);
        }
    }
    // The state after `epoch`, for TrainHooks::checkpoint.
    auto state_after = [&](std::size_t epoch, OptimizerState optimizer) {
        TrainState st;
        st.epoch = epoch;
        st.optimizer = std::move(optimizer);
        st.history = result.history;
        st.initial_objective = guard.initial;
        st.previous_objective = guard.previous;
        st.rising = guard.rising;
        st.kept_epoch = guard.kept_epoch;
        st.kept_objective = guard.kept_objective;
        for (std::size_t i = 0; i < params.size(); ++i) {
            ad::Tensor<double> k = ad::Tensor<double>::from_shape({guard.kept[i].shape(0), guard.kept[i].shape(1)});
            for (std::size_t j = 0; j < k.size(); ++j) k.data()[j] = double(guard.kept[i].data()[j]);
            st.kept.emplace(params[i].name(), std::move(k));
        }
        st.seconds = (resume != nullptr ? resume->seconds : 0.0) + seconds_since(started);
        return st;
    };
    // Every checkpoint_every-th epoch, and once checkpoint_seconds have passed since the last checkpoint (or
    // the start); never after the last epoch, which the run's own files record. Which epochs get one does
    // not change the result: a resume from any of them is exact.
    auto last_checkpoint = Clock::now();
    auto checkpoint_due = [&](std::size_t epoch) {
        if (!hooks.checkpoint || epoch >= config.epochs) return false;
        const bool due = (hooks.checkpoint_every > 0 && epoch % hooks.checkpoint_every == 0) ||
                         (hooks.checkpoint_seconds > 0 && seconds_since(last_checkpoint) >= hooks.checkpoint_seconds);
        if (due) last_checkpoint = Clock::now();
        return due;
    };

    // (λ/2)‖θ‖² over the decayed parameters: L_λ = L + this.
    auto decay_term = [&] {
        if (!(objective.weight_decay > 0)) return 0.0;
        double s = 0;
        for (const ad::Var<T>& p : params)
            if (decays(objective, p.name()))
                for (T v : p.value()) s += double(v) * double(v);
        return 0.5 * objective.weight_decay * s;
    };
    // The record of one epoch from an evaluation of the training set at the current parameters (with the
    // gradient norm when `with_gradient`), plus the test metrics.
    auto record_from = [&](std::size_t epoch, double lr, double secs, const Evaluation& ev, bool with_gradient) {
        EpochRecord r;
        r.epoch = epoch;
        r.lr = lr;
        r.seconds = secs;
        r.train_loss = ev.loss;
        r.train_accuracy = ev.accuracy;
        if (with_gradient) {
            r.train_objective = ev.objective;
            r.grad_norm_ratio = ev.ratio();
        } else {
            r.train_objective = ev.loss + decay_term();
        }
        if (te.n() > 0) {
            const Evaluation et = evaluate_loss(model, te, config.loss);
            r.test_loss = et.loss;
            r.test_accuracy = et.accuracy;
        }
        return r;
    };
    Evaluation last_train_eval;  // the training-set evaluation of the last record()
    auto record = [&](std::size_t epoch, double lr, Clock::time_point t0, bool with_gradient) {
        double secs = seconds_since(t0);
        last_train_eval = with_gradient ? evaluate_objective(model, tr, objective)
                                        : evaluate_loss(model, tr, config.loss);
        // Full batch, this evaluation is the gradient the next step uses: it counts as the epoch's training.
        if (full_batch) secs = seconds_since(t0);
        return record_from(epoch, lr, secs, last_train_eval, with_gradient);
    };
    auto observed = [&](std::size_t epoch) {
        for (const Observer<T>& o : observers)
            if (o.every > 0 && epoch % o.every == 0 && o.call) return true;
        return false;
    };
    auto run_observers = [&](std::size_t epoch) {
        for (const Observer<T>& o : observers)
            if (o.every > 0 && epoch % o.every == 0 && o.call && !o.call(model, epoch)) return false;
        return true;
    };
    auto diverged = [&](std::size_t epoch, const std::string& what) {
        restore(model, guard.kept);
        result.stop = StopReason::diverged;
        result.epochs = epoch;
        result.message = fmt::format("diverged at {} {}: {}; kept {}", unit, epoch, what, guard.kept_text(unit));
    };

    // Full batch: the evaluation of the objective at the current parameters, while its gradient is still
    // in the parameters' gradient buffers. The step of the next epoch needs exactly that evaluation, so a
    // history row evaluates with the gradient (which gives the row its ‖∇L_λ‖/‖θ‖) and the step reuses it:
    // one forward and backward pass per epoch, as in a hand-written loop (and none more for the result). An observer may use the tape
    // (FACT tracking does), so an epoch with an observer evaluates afresh; the values are the same bitwise.
    std::optional<Evaluation> at_current;
    if (lbfgs) {
        LbfgsConfig lc = config.lbfgs;
        // Resumed at iteration k: the remaining iterations, numbered from k + 1 (with a fresh memory; TrainHooks).
        const std::size_t done = first_epoch - 1;
        lc.max_iterations = config.epochs - done;
        lc.tolerance = config.tolerance > 0 ? config.tolerance : 0.0;
        auto t0 = Clock::now();
        bool stopped_by_observer = false, bad = false;
        // The last evaluation: the iterate L-BFGS reports is the point it evaluated last (the end of its line
        // search), so a history row reuses it instead of evaluating again; if f differs, it evaluates anew.
        Evaluation last_eval;
        bool have_last = false;
        // L-BFGS has no learning rate (a line search along a quasi-Newton direction): NaN, an empty cell.
        const double no_lr = std::numeric_limits<double>::quiet_NaN();
        std::string rule;   // a divergence rule that fired (never with a monotone line search, but checked)
        const LbfgsResult lr = lbfgs_minimize<T>(
            params,
            [&] {
                last_eval = evaluate_objective(model, tr, objective);
                if (!have_last && resume == nullptr) {   // the starting point: L₀
                    guard.initial = guard.kept_objective = last_eval.objective;
                }
                have_last = true;
                if (!std::isfinite(last_eval.objective) || !finite_gradients(params)) bad = true;
                return last_eval.objective;
            },
            lc,
            [&](std::size_t local_it, double f, double ratio) {
                const std::size_t it = done + local_it;
                if (bad) return false;
                rule = guard.check(f, it, params, config);
                if (!rule.empty()) return false;
                // The last iteration is always recorded: the tolerance reached, or the maximum.
                const bool due = it % config.eval_every == 0 || it == config.epochs ||
                                 (config.tolerance > 0 && ratio < config.tolerance);
                if (due) {
                    EpochRecord r = have_last && last_eval.objective == f
                                        ? record_from(it, no_lr, seconds_since(t0), last_eval, true)
                                        : record(it, no_lr, t0, true);
                    result.history.push_back(r);
                    if (hooks.record) hooks.record(r);
                    progress.update(r.epoch, progress_line(r, config));
                }
                t0 = Clock::now();
                if (!run_observers(it)) {
                    stopped_by_observer = true;
                    return false;
                }
                if (checkpoint_due(it) && !(config.tolerance > 0 && ratio < config.tolerance))
                    hooks.checkpoint(state_after(it, {}));
                return true;
            });
        result.epochs = done + lr.iterations;
        if (bad) {
            diverged(result.epochs + 1, "the objective or its gradient is not finite");
        } else if (!rule.empty()) {
            diverged(result.epochs, rule);
        } else {
            result.stop = lr.converged ? StopReason::converged
                          : stopped_by_observer ? StopReason::observer
                                                : StopReason::max_epochs;
            result.message = fmt::format("L-BFGS: {} after {} iterations ({} evaluations{}): {}", to_string(result.stop),
                                         result.epochs, lr.evaluations,
                                         done > 0 ? fmt::format(" since resuming at iteration {} with an empty memory",
                                                                done)
                                                  : std::string(),
                                         lr.status);
        }
    } else {
        std::vector<bool> mask;
        for (const ad::Var<T>& p : params) mask.push_back(decays({config.loss, 1.0, config.decay_biases}, p.name()));
        OptimizerConfig oc = config.optimizer;
        if (adamw) oc.decoupled_weight_decay = config.weight_decay;
        const std::unique_ptr<Optimizer<T>> opt = make_optimizer<T>(oc, mask);
        if (!config.resume.empty()) opt->load_state(params, config.resume);
        data::Rng rng(config.seed);
        std::vector<std::size_t> order(tr.n());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        Examples<T> batch;  // the current mini-batch; its buffers are reused from batch to batch
        result.stop = StopReason::max_epochs;
        if (resume == nullptr) {
            if (full_batch) at_current = evaluate_objective(model, tr, objective);
            guard.initial = guard.kept_objective =
                (at_current ? at_current->loss : evaluate_loss(model, tr, config.loss).loss) + decay_term();
        } else {
            opt->load_state(params, resume->optimizer);
            // The mini-batch order continues: the shuffles of the epochs done, replayed from the seed.
            if (!full_batch)
                for (std::size_t e = 1; e < first_epoch; ++e) rng.shuffle(order);
        }

        for (std::size_t epoch = first_epoch; epoch <= config.epochs; ++epoch) {
            const auto t0 = Clock::now();
            const double lr = config.schedule.lr(epoch - 1, config.lr);
            std::string failure;
            if (full_batch) {
                const Evaluation ev = at_current ? *at_current : evaluate_objective(model, tr, objective);
                at_current.reset();
                if (!std::isfinite(ev.objective)) failure = fmt::format("the loss is {}", ev.objective);
                else if (!finite_gradients(params)) failure = "a gradient is not finite";
                else if (config.tolerance > 0 && ev.ratio() < config.tolerance) {
                    // already converged before this step: report it without moving
                    result.stop = StopReason::converged;
                    result.epochs = epoch - 1;
                    break;
                } else {
                    opt->step(params, lr);
                }
            } else {
                rng.shuffle(order);
                for (std::size_t b = 0; b < tr.n() && failure.empty(); b += config.batch) {
                    gather(tr, order, b, std::min(tr.n(), b + config.batch), batch);
                    const Evaluation ev = evaluate_objective(model, batch, objective, 0);
                    if (!std::isfinite(ev.objective)) failure = fmt::format("the loss is {}", ev.objective);
                    else if (!finite_gradients(params)) failure = "a gradient is not finite";
                    else {
                        opt->step(params, lr);
                    }
                }
            }
            if (!failure.empty()) {
                diverged(epoch, failure);
                break;
            }
            const bool check = config.tolerance > 0 && epoch % config.check_every == 0;
            const bool due = check || epoch % config.eval_every == 0 || epoch == config.epochs;
            result.epochs = epoch;
            if (due) {
                EpochRecord r = record(epoch, lr, t0, check || full_batch);
                const std::string rule = !std::isfinite(r.train_loss)
                                             ? fmt::format("the loss is {}", r.train_loss)
                                             : guard.check(r.train_objective, epoch, params, config);
                if (!rule.empty()) {
                    diverged(epoch, rule);
                    break;
                }
                result.history.push_back(r);
                if (hooks.record) hooks.record(r);
                progress.update(r.epoch, progress_line(r, config), epoch == config.epochs);
                if (full_batch) at_current = last_train_eval;
                if (check && r.grad_norm_ratio < config.tolerance) {
                    result.stop = StopReason::converged;
                    break;
                }
            }
            if (observed(epoch)) at_current.reset();
            if (!run_observers(epoch)) {
                result.stop = StopReason::observer;
                break;
            }
            if (checkpoint_due(epoch)) hooks.checkpoint(state_after(epoch, opt->state(params)));
        }
        if (result.message.empty())
            result.message = fmt::format("{} after {} epochs", to_string(result.stop), result.epochs);
        result.optimizer_state = opt->state(params);
    }

    const Evaluation final_eval = at_current && result.stop != StopReason::diverged
                                      ? *at_current : evaluate_objective(model, tr, objective);
    result.grad_norm_ratio = final_eval.ratio();
    result.train_loss = final_eval.loss;
    // FACT is exact at a critical point of a coupled objective reached full-batch (docs/MATH.md §2).
    result.fact_exact_expected = !adamw && full_batch && config.weight_decay > 0 && result.grad_norm_ratio < 1e-6;
    result.message += fmt::format("; ‖∇L_λ‖/‖θ‖ = {:.3g}", result.grad_norm_ratio);
    progress.finish(result.message);
    return result;
}

nlohmann::json to_json(const TrainConfig& c) {
    const bool adamw = c.optimizer.kind == OptimizerKind::adamw;
    nlohmann::json j = {
        {"optimizer", to_string(c.optimizer.kind)},
        // L-BFGS has no learning rate (a line search): null, as history.csv leaves its lr cells empty.
        {"lr", c.optimizer.kind == OptimizerKind::lbfgs ? nlohmann::json(nullptr) : nlohmann::json(c.lr)},
        {"weight_decay", c.weight_decay},
        {"weight_decay_coupled", !adamw},
        {"decay_biases", c.decay_biases},
        {"loss", to_string(c.loss)},
        {"batch", c.batch},
        {"epochs", c.epochs},
        {"tolerance", c.tolerance},
        {"seed", c.seed},
    };
    if (c.optimizer.kind == OptimizerKind::sgd) {
        j["momentum"] = c.optimizer.momentum;
        j["nesterov"] = c.optimizer.nesterov;
    } else if (c.optimizer.kind == OptimizerKind::lbfgs) {
        j["history"] = c.lbfgs.history;
    } else {
        j["betas"] = {c.optimizer.beta1, c.optimizer.beta2};
        j["eps"] = c.optimizer.eps;
    }
    j["schedule"] = {{"kind", to_string(c.schedule.kind)}, {"warmup_epochs", c.schedule.warmup_epochs}};
    return j;
}

namespace {

// A double for JSON: NaN and ±inf have no JSON number, so null (read back as NaN).
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

const nlohmann::json& field(const nlohmann::json& j, const char* key, const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end()) throw CheckpointError(fmt::format("{}: lacks the field \"{}\"", where, key));
    return *it;
}

double read_number(const nlohmann::json& j, const char* key, const std::string& where) {
    const nlohmann::json& v = field(j, key, where);
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!v.is_number())
        throw CheckpointError(fmt::format("{}: field \"{}\" is {}, expected a number", where, key, v.dump()));
    return v.get<double>();
}

std::size_t read_count(const nlohmann::json& j, const char* key, const std::string& where) {
    const nlohmann::json& v = field(j, key, where);
    if (!v.is_number_unsigned())
        throw CheckpointError(fmt::format("{}: field \"{}\" is {}, expected a whole number ≥ 0", where, key,
                                          v.dump()));
    return v.get<std::size_t>();
}

}  // namespace

nlohmann::json to_json(const TrainState& s) {
    nlohmann::json history = nlohmann::json::array();
    for (const EpochRecord& r : s.history)
        history.push_back({{"epoch", r.epoch}, {"lr", number(r.lr)}, {"train_loss", number(r.train_loss)},
                           {"train_objective", number(r.train_objective)}, {"train_accuracy", number(r.train_accuracy)},
                           {"test_loss", number(r.test_loss)}, {"test_accuracy", number(r.test_accuracy)},
                           {"grad_norm_ratio", number(r.grad_norm_ratio)}, {"seconds", number(r.seconds)}});
    return {{"epoch", s.epoch},
            {"initial_objective", number(s.initial_objective)},
            {"previous_objective", number(s.previous_objective)},
            {"rising", s.rising},
            {"kept_epoch", s.kept_epoch},
            {"kept_objective", number(s.kept_objective)},
            {"seconds", number(s.seconds)},
            {"history", std::move(history)}};
}

TrainState train_state_from_json(const nlohmann::json& j, const std::string& where) {
    if (!j.is_object()) throw CheckpointError(fmt::format("{}: the training state is {}, expected an object", where,
                                                          j.type_name()));
    TrainState s;
    s.epoch = read_count(j, "epoch", where);
    s.initial_objective = read_number(j, "initial_objective", where);
    s.previous_objective = read_number(j, "previous_objective", where);
    s.rising = read_count(j, "rising", where);
    s.kept_epoch = read_count(j, "kept_epoch", where);
    s.kept_objective = read_number(j, "kept_objective", where);
    s.seconds = read_number(j, "seconds", where);
    const nlohmann::json& history = field(j, "history", where);
    if (!history.is_array())
        throw CheckpointError(fmt::format("{}: field \"history\" is {}, expected an array", where, history.type_name()));
    for (std::size_t i = 0; i < history.size(); ++i) {
        const std::string row = fmt::format("{}: history[{}]", where, i);
        const nlohmann::json& h = history[i];
        if (!h.is_object()) throw CheckpointError(fmt::format("{} is {}, expected an object", row, h.dump()));
        EpochRecord r;
        r.epoch = read_count(h, "epoch", row);
        r.lr = read_number(h, "lr", row);
        r.train_loss = read_number(h, "train_loss", row);
        r.train_objective = read_number(h, "train_objective", row);
        r.train_accuracy = read_number(h, "train_accuracy", row);
        r.test_loss = read_number(h, "test_loss", row);
        r.test_accuracy = read_number(h, "test_accuracy", row);
        r.grad_norm_ratio = read_number(h, "grad_norm_ratio", row);
        r.seconds = read_number(h, "seconds", row);
        s.history.push_back(r);
    }
    return s;
}

std::string history_csv(const std::vector<EpochRecord>& history) {
    auto cell = [](double v) { return v < 0 ? std::string() : fmt::format("{:.17g}", v); };
    std::ostringstream out;
    out << "epoch,lr,train_loss,train_objective,train_acc,test_loss,test_acc,grad_ratio,seconds\n";
    for (const EpochRecord& r : history)
        out << r.epoch << ',' << (std::isfinite(r.lr) ? fmt::format("{:.17g}", r.lr) : std::string()) << ',' << fmt::format("{:.17g}", r.train_loss) << ','
            << fmt::format("{:.17g}", r.train_objective) << ',' << cell(r.train_accuracy) << ',' << cell(r.test_loss)
            << ',' << cell(r.test_accuracy) << ',' << cell(r.grad_norm_ratio) << ',' << fmt::format("{:.6g}", r.seconds)
            << '\n';
    return out.str();
}

void write_history_csv(const std::string& path, const std::vector<EpochRecord>& history) {
    data::write_file(path, history_csv(history));
}

template TrainResult train<float>(MLP<float>&, const data::Dataset&, const data::Dataset&, const TrainConfig&,
                                  const std::vector<Observer<float>>&, const TrainHooks&);
template TrainResult train<double>(MLP<double>&, const data::Dataset&, const data::Dataset&, const TrainConfig&,
                                   const std::vector<Observer<double>>&, const TrainHooks&);

}  // namespace nn
