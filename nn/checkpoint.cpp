// Checkpoints on disk. model.json records what the .npy files mean; each parameter is written in the
// model's own dtype so that NumPy (np.load) and load_checkpoint read back the exact values, and optimizer
// buffers in float64. A checkpoint is built in DIR.tmp-<hex> and renamed into place, so a failure at any
// point leaves either the previous checkpoint or none, never half of one.
#include "nn/checkpoint.hpp"

#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "data/error.hpp"
#include "data/files.hpp"
#include "data/npy.hpp"
#include "nn/error.hpp"
#include "nn/output_dir.hpp"

namespace nn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* format_name = "fact-checkpoint";
constexpr const char* model_file = "model.json";
constexpr const char* optimizer_folder = "optimizer";

template <class T>
constexpr const char* dtype_name() {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "checkpoints hold float or double");
    return std::is_same_v<T, float> ? "float32" : "float64";
}

// A file name that stays inside its folder: no separators, not hidden, not "." or "..".
bool is_plain_file_name(const std::string& name) {
    return !name.empty() && name.front() != '.' && name.find('/') == std::string::npos &&
           name.find('\\') == std::string::npos;
}

// Optimizer buffers are named "<buffer>/<parameter>" (exp_avg/layers.0.weight); on disk '/' becomes "__".
std::string buffer_file_name(const std::string& buffer) {
    std::string name;
    for (char c : buffer) {
        if (c == '/') name += "__";
        else name += c;
    }
    return name + ".npy";
}

// The previous checkpoint is deleted when it is replaced, so refuse anything that is not one: a user who
// mistypes DIR must not lose a folder of their own.
void check_replaceable(const fs::path& dir) {
    if (!fs::exists(fs::symlink_status(dir))) return;
    if (!fs::is_directory(fs::symlink_status(dir)))
        throw CheckpointError("exists and is not a directory; refusing to replace it");
    if (!fs::is_empty(dir) && !fs::exists(dir / model_file))
        throw CheckpointError(fmt::format("exists and is not a checkpoint (no {}); refusing to replace it",
                                          model_file));
}

json architecture_json(const MLPConfig& c) {
    return {{"input", c.input},
            {"hidden", c.hidden},
            {"output", c.output},
            {"activation", to_string(c.activation)},
            {"bias", c.bias}};
}

// Write the checkpoint files into the (empty) folder tmp.
template <class T>
void write_contents(const fs::path& tmp, const MLP<T>& model, const OptimizerState& state, const json& extra) {
    json parameters = json::object();
    for (const std::string& name : model.parameter_names()) {
        if (!is_plain_file_name(name))
            throw CheckpointError(fmt::format("parameter name '{}' cannot be a file name", name));
        const ad::Tensor<T>& value = model.get(name);
        parameters[name] = {value.shape(0), value.shape(1)};
        data::write_file((tmp / (name + ".npy")).string(), data::npy_bytes(value));
    }

    json buffers = json::object();   // buffer name -> file name under optimizer/
    if (!state.empty()) fs::create_directory(tmp / optimizer_folder);
    for (const auto& [name, value] : state) {
        const std::string file = buffer_file_name(name);
        if (!is_plain_file_name(file))
            throw CheckpointError(fmt::format("optimizer buffer name '{}' cannot be a file name", name));
        for (const auto& [other, other_file] : buffers.items())
            if (other_file == file)
                throw CheckpointError(fmt::format("optimizer buffers '{}' and '{}' both map to the file {}", other,
                                                  name, file));
        buffers[name] = file;
        data::write_file((tmp / optimizer_folder / file).string(), data::npy_bytes(value));
    }

    const json j = {{"format", format_name},
                    {"version", checkpoint_version},
                    {"dtype", dtype_name<T>()},
                    {"architecture", architecture_json(model.config())},
                    {"parameters", std::move(parameters)},
                    {"optimizer", std::move(buffers)},
                    {"config", extra}};
    data::write_file((tmp / model_file).string(), j.dump(2) + "\n");
}

// ------------------------------------------------------------------------------------------------ reading

const json& member(const json& object, const char* key, const std::string& where) {
    const auto it = object.find(key);
    if (it == object.end()) throw CheckpointError(fmt::format("{}: lacks the field \"{}\"", where, key));
    return *it;
}

std::size_t width(const json& v, const std::string& where, const std::string& field) {
    if (!v.is_number_unsigned())
        throw CheckpointError(fmt::format("{}: architecture.{} is {}, expected a non-negative integer", where, field,
                                          v.dump()));
    return v.get<std::size_t>();
}

MLPConfig config_from_json(const json& j, const std::string& where) {
    const json& a = member(j, "architecture", where);
    if (!a.is_object()) throw CheckpointError(fmt::format("{}: architecture is {}, expected an object", where, a.dump()));
    MLPConfig c;
    c.input = width(member(a, "input", where), where, "input");
    const json& hidden = member(a, "hidden", where);
    if (!hidden.is_array())
        throw CheckpointError(fmt::format("{}: architecture.hidden is {}, expected an array", where, hidden.dump()));
    for (const json& h : hidden) c.hidden.push_back(width(h, where, "hidden"));
    c.output = width(member(a, "output", where), where, "output");
    const json& activation = member(a, "activation", where);
    if (!activation.is_string())
        throw CheckpointError(fmt::format("{}: architecture.activation is {}, expected a string", where,
                                          activation.dump()));
    try {
        c.activation = parse_activation(activation.get<std::string>());
    } catch (const std::exception& e) {
        throw CheckpointError(fmt::format("{}: architecture.activation: {}", where, e.what()));
    }
    const json& bias = member(a, "bias", where);
    if (!bias.is_boolean())
        throw CheckpointError(fmt::format("{}: architecture.bias is {}, expected true or false", where, bias.dump()));
    c.bias = bias.get<bool>();
    return c;
}

std::string dtype_from_json(const json& j, const std::string& where) {
    const json& dtype = member(j, "dtype", where);
    if (dtype != "float32" && dtype != "float64")
        throw CheckpointError(fmt::format("{}: dtype is {}, expected \"float32\" or \"float64\"", where, dtype.dump()));
    return dtype.get<std::string>();
}

std::string model_json_path(const std::string& dir) { return (fs::path(dir) / model_file).string(); }

void check_architecture(const MLPConfig& stored, const MLPConfig& model, const std::string& where) {
    const auto differ = [&](const char* field, const std::string& s, const std::string& m) {
        throw CheckpointError(fmt::format("{}: architecture.{} differs: the checkpoint has {}, the model has {}", where,
                                          field, s, m));
    };
    if (stored.input != model.input) differ("input", std::to_string(stored.input), std::to_string(model.input));
    if (stored.hidden != model.hidden)
        differ("hidden", fmt::format("[{}]", fmt::join(stored.hidden, ", ")),
               fmt::format("[{}]", fmt::join(model.hidden, ", ")));
    if (stored.output != model.output) differ("output", std::to_string(stored.output), std::to_string(model.output));
    if (stored.activation != model.activation)
        differ("activation", to_string(stored.activation), to_string(model.activation));
    if (stored.bias != model.bias) differ("bias", stored.bias ? "true" : "false", model.bias ? "true" : "false");
}

// A .npy file as doubles; DataError (which names the file) becomes CheckpointError naming what it holds.
data::Matrix load_matrix(const fs::path& file, const std::string& what) {
    if (!fs::exists(file)) throw CheckpointError(fmt::format("{}: missing ({})", file.string(), what));
    try {
        return data::load_npy_matrix(file.string());
    } catch (const data::DataError& e) {
        // The reader's messages begin with the file name; make sure of it rather than repeat it.
        const std::string message = e.what();
        if (message.find(file.string()) == std::string::npos)
            throw CheckpointError(fmt::format("load_checkpoint: {} ({}): {}", file.string(), what, message));
        throw CheckpointError(fmt::format("load_checkpoint: {}: {}", what, message));
    }
}

// The first NaN or infinity of m, as "FILE: entry (i,j) is nan", or "" if every entry is finite. A checkpoint
// holds the parameters of a model that trained without diverging (nn/train.hpp restores finite ones), so a
// non-finite value means a damaged or foreign file, which would poison every result computed from it.
std::string non_finite_entry(const data::Matrix& m, const fs::path& file) {
    for (std::size_t i = 0; i < m.shape(0); ++i)
        for (std::size_t j = 0; j < m.shape(1); ++j)
            if (!std::isfinite(m(i, j)))
                return fmt::format("{}: entry ({},{}) is {}; a checkpoint holds finite values only", file.string(), i, j,
                                   m(i, j));
    return "";
}

// parameters.<name> of model.json: [rows, cols], which must be the shape of the .npy file.
void check_listed_shape(const json& listed, const std::string& name, const data::Matrix& m, const fs::path& file,
                        const std::string& where) {
    const json& shape = listed.at(name);
    const bool ok = shape.is_array() && shape.size() == 2 && shape[0].is_number_unsigned() &&
                    shape[1].is_number_unsigned();
    if (!ok)
        throw CheckpointError(fmt::format("{}: \"parameters\".{} is {}, expected [rows, cols]", where, name,
                                          shape.dump()));
    if (shape[0].get<std::size_t>() != m.shape(0) || shape[1].get<std::size_t>() != m.shape(1))
        throw CheckpointError(fmt::format("{}: \"parameters\".{} lists the shape {}, but {} holds {}", where, name,
                                          shape.dump(), file.string(), ad::shape_str(m.shape(0), m.shape(1))));
}

}  // namespace

// ------------------------------------------------------------------------------------------------ public

template <class T>
void save_checkpoint(const std::string& dir, const MLP<T>& model, const OptimizerState& state, const json& extra) {
    if (dir.empty()) throw CheckpointError("save_checkpoint: empty directory name");
    const fs::path target = normalize_output_path(dir);
    try {
        // A checkpoint goes into an existing folder: a mistyped path is an error, not a new tree of folders.
        const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
        if (!fs::is_directory(parent)) throw CheckpointError(fmt::format("the folder '{}' does not exist", parent.string()));
        check_replaceable(target);
        OutputDir out(target.string(), Existing::replace);   // DIR.tmp-<hex>, removed unless committed
        write_contents(out.path(), model, state, extra);
        out.commit();
    } catch (const std::exception& e) {
        throw CheckpointError(fmt::format("save_checkpoint: {}: {}", target.string(), e.what()));
    }
}

json checkpoint_json(const std::string& dir) {
    const std::string path = model_json_path(dir);
    if (!fs::exists(path))
        throw CheckpointError(fmt::format("{}: missing (is {} a checkpoint directory?)", path, dir));
    std::string text;
    try {
        text = data::read_file(path);
    } catch (const data::DataError& e) {
        throw CheckpointError(e.what());   // names the file
    }
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw CheckpointError(fmt::format("{}: invalid JSON: {}", path, e.what()));
    }
    if (!j.is_object()) throw CheckpointError(fmt::format("{}: expected a JSON object, found {}", path, j.type_name()));
    const json& format = member(j, "format", path);
    if (format != format_name)
        throw CheckpointError(fmt::format("{}: format is {}, expected \"{}\"", path, format.dump(), format_name));
    const json& version = member(j, "version", path);
    if (version != checkpoint_version)
        throw CheckpointError(fmt::format("{}: checkpoint version {}, expected {} (written by another version of this "
                                          "program?)",
                                          path, version.dump(), checkpoint_version));
    return j;
}

MLPConfig checkpoint_config(const std::string& dir) { return config_from_json(checkpoint_json(dir), model_json_path(dir)); }

std::string checkpoint_dtype(const std::string& dir) { return dtype_from_json(checkpoint_json(dir), model_json_path(dir)); }

namespace {

template <class T>
void load_checkpoint_checked(const std::string& dir, MLP<T>& model, OptimizerState* state) {
    const std::string where = model_json_path(dir);
    const json j = checkpoint_json(dir);
    const std::string dtype = dtype_from_json(j, where);
    if (dtype != dtype_name<T>())
        throw CheckpointError(fmt::format("{}: the checkpoint holds {} parameters but the model is {}", where, dtype,
                                          dtype_name<T>()));
    check_architecture(config_from_json(j, where), model.config(), where);

    const json& listed = member(j, "parameters", where);
    const std::vector<std::string> names = model.parameter_names();
    if (!listed.is_object() || listed.size() != names.size())
        throw CheckpointError(fmt::format("{}: \"parameters\" lists {}, expected the model's {} parameters", where,
                                          listed.dump(), names.size()));

    // Read everything before changing anything, so that a bad file leaves the model as it was.
    std::vector<ad::Tensor<T>> values;
    for (const std::string& name : names) {
        if (!listed.contains(name)) throw CheckpointError(fmt::format("{}: \"parameters\" lacks {}", where, name));
        const fs::path file = fs::path(dir) / (name + ".npy");
        const data::Matrix m = load_matrix(file, "parameter " + name);
        if (const std::string bad = non_finite_entry(m, file); !bad.empty()) throw CheckpointError(bad);
        const ad::Tensor<T>& current = model.get(name);
        if (m.shape(0) != current.shape(0) || m.shape(1) != current.shape(1))
            throw CheckpointError(fmt::format("{}: shape {}, but the model's {} is {}", file.string(),
                                              ad::shape_str(m.shape(0), m.shape(1)), name, ad::shape_str(current)));
        check_listed_shape(listed, name, m, file, where);
        // Exact: every float is a double, and the .npy holds the model's own dtype.
        ad::Tensor<T> value = ad::Tensor<T>::from_shape({m.shape(0), m.shape(1)});
        for (std::size_t i = 0; i < m.size(); ++i) value.data()[i] = static_cast<T>(m.data()[i]);
        values.push_back(std::move(value));
    }

    OptimizerState buffers;
    if (state != nullptr && j.contains("optimizer")) {
        const json& files = j.at("optimizer");
        if (!files.is_object())
            throw CheckpointError(fmt::format("{}: \"optimizer\" is {}, expected an object of buffer name: file name",
                                              where, files.dump()));
        for (auto it = files.begin(); it != files.end(); ++it) {
            const std::string& name = it.key();
            const json& file = it.value();
            if (!file.is_string() || !is_plain_file_name(file.get<std::string>()))
                throw CheckpointError(fmt::format("{}: optimizer buffer {} has the file name {}, expected a plain "
                                                  "file name under {}/",
                                                  where, name, file.dump(), optimizer_folder));
            const fs::path path = fs::path(dir) / optimizer_folder / file.get<std::string>();
            buffers[name] = load_matrix(path, "optimizer buffer " + name);
            if (const std::string bad = non_finite_entry(buffers[name], path); !bad.empty()) throw CheckpointError(bad);
        }
    }

    for (std::size_t i = 0; i < names.size(); ++i) model.set(names[i], values[i]);
    if (state != nullptr) *state = std::move(buffers);
}

}  // namespace

template <class T>
void load_checkpoint(const std::string& dir, MLP<T>& model, OptimizerState* state) {
    try {
        load_checkpoint_checked(dir, model, state);
    } catch (const json::exception& e) {
        // A field of an unexpected type that no check above caught: still one line naming the file.
        throw CheckpointError(fmt::format("{}: unexpected content: {}", model_json_path(dir), e.what()));
    }
}

namespace {
constexpr const char* kept_prefix = "kept/";   // the kept parameters among a training checkpoint's buffers
}  // namespace

template <class T>
void save_train_checkpoint(const std::string& dir, const MLP<T>& model, const TrainState& state, const json& extra) {
    OptimizerState buffers = state.optimizer;
    for (const auto& [name, value] : state.kept) buffers.emplace(kept_prefix + name, value);
    save_checkpoint(dir, model, buffers, json{{"train_state", to_json(state)}, {"extra", extra}});
}

template <class T>
TrainState load_train_checkpoint(const std::string& dir, MLP<T>& model, json* extra) {
    const std::string where = model_json_path(dir);
    const json j = checkpoint_json(dir);
    const json& config = member(j, "config", where);
    if (!config.is_object() || !config.contains("train_state"))
        throw CheckpointError(fmt::format("{}: lacks the field \"config.train_state\" (a checkpoint of a finished "
                                          "model, not of a training in progress)", where));
    TrainState state = train_state_from_json(config.at("train_state"), where + ": config.train_state");
    OptimizerState buffers;
    load_checkpoint(dir, model, &buffers);
    const std::string prefix = kept_prefix;
    for (auto& [name, value] : buffers) {
        if (name.compare(0, prefix.size(), prefix) == 0) state.kept.emplace(name.substr(prefix.size()), std::move(value));
        else state.optimizer.emplace(name, std::move(value));
    }
    if (extra != nullptr) *extra = config.value("extra", json::object());
    return state;
}

template void save_train_checkpoint<float>(const std::string&, const MLP<float>&, const TrainState&, const json&);
template void save_train_checkpoint<double>(const std::string&, const MLP<double>&, const TrainState&, const json&);
template TrainState load_train_checkpoint<float>(const std::string&, MLP<float>&, json*);
template TrainState load_train_checkpoint<double>(const std::string&, MLP<double>&, json*);

template void save_checkpoint<float>(const std::string&, const MLP<float>&, const OptimizerState&, const json&);
template void save_checkpoint<double>(const std::string&, const MLP<double>&, const OptimizerState&, const json&);
template void load_checkpoint<float>(const std::string&, MLP<float>&, OptimizerState*);
template void load_checkpoint<double>(const std::string&, MLP<double>&, OptimizerState*);

}  // namespace nn
