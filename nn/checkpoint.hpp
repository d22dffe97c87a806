/// \file
/// Checkpoints: a model (and optionally optimizer state) as a directory.
/// ~~~{.unparsed}
///   DIR/model.json                  format version, dtype, architecture, training config (free JSON)
///   DIR/<parameter name>.npy        one per parameter (layers.0.weight.npy ...), readable by NumPy
///   DIR/optimizer/<buffer>.npy      optimizer buffers, when given ('/' in a buffer name becomes "__";
///                                   model.json maps each buffer name to its file)
/// ~~~
/// Written to a temporary directory beside DIR and renamed into place, so a crash leaves no half checkpoint.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "nn/mlp.hpp"
#include "nn/optim.hpp"
#include "nn/train.hpp"

namespace nn {

inline constexpr int checkpoint_version = 1;  ///< the format version written to model.json and required on load

/// Save model (and state, if not empty) to dir, replacing a previous checkpoint there. `extra` is stored
/// under "config" in model.json (the training configuration, for the record).
/// \throws CheckpointError for an existing dir that is not a checkpoint, a parameter or buffer name that
///         cannot be a file name, or a write that fails (naming the file).
template <class T>
void save_checkpoint(const std::string& dir, const MLP<T>& model, const OptimizerState& state = {},
                     const nlohmann::json& extra = {});

/// The architecture stored in dir/model.json (to construct the model before loading).
/// \throws CheckpointError for a missing or malformed model.json, or another format version.
MLPConfig checkpoint_config(const std::string& dir);
/// "float32" or "float64".
std::string checkpoint_dtype(const std::string& dir);
/// The whole model.json.
nlohmann::json checkpoint_json(const std::string& dir);

/// Load parameters into model (built with checkpoint_config), and optimizer buffers into *state if
/// given. Throws CheckpointError naming the file for a missing file, a different format version, dtype
/// or architecture, or a parameter whose shape differs.
template <class T>
void load_checkpoint(const std::string& dir, MLP<T>& model, OptimizerState* state = nullptr);

/// Save a training checkpoint (to resume a run exactly, nn/train.hpp TrainHooks): a checkpoint as above
/// whose optimizer/ also holds, as buffers "kept/<parameter name>", the parameters kept for a divergence,
/// and whose model.json "config" is {"train_state": to_json(state), "extra": extra}. Atomic, as
/// save_checkpoint. \throws CheckpointError as save_checkpoint.
template <class T>
void save_train_checkpoint(const std::string& dir, const MLP<T>& model, const TrainState& state,
                           const nlohmann::json& extra = {});

/// Load a training checkpoint into model (built with checkpoint_config) and return its state; *extra gets
/// what save_train_checkpoint was given. \throws CheckpointError as load_checkpoint, or for a checkpoint
/// without a training state, naming the file and the field.
template <class T>
TrainState load_train_checkpoint(const std::string& dir, MLP<T>& model, nlohmann::json* extra = nullptr);

}  // namespace nn
