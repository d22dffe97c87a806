// E4, sparse parity: see parity.hpp. Each (n, update) is one run_rfm with the matrices kept (d×d each, so
// cheap); everything else (support share, correlations between the updates' matrices, the threshold
// iteration) is computed from the histories and matrices afterwards.
#include "fact/parity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "autodiff/error.hpp"
#include "data/generators.hpp"
#include "data/npy.hpp"
#include "fact/metrics.hpp"
#include "fact/output.hpp"
#include "fact/plot.hpp"
#include "fact/rfm_run.hpp"
#include "fact/run.hpp"
#include "nn/error.hpp"
#include "nn/output_dir.hpp"

namespace fact {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// "NFA-RFM", "FACT-RFM", "FACT-RFM geo": the names of the paper's plots.
std::string display_name(RfmUpdate u) {
    switch (u) {
        case RfmUpdate::nfa: return "NFA-RFM";
        case RfmUpdate::fact: return "FACT-RFM";
        case RfmUpdate::fact_geo: return "FACT-RFM geo";
    }
    return "?";
}

/// "—" for none, else the iteration.
std::string iteration_text(const std::optional<std::size_t>& t) { return t ? std::to_string(*t) : "—"; }

nlohmann::json iteration_json(const std::optional<std::size_t>& t) {
    return t ? nlohmann::json(*t) : nlohmann::json(nullptr);
}

/// The per-iteration value v[t], NaN past its end (a run that stopped early).
double at(const std::vector<double>& v, std::size_t t) { return t < v.size() ? v[t] : kNaN; }

/// M / max|M_ij|, so that matrices of different scales (NFA's AGOP^s against FACT rescaled to λ_max = 1)
/// share one colour scale in a heatmap.
Matrix scaled_to_unit_max(const Matrix& M) {
    double m = 0;
    for (double v : M)
        if (std::isfinite(v)) m = std::max(m, std::abs(v));
    Matrix out = M;
    if (m > 0) out /= m;
    return out;
}

data::ParityOptions parity_options(const ParityConfig& c, std::size_t n, std::uint64_t seed) {
    data::ParityOptions o;
    o.d = c.d;
    o.k = c.k;
    o.support = c.support;
    o.n = n;
    o.target = data::ParityTarget::onehot;
    o.seed = seed;
    return o;
}

// One update at one n: run_rfm, then the support share and the threshold iteration from its history.
ParityRun run_update(const ParityConfig& c, RfmUpdate update, const data::Dataset& train,
                     const data::Dataset& test, const std::vector<std::size_t>& support, RfmRuns& runs) {
    const RfmConfig r = machine_for(c.rfm, update, c.quiet);

    ParityRun run;
    run.update = update;
    run.normalize = normalization_of(r);
    run.rfm = runs.run(fmt::format("n{}-{}", train.n(), to_string(update)), r, RfmData{&train, &test, nullptr});
    for (const Matrix& M : run.rfm.matrices) run.support_fraction.push_back(support_fraction(M, support));
    run.best_test_acc = -1;
    for (const RfmIteration& h : run.rfm.history) {
        run.seconds += h.seconds;
        if (h.test_acc > run.best_test_acc) run.best_test_acc = h.test_acc, run.best_iter = h.iter;  // first max
    }
    run.first_at_threshold = first_iteration_reaching(run.rfm.history, c.threshold);
    return run;
}

// ---- outputs of one n -------------------------------------------------------------------------------

void write_at_n(const ParityConfig& c, const ParityAtN& r, const std::vector<std::size_t>& support,
                const fs::path& dir) {
    // <update>/history.csv with the support share and the correlations against every other update.
    for (std::size_t i = 0; i < r.runs.size(); ++i) {
        const ParityRun& run = r.runs[i];
        const std::size_t rows = run.rfm.history.size();
        std::vector<std::pair<std::string, std::vector<double>>> extra = {{"support_fraction", run.support_fraction}};
        for (const ParityAtN::Pair& p : r.pairs) {
            if (p.a != i && p.b != i) continue;
            const std::string other = to_string(r.runs[p.a == i ? p.b : p.a].update);
            std::vector<double> full(rows), off(rows);
            for (std::size_t t = 0; t < rows; ++t) full[t] = at(p.pearson, t), off[t] = at(p.pearson_offdiag, t);
            extra.emplace_back("pearson_" + other, full);
            extra.emplace_back("pearson_offdiag_" + other, off);
        }
        const fs::path sub = dir / to_string(run.update);
        fs::create_directories(sub);
        write_text(sub / "history.csv", history_csv(run.rfm.history, extra));
        data::save_npy((sub / "M.npy").string(), run.rfm.M);
    }

    const std::string x_label = "RFM iteration t (t = 0: M = I)";
    LineChart acc{fmt::format("sparse parity d = {}, k = {}, n = {}: accuracy", c.d, support.size(), r.n), x_label,
                  "accuracy (fraction classified correctly)", {}, false};
    LineChart share{fmt::format("share of diag(M) on the support (k/d = {:.3g} at M0 = I)",
                                double(support.size()) / double(c.d)),
                    x_label, "sum_S M_ii / tr M (S: the support)", {}, false};
    for (const ParityRun& run : r.runs) {
        Series test{display_name(run.update) + " test", {}, {}}, train{display_name(run.update) + " train", {}, {}};
        Series s{display_name(run.update), {}, {}};
        for (std::size_t t = 0; t < run.rfm.history.size(); ++t) {
            test.x.push_back(double(t)), test.y.push_back(run.rfm.history[t].test_acc);
            train.x.push_back(double(t)), train.y.push_back(run.rfm.history[t].train_acc);
            s.x.push_back(double(t)), s.y.push_back(run.support_fraction[t]);
        }
        acc.series.push_back(test);
        acc.series.push_back(train);
        share.series.push_back(s);
    }
    write_svg((dir / "accuracy.svg").string(), line_chart_svg(acc));
    write_svg((dir / "support_fraction.svg").string(), line_chart_svg(share));

    std::vector<Heatmap> panels;
    for (const ParityRun& run : r.runs)
        panels.push_back({fmt::format("{} (support {:.3f})", display_name(run.update), run.support_fraction.back()),
                          scaled_to_unit_max(run.rfm.M)});
    std::string title = fmt::format("final M / max|M|, n = {}", r.n);
    for (const ParityAtN::Pair& p : r.pairs)
        title += fmt::format("; Pearson({}, {}) = {:.3f}", display_name(r.runs[p.a].update),
                             display_name(r.runs[p.b].update), p.pearson.back());
    std::string where;
    for (std::size_t i : support) where += (where.empty() ? "" : ", ") + std::to_string(i);
    write_svg((dir / "heatmaps.svg").string(),
              heatmaps_svg(panels, title, ColourScale::per_panel,
                           fmt::format("Rows and columns: the d = {} input coordinates; the support S = {{{}}}", c.d, where)));
}

/// The settings every summary.json starts with.
nlohmann::json settings_json(const ParityConfig& c, const std::vector<std::size_t>& support) {
    return {{"experiment", "E4 sparse parity"},
            {"d", c.d},
            {"support", support},
            {"test_n", c.test_n},
            {"seed", c.seed},
            {"test_seed", test_seed(c.seed)},
            {"kernel", to_string(c.rfm.kernel.kind)},
            {"bandwidth", c.rfm.kernel.bandwidth},
            {"ridge", c.rfm.ridge},
            {"iters", c.rfm.iters},
            {"power", c.rfm.power},
            {"center", c.rfm.center},
            {"threshold", c.threshold}};
}

nlohmann::json at_n_json(const ParityConfig& c, const ParityAtN& r) {
    nlohmann::json runs = nlohmann::json::array();
    for (const ParityRun& run : r.runs) {
        std::vector<double> test_acc, train_acc;
        for (const RfmIteration& h : run.rfm.history) test_acc.push_back(h.test_acc), train_acc.push_back(h.train_acc);
        runs.push_back({{"update", to_string(run.update)},
                        {"normalize", to_string(run.normalize)},
                        {"power", run.update == RfmUpdate::nfa ? nlohmann::json(c.rfm.power) : nlohmann::json(nullptr)},
                        {"best_test_acc", run.best_test_acc},
                        {"best_iter", run.best_iter},
                        {"first_iter_at_threshold", iteration_json(run.first_at_threshold)},
                        {"final_test_acc", test_acc.back()},
                        {"final_train_acc", train_acc.back()},
                        {"final_support_fraction", run.support_fraction.back()},
                        {"seconds", run.seconds},
                        {"stopped", run.rfm.stopped},
                        {"test_acc", test_acc},
                        {"train_acc", train_acc},
                        {"support_fraction", run.support_fraction}});
    }
    nlohmann::json pairs = nlohmann::json::array();
    for (const ParityAtN::Pair& p : r.pairs)
        pairs.push_back({{"a", to_string(r.runs[p.a].update)},
                         {"b", to_string(r.runs[p.b].update)},
                         {"final", p.pearson.back()},
                         {"final_offdiag", p.pearson_offdiag.back()},
                         {"per_iter", p.pearson},
                         {"per_iter_offdiag", p.pearson_offdiag}});
    return {{"n", r.n}, {"runs", runs}, {"pearson", pairs}};
}

/// Markdown: one row per iteration (test accuracy and support share per update, the correlations), then
/// one row per update with the best accuracy and the threshold iteration.
std::string at_n_table(const ParityConfig& c, const ParityAtN& r) {
    std::string t = fmt::format("n = {}\n\n| iter |", r.n);
    std::string rule = "|---|";
    for (const ParityRun& run : r.runs) {
        t += fmt::format(" {0} test acc | {0} support |", display_name(run.update));
        rule += "---|---|";
    }
    for (const ParityAtN::Pair& p : r.pairs) {
        t += fmt::format(" Pearson({}, {}) |", display_name(r.runs[p.a].update), display_name(r.runs[p.b].update));
        rule += "---|";
    }
    t += "\n" + rule + "\n";
    for (std::size_t it = 0; it <= c.rfm.iters; ++it) {
        t += fmt::format("| {} |", it);
        for (const ParityRun& run : r.runs) {
            const double acc = it < run.rfm.history.size() ? run.rfm.history[it].test_acc : kNaN;
            t += fmt::format(" {:.4f} | {:.3f} |", acc, at(run.support_fraction, it));
        }
        for (const ParityAtN::Pair& p : r.pairs) t += fmt::format(" {:.4f} |", at(p.pearson, it));
        t += "\n";
    }
    t += fmt::format("\n| update | normalize | best test acc | at iter | first iter ≥ {:g} % | final support | "
                     "seconds |\n|---|---|---|---|---|---|---|\n",
                     100 * c.threshold);
    for (const ParityRun& run : r.runs)
        t += fmt::format("| {} | {} | {:.4f} | {} | {} | {:.3f} | {:.1f} |\n", display_name(run.update),
                         to_string(run.normalize), run.best_test_acc, run.best_iter,
                         iteration_text(run.first_at_threshold), run.support_fraction.back(), run.seconds);
    return t;
}

// ---- the sweep ----------------------------------------------------------------------------------------

void write_sweep(const ParityConfig& c, const ParityResult& result, const fs::path& dir) {
    std::string csv = "n,update,normalize,best_test_acc,best_iter,first_iter_at_threshold,final_test_acc,"
                      "final_support_fraction,seconds\n";
    LineChart chart{fmt::format("sparse parity d = {}, k = {}: best test accuracy over {} iterations", c.d,
                                result.support.size(), c.rfm.iters),
                    "training samples n", "best test accuracy", {}, false};
    for (std::size_t u = 0; u < c.updates.size(); ++u) chart.series.push_back({display_name(c.updates[u]), {}, {}});
    for (const ParityAtN& r : result.by_n)
        for (std::size_t u = 0; u < r.runs.size(); ++u) {
            const ParityRun& run = r.runs[u];
            csv += fmt::format("{},{},{},{:.17g},{},{},{:.17g},{:.17g},{:.3f}\n", r.n, to_string(run.update),
                               to_string(run.normalize), run.best_test_acc, run.best_iter,
                               run.first_at_threshold ? std::to_string(*run.first_at_threshold) : "",
                               run.rfm.history.back().test_acc, run.support_fraction.back(), run.seconds);
            chart.series[u].x.push_back(double(r.n));
            chart.series[u].y.push_back(run.best_test_acc);
        }
    write_text(dir / "sweep.csv", csv);
    write_svg((dir / "accuracy_vs_n.svg").string(), line_chart_svg(chart));
}

/// Per update, the smallest n of the sweep whose run reached the threshold (the sample-size threshold).
std::string sweep_table(const ParityConfig& c, const ParityResult& result) {
    std::string t = fmt::format("sweep: best test accuracy (first iteration ≥ {:g} %)\n\n| n |", 100 * c.threshold);
    std::string rule = "|---|";
    for (RfmUpdate u : c.updates) t += " " + display_name(u) + " |", rule += "---|";
    t += "\n" + rule + "\n";
    for (const ParityAtN& r : result.by_n) {
        t += fmt::format("| {} |", r.n);
        for (const ParityRun& run : r.runs)
            t += fmt::format(" {:.4f} ({}) |", run.best_test_acc, iteration_text(run.first_at_threshold));
        t += "\n";
    }
    return t;
}

}  // namespace

std::uint64_t test_seed(std::uint64_t seed) { return seed + 0x9E3779B97F4A7C15ull; }

double support_fraction(const Matrix& M, const std::vector<std::size_t>& support) {
    if (M.dimension() != 2 || M.shape(0) != M.shape(1))
        throw ad::ShapeError(fmt::format("support_fraction: M is {}; expected a square matrix", ad::shape_str(M)));
    double on = 0, trace = 0;
    for (std::size_t i = 0; i < M.shape(0); ++i) trace += M(i, i);
    for (std::size_t s : support) {
        if (s >= M.shape(0))
            throw ad::ShapeError(fmt::format("support_fraction: support coordinate {} is out of range for M {}", s,
                                             ad::shape_str(M)));
        on += M(s, s);
    }
    return trace > 0 && std::isfinite(trace) ? on / trace : kNaN;
}

std::optional<std::size_t> first_iteration_reaching(const std::vector<RfmIteration>& history, double threshold) {
    for (const RfmIteration& h : history)
        if (h.test_acc >= threshold) return h.iter;  // false for NaN
    return std::nullopt;
}

void check_parity_config(const ParityConfig& c) {
    if (c.updates.empty()) throw nn::ConfigError("parity: no update; expected at least one of nfa, fact, fact-geo");
    for (std::size_t i = 0; i < c.updates.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (c.updates[i] == c.updates[j])
                throw nn::ConfigError(fmt::format("parity: update '{}' given twice", to_string(c.updates[i])));
    if (c.sweep.empty() && c.n == 0) throw nn::ConfigError("parity: n = 0; expected at least one training sample");
    for (std::size_t n : c.sweep)
        if (n == 0) throw nn::ConfigError("parity: sweep entry n = 0; expected sample sizes ≥ 1");
    if (c.test_n == 0) throw nn::ConfigError("parity: test n = 0; expected at least one test sample");
    if (!(c.threshold > 0 && c.threshold <= 1))
        throw nn::ConfigError(fmt::format("parity: threshold {}; expected an accuracy in (0, 1]", c.threshold));
}

namespace {

// The experiment into out, created by run_parity or adopted by parity_resume.
ParityResult parity_into(const ParityConfig& c, nn::OutputDir& out, const ExperimentHooks& hooks) {
    const std::vector<std::size_t> ns = c.sweep.empty() ? std::vector<std::size_t>{c.n} : c.sweep;
    const bool sweep = !c.sweep.empty();

    ParityResult result;
    result.support = data::parity_support(parity_options(c, 1, c.seed));  // checks d, k and the support
    // The test set: an independent draw (its own seed) on the same support.
    ParityConfig on_support = c;
    on_support.support = result.support;
    const data::Dataset test = data::sparse_parity(parity_options(on_support, c.test_n, test_seed(c.seed)));
    // Check every RFM setting before the first (possibly long) run.
    check_config(c.rfm);

    RfmRuns runs(&out, "parity", c.quiet, hooks);
    const fs::path& tmp = out.path();
    {
        result.table = fmt::format(
            "E4 sparse parity: x uniform on {{0,1}}^{}, y = XOR of x on the support {{{}}} (one-hot, 2 classes); "
            "test set {} samples (seed {} + 0x9E3779B97F4A7C15); {} kernel L = {:g}, ridge {:g}, {} iterations, "
            "nfa power {:g}{}{}\n\n",
            c.d, fmt::join(result.support, ", "), c.test_n, c.seed, to_string(c.rfm.kernel.kind), c.rfm.kernel.bandwidth,
            c.rfm.ridge, c.rfm.iters, c.rfm.power, c.rfm.center ? " (centred)" : "",
            c.rfm.dtype == Dtype::f32 ? "; kernel systems in float32" : "");
        for (std::size_t n : ns) {
            // The same seed for every n: the training sets of a sweep are nested prefixes of one draw.
            const data::Dataset train = data::sparse_parity(parity_options(on_support, n, c.seed));
            ParityAtN r;
            r.n = n;
            for (RfmUpdate u : c.updates) {
                if (!c.quiet) std::fprintf(stderr, "parity: n = %zu, %s\n", n, display_name(u).c_str());
                r.runs.push_back(run_update(c, u, train, test, result.support, runs));
            }
            for (std::size_t a = 0; a < r.runs.size(); ++a)
                for (std::size_t b = a + 1; b < r.runs.size(); ++b) {
                    ParityAtN::Pair p{a, b, {}, {}};
                    const auto &Ma = r.runs[a].rfm.matrices, &Mb = r.runs[b].rfm.matrices;
                    for (std::size_t t = 0; t < std::min(Ma.size(), Mb.size()); ++t) {
                        p.pearson.push_back(pearson(Ma[t], Mb[t]));
                        p.pearson_offdiag.push_back(pearson(Ma[t], Mb[t], true));
                    }
                    r.pairs.push_back(std::move(p));
                }
            const fs::path dir = sweep ? tmp / fmt::format("n{}", n) : tmp;
            fs::create_directories(dir);
            write_at_n(c, r, result.support, dir);
            nlohmann::json summary = settings_json(c, result.support);
            const nlohmann::json results = at_n_json(c, r);
            for (auto it = results.begin(); it != results.end(); ++it) summary[it.key()] = it.value();
            write_text(dir / "summary.json", summary.dump(2) + "\n");
            result.table += at_n_table(c, r) + "\n";
            result.by_n.push_back(std::move(r));
        }
        if (sweep) {
            result.table += sweep_table(c, result);
            write_sweep(c, result, tmp);
        }
        if (sweep) {
            nlohmann::json top = settings_json(c, result.support);
            top["by_n"] = nlohmann::json::array();
            for (const ParityAtN& r : result.by_n) {
                nlohmann::json row = {{"n", r.n}};
                for (const ParityRun& run : r.runs)
                    row[to_string(run.update)] = {{"normalize", to_string(run.normalize)},
                                                  {"best_test_acc", run.best_test_acc},
                                                  {"best_iter", run.best_iter},
                                                  {"first_iter_at_threshold", iteration_json(run.first_at_threshold)},
                                                  {"final_support_fraction", run.support_fraction.back()},
                                                  {"seconds", run.seconds}};
                for (const ParityAtN::Pair& p : r.pairs)
                    row["pearson_" + to_string(r.runs[p.a].update) + "_" + to_string(r.runs[p.b].update)] =
                        p.pearson.back();
                top["by_n"].push_back(row);
            }
            write_text(tmp / "summary.json", top.dump(2) + "\n");
        }
        write_text(tmp / "table.md", result.table);
    }
    remove_working_files(tmp);
    out.commit();
    return result;
}

}  // namespace

ParityResult run_parity(const ParityConfig& c, const ExperimentHooks& hooks) {
    check_parity_config(c);
    if (c.out.empty()) throw nn::ConfigError("experiment parity: --out DIR is required");
    return start_run(c, "experiment parity", [&](const ParityConfig& c, nn::OutputDir& out) {
        return parity_into(c, out, hooks);
    });
}

ParityResult parity_resume(const std::string& out, const ExperimentHooks& hooks) {
    return resume_interrupted(out, "experiment parity", parity_config_from_json,
                              [&](const ParityConfig& c, nn::OutputDir& out) {
                                  check_parity_config(c);
                                  return parity_into(c, out, hooks);
                              });
}

RfmConfig parity_machine() {
    RfmConfig r;
    r.kernel = {KernelKind::laplace, 10.0};
    r.ridge = 1e-3;
    r.iters = 10;
    return r;
}

}  // namespace fact
