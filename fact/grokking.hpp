/// \file
/// Experiment E5 (docs/MATH.md §6): grokking of modular arithmetic by Recursive Feature Machines.
/// (a op b) mod p with input e_a ⊕ e_b ∈ R^{2p}, a random half of the p² pairs for training; Gaussian kernel,
/// L = 2.5, ridge 0 (Mallinar et al.'s setup), 75 iterations, NFA-RFM and FACT-RFM side by side. Per
/// iteration: train/test accuracy and loss, the circulant deviation of M's off-diagonal block and the
/// alignment of M_t with the final M (the progress measures of docs/MATH.md §6).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/generators.hpp"
#include "fact/kernel/rfm.hpp"
#include "fact/rfm_checkpoint.hpp"

namespace fact {

/// D(C) for C = M[0:p, p:2p]: Σ_r Σ_{(a,b): class(a,b) = r} (C[a,b] − mean of class r)² / ‖C‖²_F
/// (docs/MATH.md §6). 0 for a perfectly structured block; NaN when C = 0. The classes are those the
/// learned block is measured to be constant on: (a − b) mod p for addition, (a + b) mod p for subtraction
/// (measured: on (a + b) mod 61 NFA-RFM's final C gives D = 0.014 with (a − b) and 0.9998 with (a + b);
/// docs/MATH.md §6 derives it from the Fourier features), a·b⁻¹ for multiplication and a·b for division (a, b ≠ 0; the zero row and column
/// are left out). Throws ad::ShapeError unless M is (2p, 2p).
double circulant_deviation(const Matrix& M, std::size_t p, data::ModOp op);

/// The machine of E5 (Mallinar et al.'s setup): Gaussian kernel L = 2.5, ridge 0, 75 iterations, the nfa
/// update's gradients centred (docs/MATH.md §5), each update's default normalisation.
RfmConfig grokking_machine();

/// The settings of E5 (defaults: Mallinar et al.'s setup).
struct GrokkingConfig {
    std::size_t p = 61;                                ///< the modulus
    data::ModOp op = data::ModOp::add;                 ///< the operation
    double frac = 0.5;                                 ///< training fraction of the pairs
    std::vector<RfmUpdate> updates = {RfmUpdate::nfa, RfmUpdate::fact};  ///< run side by side
    RfmConfig rfm = grokking_machine();                ///< the machine; its update is each of `updates` in turn
    std::vector<std::size_t> snapshots = {0, 5, 10, 15, 20, 30, 50, 75};   ///< heatmaps of M at these iterations
    std::uint64_t seed = 0;                            ///< the split of the pairs
    std::string out;                                   ///< `out/<update>/...`, summary.json, curves.svg
    bool quiet = false;                                ///< no progress on stderr
};

/// One update's run of E5.
struct GrokkingRun {
    RfmUpdate update = RfmUpdate::nfa;                  ///< the update
    Normalization normalize = Normalization::none;      ///< the normalisation it ran with
    RfmResult result;                                   ///< with the matrices M_0 .. M_T
    ///@{
    std::vector<double> circ_dev, alignment;            ///< per iteration
    ///@}
    std::size_t first_perfect = 0;                      ///< first iteration with test accuracy 1 (npos: never)
    std::size_t first_above_half = 0;                   ///< first iteration with test accuracy ≥ 0.5 (npos: never)
};

/// The outcome of grokking_experiment.
struct GrokkingResult {
    std::vector<GrokkingRun> runs;                      ///< in the order of GrokkingConfig::updates
    std::string table;                                  ///< markdown, one row per update
};

/// Run every update of config.updates on the same split and write config.out (if not empty):
///   `<update>/history.csv` (with circ_dev, alignment), `<update>/M.npy`, `<update>/heatmaps.svg` (M at the
///   snapshot iterations), curves.svg (test accuracy of every update), loss.svg, progress.svg (D and ρ),
///   summary.json.
/// While it works, the temporary directory `<out>.tmp-XXXXXXXX` holds config.json, progress.json and
/// checkpoint/<update>/ (fact::RfmRuns): a killed run is finished by grokking_resume.
/// Cost: per update T RFM iterations on p²·frac training rows (see run_rfm).
/// \throws nn::ConfigError for an existing out or no update; ad::ValueError from the kernel machine.
GrokkingResult grokking_experiment(const GrokkingConfig& config, const ExperimentHooks& hooks = {});

/// Finish the interrupted grokking_experiment of out (`fact experiment grokking --resume OUT`) with the
/// settings it was started with: the updates that finished are read back, the interrupted one continues from
/// its last iteration; the outputs are bitwise those of an uninterrupted run (but the seconds column).
/// \throws nn::ConfigError with the refusals of fact::resumable_leftover, or for a bad config.json.
GrokkingResult grokking_resume(const std::string& out, const ExperimentHooks& hooks = {});

/// Every field of config as JSON (config.json): the exact inverse of grokking_config_from_json.
nlohmann::json to_json(const GrokkingConfig& config);
/// A GrokkingConfig from to_json's JSON. \throws nn::ConfigError naming `where` and the field.
GrokkingConfig grokking_config_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace fact
