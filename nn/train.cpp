// The training loop (train.hpp). One Trainer per call of train() holds what its two paths share (the data, the
// objective, the divergence guard, the history, the observers and the checkpoints); lbfgs() and first_order()
// are the paths. The records' JSON and CSV are in train_record.cpp.
#include "nn/train.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "data/dataset.hpp"
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

bool is_full_batch(const TrainConfig& c, std::size_t n) {
    return c.optimizer.kind == OptimizerKind::lbfgs || c.batch == 0 || c.batch >= n;
}

bool fact_exact_possible(const TrainConfig& c, std::size_t n) {
    return is_full_batch(c, n) && c.optimizer.kind != OptimizerKind::adamw;
}

std::size_t optimizer_buffers(const TrainConfig& config) {
    switch (config.optimizer.kind) {
        case OptimizerKind::lbfgs: return 2 * std::size_t(config.lbfgs.history) + 4;
        case OptimizerKind::sgd: return config.optimizer.momentum > 0 ? 1 : 0;
        case OptimizerKind::adam:
        case OptimizerKind::adamw: return 2;
    }
    return 0;
}

namespace {

// One call of train(): what its two paths share (the data, the objective, the divergence guard, the history
// and its progress lines, the observers and the checkpoints), and the two paths, lbfgs() and first_order().
template <class T>
class Trainer {
public:
    Trainer(MLP<T>& model, const data::Dataset& train_set, const data::Dataset& test_set, const TrainConfig& config,
            const std::vector<Observer<T>>& observers, const TrainHooks& hooks)
        : model_(model), config_(config), observers_(observers), hooks_(hooks), resume_(hooks.resume),
          adamw_(config.optimizer.kind == OptimizerKind::adamw),
          full_batch_(is_full_batch(config, train_set.n())),
          // Coupled λ lives in the objective; AdamW's wd in the optimizer (train.hpp).
          objective_{config.loss, adamw_ ? 0.0 : config.weight_decay, config.decay_biases},
          tr_(to_examples<T>(train_set)),
          te_(test_set.n() > 0 ? to_examples<T>(test_set) : Examples<T>{}),
          params_(model.parameters()),
          // With a tolerance, epochs is only a maximum: no ETA towards it (progress.hpp: total 0 = unknown).
          progress_(config.tolerance > 0 ? 0 : config.epochs, config.quiet),
          unit_(config.optimizer.kind == OptimizerKind::lbfgs ? "iteration" : "epoch"),
          first_epoch_(hooks.resume != nullptr ? hooks.resume->epoch + 1 : 1) {}

    TrainResult run(std::size_t train_n) {
        announce(train_n);
        guard_.kept = snapshot(model_);
        if (resume_ != nullptr) restore_state(*resume_);
        if (config_.optimizer.kind == OptimizerKind::lbfgs) lbfgs();
        else first_order();

        const Evaluation final_eval = at_current_ && result_.stop != StopReason::diverged
                                          ? *at_current_ : evaluate_objective(model_, tr_, objective_);
        result_.grad_norm_ratio = final_eval.ratio();
        result_.train_loss = final_eval.loss;
        // FACT is exact at a critical point of a coupled objective reached full-batch (docs/MATH.md §2).
        result_.fact_exact_expected = fact_exact_possible(config_, tr_.n()) && config_.weight_decay > 0 &&
                                      result_.grad_norm_ratio < 1e-6;
        result_.message += fmt::format("; ‖∇L_λ‖/‖θ‖ = {:.3g}", result_.grad_norm_ratio);
        progress_.finish(result_.message);
        return std::move(result_);
    }

private:
    // The first progress line; past a gigabyte it says how much memory the training takes.
    void announce(std::size_t train_n) {
        const TrainConfig& c = config_;
        const bool lbfgs = c.optimizer.kind == OptimizerKind::lbfgs;
        const double bytes = training_memory_bytes(model_.config(), full_batch_ ? train_n : c.batch, sizeof(T),
                                                   optimizer_buffers(c));
        progress_.message(
            fmt::format("training {} parameters on {} samples: {}, {}, {}, batch {}, {} loss", model_.parameter_count(),
                        train_n, to_string(c.optimizer.kind),
                        lbfgs ? std::string("line search (no learning rate)") : fmt::format("lr {}", c.lr),
                        c.weight_decay == 0 ? std::string("no weight decay")
                        : adamw_ ? fmt::format("decoupled weight decay wd = {}", c.weight_decay)
                                 : fmt::format("coupled L2 weight decay λ = {}{}", c.weight_decay,
                                               c.decay_biases ? "" : " (weights only)"),
                        full_batch_ ? std::string("full") : std::to_string(c.batch), to_string(c.loss)) +
            (bytes >= 1e9 ? fmt::format("; about {} of memory", data::format_bytes(bytes)) : std::string()));
    }

    void restore_state(const TrainState& r) {
        result_.history = r.history;
        result_.epochs = r.epoch;
        guard_.initial = r.initial_objective;
        guard_.previous = r.previous_objective;
        guard_.rising = r.rising;
        guard_.kept_epoch = r.kept_epoch;
        guard_.kept_objective = r.kept_objective;
        for (std::size_t i = 0; i < params_.size(); ++i) {
            const auto it = r.kept.find(params_[i].name());
            if (it == r.kept.end() || it->second.shape() != params_[i].value().shape())
                throw CheckpointError(fmt::format("train: the state to resume from {} for parameter {} {}",
                                                  it == r.kept.end() ? "has no kept values" : "has kept values "
                                                  + ad::shape_str(it->second), params_[i].name(),
                                                  ad::shape_str(params_[i].value())));
            for (std::size_t j = 0; j < it->second.size(); ++j) guard_.kept[i].data()[j] = T(it->second.data()[j]);
        }
    }

    // The state after `epoch`, for TrainHooks::checkpoint.
    TrainState state_after(std::size_t epoch, OptimizerState optimizer) const {
        TrainState st;
        st.epoch = epoch;
        st.optimizer = std::move(optimizer);
        st.history = result_.history;
        st.initial_objective = guard_.initial;
        st.previous_objective = guard_.previous;
        st.rising = guard_.rising;
        st.kept_epoch = guard_.kept_epoch;
        st.kept_objective = guard_.kept_objective;
        for (std::size_t i = 0; i < params_.size(); ++i) {
            const ad::Tensor<T>& kept = guard_.kept[i];
            ad::Tensor<double> k = ad::Tensor<double>::from_shape({kept.shape(0), kept.shape(1)});
            for (std::size_t j = 0; j < k.size(); ++j) k.data()[j] = double(kept.data()[j]);
            st.kept.emplace(params_[i].name(), std::move(k));
        }
        st.seconds = (resume_ != nullptr ? resume_->seconds : 0.0) + seconds_since(started_);
        return st;
    }

    // Every checkpoint_every-th epoch, and once checkpoint_seconds have passed since the last checkpoint (or
    // the start); never after the last epoch, which the run's own files record. Which epochs get one does
    // not change the result: a resume from any of them is exact.
    bool checkpoint_due(std::size_t epoch) {
        if (!hooks_.checkpoint || epoch >= config_.epochs) return false;
        const bool due = (hooks_.checkpoint_every > 0 && epoch % hooks_.checkpoint_every == 0) ||
                         (hooks_.checkpoint_seconds > 0 && seconds_since(last_checkpoint_) >= hooks_.checkpoint_seconds);
        if (due) last_checkpoint_ = Clock::now();
        return due;
    }

    // The record of one epoch from an evaluation of the training set at the current parameters (with the
    // gradient norm when `with_gradient`), plus the test metrics.
    EpochRecord record_from(std::size_t epoch, double lr, double secs, const Evaluation& ev, bool with_gradient) {
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
            r.train_objective = ev.loss + decay_penalty(params_, objective_);
        }
        if (te_.n() > 0) {
            const Evaluation et = evaluate_loss(model_, te_, config_.loss);
            r.test_loss = et.loss;
            r.test_accuracy = et.accuracy;
        }
        return r;
    }

    // record_from() of a fresh evaluation, kept in last_train_eval_.
    EpochRecord record(std::size_t epoch, double lr, Clock::time_point t0, bool with_gradient) {
        double secs = seconds_since(t0);
        last_train_eval_ = with_gradient ? evaluate_objective(model_, tr_, objective_)
                                         : evaluate_loss(model_, tr_, config_.loss);
        // Full batch, this evaluation is the gradient the next step uses: it counts as the epoch's training.
        if (full_batch_) secs = seconds_since(t0);
        return record_from(epoch, lr, secs, last_train_eval_, with_gradient);
    }

    // The row into the history, the progress line and the record hook.
    void publish(const EpochRecord& r, bool last) {
        result_.history.push_back(r);
        if (hooks_.record) hooks_.record(r);
        progress_.update(r.epoch, progress_line(r, config_), last);
    }

    bool observed(std::size_t epoch) const {
        for (const Observer<T>& o : observers_)
            if (o.every > 0 && epoch % o.every == 0 && o.call) return true;
        return false;
    }
    bool run_observers(std::size_t epoch) {
        for (const Observer<T>& o : observers_)
            if (o.every > 0 && epoch % o.every == 0 && o.call && !o.call(model_, epoch)) return false;
        return true;
    }

    void diverged(std::size_t epoch, const std::string& what) {
        restore(model_, guard_.kept);
        result_.stop = StopReason::diverged;
        result_.epochs = epoch;
        result_.message =
            fmt::format("diverged at {} {}: {}; kept {}", unit_, epoch, what, guard_.kept_text(unit_));
    }

    // L-BFGS: full batch, one line search per iteration; an iteration is an "epoch" of the history.
    void lbfgs() {
        LbfgsConfig lc = config_.lbfgs;
        // Resumed at iteration k: the remaining iterations, numbered from k + 1 (with a fresh memory; TrainHooks).
        const std::size_t done = first_epoch_ - 1;
        lc.max_iterations = config_.epochs - done;
        lc.tolerance = config_.tolerance > 0 ? config_.tolerance : 0.0;
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
            params_,
            [&] {
                last_eval = evaluate_objective(model_, tr_, objective_);
                if (!have_last && resume_ == nullptr) {   // the starting point: L₀
                    guard_.initial = guard_.kept_objective = last_eval.objective;
                }
                have_last = true;
                if (!std::isfinite(last_eval.objective) || !finite_gradients(params_)) bad = true;
                return last_eval.objective;
            },
            lc,
            [&](std::size_t local_it, double f, double ratio) {
                const std::size_t it = done + local_it;
                if (bad) return false;
                rule = guard_.check(f, it, params_, config_);
                if (!rule.empty()) return false;
                // The last iteration is always recorded: the tolerance reached, or the maximum.
                const bool converged = config_.tolerance > 0 && ratio < config_.tolerance;
                if (it % config_.eval_every == 0 || it == config_.epochs || converged) {
                    publish(have_last && last_eval.objective == f
                                ? record_from(it, no_lr, seconds_since(t0), last_eval, true)
                                : record(it, no_lr, t0, true),
                            false);
                }
                t0 = Clock::now();
                if (!run_observers(it)) {
                    stopped_by_observer = true;
                    return false;
                }
                if (checkpoint_due(it) && !converged) hooks_.checkpoint(state_after(it, {}));
                return true;
            });
        result_.epochs = done + lr.iterations;
        if (bad) {
            diverged(result_.epochs + 1, "the objective or its gradient is not finite");
        } else if (!rule.empty()) {
            diverged(result_.epochs, rule);
        } else {
            result_.stop = lr.converged ? StopReason::converged
                           : stopped_by_observer ? StopReason::observer
                                                 : StopReason::max_epochs;
            result_.message = fmt::format(
                "L-BFGS: {} after {} iterations ({} evaluations{}): {}", to_string(result_.stop), result_.epochs,
                lr.evaluations,
                done > 0 ? fmt::format(" since resuming at iteration {} with an empty memory", done) : std::string(),
                lr.status);
        }
    }

    // SGD, Adam and AdamW: full batch (one step per epoch) or shuffled mini-batches.
    void first_order() {
        OptimizerConfig oc = config_.optimizer;
        if (adamw_) oc.decoupled_weight_decay = config_.weight_decay;
        const std::unique_ptr<Optimizer<T>> opt = make_optimizer<T>(oc, decay_mask(params_, config_.decay_biases));
        if (!config_.resume.empty()) opt->load_state(params_, config_.resume);
        data::Rng rng(config_.seed);
        std::vector<std::size_t> order(tr_.n());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        Examples<T> batch;  // the current mini-batch; its buffers are reused from batch to batch
        result_.stop = StopReason::max_epochs;
        if (resume_ == nullptr) {
            if (full_batch_) at_current_ = evaluate_objective(model_, tr_, objective_);
            guard_.initial = guard_.kept_objective =
                (at_current_ ? at_current_->loss : evaluate_loss(model_, tr_, config_.loss).loss) +
                decay_penalty(params_, objective_);
        } else {
            opt->load_state(params_, resume_->optimizer);
            // The mini-batch order continues: the shuffles of the epochs done, replayed from the seed.
            if (!full_batch_)
                for (std::size_t e = 1; e < first_epoch_; ++e) rng.shuffle(order);
        }

        for (std::size_t epoch = first_epoch_; epoch <= config_.epochs; ++epoch) {
            const auto t0 = Clock::now();
            const double lr = config_.schedule.lr(epoch - 1, config_.lr);
            std::string failure;
            if (full_batch_) {
                const Evaluation ev = at_current_ ? *at_current_ : evaluate_objective(model_, tr_, objective_);
                at_current_.reset();
                if (!std::isfinite(ev.objective)) failure = fmt::format("the loss is {}", ev.objective);
                else if (!finite_gradients(params_)) failure = "a gradient is not finite";
                else if (config_.tolerance > 0 && ev.ratio() < config_.tolerance) {
                    // already converged before this step: report it without moving
                    result_.stop = StopReason::converged;
                    result_.epochs = epoch - 1;
                    break;
                } else {
                    opt->step(params_, lr);
                }
            } else {
                rng.shuffle(order);
                for (std::size_t b = 0; b < tr_.n() && failure.empty(); b += config_.batch) {
                    gather(tr_, order, b, std::min(tr_.n(), b + config_.batch), batch);
                    const Evaluation ev = evaluate_objective(model_, batch, objective_, 0);
                    if (!std::isfinite(ev.objective)) failure = fmt::format("the loss is {}", ev.objective);
                    else if (!finite_gradients(params_)) failure = "a gradient is not finite";
                    else opt->step(params_, lr);
                }
            }
            if (!failure.empty()) {
                diverged(epoch, failure);
                break;
            }
            const bool check = config_.tolerance > 0 && epoch % config_.check_every == 0;
            const bool due = check || epoch % config_.eval_every == 0 || epoch == config_.epochs;
            result_.epochs = epoch;
            if (due) {
                const EpochRecord r = record(epoch, lr, t0, check || full_batch_);
                const std::string rule = !std::isfinite(r.train_loss)
                                             ? fmt::format("the loss is {}", r.train_loss)
                                             : guard_.check(r.train_objective, epoch, params_, config_);
                if (!rule.empty()) {
                    diverged(epoch, rule);
                    break;
                }
                publish(r, epoch == config_.epochs);
                if (full_batch_) at_current_ = last_train_eval_;
                if (check && r.grad_norm_ratio < config_.tolerance) {
                    result_.stop = StopReason::converged;
                    break;
                }
            }
            if (observed(epoch)) at_current_.reset();
            if (!run_observers(epoch)) {
                result_.stop = StopReason::observer;
                break;
            }
            if (checkpoint_due(epoch)) hooks_.checkpoint(state_after(epoch, opt->state(params_)));
        }
        if (result_.message.empty())
            result_.message = fmt::format("{} after {} epochs", to_string(result_.stop), result_.epochs);
        result_.optimizer_state = opt->state(params_);
    }

    MLP<T>& model_;
    const TrainConfig& config_;
    const std::vector<Observer<T>>& observers_;
    const TrainHooks& hooks_;
    const TrainState* resume_;
    const bool adamw_, full_batch_;
    const Objective objective_;
    const Examples<T> tr_, te_;
    const Params<T> params_;
    Progress progress_;
    const char* unit_;
    const std::size_t first_epoch_;
    const Clock::time_point started_ = Clock::now();
    Clock::time_point last_checkpoint_ = Clock::now();
    TrainResult result_;
    DivergenceGuard<T> guard_;
    Evaluation last_train_eval_;  // the training-set evaluation of the last record()
    // Full batch: the evaluation of the objective at the current parameters, while its gradient is still in
    // the parameters' gradient buffers. The step of the next epoch needs exactly that evaluation, so a history
    // row evaluates with the gradient (which gives the row its ‖∇L_λ‖/‖θ‖) and the step reuses it: one forward
    // and backward pass per epoch, as in a hand-written loop (and none more for the result). An observer may
    // use the tape (FACT tracking does), so an epoch with an observer evaluates afresh; the values are the
    // same bitwise.
    std::optional<Evaluation> at_current_;
};

}  // namespace

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
    return Trainer<T>(model, train_set, test_set, config, observers, hooks).run(train_set.n());
}

template TrainResult train<float>(MLP<float>&, const data::Dataset&, const data::Dataset&, const TrainConfig&,
                                  const std::vector<Observer<float>>&, const TrainHooks&);
template TrainResult train<double>(MLP<double>&, const data::Dataset&, const data::Dataset&, const TrainConfig&,
                                   const std::vector<Observer<double>>&, const TrainHooks&);

}  // namespace nn
