// Checkpoints: a save/load round trip is bitwise exact for float and double models and their optimizer
// state; the .npy files carry the header bytes NumPy writes; a damaged or mismatched checkpoint gives a
// CheckpointError naming the file and the offending value; saving replaces a checkpoint whole and leaves
// nothing behind when it fails.
#define BOOST_TEST_MODULE nn_checkpoint
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include <boost/mpl/list.hpp>

#include "data/npy.hpp"
#include "nn/checkpoint.hpp"
#include "nn/error.hpp"
#include "nn/output_dir.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const nn::MLPConfig config{5, {7, 3}, 2, nn::Activation::tanh, true};

// Parameter names and shapes of `config`, written out by hand (W is (out, in), b is (1, out)).
const std::vector<std::pair<std::string, std::vector<std::size_t>>> expected_parameters = {
    {"layers.0.weight", {7, 5}}, {"layers.0.bias", {1, 7}},   {"layers.1.weight", {3, 7}},
    {"layers.1.bias", {1, 3}},   {"layers.2.weight", {2, 3}}, {"layers.2.bias", {1, 2}},
};

// Seeded random values in every parameter; layers.0.weight also gets the values a lossy path would
// change: −0, the smallest subnormal, the most negative and the largest finite value, the smallest normal.
// (∞ and NaN are refused by load_checkpoint: see non_finite_parameters_are_refused.)
template <class T>
void fill(nn::MLP<T>& model, std::uint64_t seed) {
    for (const std::string& name : model.parameter_names()) {
        const ad::Tensor<T>& current = model.get(name);
        ad::Tensor<T> value = test::uniform<T>(current.shape(0), current.shape(1), seed++);
        if (name == "layers.0.weight") {
            using lim = std::numeric_limits<T>;
            value(0, 0) = T(-0.0);
            value(0, 1) = lim::denorm_min();
            value(0, 2) = lim::lowest();
            value(0, 3) = lim::max();
            value(0, 4) = -lim::min();
        }
        model.set(name, value);
    }
}

template <class T>
bool same_bytes(const ad::Tensor<T>& a, const ad::Tensor<T>& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

template <class T>
void require_same_parameters(const nn::MLP<T>& a, const nn::MLP<T>& b) {
    for (const std::string& name : a.parameter_names()) BOOST_TEST(same_bytes(a.get(name), b.get(name)), name);
}

// What an Adam optimizer's state() looks like: buffers named "<buffer>/<parameter>" plus "step".
nn::OptimizerState adam_like_state(std::uint64_t seed) {
    nn::OptimizerState s;
    for (const auto& [name, shape] : expected_parameters) {
        s["exp_avg/" + name] = test::uniform<double>(shape[0], shape[1], seed++);
        s["exp_avg_sq/" + name] = test::uniform<double>(shape[0], shape[1], seed++, 0.0, 1e-3);
    }
    s["step"] = ad::Tensor<double>{{17.0}};
    return s;
}

std::string read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << bytes;
}

std::set<std::string> listing(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

// The message of the CheckpointError that f throws (the test fails if it throws nothing or another type).
template <class F>
std::string checkpoint_error(F&& f) {
    try {
        f();
    } catch (const nn::CheckpointError& e) {
        return e.what();
    }
    BOOST_ERROR("expected nn::CheckpointError");
    return {};
}

void expect_mentions(const std::string& message, std::initializer_list<std::string> parts) {
    for (const std::string& part : parts)
        BOOST_TEST(message.find(part) != std::string::npos, "'" << part << "' not in: " << message);
}

// Decode the .npy file's little-endian data and compare it bitwise with t.
template <class T>
bool npy_data_equals(const std::string& bytes, std::size_t offset, const ad::Tensor<T>& t) {
    if (bytes.size() != offset + t.size() * sizeof(T)) return false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        std::uint64_t bits = 0;
        for (std::size_t k = 0; k < sizeof(T); ++k)
            bits |= std::uint64_t(static_cast<unsigned char>(bytes[offset + i * sizeof(T) + k])) << (8 * k);
        T stored;
        if constexpr (sizeof(T) == 4) {
            const std::uint32_t b32 = static_cast<std::uint32_t>(bits);
            std::memcpy(&stored, &b32, 4);
        } else {
            std::memcpy(&stored, &bits, 8);
        }
        if (std::memcmp(&stored, &t.data()[i], sizeof(T)) != 0) return false;
    }
    return true;
}

// The header NumPy writes for a small C-order 2-D array: magic, version 1.0, uint16 header length, the
// dict, spaces, '\n', 128 bytes in all. (NumPy ≥ 1.24 adds 20 spaces of room to grow the first axis, but
// for these shapes the padding to a multiple of 64 swallows them: 10 + 59 + 1 = 70 and 70 + 20 = 90 both
// round up to 128, so old and new NumPy write the same bytes.)
void check_npy_header(const std::string& bytes, const std::string& dict) {
    BOOST_TEST_REQUIRE(bytes.size() >= 128u);
    BOOST_TEST(bytes.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) == 0);
    const std::size_t header_len =
        std::size_t(static_cast<unsigned char>(bytes[8])) | std::size_t(static_cast<unsigned char>(bytes[9])) << 8;
    BOOST_TEST(header_len == 118u);
    BOOST_TEST((10 + header_len) % 64 == 0u);
    const std::string text = bytes.substr(10, header_len);
    BOOST_TEST(text.compare(0, dict.size(), dict) == 0, "header: " << text);
    BOOST_TEST(text.back() == '\n');
    BOOST_TEST(text.find_first_not_of(' ', dict.size()) == header_len - 1);
}

using dtypes = boost::mpl::list<float, double>;

}  // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(round_trip_is_bitwise_exact, T, dtypes) {
    test::TempDir s("fact_test_checkpoint");
    nn::MLP<T> model(config);
    fill(model, 1);
    const nn::OptimizerState state = adam_like_state(100);
    nn::save_checkpoint(s.file("ckpt"), model, state, json{{"lr", 0.01}});

    nn::MLP<T> loaded(nn::checkpoint_config(s.file("ckpt")));
    fill(loaded, 50);   // different values, so that a parameter load_checkpoint skips would show
    nn::OptimizerState loaded_state;
    nn::load_checkpoint(s.file("ckpt"), loaded, &loaded_state);

    require_same_parameters(model, loaded);
    BOOST_TEST(loaded_state.size() == state.size());
    for (const auto& [name, value] : state) {
        BOOST_TEST_REQUIRE(loaded_state.count(name) == 1u, name);
        BOOST_TEST(same_bytes(loaded_state.at(name), value), name);
    }

    // Without a state pointer the buffers are simply not read.
    nn::MLP<T> again(config);
    nn::load_checkpoint(s.file("ckpt"), again);
    require_same_parameters(model, again);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(npy_files_are_what_numpy_writes, T, dtypes) {
    test::TempDir s("fact_test_checkpoint");
    nn::MLP<T> model(config);
    fill(model, 7);
    nn::save_checkpoint(s.file("ckpt"), model, adam_like_state(3));
    const std::string descr = sizeof(T) == 4 ? "'<f4'" : "'<f8'";

    for (const auto& [name, shape] : expected_parameters) {
        const std::string bytes = read_bytes(s.file("ckpt/" + name + ".npy"));
        check_npy_header(bytes, "{'descr': " + descr + ", 'fortran_order': False, 'shape': (" +
                                    std::to_string(shape[0]) + ", " + std::to_string(shape[1]) + "), }");
        BOOST_TEST(npy_data_equals(bytes, 128, model.get(name)), name);
    }
    // Optimizer buffers are float64 whatever the model's dtype; '/' in a buffer name becomes "__".
    const std::string bytes = read_bytes(s.file("ckpt/optimizer/exp_avg__layers.0.weight.npy"));
    check_npy_header(bytes, "{'descr': '<f8', 'fortran_order': False, 'shape': (7, 5), }");
    BOOST_TEST(npy_data_equals(bytes, 128, adam_like_state(3).at("exp_avg/layers.0.weight")));
}

BOOST_AUTO_TEST_CASE(model_json_records_architecture_and_files) {
    test::TempDir s("fact_test_checkpoint");
    const nn::MLPConfig c{3, {4}, 1, nn::Activation::softplus, false};
    nn::MLP<float> model(c);
    const json extra = {{"optimizer", "adam"}, {"lr", 0.001}, {"seed", 42}};
    nn::OptimizerState state;
    state["exp_avg/layers.1.weight"] = test::uniform<double>(1, 4, 9);
    state["step"] = ad::Tensor<double>{{1.0}};
    nn::save_checkpoint(s.file("ckpt"), model, state, extra);

    const nn::MLPConfig back = nn::checkpoint_config(s.file("ckpt"));
    BOOST_TEST(back.input == 3u);
    BOOST_TEST(back.hidden == std::vector<std::size_t>{4});
    BOOST_TEST(back.output == 1u);
    BOOST_TEST((back.activation == nn::Activation::softplus));
    BOOST_TEST(back.bias == false);
    BOOST_TEST(nn::checkpoint_dtype(s.file("ckpt")) == "float32");

    const json j = nn::checkpoint_json(s.file("ckpt"));
    BOOST_TEST(j.at("format") == "fact-checkpoint");
    BOOST_TEST(j.at("version") == nn::checkpoint_version);
    BOOST_TEST(j.at("architecture").at("activation") == "softplus");
    BOOST_TEST(j.at("parameters") == (json{{"layers.0.weight", {4, 3}}, {"layers.1.weight", {1, 4}}}));
    BOOST_TEST(j.at("optimizer") ==
               (json{{"exp_avg/layers.1.weight", "exp_avg__layers.1.weight.npy"}, {"step", "step.npy"}}));
    BOOST_TEST(j.at("config") == extra);
    BOOST_TEST(listing(s.path / "ckpt") == (std::set<std::string>{"layers.0.weight.npy", "layers.1.weight.npy",
                                                                  "model.json", "optimizer"}));

    // A float64 model says so.
    nn::MLP<double> wide(c);
    nn::save_checkpoint(s.file("ckpt64"), wide);
    BOOST_TEST(nn::checkpoint_dtype(s.file("ckpt64")) == "float64");
    BOOST_TEST(!fs::exists(s.path / "ckpt64" / "optimizer"));   // no state, no folder
}

BOOST_AUTO_TEST_CASE(damaged_model_json_is_named) {
    test::TempDir s("fact_test_checkpoint");
    nn::MLP<double> model(config);
    const std::string dir = s.file("ckpt"), file = s.file("ckpt/model.json");
    nn::save_checkpoint(dir, model);
    const std::string good = read_bytes(file);

    fs::remove(file);
    expect_mentions(checkpoint_error([&] { nn::checkpoint_config(dir); }), {file, "missing"});
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(dir, model); }), {file, "missing"});

    write_bytes(file, "{\"format\": \"fact-checkpoint\", \"version\": ");
    expect_mentions(checkpoint_error([&] { nn::checkpoint_json(dir); }), {file, "invalid JSON"});

    json j = json::parse(good);
    j["version"] = 99;
    write_bytes(file, j.dump());
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(dir, model); }), {file, "version 99", "expected 1"});

    j = json::parse(good);
    j["format"] = "something-else";
    write_bytes(file, j.dump());
    expect_mentions(checkpoint_error([&] { nn::checkpoint_dtype(dir); }),
                    {file, "\"something-else\"", "expected \"fact-checkpoint\""});

    j = json::parse(good);
    j["architecture"]["hidden"] = {7, -3};
    write_bytes(file, j.dump());
    expect_mentions(checkpoint_error([&] { nn::checkpoint_config(dir); }), {file, "hidden", "-3"});

    j = json::parse(good);
    j["architecture"]["activation"] = "swish";
    write_bytes(file, j.dump());
    expect_mentions(checkpoint_error([&] { nn::checkpoint_config(dir); }), {file, "activation", "swish"});
}

BOOST_AUTO_TEST_CASE(mismatched_model_is_refused) {
    test::TempDir s("fact_test_checkpoint");
    nn::MLP<float> model(config);
    fill(model, 3);
    nn::save_checkpoint(s.file("ckpt"), model);
    const std::string file = s.file("ckpt/model.json");

    nn::MLP<double> wide(config);
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), wide); }), {file, "float32", "float64"});

    nn::MLP<float> narrower(nn::MLPConfig{5, {7, 4}, 2, nn::Activation::tanh, true});
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), narrower); }),
                    {file, "hidden", "[7, 3]", "[7, 4]"});

    nn::MLP<float> relu(nn::MLPConfig{5, {7, 3}, 2, nn::Activation::relu, true});
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), relu); }),
                    {file, "activation", "tanh", "relu"});

    nn::MLP<float> no_bias(nn::MLPConfig{5, {7, 3}, 2, nn::Activation::tanh, false});
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), no_bias); }),
                    {file, "bias", "true", "false"});

    nn::MLP<float> wider_input(nn::MLPConfig{6, {7, 3}, 2, nn::Activation::tanh, true});
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), wider_input); }), {file, "input", "5", "6"});
}

BOOST_AUTO_TEST_CASE(damaged_parameter_file_is_named_and_model_left_unchanged) {
    test::TempDir s("fact_test_checkpoint");
    nn::MLP<double> saved(config);
    fill(saved, 11);
    nn::save_checkpoint(s.file("ckpt"), saved, adam_like_state(1));

    nn::MLP<double> target(config), before(config);
    fill(target, 99);
    fill(before, 99);

    // Truncated: the last 5 bytes of data are gone. The message comes from the .npy reader.
    const std::string w1 = s.file("ckpt/layers.1.weight.npy");
    const std::string good = read_bytes(w1);
    write_bytes(w1, good.substr(0, good.size() - 5));
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), target); }),
                    {"layers.1.weight.npy", "truncated"});
    require_same_parameters(before, target);   // nothing was set before the bad file was found
    write_bytes(w1, good);

    // Wrong shape: a (1,6) bias where the model has (1,7).
    const std::string b0 = s.file("ckpt/layers.0.bias.npy");
    data::save_npy(b0, data::Matrix::from_shape({1, 6}));
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), target); }),
                    {"layers.0.bias.npy", "(1,6)", "(1,7)"});
    require_same_parameters(before, target);

    // Missing.
    fs::remove(b0);
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), target); }),
                    {"layers.0.bias.npy", "missing"});

    // A damaged optimizer buffer matters only when the state is asked for.
    nn::save_checkpoint(s.file("ckpt"), saved, adam_like_state(1));
    write_bytes(s.file("ckpt/optimizer/step.npy"), "not a numpy file");
    nn::load_checkpoint(s.file("ckpt"), target);
    require_same_parameters(saved, target);
    nn::OptimizerState state;
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), target, &state); }),
                    {"optimizer/step.npy", "magic"});
    BOOST_TEST(state.empty());
}

BOOST_AUTO_TEST_CASE(saving_over_a_checkpoint_replaces_it_whole) {
    test::TempDir s("fact_test_checkpoint");
    nn::MLP<float> first(config), second(config);
    fill(first, 1);
    fill(second, 2);
    nn::save_checkpoint(s.file("ckpt"), first, adam_like_state(5), json{{"run", 1}});
    write_bytes(s.file("ckpt/stray.txt"), "left by someone");

    // Given with a trailing '/': the temporary folders must still lie beside it, not inside.
    nn::save_checkpoint(s.file("ckpt/"), second, {}, json{{"run", 2}});
    BOOST_TEST(listing(s.path) == std::set<std::string>{"ckpt"});   // no .tmp-… or .old-… left
    BOOST_TEST(!fs::exists(s.path / "ckpt" / "stray.txt"));
    BOOST_TEST(!fs::exists(s.path / "ckpt" / "optimizer"));
    BOOST_TEST(nn::checkpoint_json(s.file("ckpt")).at("config") == (json{{"run", 2}}));

    nn::MLP<float> loaded(config);
    nn::OptimizerState state = adam_like_state(0);
    nn::load_checkpoint(s.file("ckpt"), loaded, &state);
    require_same_parameters(second, loaded);
    BOOST_TEST(state.empty());
}

BOOST_AUTO_TEST_CASE(failed_save_leaves_nothing) {
    test::TempDir s("fact_test_checkpoint");
    nn::MLP<double> model(config);

    // The parent folder does not exist.
    const std::string deep = s.file("no-such-folder/ckpt");
    expect_mentions(checkpoint_error([&] { nn::save_checkpoint(deep, model); }), {deep});
    BOOST_TEST(listing(s.path).empty());

    // A folder that is not a checkpoint is never deleted to make room for one.
    fs::create_directory(s.path / "mine");
    write_bytes(s.file("mine/notes.txt"), "precious");
    expect_mentions(checkpoint_error([&] { nn::save_checkpoint(s.file("mine"), model); }),
                    {s.file("mine"), "not a checkpoint"});
    BOOST_TEST(read_bytes(s.file("mine/notes.txt")) == "precious");

    // Nor is a file.
    write_bytes(s.file("file"), "precious");
    expect_mentions(checkpoint_error([&] { nn::save_checkpoint(s.file("file"), model); }),
                    {s.file("file"), "not a directory"});
    BOOST_TEST(read_bytes(s.file("file")) == "precious");
    BOOST_TEST(listing(s.path) == (std::set<std::string>{"file", "mine"}));

    // Two buffer names that map to the same file: refused, and the temporary folder removed.
    nn::OptimizerState clash;
    clash["a/b"] = ad::Tensor<double>{{1.0}};
    clash["a__b"] = ad::Tensor<double>{{2.0}};
    expect_mentions(checkpoint_error([&] { nn::save_checkpoint(s.file("ckpt"), model, clash); }), {"a/b", "a__b"});
    BOOST_TEST(listing(s.path) == (std::set<std::string>{"file", "mine"}));
}

// nn::OutputDir, the one way every output directory is built (checkpoints, runs, experiments, the demo).
BOOST_AUTO_TEST_CASE(output_dir_paths_are_normalised) {
    BOOST_TEST(nn::normalize_output_path("runs/a/").string() == "runs/a");
    BOOST_TEST(nn::normalize_output_path("runs/a//").string() == "runs/a");
    BOOST_TEST(nn::normalize_output_path("./runs/./a").string() == "runs/a");
    BOOST_TEST(nn::normalize_output_path("./").string() == ".");
    BOOST_TEST(nn::normalize_output_path("/").string() == "/");
    BOOST_CHECK_THROW(nn::normalize_output_path(""), nn::ConfigError);
}

BOOST_AUTO_TEST_CASE(output_dir_builds_beside_the_target_and_renames) {
    test::TempDir s("fact_test_checkpoint");
    {
        nn::OutputDir out(s.file("run/"), nn::Existing::refuse, "test");
        BOOST_TEST(out.target() == s.path / "run");
        BOOST_TEST(out.path().parent_path() == s.path);
        BOOST_TEST(out.path().filename().string().rfind("run.tmp-", 0) == 0);
        BOOST_TEST(fs::is_directory(out.path()));   // created at once, before any work
        BOOST_TEST(!fs::exists(s.path / "run"));
        write_bytes((out.path() / "x").string(), "x");
        out.commit();
    }
    BOOST_TEST(listing(s.path) == std::set<std::string>{"run"});
    BOOST_TEST(listing(s.path / "run") == std::set<std::string>{"x"});   // the owner record is not kept

    // Not committed (an exception, an early return): only its own temporary directory is removed.
    { nn::OutputDir out(s.file("other")); }
    BOOST_TEST(listing(s.path) == std::set<std::string>{"run"});
}

BOOST_AUTO_TEST_CASE(output_dir_refuses_what_exists) {
    test::TempDir s("fact_test_checkpoint");
    fs::create_directory(s.path / "mine");
    write_bytes(s.file("mine/notes.txt"), "precious");
    try {
        nn::OutputDir out(s.file("mine"), nn::Existing::refuse, "train");
        BOOST_ERROR("expected nn::ConfigError");
    } catch (const nn::ConfigError& e) {
        expect_mentions(e.what(), {"train: '" + (s.file("mine")) + "' already exists; choose a new --out"});
    }
    // An empty directory that appears while the work runs is not replaced either (rename(2) would).
    {
        nn::OutputDir out(s.file("late"));
        fs::create_directory(s.path / "late");
        BOOST_CHECK_THROW(out.commit(), nn::ConfigError);
    }
    BOOST_TEST(listing(s.path) == (std::set<std::string>{"late", "mine"}));
    BOOST_TEST(read_bytes(s.file("mine/notes.txt")) == "precious");

    // Existing::replace swaps a previous copy out, leaving nothing else behind.
    {
        nn::OutputDir out(s.file("mine"), nn::Existing::replace);
        write_bytes((out.path() / "new").string(), "new");
        out.commit();
    }
    BOOST_TEST(listing(s.path / "mine") == std::set<std::string>{"new"});
    BOOST_TEST(listing(s.path) == (std::set<std::string>{"late", "mine"}));
}

BOOST_AUTO_TEST_CASE(output_dir_unusable_locations_fail_at_once) {
    test::TempDir s("fact_test_checkpoint");
    write_bytes(s.file("file"), "x");
    const auto message = [](const std::string& target) {
        try {
            nn::OutputDir out(target);
        } catch (const nn::ConfigError& e) {
            return std::string(e.what());
        }
        BOOST_ERROR("expected nn::ConfigError for " << target);
        return std::string();
    };
    expect_mentions(message(s.file("file/run")), {s.file("file"), "Not a directory"});
    expect_mentions(message(s.file(std::string(250, 'n'))), {"a name of 250 bytes is too long"});
    fs::create_symlink(s.path / "missing", s.path / "dangling");
    expect_mentions(message(s.file("dangling")), {"already exists", "symbolic link"});
    BOOST_TEST(listing(s.path) == (std::set<std::string>{"dangling", "file"}));
    BOOST_TEST(read_bytes(s.file("file")) == "x");
}

BOOST_AUTO_TEST_CASE(non_finite_parameters_are_refused) {
    test::TempDir s("fact_test_checkpoint");
    nn::MLP<double> saved(config);
    fill(saved, 3);
    ad::Tensor<double> w = saved.get("layers.1.weight");
    w(2, 4) = std::numeric_limits<double>::quiet_NaN();
    saved.set("layers.1.weight", w);
    nn::save_checkpoint(s.file("ckpt"), saved);
    nn::MLP<double> target(config), before(config);
    fill(target, 9);
    fill(before, 9);
    const std::string m = checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), target); });
    expect_mentions(m, {"layers.1.weight.npy: entry (2,4) is nan"});
    BOOST_TEST(m.find('\n') == std::string::npos);
    require_same_parameters(before, target);

    // An infinite optimizer buffer, when the state is read.
    fill(saved, 3);
    nn::OptimizerState state = adam_like_state(2);
    state["exp_avg/layers.0.bias"](0, 1) = -std::numeric_limits<double>::infinity();
    nn::save_checkpoint(s.file("ckpt"), saved, state);
    nn::OptimizerState loaded;
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), target, &loaded); }),
                    {"exp_avg__layers.0.bias.npy: entry (0,1) is -inf"});
}

BOOST_AUTO_TEST_CASE(model_json_shapes_must_match_the_files) {
    test::TempDir s("fact_test_checkpoint");
    nn::MLP<double> saved(config);
    fill(saved, 4);
    nn::save_checkpoint(s.file("ckpt"), saved);
    const std::string path = s.file("ckpt/model.json");
    const json good = json::parse(read_bytes(path));
    nn::MLP<double> target(config);

    json j = good;
    j["parameters"]["layers.1.weight"] = {7, 3};   // transposed
    write_bytes(path, j.dump());
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), target); }),
                    {"model.json", "\"parameters\".layers.1.weight lists the shape [7,3]", "layers.1.weight.npy holds (3,7)"});

    j = good;
    j["parameters"]["layers.0.bias"] = "abc";   // wrong type: one line naming the file and the field
    write_bytes(path, j.dump());
    const std::string m = checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), target); });
    expect_mentions(m, {"model.json", "\"parameters\".layers.0.bias is \"abc\", expected [rows, cols]"});
    BOOST_TEST(m.find("json.exception") == std::string::npos, m);

    j = good;
    j["architecture"]["hidden"] = "7,3";
    write_bytes(path, j.dump());
    expect_mentions(checkpoint_error([&] { nn::load_checkpoint(s.file("ckpt"), target); }),
                    {"model.json", "architecture.hidden is \"7,3\", expected an array"});
}
