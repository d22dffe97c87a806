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
///
/// While train_run works, its temporary directory `<out>.tmp-XXXXXXXX` (nn/output_dir.hpp) also holds
/// ~~~{.unparsed}
///   config.json     the whole RunConfig (every field, to_json(const RunConfig&)), written at the start
///   progress.json   {"epoch", "epochs", "loss", "objective", "grad_ratio" (null when not computed),
///                   "seconds" (elapsed, over every resumption), "checkpoint_epoch" (null before the first)},
///                   rewritten atomically after an evaluated epoch at most once a second, and at every checkpoint
///   checkpoint/     with checkpoint_every = K > 0, after every K-th epoch (L-BFGS: iteration), atomically: the
///                   model, the optimizer's buffers and step count, the divergence rules' state, the history so
///                   far and the tracked correlations (nn::save_train_checkpoint)
/// ~~~
/// These three are removed before the directory is renamed into place, so a finished run has the same
/// files with or without checkpoints. Once a checkpoint exists, the temporary directory survives a crash,
/// an exception and SIGINT/SIGTERM/SIGHUP (nn::OutputDir::keep_on_failure), and resume_run finishes it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "fact/analysis.hpp"
#include "nn/error.hpp"
#include "nn/init.hpp"
#include "nn/output_dir.hpp"
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
    std::size_t checkpoint_every = 0;  ///< epochs (L-BFGS: iterations) between checkpoints in the temporary
                                       ///< directory, for resume_run (0: none, the default: a checkpoint costs
                                       ///< writing the model twice, worth it for runs of minutes, not seconds)
    double checkpoint_seconds = 0;     ///< also a checkpoint at the first epoch this many seconds after the last
                                       ///< one (0: none; `fact train` uses 60 unless --checkpoint-every is given)
};

/// Hooks of train_run and resume_run, for tests.
struct RunHooks {
    /// Called after every epoch (L-BFGS: iteration), after the other observers and before the checkpoint of
    /// that epoch (if any), with the run's temporary directory; a test throws from it to simulate a crash.
    std::function<void(std::size_t epoch, const std::filesystem::path& tmp)> after_epoch;
};

/// What train_run produced.
struct RunOutcome {
    nn::TrainResult result;            ///< the training outcome
    std::string dir;                   ///< the run directory written
};

/// Load the data, build and train the model, and write the run directory.
/// \throws nn::ConfigError for an empty or existing out, an unknown dtype, track_every without λ > 0, or
///         a bad training option; data::DataError for data that cannot be loaded.
RunOutcome train_run(const RunConfig& config, const RunHooks& hooks = {});

/// Finish the interrupted run of `out`: find its temporary directory `<out>.tmp-XXXXXXXX` left by a process
/// that no longer runs, take it over (nn::OutputDir's adopting constructor), read its config.json, load its
/// checkpoint and train on from there into `out`, with the same files as an uninterrupted run. For SGD,
/// Adam and AdamW the result is bitwise identical to an uninterrupted run with the same configuration:
/// every parameter, run.json and history.csv except its seconds column (wall time). L-BFGS resumes with an
/// empty memory and is not bitwise (nn::TrainHooks). If resuming fails, the directory is left for another
/// attempt. Refuses, in one line (nn::ConfigError):
///   "resume: 'OUT' already exists: the run finished; nothing to resume"
///   "resume: no interrupted run of 'OUT' (no temporary directory 'OUT.tmp-XXXXXXXX' beside it)"
///   "resume: 'OUT.tmp-…' is being written now by process P; it can be resumed only once that process has ended"
///   "resume: several interrupted runs of 'OUT': A, B; remove all but one (rm -r -- …)"
///   "resume: 'OUT.tmp-…' has no checkpoint yet (interrupted before its first one); start the run again
///    (remove it with rm -r -- …)"
///   "resume: 'OUT.tmp-…' holds a `fact rfm` run; resume it with `fact rfm --resume 'OUT'`" (and the converse)
/// \throws nn::ConfigError as above, or for a config.json that cannot be read (naming the file and the field);
///         nn::CheckpointError for a damaged checkpoint; data::DataError for the data.
RunOutcome resume_run(const std::string& out, const RunHooks& hooks = {});

/// Every field of config as JSON (config.json): the exact inverse of run_config_from_json.
nlohmann::json to_json(const RunConfig& config);
/// A RunConfig from to_json's JSON. \throws nn::ConfigError naming `where` and the field for a missing field
/// or one of the wrong type or value ("F: field \"train.lr\" is \"abc\", expected a number").
RunConfig run_config_from_json(const nlohmann::json& j, const std::string& where);

/// config.json in a run's temporary directory tmp: {"format": "fact-run-config", "command": command,
/// "config": config}, every setting the run was started with, for its --resume.
void write_run_config(const std::filesystem::path& tmp, const std::string& command, const nlohmann::json& config);
/// The "config" of the config.json in leftover; where is set to "<file>: config" for the error messages.
/// \throws nn::ConfigError for a file that cannot be read or parsed.
nlohmann::json read_run_config(const nn::Leftover& leftover, std::string& where);

/// v as JSON, or null when it is not finite (NaN, ±inf), which JSON cannot hold.
nlohmann::json json_number(double v);

/// The temporary directory of an interrupted `command` run ("train", "rfm", "experiment grokking", ...) of out, ready to adopt: the
/// only `<out>.tmp-*` beside it, owned by a process that has ended, with a config.json of that command
/// and a checkpoint. \throws nn::ConfigError with the one-line refusals listed at resume_run.
nn::Leftover resumable_leftover(const std::string& out, const std::string& command);

/// The checkpoint folder `name` inside an adopted temporary directory tmp: a replacement interrupted between
/// its two renames leaves only "<name>.old-*" (the previous checkpoint, complete), which is put back; a
/// half-written "<name>.tmp-*" is removed. Returns the checkpoint, or an empty path if there is none.
std::filesystem::path settle_checkpoint(const std::filesystem::path& tmp, const std::string& name);

/// Removes what a run keeps in its temporary directory only while it works (config.json, progress.json,
/// checkpoint/), before the directory is renamed into place.
void remove_working_files(const std::filesystem::path& tmp);

/// Start the run `command` of config c: create its output directory c.out (before any work, so an unusable
/// --out fails first), write config.json (to_json(c)), then return body(c, out), which fills and commits it.
template <class Config, class Body>
auto start_run(const Config& c, const std::string& command, Body body) {
    nn::OutputDir out(c.out, nn::Existing::refuse, command);
    write_run_config(out.path(), command, to_json(c));
    return body(c, out);
}

/// Resume the interrupted run `command` of out: adopt its temporary directory (resumable_leftover), read its
/// settings back with from_json(config, where), and return body(config, out), which continues from the
/// checkpoints in out and commits it. A failure leaves the work for another attempt.
template <class FromJson, class Body>
auto resume_interrupted(const std::string& out_arg, const std::string& command, FromJson from_json, Body body) {
    const nn::Leftover leftover = resumable_leftover(out_arg, command);
    std::string where;
    auto c = from_json(read_run_config(leftover, where), where);
    c.out = nn::normalize_output_path(out_arg).string();
    nn::OutputDir out(nn::AdoptLeftover{}, leftover, c.out, command + " resume");
    out.keep_on_failure();
    return body(c, out);
}

/// Reads a JSON object field by field; a missing field or one of the wrong type is one line naming the file
/// and the field's path: "runs/a/run.json: field \"train.weight_decay\" is \"abc\", expected a number".
class JsonFields {
public:
    /// The object j read from `file`; `path` prefixes the field names ("train.").
    JsonFields(const nlohmann::json& j, std::string file, std::string path = "");
    bool has(const std::string& key) const;                      ///< whether the field exists
    const nlohmann::json& at(const std::string& key) const;      ///< the field, which must exist
    double number(const std::string& key) const;                 ///< a number (null: NaN)
    double number(const std::string& key, double otherwise) const;  ///< a number, if present
    std::uint64_t count(const std::string& key) const;           ///< a whole number ≥ 0
    std::uint64_t count(const std::string& key, std::uint64_t otherwise) const;  ///< the same, if present
    bool boolean(const std::string& key) const;                  ///< true or false
    bool boolean(const std::string& key, bool otherwise) const;  ///< the same, if present
    std::string text(const std::string& key) const;              ///< a string
    std::string text(const std::string& key, const std::string& otherwise) const;  ///< the same, if present
    std::vector<std::size_t> counts(const std::string& key) const;  ///< an array of whole numbers ≥ 0
    std::vector<std::string> texts(const std::string& key) const;   ///< an array of strings
    JsonFields object(const std::string& key) const;             ///< a nested object
    /// parse(text(key)) (a name such as "gaussian" read by its parse function), whose exception becomes
    /// error(key, what it said).
    template <class Parse>
    auto parsed(const std::string& key, Parse parse) const -> decltype(parse(std::string())) {
        const std::string value = text(key);
        try {
            return parse(value);
        } catch (const std::exception& e) {
            throw error(key, e.what());
        }
    }
    /// parsed() for every string of the array field key.
    template <class Parse>
    auto parsed_list(const std::string& key, Parse parse) const -> std::vector<decltype(parse(std::string()))> {
        std::vector<decltype(parse(std::string()))> out;
        for (const std::string& value : texts(key)) {
            try {
                out.push_back(parse(value));
            } catch (const std::exception& e) {
                throw error(key, e.what());
            }
        }
        return out;
    }
    /// The error for field key: "FILE: field \"PATH.key\" is VALUE, expected WHAT" (or "lacks the field").
    nn::ConfigError error(const std::string& key, const std::string& expected) const;

private:
    const nlohmann::json& j_;
    std::string file_, path_;
};

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
