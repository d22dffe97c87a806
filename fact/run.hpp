// Runs on disk: what the `fact` program's commands do, as library functions (the program only parses
// flags). A run directory holds
//   model/        the checkpoint (nn/checkpoint.hpp)
//   history.csv   per evaluated epoch: loss, accuracies, ‖∇L_λ‖/‖θ‖; with track_every, per layer l the Pearson
//                 correlations of WᵀW with FACT, (FACT FACTᵀ)^½, AGOP^½ and AGOP (columns l<i>_fact, ...)
//   run.json      the configuration (data, architecture, training with its weight-decay convention), the
//                 outcome, and whether FACT is expected to hold exactly
//   curves.svg    losses against epoch; with track_every also correlations_layer<i>.svg (correlations
//                 against epoch, the paper's Figure 8)
//   analysis/     written by analyze_run: report.json, layer<i>/<NAME>.npy, heatmaps.svg
// Every directory is built under a temporary name and renamed into place when complete.
#pragma once

#include <cstdint>
#include <string>

#include "fact/analysis.hpp"
#include "nn/init.hpp"
#include "nn/train.hpp"

namespace fact {

struct RunConfig {
    std::string data = "digits";       // the dataset string (data/spec.hpp)
    std::uint64_t seed = 0;            // data generation, split, initialisation, shuffling
    std::string dtype = "f64";         // f32 | f64
    std::string out;                   // the run directory (must not exist yet)
    double test_frac = 0.0;            // held-out fraction when the dataset has no split of its own
    std::vector<std::size_t> hidden = {256, 256, 256};
    nn::Activation activation = nn::Activation::relu;
    bool bias = true;
    nn::InitConfig init;
    nn::TrainConfig train;
    std::size_t track_every = 0;       // epochs between FACT/NFA correlation snapshots (0: none)
};

struct RunOutcome {
    nn::TrainResult result;
    std::string dir;
};

/// Load the data, build and train the model, and write the run directory. Throws nn::ConfigError for a
/// bad option or an existing out directory, data::DataError for data that cannot be loaded.
RunOutcome train_run(const RunConfig& config);

struct AnalyzeConfig {
    std::string run;                   // a run directory (its model/, run.json, data and λ), or:
    std::string model;                 // a checkpoint directory ...
    std::string data;                  // ... with the dataset string ...
    double weight_decay = 0;           // ... and the λ it was trained with
    std::uint64_t seed = 0;
    std::string out;                   // where analysis/ goes (default: the run directory)
    bool agop = true;
};

/// Analyse every layer on the training data and write analysis/ (report.json, the matrices as .npy,
/// heatmaps.svg). Returns the analysis; `table` gets the per-layer table for stdout.
Analysis analyze_run(const AnalyzeConfig& config, std::string& table);

/// The per-layer table: Pearson of WᵀW with FACT, (FACT FACTᵀ)^½, AGOP^½, AGOP, the eNFA stand-in, and
/// relerr of FACT and bFACT; with a header line giving λ, ‖∇L_λ‖/‖θ‖ and whether FACT is expected exact.
std::string format_table(const Analysis& a);

}  // namespace fact
