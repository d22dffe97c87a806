/// \file
/// The training loop: full batch or seeded mini-batches, evaluation every K epochs, a metrics history,
/// observers, progress on stderr, and a convergence mode that stops when ‖∇L_λ‖/‖θ‖ (the full-batch
/// gradient of the regularised objective, nn/objective.hpp) falls below a tolerance.
///
/// Weight decay: for sgd, adam and lbfgs it is the coupled λ of the objective; for adamw it is AdamW's
/// decoupled wd (the objective's λ is then 0), and the run records which ("coupled": true/false).
/// FACT holds exactly only at a critical point of a coupled objective reached full-batch (docs/MATH.md §2);
/// TrainResult::fact_exact_expected says whether this run is such a case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "nn/lbfgs.hpp"
#include "nn/objective.hpp"
#include "nn/optim.hpp"
#include "nn/schedule.hpp"

namespace nn {

/// Everything a training run needs besides the model and the data.
struct TrainConfig {
    OptimizerConfig optimizer;    ///< the optimizer and its hyperparameters
    LbfgsConfig lbfgs;            ///< for optimizer.kind == lbfgs
    Schedule schedule;            ///< the learning rate per epoch
    double lr = 0.1;              ///< the base learning rate η (unused by L-BFGS: to_json records null)
    double weight_decay = 0.0;    ///< λ (coupled), or AdamW's wd
    bool decay_biases = true;     ///< false: decay only the weight matrices
    Loss loss = Loss::mse;        ///< the per-sample loss ℓ_i
    std::size_t batch = 0;        ///< 0: full batch
    std::size_t epochs = 100;     ///< the maximum
    double tolerance = 0.0;       ///< convergence mode when > 0: stop once ‖∇L_λ‖/‖θ‖ < tolerance
    std::size_t check_every = 1;  ///< epochs between full-batch gradient checks in convergence mode (with
                                  ///< full-batch training the gradient is at hand, so every epoch is checked)
    std::size_t eval_every = 1;   ///< epochs between evaluations of the held-out set
    std::uint64_t seed = 0;       ///< shuffling
    bool quiet = false;           ///< no progress on stderr
    OptimizerState resume;        ///< optimizer buffers to continue from (empty: a fresh optimizer); the
                                  ///< schedule and the shuffling start again from epoch 0
    std::size_t divergence_patience = 20;  ///< the rising rule of train(): stop after this many consecutive
                                           ///< evaluated epochs of a rising L_λ above its initial value (0: off)
    double divergence_factor = 1e3;  ///< the explosion rule of train(): stop once L_λ exceeds this many times
                                     ///< its initial value (0: off)
};

/// The configuration as JSON for run records and checkpoints, with the weight-decay convention spelled
/// out: "weight_decay" (λ or wd), "weight_decay_coupled" (false only for adamw), "decay_biases"; "lr" is
/// null for L-BFGS, which uses no learning rate.
nlohmann::json to_json(const TrainConfig& config);

/// One row of the history (every eval_every epochs, the last epoch, and for L-BFGS the iteration that converged).
struct EpochRecord {
    std::size_t epoch = 0;        ///< 1-based: epochs completed
    double lr = 0;                ///< the learning rate of the epoch; NaN for L-BFGS, which has none (a line search)
    double train_loss = 0;        ///< L on the whole training set at the end of the epoch
    double train_objective = 0;   ///< L_λ
    double train_accuracy = -1;   ///< −1 for regression
    double test_loss = -1;        ///< −1 without a test set
    double test_accuracy = -1;    ///< −1 without a test set, or for regression
    double grad_norm_ratio = -1;  ///< ‖∇L_λ‖/‖θ‖ at the end of the epoch: always with full-batch training and L-BFGS
                                  ///< (where the gradient is at hand), with mini-batches only in convergence mode
    double seconds = 0;           ///< wall time of the epoch
};

/// Why training stopped: the tolerance was reached, the epochs ran out, a non-finite loss or gradient
/// appeared, or an observer returned false.
enum class StopReason { converged, max_epochs, diverged, observer };
std::string to_string(StopReason r);  ///< "converged", "max_epochs", "diverged" or "observer"

/// The outcome of train.
struct TrainResult {
    StopReason stop = StopReason::max_epochs;  ///< why it stopped
    std::size_t epochs = 0;       ///< epochs completed
    double grad_norm_ratio = 0;   ///< at the final parameters
    double train_loss = 0;        ///< L at the final parameters
    std::string message;          ///< what happened, in one line (e.g. the divergence)
    bool fact_exact_expected = false;  ///< coupled λ > 0, full batch, ‖∇L_λ‖/‖θ‖ < 1e-6: FACT holds to rounding
    std::vector<EpochRecord> history;  ///< one row per evaluated epoch
    OptimizerState optimizer_state;  ///< the optimizer's buffers at the end (empty for L-BFGS), for checkpoints
};

/// Where a run stands after an epoch (L-BFGS: an iteration): together with the model's parameters at that
/// point, everything train() needs to continue the run (TrainHooks::resume). Tensors are kept in double,
/// which holds float and double values exactly.
struct TrainState {
    std::size_t epoch = 0;                 ///< epochs (L-BFGS: iterations) completed
    OptimizerState optimizer;              ///< the optimizer's buffers and step count (empty for L-BFGS)
    std::vector<EpochRecord> history;      ///< the history rows so far
    double initial_objective = 0;          ///< L₀, L_λ at the initial parameters (the divergence rules)
    double previous_objective = std::numeric_limits<double>::quiet_NaN();  ///< L_λ at the last evaluated
                                                                            ///< epoch (NaN before the first)
    std::size_t rising = 0;                ///< the current streak of the rising rule
    std::size_t kept_epoch = 0;            ///< the epoch of the parameters kept for a divergence (0: initial)
    double kept_objective = 0;             ///< their L_λ
    std::map<std::string, ad::Tensor<double>> kept;  ///< those parameters, by parameter name
    double seconds = 0;                    ///< wall time spent training so far (over every resumption)
};

/// Checkpoints and resumption for train(); fact::train_run keeps them on disk (fact/run.hpp).
///
/// Resuming SGD, Adam or AdamW is bitwise exact: the parameters, the optimizer's buffers and step count
/// and the divergence rules' state are restored exactly, the schedule is a function of the epoch, and the
/// mini-batch order is continued by replaying the seeded shuffles of the epochs already done (O(n) each,
/// no training). The history then matches an uninterrupted run's except its seconds. L-BFGS is not bitwise:
/// liblbfgs keeps its correction pairs and line-search state to itself, so a resumed L-BFGS run starts
/// again from the checkpoint's parameters with an empty memory (its first step is a steepest-descent line
/// search) and follows a nearby, not identical, path; its history up to the checkpoint is kept exactly.
struct TrainHooks {
    std::size_t checkpoint_every = 0;  ///< epochs (L-BFGS: iterations) between calls of checkpoint (0: none)
    double checkpoint_seconds = 0;     ///< also call it at the first epoch this many seconds after the last
                                       ///< call (or the start); 0: only by checkpoint_every
    /// Called after every checkpoint_every-th epoch, and by checkpoint_seconds, except after the last epoch,
    /// after the observers, with the model holding that epoch's parameters.
    std::function<void(const TrainState&)> checkpoint;
    /// Called with every history row once it is complete (after its epoch's divergence check).
    std::function<void(const EpochRecord&)> record;
    /// Continue from this state (the model must hold its parameters); null: start afresh.
    const TrainState* resume = nullptr;
};

/// Called after epoch `epoch` every `every` epochs; returning false stops training (StopReason::observer).
template <class T>
struct Observer {
    std::size_t every = 1;  ///< epochs between calls
    std::function<bool(MLP<T>& model, std::size_t epoch)> call;  ///< the callback; false stops training
};

/// Whether training with c on n samples is full batch: L-BFGS always, else batch 0 or ≥ n.
bool is_full_batch(const TrainConfig& c, std::size_t n);

/// Whether FACT can hold exactly at the critical points this training reaches: full batch with coupled weight
/// decay, i.e. not AdamW, whose decoupled decay has other fixed points (docs/MATH.md §2). With λ > 0 and
/// ‖∇L_λ‖/‖θ‖ small it then holds to rounding (TrainResult::fact_exact_expected).
bool fact_exact_possible(const TrainConfig& c, std::size_t n);

/// Copies of the parameters an optimizer keeps (the `optimizer_buffers` of nn::training_memory_bytes): SGD 0,
/// with momentum 1, Adam/AdamW 2, L-BFGS 2m + 4 (m = lbfgs.history).
std::size_t optimizer_buffers(const TrainConfig& config);

/// Train model on `train` (evaluating on `test` if it has rows). Cost per epoch: a forward and backward
/// pass over the training set, plus one full-batch gradient in convergence mode with mini-batches.
///
/// Divergence. Let L₀ be the objective L_λ on the training set at the initial parameters. Training stops
/// as diverged (StopReason::diverged) when
///   - the loss, L_λ or a gradient is not finite (checked at every step), or
///   - on an evaluated epoch (a history row), L_λ > divergence_factor × L₀ (the explosion rule; L₀ > 0), or
///   - L_λ has risen from one evaluated epoch to the next divergence_patience times in a row while above
///     L₀ (the rising rule).
/// The parameters are then put back to the last evaluated ones whose L_λ was finite and ≤ L₀ (a copy is
/// kept; the initial parameters if there were none), and the message names the rule, the epoch and the
/// objective kept: "diverged at epoch 27: L_λ = 3.2e+09 exceeds 1000 × its initial value 0.52; kept the
/// parameters of epoch 3 (L_λ = 0.31)". L-BFGS's line search only accepts decreasing L_λ, so for it
/// only the first rule can fire. A run that does not diverge is not changed by these checks.
///
/// `hooks` adds checkpoints and resumption (TrainHooks).
/// \throws ConfigError for a bad configuration (lr ≤ 0 except for L-BFGS, λ or tolerance < 0,
///         eval_every or check_every 0, bad optimizer hyperparameters, a resume state beyond `epochs`);
///         CheckpointError for a resume state that does not fit the model; ad::ShapeError for data that do
///         not fit the model.
template <class T>
TrainResult train(MLP<T>& model, const data::Dataset& train, const data::Dataset& test, const TrainConfig& config,
                  const std::vector<Observer<T>>& observers = {}, const TrainHooks& hooks = {});

/// The scalars and the history of a TrainState as JSON (the optimizer buffers and kept parameters are
/// tensors, stored beside it by nn::save_train_checkpoint); doubles round-trip exactly, NaN is null.
nlohmann::json to_json(const TrainState& state);
/// The inverse of to_json(const TrainState&) (tensors left empty). \throws CheckpointError naming `where`
/// and the field for a missing field or one of the wrong type.
TrainState train_state_from_json(const nlohmann::json& j, const std::string& where);

/// The history as CSV: epoch,lr,train_loss,train_objective,train_acc,test_loss,test_acc,grad_ratio,seconds
/// (written atomically). Empty cells for values not computed, and for the lr of L-BFGS (it has none). \throws data::DataError if it cannot be written.
void write_history_csv(const std::string& path, const std::vector<EpochRecord>& history);
/// The same text: the header line, then one line per record (each ending in '\n').
std::string history_csv(const std::vector<EpochRecord>& history);

}  // namespace nn
