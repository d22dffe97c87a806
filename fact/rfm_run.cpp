// `fact rfm` on disk: see rfm_run.hpp.
#include "fact/rfm_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "autodiff/error.hpp"
#include "data/files.hpp"
#include "data/npy.hpp"
#include "data/spec.hpp"
#include "data/transforms.hpp"
#include "fact/output.hpp"
#include "fact/plot.hpp"
#include "fact/rfm_checkpoint.hpp"
#include "fact/run.hpp"
#include "nn/error.hpp"
#include "nn/output_dir.hpp"

namespace fact {

namespace fs = std::filesystem;

std::string format_rfm_table(const std::vector<RfmIteration>& history) {
    std::string out = "| iter | train loss | test loss | train acc | test acc | ‖M_t − M_{t−1}‖ | seconds |\n"
                      "|---:|---:|---:|---:|---:|---:|---:|\n";
    // Undefined entries (no test set, a regression target, the change at t = 0) print as "–".
    const auto cell = [](double v, const char* spec) { return std::isfinite(v) ? fmt::format(spec, v) : std::string("–"); };
    for (const RfmIteration& h : history)
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {:.2f} |\n", h.iter, cell(h.train_loss, "{:.4g}"),
                           cell(h.test_loss, "{:.4g}"), cell(h.train_acc, "{:.4f}"), cell(h.test_acc, "{:.4f}"),
                           cell(h.m_change, "{:.3g}"), h.seconds);
    return out;
}

std::string feature_matrix_heatmaps(const std::vector<Matrix>& matrices, const std::vector<std::string>& titles,
                                    const std::string& title, bool off_diagonal_scale, const std::string& caption) {
    std::vector<Heatmap> panels;
    for (std::size_t k = 0; k < matrices.size(); ++k) {
        Matrix m = matrices[k];
        if (off_diagonal_scale) {
            double scale = 0;
            for (std::size_t i = 0; i < m.shape(0); ++i)
                for (std::size_t j = 0; j < m.shape(1); ++j)
                    if (i != j && std::isfinite(m(i, j))) scale = std::max(scale, std::abs(m(i, j)));
            if (scale > 0) m /= scale;
            for (double& v : m) v = std::isfinite(v) ? std::clamp(v, -1.0, 1.0) : v;
        }
        panels.push_back({k < titles.size() ? titles[k] : "", std::move(m)});
    }
    return heatmaps_svg(panels, title + (off_diagonal_scale ? " (each divided by its largest off-diagonal |entry|, "
                                                              "clipped to [−1, 1])"
                                                            : ""),
                        ColourScale::per_panel, caption);
}

namespace {

// Run RFM into out (created by rfm_run, or adopted by rfm_resume with its checkpoint) and commit it.
RfmRunOutcome rfm_into(const RfmRunConfig& c, const RfmRunHooks& hooks, nn::OutputDir& out, const fs::path& checkpoint) {
    // A generated dataset whose kernel system cannot fit is refused before it is generated.
    const auto before_generate = [&](const data::GeneratedSize& g) {
        const double train = g.train_fraction < 1 ? g.train_fraction : 1.0 - c.test_frac;
        check_kernel_system("rfm", std::size_t(double(g.n) * train * (1.0 - c.val_frac)), g.d, g.outputs, c.rfm.dtype);
    };
    data::Split split = data::load_spec(c.data, c.seed, before_generate);
    if (split.test.n() == 0 && c.test_frac > 0) split = data::train_test_split(split.train, c.test_frac, c.seed);
    data::Dataset validation;
    if (c.val_frac > 0) {
        data::Split tv = data::train_test_split(split.train, c.val_frac, c.seed + 1);
        split.train = std::move(tv.train);
        validation = std::move(tv.test);
    }
    if (c.row_normalize)
        for (data::Dataset* s : {&split.train, &split.test, &validation}) data::normalize_rows(s->X);

    RfmState state;
    RfmHooks rh;
    if (!checkpoint.empty()) {
        state = load_rfm_checkpoint(checkpoint);
        rh.resume = &state;
    }
    const fs::path& tmp = out.path();
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    rh.checkpoint = [&](const RfmState& st) {
        save_rfm_checkpoint(tmp / "checkpoint", st);
        out.keep_on_failure();   // from now on a crash leaves the work for rfm_resume
        if (hooks.after_iteration) hooks.after_iteration(st.next_iter - 1, tmp);
    };
    const RfmObserver progress = [&](const RfmIteration& h, const Matrix&) {
        write_rfm_progress(tmp, h, c.rfm.iters, elapsed());
        return true;
    };
    RfmRunOutcome outcome;
    outcome.result = run_rfm(c.rfm, {&split.train, &split.test, &validation}, progress, rh);
    const RfmResult& r = outcome.result;
    outcome.summary = format_rfm_table(r.history);
    outcome.dir = out.target().string();

    nlohmann::json run;
    run["command"] = "rfm";
    run["data"] = {{"spec", c.data}, {"seed", c.seed}, {"train", split.train.n()}, {"test", split.test.n()},
                   {"validation", validation.n()}, {"d", split.train.d()}, {"outputs", split.train.outputs()},
                   {"test_frac", c.test_frac}, {"val_frac", c.val_frac}, {"row_normalize", c.row_normalize}};
    run["rfm"] = {{"kernel", to_string(c.rfm.kernel.kind)}, {"bandwidth", c.rfm.kernel.bandwidth},
                  {"ridge", c.rfm.ridge}, {"iters", c.rfm.iters}, {"update", to_string(c.rfm.update)},
                  {"power", c.rfm.power}, {"center", c.rfm.center}, {"normalize", to_string(normalization_of(c.rfm))},
                  {"diagonal", c.rfm.diagonal}, {"M0", "identity"}};
    const RfmIteration& last = r.history.back();
    run["outcome"] = {{"iterations", r.history.size()}, {"best_iter", r.best_iter},
                      {"final_train_acc", json_number(last.train_acc)}, {"final_test_acc", json_number(last.test_acc)},
                      {"final_train_loss", json_number(last.train_loss)}, {"final_test_loss", json_number(last.test_loss)},
                      {"stopped", r.stopped}};
    nlohmann::json solves = nlohmann::json::array();
    for (const RfmIteration& h : r.history)
        if (!h.solve_note.empty()) solves.push_back({{"iter", h.iter}, {"method", to_string(h.solve)}, {"note", h.solve_note}});
    run["outcome"]["solve_fallbacks"] = solves;

    const bool classify = std::isfinite(last.train_acc);
    const std::string x_label = "RFM iteration t (t = 0: M = I)";
    LineChart curves{classify ? "RFM accuracy" : "RFM loss", x_label,
                     classify ? "accuracy (fraction classified correctly)" : "mean squared error (log scale)", {}, !classify};
    LineChart loss{"RFM loss", x_label, "mean squared error (log scale)", {}, true};
    Series tr{"train", {}, {}}, te{"test", {}, {}}, trl{"train", {}, {}}, tel{"test", {}, {}};
    for (const RfmIteration& h : r.history) {
        for (Series* s : {&tr, &te, &trl, &tel}) s->x.push_back(static_cast<double>(h.iter));
        tr.y.push_back(classify ? h.train_acc : h.train_loss);
        te.y.push_back(classify ? h.test_acc : h.test_loss);
        trl.y.push_back(h.train_loss);
        tel.y.push_back(h.test_loss);
    }
    curves.series = {tr, te};
    loss.series = {trl, tel};

    remove_working_files(tmp);
    [&](const fs::path& tmp) {
        write_text(tmp / "history.csv", history_csv(r.history));
        data::save_npy((tmp / "M.npy").string(), r.M);
        if (validation.n() > 0) data::save_npy((tmp / "M_best.npy").string(), r.best_M);
        write_text(tmp / "run.json", run.dump(2) + "\n");
        write_svg((tmp / "curves.svg").string(), line_chart_svg(curves));
        write_svg((tmp / "loss.svg").string(), line_chart_svg(loss));
        write_svg((tmp / "M.svg").string(),
                  feature_matrix_heatmaps({r.M}, {fmt::format("M_{}", last.iter)},
                                          fmt::format("{}-RFM feature matrix", to_string(c.rfm.update)), false,
                                          fmt::format("Rows and columns: the {} input coordinates", r.M.shape(0))));
    }(out.path());
    out.commit();
    return outcome;
}

}  // namespace

RfmRunOutcome rfm_run(const RfmRunConfig& c, const RfmRunHooks& hooks) {
    if (c.out.empty()) throw nn::ConfigError("rfm: no output directory; expected --out DIR");
    if (!(c.test_frac >= 0 && c.test_frac < 1) || !(c.val_frac >= 0 && c.val_frac < 1))
        throw nn::ConfigError(fmt::format("rfm: --test-frac {} and --val-frac {}; expected fractions in [0, 1)",
                                          c.test_frac, c.val_frac));
    return start_run(c, "rfm", [&](const RfmRunConfig& c, nn::OutputDir& out) { return rfm_into(c, hooks, out, {}); });
}

RfmRunOutcome rfm_resume(const std::string& out, const RfmRunHooks& hooks) {
    return resume_interrupted(out, "rfm", rfm_run_config_from_json, [&](const RfmRunConfig& c, nn::OutputDir& out) {
        const fs::path checkpoint = settle_checkpoint(out.path(), "checkpoint");
        if (checkpoint.empty())
            throw nn::ConfigError(fmt::format("rfm resume: '{}' has no checkpoint", out.path().string()));
        return rfm_into(c, hooks, out, checkpoint);
    });
}

RfmConfig machine_for(RfmConfig machine, RfmUpdate update, bool quiet) {
    machine.update = update;
    machine.keep_matrices = true;
    machine.quiet = quiet;
    return machine;
}

nlohmann::json to_json(const RfmConfig& r) {
    return {{"kernel", to_string(r.kernel.kind)}, {"bandwidth", r.kernel.bandwidth}, {"ridge", r.ridge},
            {"iters", r.iters}, {"update", to_string(r.update)}, {"power", r.power}, {"center", r.center},
            {"normalize", r.normalize ? nlohmann::json(to_string(*r.normalize)) : nlohmann::json(nullptr)},
            {"diagonal", r.diagonal}, {"dtype", to_string(r.dtype)}, {"keep_matrices", r.keep_matrices},
            {"quiet", r.quiet}};
}

RfmConfig rfm_config_from_json(const nlohmann::json& j, const std::string& where, const std::string& path) {
    const JsonFields r(j, where, path);
    RfmConfig c;
    c.kernel = {r.parsed("kernel", parse_kernel), r.number("bandwidth")};
    c.ridge = r.number("ridge");
    c.iters = r.count("iters");
    c.update = r.parsed("update", parse_update);
    c.power = r.number("power");
    c.center = r.boolean("center");
    if (!r.at("normalize").is_null()) c.normalize = r.parsed("normalize", parse_normalization);
    c.diagonal = r.boolean("diagonal");
    // Runs started before --dtype existed computed in float64.
    if (r.has("dtype")) c.dtype = r.parsed("dtype", parse_dtype);
    c.keep_matrices = r.boolean("keep_matrices");
    c.quiet = r.boolean("quiet");
    return c;
}

nlohmann::json to_json(const RfmRunConfig& c) {
    return {{"data", c.data}, {"seed", c.seed}, {"test_frac", c.test_frac}, {"val_frac", c.val_frac},
            {"row_normalize", c.row_normalize}, {"out", c.out}, {"rfm", to_json(c.rfm)}};
}

RfmRunConfig rfm_run_config_from_json(const nlohmann::json& j, const std::string& where) {
    const JsonFields f(j, where);
    RfmRunConfig c;
    c.data = f.text("data");
    c.seed = f.count("seed");
    c.test_frac = f.number("test_frac");
    c.val_frac = f.number("val_frac");
    c.row_normalize = f.boolean("row_normalize");
    c.out = f.text("out");
    c.rfm = rfm_config_from_json(f.at("rfm"), where, "rfm.");
    return c;
}

}  // namespace fact
