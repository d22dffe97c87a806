/// \file
/// Runs on disk: what the `fact` program's commands do, as library functions (the program only parses
/// flags). A run directory holds
/// ~~~{.unparsed}
///   model/        the checkpoint (nn/checkpoint.hpp)
///   history.csv   per evaluated epoch: lr (empty for L-BFGS), loss, accuracies, ‖∇L_λ‖/‖θ‖; with track_every,
///                 per layer l the Pearson
///                 correlations of WᵀW with FACT, (FACT FACTᵀ)^½, AGOP^½ and AGOP (columns l<i>_fact, ...)
///   run.json      the configuration (data, architecture, training with its weight-decay convention), the
///                 outcome, and whether FACT is expected to hold exactly
///   curves.svg    against epoch (L-BFGS: iteration): the loss (train, test), ‖∇L_λ‖/‖θ‖ on a log axis and for
///                 classification the accuracy; with track_every also correlations_layer<i>.svg
///                 (correlations against epoch, the paper's Figure 8)
///   analysis/     written by analyze_run: report.json, layer<i>/<NAME>.npy, layer<i>/heatmaps.svg (each
///                 panel on its own colour scale) and, for image data (digits 8×8, 784 features 28×28),
///                 layer0/diagonals.svg: diag(WᵀW), diag(FACT), diag(AGOP^½) as images
/// ~~~
/// Every directory is built under a temporary name and renamed into place when complete.
#pragma once

#include <cstdint>
#include <string>

#include "fact/analysis.hpp"
#include "nn/init.hpp"
#include "nn/train.hpp"

namespace fact {

/// The settings of `fact train`: data, architecture, initialisation and training.
struct RunConfig {
    std::string data = "digits";       ///< the dataset string (data/spec.hpp)
    std::uint64_t seed = 0;            ///< data generation, split, initialisation, shuffling
    std::string dtype = "f64";         ///< f32 | f64
    std::string out;                   ///< the run directory (must not exist yet)
    double test_frac = 0.0;            ///< held-out fraction when the dataset has no split of its own
    std::vector<std::size_t> hidden = {256, 256, 256};  ///< hidden widths
    nn::Activation activation = nn::Activation::relu;   ///< σ
    bool bias = true;                  ///< biases on every layer
    nn::InitConfig init;               ///< the initialiser
    nn::TrainConfig train;             ///< optimizer, λ, epochs, tolerance, ...
    std::size_t track_every = 0;       ///< epochs between FACT/NFA correlation snapshots (0: none)
    bool until_converged = false;      ///< train.epochs is only a safety cap of "train until the tolerance"
                                       ///< (`--tol` without `--epochs`); recorded in run.json
};

/// What train_run produced.
struct RunOutcome {
    nn::TrainResult result;            ///< the training outcome
    std::string dir;                   ///< the run directory written
};

/// Load the data, build and train the model, and write the run directory.
/// \throws nn::ConfigError for an empty or existing out, an unknown dtype, track_every without λ > 0, or
///         a bad training option; data::DataError for data that cannot be loaded.
RunOutcome train_run(const RunConfig& config);

/// The settings of `fact analyze`: a run directory, or a checkpoint with its data and λ.
struct AnalyzeConfig {
    std::string run;                   ///< a run directory (its model/, run.json, data and λ), or:
    std::string model;                 ///< a checkpoint directory ...
    std::string data;                  ///< ... with the dataset string ...
    double weight_decay = 0;           ///< ... and the λ it was trained with
    std::uint64_t seed = 0;            ///< data generation and split with --model (a run directory records its own)
    std::string out;                   ///< where analysis/ goes (default: the run directory)
    bool agop = true;                  ///< compute the AGOP (c backward passes per chunk)
};

/// Analyse every layer on the training data and write analysis/ (report.json, the matrices as .npy,
/// heatmaps.svg, diagonals.svg for image data). Returns the analysis; `table` gets the per-layer table for stdout.
/// \throws nn::ConfigError for a run directory whose run.json cannot be read, neither a run nor a model
///         with data and λ > 0; nn::CheckpointError for a bad checkpoint; data::DataError for the data.
Analysis analyze_run(const AnalyzeConfig& config, std::string& table);

/// The per-layer table: Pearson of WᵀW with FACT, (FACT FACTᵀ)^½, AGOP^½, AGOP, the eNFA stand-in, and
/// relerr of FACT and bFACT; with a header line giving λ, ‖∇L_λ‖/‖θ‖ and whether FACT is expected exact, and
/// footnotes: relerr is the layer's convergence diagnostic (docs/MATH.md §2.2), and the last layer's AGOP
/// columns (marked †) hold by construction (AGOP = WᵀW for a linear output layer, §3.3).
std::string format_table(const Analysis& a);

}  // namespace fact
