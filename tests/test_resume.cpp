// Checkpoints and resume (fact/run.hpp, fact/rfm_run.hpp): a run interrupted after a checkpoint and then
// resumed ends bitwise identical to the same run left alone (every parameter, run.json, history.csv but its
// seconds), for SGD with momentum, mini-batches and a step schedule, Adam, full-batch GD, in float and
// double; L-BFGS resumes with an empty memory (not bitwise) and still ends where it should; the refusals.
#define BOOST_TEST_MODULE resume
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "data/files.hpp"
#include "fact/grokking.hpp"
#include "fact/parity.hpp"
#include "fact/rfm_run.hpp"
#include "fact/run.hpp"
#include "fact/tau.hpp"
#include "nn/checkpoint.hpp"
#include "nn/error.hpp"

namespace fs = std::filesystem;

namespace {

struct Killed {};  // thrown by the hook: a crash after a checkpoint

// A fresh scratch folder for one test case.
fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / fmt::format("fact_resume_{}_{}", ::getpid(), name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string read(const fs::path& p) { return data::read_file(p.string()); }

// The CSV without its "seconds" column (wall time, the one column a resumed run may change).
std::string without_seconds(const std::string& csv) {
    std::istringstream in(csv);
    std::string line, out;
    std::size_t column = 0;
    for (bool header = true; std::getline(in, line); header = false) {
        std::vector<std::string> cells;
        std::istringstream row(line);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        if (!line.empty() && line.back() == ',') cells.push_back("");
        if (header) column = std::size_t(std::find(cells.begin(), cells.end(), "seconds") - cells.begin());
        if (column < cells.size()) cells.erase(cells.begin() + long(column));
        for (const std::string& cell : cells) out += cell + ",";
        out += "\n";
    }
    return out;
}

// The only temporary directory beside out.
fs::path leftover_of(const fs::path& out) {
    const std::vector<nn::Leftover> l = nn::find_leftovers(out);
    BOOST_TEST_REQUIRE(l.size() == 1u);
    return l.front().path;
}

// Makes the leftover's owner a process that does not exist (a pid above any pid_max), as after a kill.
void orphan(const fs::path& tmp) {
    std::ofstream(tmp / ".fact-owner", std::ios::trunc) << "pid 999999999 start 1\n";
}

// Every parameter of the two finished runs, byte for byte.
template <class T>
void same_parameters(const fs::path& a, const fs::path& b) {
    nn::MLP<T> ma(nn::checkpoint_config((a / "model").string())), mb(nn::checkpoint_config((b / "model").string()));
    nn::load_checkpoint((a / "model").string(), ma);
    nn::load_checkpoint((b / "model").string(), mb);
    for (const std::string& name : ma.parameter_names())
        BOOST_TEST(std::memcmp(ma.get(name).data(), mb.get(name).data(), ma.get(name).size() * sizeof(T)) == 0, name);
}

// j without its "seconds" fields (wall time), at any depth.
nlohmann::json without_seconds(nlohmann::json j) {
    if (j.is_object()) {
        j.erase("seconds");
        for (auto& [key, value] : j.items()) value = without_seconds(value);
    } else if (j.is_array()) {
        for (auto& value : j) value = without_seconds(value);
    }
    return j;
}

// The same files, with the same content (CSV files but their seconds column, JSON files but their "seconds"
// fields); files named in `timed` (tables with seconds) only exist in both.
void same_files(const fs::path& a, const fs::path& b, bool bitwise, const std::vector<std::string>& timed = {}) {
    std::vector<std::string> fa, fb;
    for (const auto& e : fs::recursive_directory_iterator(a)) fa.push_back(fs::relative(e.path(), a).string());
    for (const auto& e : fs::recursive_directory_iterator(b)) fb.push_back(fs::relative(e.path(), b).string());
    std::sort(fa.begin(), fa.end());
    std::sort(fb.begin(), fb.end());
    BOOST_TEST(fa == fb, boost::test_tools::per_element());
    if (!bitwise) return;
    for (const std::string& f : fa) {
        if (fs::is_directory(a / f)) continue;
        const std::string ext = fs::path(f).extension().string();
        if (std::find(timed.begin(), timed.end(), fs::path(f).filename().string()) != timed.end())
            continue;
        if (ext == ".csv")
            BOOST_TEST(without_seconds(read(a / f)) == without_seconds(read(b / f)), f);
        else if (ext == ".json")
            BOOST_TEST(without_seconds(nlohmann::json::parse(read(a / f))) ==
                       without_seconds(nlohmann::json::parse(read(b / f))), f);
        else
            BOOST_TEST((read(a / f) == read(b / f)), f);
    }
}

fact::RunConfig small_run(const std::string& dtype) {
    fact::RunConfig c;
    c.data = "mixture:d=4,classes=3,n=150,sep=3";
    c.seed = 3;
    c.dtype = dtype;
    c.test_frac = 0.2;
    c.hidden = {8, 8};
    c.activation = nn::Activation::tanh;
    c.train.quiet = true;
    c.train.weight_decay = 1e-3;
    return c;
}

// Runs c uninterrupted into dir/straight and interrupted after epoch kill (then resumed) into dir/resumed.
template <class T>
void interrupt_and_resume(const fact::RunConfig& base, std::size_t kill, bool bitwise, const std::string& name) {
    BOOST_TEST_CONTEXT(name) {
        const fs::path dir = scratch(name);
        fact::RunConfig c = base;
        c.out = (dir / "straight").string();
        const fact::RunOutcome straight = fact::train_run(c);
        c.out = (dir / "resumed").string();
        fact::RunHooks crash;
        crash.after_epoch = [&](std::size_t epoch, const fs::path&) {
            if (epoch == kill) throw Killed{};
        };
        BOOST_CHECK_THROW(fact::train_run(c, crash), Killed);
        BOOST_TEST_REQUIRE(!fs::exists(c.out));
        const fs::path tmp = leftover_of(c.out);
        BOOST_TEST(fs::exists(tmp / "checkpoint" / "model.json"));
        BOOST_TEST(fs::exists(tmp / "config.json"));
        BOOST_TEST(fs::exists(tmp / "progress.json"));
        // Its owner (this process) still runs: refused.
        try {
            fact::resume_run(c.out);
            BOOST_ERROR("resume_run accepted a directory whose owner runs");
        } catch (const nn::ConfigError& e) {
            BOOST_TEST(std::string(e.what()).find("is being written now by process") != std::string::npos, e.what());
        }
        orphan(tmp);
        // It goes on from the last checkpoint, not from the start.
        std::size_t first = 0;
        fact::RunHooks watch;
        watch.after_epoch = [&](std::size_t epoch, const fs::path&) {
            if (first == 0) first = epoch;
        };
        const fact::RunOutcome resumed = fact::resume_run(c.out + "/", watch);
        BOOST_TEST(first == kill / c.checkpoint_every * c.checkpoint_every + 1);
        if (bitwise) BOOST_TEST(resumed.result.epochs == straight.result.epochs);
        BOOST_TEST(nn::find_leftovers(c.out).empty());
        same_files(dir / "straight", dir / "resumed", bitwise);
        if (bitwise) {
            same_parameters<T>(dir / "straight", dir / "resumed");
        } else {
            // L-BFGS: the history up to the checkpoint is the same, and the run still converges.
            BOOST_TEST(resumed.result.train_loss == straight.result.train_loss, boost::test_tools::tolerance(1e-2));
        }
        fs::remove_all(dir);
    }
}

}  // namespace

// First, before anything starts TBB's threads in this process: a real crash, SIGKILL in a forked child.
BOOST_AUTO_TEST_CASE(a_run_killed_by_sigkill_resumes_bitwise) {
    const fs::path dir = scratch("sigkill");
    fact::RunConfig c = small_run("f64");
    c.train.optimizer.kind = nn::OptimizerKind::sgd;
    c.train.optimizer.momentum = 0.9;
    c.train.batch = 32;
    c.train.lr = 0.05;
    c.train.epochs = 10;
    c.checkpoint_every = 3;
    c.out = (dir / "resumed").string();
    const pid_t child = ::fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
        fact::RunHooks die;
        die.after_epoch = [](std::size_t epoch, const fs::path&) {
            if (epoch == 7) ::raise(SIGKILL);
        };
        try {
            fact::train_run(c, die);
        } catch (...) {
        }
        ::_exit(0);   // not reached
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    BOOST_TEST_REQUIRE(WIFSIGNALED(status));
    BOOST_TEST(WTERMSIG(status) == SIGKILL);
    const fs::path tmp = leftover_of(c.out);
    const std::string progress = read(tmp / "progress.json");
    BOOST_TEST(progress.find("\"checkpoint_epoch\": 6") != std::string::npos, progress);
    std::size_t first = 0;
    fact::RunHooks watch;
    watch.after_epoch = [&](std::size_t epoch, const fs::path&) {
        if (first == 0) first = epoch;
    };
    const fact::RunOutcome resumed = fact::resume_run(c.out, watch);
    BOOST_TEST(first == 7u);
    c.out = (dir / "straight").string();
    const fact::RunOutcome straight = fact::train_run(c);
    BOOST_TEST(resumed.result.epochs == 10u);
    same_files(dir / "straight", dir / "resumed", true);
    same_parameters<double>(dir / "straight", dir / "resumed");
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(sgd_momentum_minibatches_step_schedule_resume_bitwise) {
    for (const std::string dtype : {"f32", "f64"}) {
        fact::RunConfig c = small_run(dtype);
        c.train.optimizer.momentum = 0.9;
        c.train.optimizer.nesterov = true;
        c.train.batch = 32;
        c.train.lr = 0.05;
        c.train.schedule.kind = nn::Schedule::Kind::step;
        c.train.schedule.step_every = 4;
        c.train.schedule.gamma = 0.5;
        c.train.epochs = 13;
        c.train.eval_every = 2;
        c.track_every = 4;
        c.checkpoint_every = 4;
        if (dtype == "f32") interrupt_and_resume<float>(c, 6, true, "sgd_" + dtype);
        else interrupt_and_resume<double>(c, 6, true, "sgd_" + dtype);
    }
}

BOOST_AUTO_TEST_CASE(adam_and_full_batch_gd_resume_bitwise) {
    for (const std::string dtype : {"f32", "f64"}) {
        fact::RunConfig c = small_run(dtype);
        c.train.optimizer.kind = nn::OptimizerKind::adam;
        c.train.lr = 1e-2;
        c.train.batch = 50;
        c.train.epochs = 12;
        c.checkpoint_every = 5;
        if (dtype == "f32") interrupt_and_resume<float>(c, 7, true, "adam_" + dtype);
        else interrupt_and_resume<double>(c, 7, true, "adam_" + dtype);
        fact::RunConfig g = small_run(dtype);
        g.train.lr = 0.3;
        g.train.epochs = 9;
        g.train.eval_every = 2;
        g.checkpoint_every = 2;
        if (dtype == "f32") interrupt_and_resume<float>(g, 5, true, "gd_" + dtype);
        else interrupt_and_resume<double>(g, 5, true, "gd_" + dtype);
    }
}

BOOST_AUTO_TEST_CASE(lbfgs_resumes_with_an_empty_memory) {
    for (const std::string dtype : {"f32", "f64"}) {
        fact::RunConfig c = small_run(dtype);
        c.train.optimizer.kind = nn::OptimizerKind::lbfgs;
        c.train.weight_decay = 1e-2;
        c.train.epochs = 300;
        c.train.eval_every = 10;
        c.checkpoint_every = 50;
        if (dtype == "f32") interrupt_and_resume<float>(c, 120, false, "lbfgs_" + dtype);
        else interrupt_and_resume<double>(c, 120, false, "lbfgs_" + dtype);
    }
}

BOOST_AUTO_TEST_CASE(resume_refuses_in_one_line) {
    const fs::path dir = scratch("refusals");
    const std::string out = (dir / "run").string();
    auto refused = [&](const std::string& expected) {
        try {
            fact::resume_run(out);
            BOOST_ERROR("accepted; expected: " << expected);
        } catch (const nn::ConfigError& e) {
            const std::string m = e.what();
            BOOST_TEST(m.find(expected) != std::string::npos, m);
            BOOST_TEST(m.find('\n') == std::string::npos, m);
        }
    };
    refused("no interrupted run of '" + out + "'");
    // A leftover of a dead process without a checkpoint: start again.
    const fs::path tmp = dir / "run.tmp-0badf00d";
    fs::create_directories(tmp);
    orphan(tmp);
    refused("has no config.json");
    std::ofstream(tmp / "config.json") << R"({"format": "fact-run-config", "command": "train", "config": {}})";
    refused("has no checkpoint yet (interrupted before its first one); start the run again");
    std::ofstream(tmp / "config.json", std::ios::trunc) << R"({"format": "fact-run-config", "command": "rfm", "config": {}})";
    refused("holds a `fact rfm` run");
    fs::create_directories(dir / "run.tmp-1badf00d");
    refused("several interrupted runs of '" + out + "'");
    fs::create_directories(out);
    refused("already exists: the run finished; nothing to resume");
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(the_run_configuration_round_trips_and_names_bad_fields) {
    fact::RunConfig c = small_run("f32");
    c.train.optimizer.kind = nn::OptimizerKind::adamw;
    c.train.schedule.kind = nn::Schedule::Kind::cosine;
    c.init.kind = nn::InitConfig::Kind::normal;
    c.checkpoint_every = 7;
    const nlohmann::json j = fact::to_json(c);
    BOOST_TEST(fact::to_json(fact::run_config_from_json(j, "config.json")) == j);
    nlohmann::json bad = j;
    bad["train"]["weight_decay"] = "abc";
    try {
        fact::run_config_from_json(bad, "x/config.json");
        BOOST_ERROR("accepted a string weight_decay");
    } catch (const nn::ConfigError& e) {
        BOOST_TEST(std::string(e.what()) == "x/config.json: field \"train.weight_decay\" is \"abc\", expected a number");
    }
}

BOOST_AUTO_TEST_CASE(rfm_resumes_bitwise) {
    for (const bool validation : {false, true}) {
        const fs::path dir = scratch(validation ? "rfm_val" : "rfm");
        fact::RfmRunConfig c;
        c.data = "lowrank:d=6,n=240";
        c.seed = 2;
        c.val_frac = validation ? 0.25 : 0.0;
        c.rfm.iters = 6;
        c.rfm.update = fact::RfmUpdate::fact;
        c.rfm.keep_matrices = validation;
        c.out = (dir / "straight").string();
        fact::rfm_run(c);
        c.out = (dir / "resumed").string();
        fact::RfmRunHooks crash;
        crash.after_iteration = [](std::size_t iter, const fs::path&) {
            if (iter == 3) throw Killed{};
        };
        BOOST_CHECK_THROW(fact::rfm_run(c, crash), Killed);
        const fs::path tmp = leftover_of(c.out);
        BOOST_TEST(fs::exists(tmp / "checkpoint" / "M.npy"));
        BOOST_TEST(fs::exists(tmp / "progress.json"));
        orphan(tmp);
        try {
            fact::resume_run(c.out);
            BOOST_ERROR("resume_run took an rfm run");
        } catch (const nn::ConfigError& e) {
            BOOST_TEST(std::string(e.what()).find("holds a `fact rfm` run") != std::string::npos, e.what());
        }
        std::vector<std::size_t> seen;
        fact::RfmRunHooks watch;
        watch.after_iteration = [&](std::size_t iter, const fs::path&) { seen.push_back(iter); };
        const fact::RfmRunOutcome resumed = fact::rfm_resume(c.out, watch);
        BOOST_TEST((seen == std::vector<std::size_t>{4, 5}));   // from the checkpoint after iteration 3
        BOOST_TEST(resumed.result.history.size() == 7u);
        same_files(dir / "straight", dir / "resumed", true);
        fs::remove_all(dir);
    }
}

// The kernel experiments: each RFM run is kept in checkpoint/<run>/ after every iteration and when it ends;
// a crash in the middle of the second run, then --resume: the first run is read back (none of its iterations
// runs again), the second continues after its last iteration, and every output is the uninterrupted one's.
template <class Config, class Run, class Resume>
void experiment_resumes_bitwise(const std::string& name, Config c, Run run, Resume resume, const std::string& crash_run,
                                std::size_t crash_iter, const std::vector<std::string>& expected_after,
                                const std::vector<std::string>& timed = {}) {
    BOOST_TEST_CONTEXT(name) {
        const fs::path dir = scratch(name);
        c.quiet = true;
        c.out = (dir / "straight").string();
        run(c, fact::ExperimentHooks{});
        c.out = (dir / "resumed").string();
        fact::ExperimentHooks crash;
        crash.after_iteration = [&](const std::string& r, std::size_t iter, const fs::path&) {
            if (r == crash_run && iter == crash_iter) throw Killed{};
        };
        BOOST_CHECK_THROW(run(c, crash), Killed);
        const fs::path tmp = leftover_of(c.out);
        BOOST_TEST(fs::exists(tmp / "config.json"));
        BOOST_TEST(read(tmp / "progress.json").find("\"run\": \"" + crash_run + "\"") != std::string::npos);
        orphan(tmp);
        std::vector<std::string> seen;
        fact::ExperimentHooks watch;
        watch.after_iteration = [&](const std::string& r, std::size_t iter, const fs::path&) {
            seen.push_back(fmt::format("{}:{}", r, iter));
        };
        resume(c.out, watch);
        BOOST_TEST(seen == expected_after, boost::test_tools::per_element());
        BOOST_TEST(nn::find_leftovers(c.out).empty());
        same_files(dir / "straight", dir / "resumed", true, timed);
        fs::remove_all(dir);
    }
}

BOOST_AUTO_TEST_CASE(kernel_experiments_resume_bitwise) {
    fact::GrokkingConfig g;
    g.p = 11;
    g.rfm.iters = 4;
    g.snapshots = {0, 2, 4};
    experiment_resumes_bitwise("grokking", g, fact::grokking_experiment, fact::grokking_resume, "fact", 1,
                               {"fact:2", "fact:3"});
    fact::ParityConfig p;
    p.d = 10;
    p.k = 3;
    p.support = {};
    p.sweep = {60, 120};
    p.test_n = 100;
    p.rfm.iters = 3;
    experiment_resumes_bitwise("parity", p, fact::run_parity, fact::parity_resume, "n120-nfa", 0,
                               {"n120-nfa:1", "n120-nfa:2", "n120-fact:0", "n120-fact:1", "n120-fact:2"},
                               {"table.md"});
    fact::TauConfig t;
    t.p = 7;
    t.rfm.iters = 4;
    t.scatter_points = 50;
    experiment_resumes_bitwise("tau", t, fact::run_tau, fact::tau_resume, "rfm", 2, {"rfm:3"});
    // The experiment configurations round-trip through config.json.
    BOOST_TEST(fact::to_json(fact::grokking_config_from_json(fact::to_json(g), "g")) == fact::to_json(g));
    BOOST_TEST(fact::to_json(fact::parity_config_from_json(fact::to_json(p), "p")) == fact::to_json(p));
    BOOST_TEST(fact::to_json(fact::tau_config_from_json(fact::to_json(t), "t")) == fact::to_json(t));
    fact::RfmConfig f32;
    f32.dtype = fact::Dtype::f32;
    BOOST_TEST(fact::to_json(f32)["dtype"] == "f32");
    BOOST_TEST((fact::rfm_config_from_json(fact::to_json(f32), "r").dtype == fact::Dtype::f32));
    nlohmann::json before_dtype = fact::to_json(f32);   // a config.json written before --dtype existed
    before_dtype.erase("dtype");
    BOOST_TEST((fact::rfm_config_from_json(before_dtype, "r").dtype == fact::Dtype::f64));
    try {
        nlohmann::json j = fact::to_json(g);
        j["updates"] = {"nfa", "agop"};
        fact::grokking_config_from_json(j, "x/config.json: config");
        BOOST_ERROR("accepted an unknown update");
    } catch (const nn::ConfigError& e) {
        BOOST_TEST(std::string(e.what()).find("x/config.json: config: field \"updates\"") == 0u, e.what());
    }
}

// --- run records read by analyze ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(analyze_names_a_bad_field_and_a_model_of_another_run) {
    const fs::path dir = scratch("analyze");
    fact::RunConfig c = small_run("f64");
    c.train.epochs = 3;
    c.out = (dir / "a").string();
    fact::train_run(c);
    c.hidden = {5};
    c.out = (dir / "b").string();
    fact::train_run(c);
    fact::AnalyzeConfig ac;
    ac.run = (dir / "a").string();
    ac.agop = false;
    std::string table;
    auto refused = [&](const std::string& expected) {
        try {
            fact::analyze_run(ac, table);
            BOOST_ERROR("accepted; expected: " << expected);
        } catch (const nn::ConfigError& e) {
            BOOST_TEST(std::string(e.what()).find(expected) != std::string::npos, e.what());
            BOOST_TEST(std::string(e.what()).find('\n') == std::string::npos, e.what());
        }
    };
    const fs::path record = dir / "a" / "run.json";
    const std::string good = read(record);
    nlohmann::json j = nlohmann::json::parse(good);
    j["train"]["weight_decay"] = "abc";
    std::ofstream(record, std::ios::trunc) << j.dump(2);
    refused(record.string() + ": field \"train.weight_decay\" is \"abc\", expected a number");
    std::ofstream(record, std::ios::trunc) << good;

    // b's model (hidden [5]) in a's run directory (hidden [8, 8]).
    fs::remove_all(dir / "a" / "model");
    fs::copy(dir / "b" / "model", dir / "a" / "model");
    refused(record.string() + " describes the architecture input 4, hidden [8, 8], output 3, tanh, with biases, but " +
            (dir / "a" / "model" / "model.json").string() + " holds input 4, hidden [5], output 3, tanh, with biases");
    fs::remove_all(dir);
}
