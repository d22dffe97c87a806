/// \file
/// `fact rfm` as a library function: load a dataset string, run the Recursive Feature Machine of
/// fact/kernel/rfm.hpp and write a run directory (built under a temporary name, renamed when complete):
/// ~~~{.unparsed}
///   history.csv   iter,train_loss,test_loss,train_acc,test_acc,seconds,m_change,val_loss,val_acc,solve
///   M.npy         the final feature matrix (M_best.npy too when a validation split chose another iteration)
///   run.json      the configuration (with the normalisation actually used) and the outcome
///   curves.svg    accuracy (classification) or loss (regression) against iteration; loss.svg; M.svg
/// ~~~
/// While it works, the temporary directory `<out>.tmp-XXXXXXXX` also holds config.json (every field of
/// RfmRunConfig), progress.json ({"iter", "iters", "train_loss", "test_loss", "train_acc", "test_acc",
/// "seconds"}, rewritten atomically after every iteration) and checkpoint/ (after every iteration that is
/// followed by another, atomically: state.json with the history and the validation bookkeeping, M.npy,
/// best_M.npy, and M_<t>.npy with keep_matrices); all three are removed before the directory is renamed into
/// place. After the first checkpoint the directory survives a crash or an interrupt, and rfm_resume finishes it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "fact/kernel/rfm.hpp"

namespace fact {

/// The settings of `fact rfm`.
struct RfmRunConfig {
    std::string data = "lowrank:d=20,n=2000";   ///< the dataset string (data/spec.hpp)
    std::uint64_t seed = 0;                      ///< data generation and splits
    double test_frac = 0.2;                      ///< held out when the source has no split of its own
    double val_frac = 0.0;                       ///< taken from the training part; selects the best iteration
    bool row_normalize = false;                  ///< x ← x / ‖x‖ on every split
    RfmConfig rfm;                               ///< the machine (kernel, ridge, update, iterations)
    std::string out;                             ///< the run directory (must not exist yet)
};

/// What rfm_run produced.
struct RfmRunOutcome {
    RfmResult result;                            ///< the RFM run
    std::string dir;                             ///< the run directory written
    std::string summary;                         ///< one line per iteration, for stdout
};

/// Hooks of rfm_run and rfm_resume, for tests.
struct RfmRunHooks {
    /// Called after every iteration that is followed by another, once its checkpoint is written, with the
    /// temporary directory; a test throws from it to simulate a crash.
    std::function<void(std::size_t iter, const std::filesystem::path& tmp)> after_iteration;
};

/// Load the data, split it, run RFM and write the run directory.
/// \throws nn::ConfigError for an empty or existing out or fractions outside [0, 1); data::DataError for
///         data that cannot be loaded; ad::ValueError / ad::ShapeError from the kernel machine.
RfmRunOutcome rfm_run(const RfmRunConfig& config, const RfmRunHooks& hooks = {});

/// Finish the interrupted `fact rfm` run of out from its last checkpoint, bitwise identical to an
/// uninterrupted run (M, M_best, run.json, history.csv but its seconds column). Finds and adopts the temporary
/// directory as fact::resume_run does, with the same one-line refusals (fact/run.hpp).
/// \throws nn::ConfigError for the refusals or an unreadable config.json; data::DataError for the data.
RfmRunOutcome rfm_resume(const std::string& out, const RfmRunHooks& hooks = {});

/// One run of an experiment that runs several updates side by side on one machine: `machine` with its update
/// set to `update`, its matrices M_0 .. M_T kept, and `quiet`.
RfmConfig machine_for(RfmConfig machine, RfmUpdate update, bool quiet);

/// Every field of an RfmConfig as JSON (in the config.json of rfm and the kernel experiments): the exact
/// inverse of rfm_config_from_json.
nlohmann::json to_json(const RfmConfig& config);
/// An RfmConfig from to_json's JSON, found at `path` ("rfm.") of the file `where`.
/// \throws nn::ConfigError naming `where` and the field ("F: field \"rfm.ridge\" is ...").
RfmConfig rfm_config_from_json(const nlohmann::json& j, const std::string& where, const std::string& path = "");

/// Every field of config as JSON (config.json): the exact inverse of rfm_run_config_from_json.
nlohmann::json to_json(const RfmRunConfig& config);
/// An RfmRunConfig from to_json's JSON. \throws nn::ConfigError naming `where` and the field.
RfmRunConfig rfm_run_config_from_json(const nlohmann::json& j, const std::string& where);

/// The per-iteration table printed by `fact rfm` and the experiments.
std::string format_rfm_table(const std::vector<RfmIteration>& history);

/// SVG of heatmaps of feature matrices, titled by `titles`, each on its own colour scale (its largest
/// |entry|; ColourScale::per_panel), or, with off_diagonal_scale, divided by its largest off-diagonal |entry|
/// and clipped to [−1, 1] (the diagonal would otherwise hide the structure between coordinates, e.g. the
/// circulant blocks of modular arithmetic). `caption`: lines under the panels (what rows and columns are).
std::string feature_matrix_heatmaps(const std::vector<Matrix>& matrices, const std::vector<std::string>& titles,
                                    const std::string& title, bool off_diagonal_scale = false,
                                    const std::string& caption = "");

}  // namespace fact
