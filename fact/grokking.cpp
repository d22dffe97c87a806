// E5, grokking of modular arithmetic by RFM: see grokking.hpp.
#include "fact/grokking.hpp"

#include <cmath>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "autodiff/error.hpp"
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

constexpr std::size_t npos = static_cast<std::size_t>(-1);

// b⁻¹ mod p = b^{p−2} (p prime, Fermat); b ≠ 0.
std::size_t inverse_mod(std::size_t b, std::size_t p) {
    std::size_t inv = 1, base = b % p, e = p - 2;
    while (e > 0) {
        if (e & 1) inv = inv * base % p;
        base = base * base % p;
        e >>= 1;
    }
    return inv;
}

// The class along which the off-diagonal block is constant: the "inverse" combination of the target's,
// (a − b) for addition, (a + b) for subtraction, a·b⁻¹ for multiplication, a·b for division. npos for
// pairs outside the multiplicative group (a or b = 0) under mul and div.
std::size_t pair_class(std::size_t a, std::size_t b, std::size_t p, data::ModOp op) {
    switch (op) {
        case data::ModOp::add: return (a + p - b) % p;
        case data::ModOp::sub: return (a + b) % p;
        case data::ModOp::mul: return a == 0 || b == 0 ? npos : a * inverse_mod(b, p) % p;
        case data::ModOp::div: return a == 0 || b == 0 ? npos : a * b % p;
    }
    return npos;
}

std::size_t first_at_least(const std::vector<RfmIteration>& h, double level) {
    for (const RfmIteration& r : h)
        if (r.test_acc >= level) return r.iter;
    return npos;
}

// The classes of pair_class in words, for the plots' captions.
const char* class_text(data::ModOp op) {
    switch (op) {
        case data::ModOp::add: return "(a − b) mod p";
        case data::ModOp::sub: return "(a + b) mod p";
        case data::ModOp::mul: return "a·b⁻¹ mod p (a, b ≠ 0)";
        case data::ModOp::div: return "a·b mod p (a, b ≠ 0)";
    }
    return "?";
}

nlohmann::json iteration_or_null(std::size_t t) { return t == npos ? nlohmann::json(nullptr) : nlohmann::json(t); }

}  // namespace

double circulant_deviation(const Matrix& M, std::size_t p, data::ModOp op) {
    if (M.shape(0) != 2 * p || M.shape(1) != 2 * p)
        throw ad::ShapeError(fmt::format("circulant_deviation: M is {}; expected ({},{}) for p = {}",
                                         ad::shape_str(M), 2 * p, 2 * p, p));
    std::vector<double> sum(p, 0.0), count(p, 0.0);
    double norm2 = 0;
    for (std::size_t a = 0; a < p; ++a)
        for (std::size_t b = 0; b < p; ++b) {
            const std::size_t r = pair_class(a, b, p, op);
            if (r == npos) continue;
            const double c = M(a, p + b);
            sum[r] += c;
            count[r] += 1;
            norm2 += c * c;
        }
    if (!(norm2 > 0)) return std::numeric_limits<double>::quiet_NaN();
    double dev = 0;
    for (std::size_t a = 0; a < p; ++a)
        for (std::size_t b = 0; b < p; ++b) {
            const std::size_t r = pair_class(a, b, p, op);
            if (r == npos) continue;
            const double e = M(a, p + b) - sum[r] / count[r];
            dev += e * e;
        }
    return dev / norm2;
}

namespace {

// The experiment into out (null: nothing written), created by grokking_experiment or adopted by grokking_resume.
GrokkingResult grokking_into(const GrokkingConfig& c, nn::OutputDir* out, const ExperimentHooks& hooks) {
    const data::Split split = data::modular_arithmetic({c.p, c.op, c.frac, c.seed});
    if (!c.quiet)
        std::fprintf(stderr, "grokking: (a %s b) mod %zu, %zu training pairs, %zu test pairs, %s kernel L = %g, "
                             "ridge %g, %zu iterations%s\n", data::to_string(c.op).c_str(), c.p, split.train.n(),
                     split.test.n(), to_string(c.rfm.kernel.kind).c_str(), c.rfm.kernel.bandwidth, c.rfm.ridge,
                     c.rfm.iters, c.rfm.dtype == Dtype::f32 ? ", float32" : "");

    GrokkingResult result;
    RfmRuns runs(out, "grokking", c.quiet, hooks);
    for (RfmUpdate update : c.updates) {
        const RfmConfig rc = machine_for(c.rfm, update, c.quiet);
        GrokkingRun run;
        run.update = update;
        run.normalize = normalization_of(rc);
        run.result = runs.run(to_string(update), rc, {&split.train, &split.test, nullptr});
        const Matrix& final_M = run.result.matrices.back();
        for (const Matrix& M : run.result.matrices) {
            run.circ_dev.push_back(circulant_deviation(M, c.p, c.op));
            run.alignment.push_back(cosine(M, final_M));
        }
        run.first_perfect = first_at_least(run.result.history, 1.0);
        run.first_above_half = first_at_least(run.result.history, 0.5);
        result.runs.push_back(std::move(run));
    }

    result.table = "| update | normalize | test acc at 0 | first ≥ 50 % | first 100 % | final test acc | final D(C) |\n"
                   "|---|---|---:|---:|---:|---:|---:|\n";
    const auto iter_text = [](std::size_t t) { return t == npos ? std::string("never") : std::to_string(t); };
    for (const GrokkingRun& r : result.runs)
        result.table += fmt::format("| {} | {} | {:.4f} | {} | {} | {:.4f} | {:.3g} |\n", to_string(r.update),
                                    to_string(r.normalize), r.result.history.front().test_acc,
                                    iter_text(r.first_above_half), iter_text(r.first_perfect),
                                    r.result.history.back().test_acc, r.circ_dev.back());
    if (!out) return result;

    const std::string x_label = "RFM iteration t (t = 0: M = I)";
    LineChart acc{fmt::format("(a {} b) mod {}: train and test accuracy", data::to_string(c.op), c.p), x_label,
                  "accuracy (fraction of pairs correct)", {}, false};
    LineChart loss{"Test loss", x_label, "mean squared error on the test pairs (log scale)", {}, true};
    LineChart measures{"Progress measures: circulant deviation D(C) and alignment ρ(M_t, M_T)", x_label,
                       "D(C) and ρ(M_t, M_T), both in [0, 1]", {}, false};
    measures.caption = fmt::format(
        "M_t: the feature matrix after iteration t; M_T: the final one (T = {}). C = M_t[0:p, p:2p] couples a to b.\n"
        "D(C) = Σ (C[a,b] − mean of C over the class of (a,b))² / ‖C‖²_F, classes {}: 0 = C constant on each class\n"
        "ρ(M_t, M_T) = cosine(M_t, M_T): 1 = the final features (docs/MATH.md §6.7)",
        c.rfm.iters, class_text(c.op));
    nlohmann::json summary;
    summary["experiment"] = "grokking";
    summary["config"] = {{"p", c.p}, {"op", data::to_string(c.op)}, {"frac", c.frac}, {"iters", c.rfm.iters},
                         {"kernel", to_string(c.rfm.kernel.kind)}, {"bandwidth", c.rfm.kernel.bandwidth}, {"ridge", c.rfm.ridge},
                         {"power", c.rfm.power}, {"center_nfa", c.rfm.center}, {"seed", c.seed},
                         {"train", split.train.n()}, {"test", split.test.n()}};
    for (const GrokkingRun& r : result.runs) {
        Series a{to_string(r.update) + "-RFM test", {}, {}}, tr{to_string(r.update) + "-RFM train", {}, {}};
        Series l{to_string(r.update) + "-RFM", {}, {}}, d{"D(C), " + to_string(r.update) + "-RFM", {}, {}},
            rho{"ρ(M_t, M_T), " + to_string(r.update) + "-RFM", {}, {}};
        for (std::size_t t = 0; t < r.result.history.size(); ++t) {
            const RfmIteration& h = r.result.history[t];
            const double x = static_cast<double>(h.iter);
            a.x.push_back(x), a.y.push_back(h.test_acc);
            tr.x.push_back(x), tr.y.push_back(h.train_acc);
            l.x.push_back(x), l.y.push_back(h.test_loss);
            d.x.push_back(x), d.y.push_back(r.circ_dev[t]);
            rho.x.push_back(x), rho.y.push_back(r.alignment[t]);
        }
        acc.series.push_back(a);
        acc.series.push_back(tr);
        loss.series.push_back(l);
        measures.series.push_back(d);
        measures.series.push_back(rho);
        summary["runs"].push_back({{"update", to_string(r.update)}, {"normalize", to_string(r.normalize)},
                                   {"first_test_acc_at_least_half", iteration_or_null(r.first_above_half)},
                                   {"first_test_acc_perfect", iteration_or_null(r.first_perfect)},
                                   {"final_test_acc", r.result.history.back().test_acc},
                                   {"final_circ_dev", r.circ_dev.back()}, {"stopped", r.result.stopped}});
    }

    [&](const fs::path& tmp) {
        for (const GrokkingRun& r : result.runs) {
            const fs::path dir = tmp / to_string(r.update);
            fs::create_directories(dir);
            write_text(dir / "history.csv",
                       history_csv(r.result.history, {{"circ_dev", r.circ_dev}, {"alignment", r.alignment}}));
            data::save_npy((dir / "M.npy").string(), r.result.matrices.back());
            std::vector<Matrix> shots;
            std::vector<std::string> titles;
            for (std::size_t t : c.snapshots)
                if (t < r.result.matrices.size()) {
                    shots.push_back(r.result.matrices[t]);
                    titles.push_back(fmt::format("M_{} (test acc {:.2f})", t, r.result.history[t].test_acc));
                }
            write_svg((dir / "heatmaps.svg").string(),
                      feature_matrix_heatmaps(shots, titles, fmt::format("{}-RFM feature matrices", to_string(r.update)),
                                              true,
                                              fmt::format("Rows and columns: the 2p = {} inputs, one-hot a (first {}) "
                                                          "then one-hot b (last {})", 2 * c.p, c.p, c.p)));
        }
        write_svg((tmp / "curves.svg").string(), line_chart_svg(acc));
        write_svg((tmp / "loss.svg").string(), line_chart_svg(loss));
        write_svg((tmp / "progress.svg").string(), line_chart_svg(measures));
        write_text(tmp / "summary.json", summary.dump(2) + "\n");
        write_text(tmp / "table.md", result.table);
    }(out->path());
    remove_working_files(out->path());
    out->commit();
    return result;
}

}  // namespace

GrokkingResult grokking_experiment(const GrokkingConfig& c, const ExperimentHooks& hooks) {
    if (c.updates.empty()) throw nn::ConfigError("grokking: no update given; expected e.g. nfa,fact");
    if (c.out.empty()) return grokking_into(c, nullptr, hooks);
    return start_run(c, "experiment grokking", [&](const GrokkingConfig& c, nn::OutputDir& out) {
        return grokking_into(c, &out, hooks);
    });
}

GrokkingResult grokking_resume(const std::string& out, const ExperimentHooks& hooks) {
    return resume_interrupted(out, "experiment grokking", grokking_config_from_json,
                              [&](const GrokkingConfig& c, nn::OutputDir& out) { return grokking_into(c, &out, hooks); });
}

RfmConfig grokking_machine() {
    RfmConfig r;
    r.kernel = {KernelKind::gaussian, 2.5};
    r.ridge = 0.0;
    r.iters = 75;
    r.center = true;
    return r;
}

}  // namespace fact
