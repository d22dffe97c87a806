/// \file
/// RFM runs kept on disk while they work, so that a killed run loses at most one iteration: the checkpoint
/// of one run (what fact::run_rfm needs to continue it exactly, fact/kernel/rfm.hpp), the result of a
/// finished one, and fact::RfmRuns, which runs the RFM runs of an experiment (grokking, parity, tau) inside
/// its temporary directory so that `fact experiment ... --resume OUT` skips the finished runs and continues
/// the interrupted one from its last iteration, bitwise as if never interrupted.
///
/// A run's folder (state.json, M.npy, best_M.npy when there is one, M_<t>.npy with keep_matrices, alpha.npy
/// when finished) is written atomically, under a temporary name and renamed into place
/// (nn::Existing::replace), so a kill leaves either the previous folder or the new one.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "fact/kernel/rfm.hpp"
#include "nn/output_dir.hpp"

namespace fact {

/// Write st into the folder dir (replacing an older one atomically): state.json
/// ({"next_iter", "m_change", "best_iter", "best_metric", "matrices", "has_best_M", "history"}), M.npy,
/// best_M.npy, M_<t>.npy.
void save_rfm_checkpoint(const std::filesystem::path& dir, const RfmState& st);
/// The state save_rfm_checkpoint wrote. \throws nn::ConfigError naming the file and field of a bad state.json;
/// data::DataError for a bad .npy.
RfmState load_rfm_checkpoint(const std::filesystem::path& dir);

/// Write a finished run into the folder dir like a checkpoint, with "finished": true, its "stopped" and
/// alpha.npy; load_rfm_result reads it back exactly.
void save_rfm_result(const std::filesystem::path& dir, const RfmResult& result);
/// The result save_rfm_result wrote. \throws as load_rfm_checkpoint.
RfmResult load_rfm_result(const std::filesystem::path& dir);
/// Whether the folder dir holds a finished run (save_rfm_result) rather than a checkpoint.
bool is_finished_rfm(const std::filesystem::path& dir);

/// progress.json in tmp: {"iter", "iters", "train_loss", "test_loss", "train_acc", "test_acc", "seconds"}
/// (and "run": the run's name, when not empty), rewritten atomically after every iteration.
void write_rfm_progress(const std::filesystem::path& tmp, const RfmIteration& row, std::size_t iters,
                        double seconds, const std::string& run = "");

/// Hooks of the experiments' runs, for tests.
struct ExperimentHooks {
    /// Called after every checkpoint with the run's name, the iteration just finished and the temporary
    /// directory; a test throws from it (or raises SIGKILL) to simulate a crash.
    std::function<void(const std::string& run, std::size_t iter, const std::filesystem::path& tmp)> after_iteration;
};

/// The RFM runs of one experiment, each kept in `<tmp>/checkpoint/<name>/`: after every iteration followed by
/// another (its checkpoint) and when it ends (its result). The first checkpoint makes the temporary directory
/// outlive a crash or an interrupt (nn::OutputDir::keep_on_failure), for the experiment's --resume.
class RfmRuns {
public:
    /// out: the experiment's directory under construction, or null to keep nothing (a library call without
    /// an output directory). experiment names the runs' lines on stderr ("grokking").
    RfmRuns(nn::OutputDir* out, std::string experiment, bool quiet, ExperimentHooks hooks = {});

    /// run_rfm(config, data) as the run `name` (letters, digits, '-' and '_'): the kept result if the run
    /// finished before, else continued from its checkpoint if it has one, else from M₀ = I. The result is the
    /// same, bit for bit, in all three cases (but the seconds of the iterations run again).
    RfmResult run(const std::string& name, const RfmConfig& config, const RfmData& data);

private:
    nn::OutputDir* out_;
    std::string experiment_;
    bool quiet_;
    ExperimentHooks hooks_;
};

}  // namespace fact
