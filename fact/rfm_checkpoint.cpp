// RFM runs kept on disk while they work: see rfm_checkpoint.hpp.
#include "fact/rfm_checkpoint.hpp"

#include <chrono>
#include <cstdio>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/files.hpp"
#include "data/npy.hpp"
#include "fact/output.hpp"
#include "fact/run.hpp"
#include "nn/error.hpp"

namespace fact {

namespace fs = std::filesystem;

namespace {

nlohmann::json row_json(const RfmIteration& h) {
    return {{"iter", h.iter}, {"train_loss", json_number(h.train_loss)}, {"test_loss", json_number(h.test_loss)},
            {"train_acc", json_number(h.train_acc)}, {"test_acc", json_number(h.test_acc)},
            {"val_loss", json_number(h.val_loss)}, {"val_acc", json_number(h.val_acc)},
            {"seconds", json_number(h.seconds)}, {"m_change", json_number(h.m_change)},
            {"solve", to_string(h.solve)}, {"solve_note", h.solve_note}};
}

RfmIteration row_from_json(const JsonFields& f) {
    RfmIteration h;
    h.iter = f.count("iter");
    h.train_loss = f.number("train_loss");
    h.test_loss = f.number("test_loss");
    h.train_acc = f.number("train_acc");
    h.test_acc = f.number("test_acc");
    h.val_loss = f.number("val_loss");
    h.val_acc = f.number("val_acc");
    h.seconds = f.number("seconds");
    h.m_change = f.number("m_change");
    const std::string solve = f.text("solve");
    bool known = false;
    for (SolveMethod m : {SolveMethod::cholesky, SolveMethod::symmetric_indefinite, SolveMethod::least_squares})
        if (to_string(m) == solve) {
            h.solve = m;
            known = true;
        }
    if (!known) throw f.error("solve", "cholesky, symmetric-indefinite or least-squares");
    h.solve_note = f.text("solve_note");
    return h;
}

// What a checkpoint and a finished run have in common: the history and the matrices.
struct Kept {
    const std::vector<RfmIteration>& history;
    const Matrix& M;
    const Matrix& best_M;
    const std::vector<Matrix>& matrices;
};

// The folder dir, replaced atomically: state.json (state plus the history and the matrices' count), M.npy,
// best_M.npy, M_<t>.npy, and `more` (file name, matrix) pairs.
void save_folder(const fs::path& dir, nlohmann::json state, const Kept& k,
                 const std::vector<std::pair<std::string, const Matrix*>>& more = {}) {
    nn::OutputDir out(dir.string(), nn::Existing::replace, "rfm checkpoint");
    nlohmann::json history = nlohmann::json::array();
    for (const RfmIteration& h : k.history) history.push_back(row_json(h));
    state["matrices"] = k.matrices.size();
    state["has_best_M"] = k.best_M.size() > 0;
    state["history"] = history;
    data::save_npy((out.path() / "M.npy").string(), k.M);
    if (k.best_M.size() > 0) data::save_npy((out.path() / "best_M.npy").string(), k.best_M);
    // M_t never changes once computed, so the folder being replaced (this run's previous checkpoint) already
    // holds the same file: link it instead of writing it again, which would make a run with keep_matrices
    // write O(T²) matrices over its T iterations.
    for (std::size_t t = 0; t < k.matrices.size(); ++t) {
        const std::string name = fmt::format("M_{}.npy", t);
        std::error_code ec;
        if (fs::is_regular_file(dir / name, ec)) fs::create_hard_link(dir / name, out.path() / name, ec);
        else ec = std::make_error_code(std::errc::no_such_file_or_directory);
        if (ec) data::save_npy((out.path() / name).string(), k.matrices[t]);
    }
    for (const auto& [name, m] : more) data::save_npy((out.path() / name).string(), *m);
    write_text(out.path() / "state.json", state.dump(2) + "\n");
    out.commit();
}

// state.json of the folder dir, parsed.
nlohmann::json read_state(const fs::path& dir) {
    const fs::path file = dir / "state.json";
    try {
        return nlohmann::json::parse(data::read_file(file.string()));
    } catch (const std::exception& e) {
        throw nn::ConfigError(fmt::format("rfm resume: {}: cannot be read: {}", file.string(), e.what()));
    }
}

// The history and matrices of the folder dir (state j) into the given places.
void load_kept(const fs::path& dir, const nlohmann::json& j, std::vector<RfmIteration>& history, Matrix& M,
               Matrix& best_M, std::vector<Matrix>& matrices) {
    const std::string file = (dir / "state.json").string();
    const JsonFields f(j, file);
    const nlohmann::json& rows = f.at("history");
    if (!rows.is_array()) throw f.error("history", "an array");
    for (std::size_t i = 0; i < rows.size(); ++i)
        history.push_back(row_from_json(JsonFields(rows[i], file, fmt::format("history[{}].", i))));
    M = data::load_npy_matrix((dir / "M.npy").string());
    if (f.boolean("has_best_M")) best_M = data::load_npy_matrix((dir / "best_M.npy").string());
    for (std::size_t t = 0; t < f.count("matrices"); ++t)
        matrices.push_back(data::load_npy_matrix((dir / fmt::format("M_{}.npy", t)).string()));
}

}  // namespace

void save_rfm_checkpoint(const fs::path& dir, const RfmState& st) {
    save_folder(dir,
                {{"next_iter", st.next_iter}, {"m_change", json_number(st.m_change)}, {"best_iter", st.best_iter},
                 {"best_metric", json_number(st.best_metric)}},
                {st.history, st.M, st.best_M, st.matrices});
}

RfmState load_rfm_checkpoint(const fs::path& dir) {
    const nlohmann::json j = read_state(dir);
    const JsonFields f(j, (dir / "state.json").string());
    if (f.boolean("finished", false)) throw f.error("finished", "false (a checkpoint, not a finished run)");
    RfmState st;
    st.next_iter = f.count("next_iter");
    st.m_change = f.number("m_change");
    st.best_iter = f.count("best_iter");
    st.best_metric = f.number("best_metric");
    load_kept(dir, j, st.history, st.M, st.best_M, st.matrices);
    return st;
}

void save_rfm_result(const fs::path& dir, const RfmResult& r) {
    save_folder(dir, {{"finished", true}, {"best_iter", r.best_iter}, {"stopped", r.stopped}},
                {r.history, r.M, r.best_M, r.matrices}, {{"alpha.npy", &r.alpha}});
}

RfmResult load_rfm_result(const fs::path& dir) {
    const nlohmann::json j = read_state(dir);
    const JsonFields f(j, (dir / "state.json").string());
    if (!f.boolean("finished", false)) throw f.error("finished", "true (a finished run, not a checkpoint)");
    RfmResult r;
    r.best_iter = f.count("best_iter");
    r.stopped = f.text("stopped");
    load_kept(dir, j, r.history, r.M, r.best_M, r.matrices);
    r.alpha = data::load_npy_matrix((dir / "alpha.npy").string());
    return r;
}

bool is_finished_rfm(const fs::path& dir) {
    const nlohmann::json j = read_state(dir);
    return JsonFields(j, (dir / "state.json").string()).boolean("finished", false);
}

void write_rfm_progress(const fs::path& tmp, const RfmIteration& h, std::size_t iters, double seconds,
                        const std::string& run) {
    nlohmann::json j = {{"iter", h.iter}, {"iters", iters}, {"train_loss", json_number(h.train_loss)},
                        {"test_loss", json_number(h.test_loss)}, {"train_acc", json_number(h.train_acc)},
                        {"test_acc", json_number(h.test_acc)}, {"seconds", seconds}};
    if (!run.empty()) j["run"] = run;
    data::write_file((tmp / "progress.json").string(), j.dump(2) + "\n");
}

RfmRuns::RfmRuns(nn::OutputDir* out, std::string experiment, bool quiet, ExperimentHooks hooks)
    : out_(out), experiment_(std::move(experiment)), quiet_(quiet), hooks_(std::move(hooks)) {}

RfmResult RfmRuns::run(const std::string& name, const RfmConfig& config, const RfmData& data) {
    if (!out_) return run_rfm(config, data);
    const fs::path tmp = out_->path(), root = tmp / "checkpoint", dir = root / name;
    RfmState state;
    RfmHooks hooks;
    if (fs::is_directory(root)) {
        const fs::path kept = settle_checkpoint(root, name);
        if (!kept.empty() && is_finished_rfm(kept)) {
            if (!quiet_)
                std::fprintf(stderr, "%s: %s: finished before the interruption; its kept result is used\n",
                             experiment_.c_str(), name.c_str());
            return load_rfm_result(kept);
        }
        if (!kept.empty()) {
            state = load_rfm_checkpoint(kept);
            hooks.resume = &state;
            if (!quiet_)
                std::fprintf(stderr, "%s: %s: resumed at iteration %zu of %zu\n", experiment_.c_str(), name.c_str(),
                             state.next_iter, config.iters);
        }
    }
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    hooks.checkpoint = [&](const RfmState& st) {
        fs::create_directories(root);
        save_rfm_checkpoint(dir, st);
        out_->keep_on_failure();   // from now on a crash leaves the work for --resume
        if (hooks_.after_iteration) hooks_.after_iteration(name, st.next_iter - 1, tmp);
    };
    const RfmObserver progress = [&](const RfmIteration& h, const Matrix&) {
        write_rfm_progress(tmp, h, config.iters, elapsed(), name);
        return true;
    };
    RfmResult result = run_rfm(config, data, progress, hooks);
    fs::create_directories(root);
    save_rfm_result(dir, result);
    out_->keep_on_failure();
    return result;
}

}  // namespace fact
