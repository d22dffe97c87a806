// E1/E2: see experiments.hpp. Each seed is an ordinary run directory (fact/run.hpp) with its analysis; the
// summary over seeds is written beside them.
#include "fact/experiments.hpp"

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "data/files.hpp"
#include "fact/plot.hpp"
#include "nn/error.hpp"
#include "nn/output_dir.hpp"

namespace fact {

namespace fs = std::filesystem;

NfaVsFactResult nfa_vs_fact_in(const NfaVsFactConfig& c, const fs::path& dir);

NfaVsFactResult nfa_vs_fact(const NfaVsFactConfig& c) {
    if (c.out.empty()) throw nn::ConfigError("experiment nfa-vs-fact: --out DIR is required");
    if (c.seeds == 0) throw nn::ConfigError("experiment nfa-vs-fact: --seeds must be ≥ 1");
    // Everything is built in a temporary sibling of its own and renamed at the end: an interrupted
    // experiment leaves no half-written directory, and concurrent runs cannot touch each other's.
    nn::OutputDir out(c.out, nn::Existing::refuse, "experiment nfa-vs-fact");
    NfaVsFactResult r = nfa_vs_fact_in(c, out.path());
    out.commit();
    return r;
}

NfaVsFactResult nfa_vs_fact_in(const NfaVsFactConfig& c, const fs::path& dir) {
    std::vector<Analysis> analyses;
    NfaVsFactResult result;
    for (std::size_t seed = 0; seed < c.seeds; ++seed) {
        RunConfig r;
        r.data = c.data;
        r.seed = seed;
        r.dtype = "f64";
        r.out = (dir / fmt::format("seed{}", seed)).string();
        r.hidden = c.hidden;
        r.activation = c.activation;
        r.track_every = c.track_every;
        r.train.optimizer.kind = nn::OptimizerKind::lbfgs;
        r.train.loss = nn::Loss::mse;
        r.train.weight_decay = c.weight_decay;
        r.train.epochs = c.epochs;
        r.train.tolerance = c.tolerance;
        r.train.eval_every = c.track_every > 0 ? c.track_every : 100;
        r.train.quiet = c.quiet;
        if (!c.quiet) std::fprintf(stderr, "seed %zu of %zu\n", seed + 1, c.seeds);
        train_run(r);
        AnalyzeConfig a;
        a.run = r.out;
        std::string table;
        analyses.push_back(analyze_run(a, table));
        result.grad_norm_ratios.push_back(analyses.back().grad_norm_ratio);
    }

    // mean ± std over seeds (std with n − 1; 0 for one seed)
    const std::size_t L = analyses.front().layers.size(), S = analyses.size();
    for (std::size_t l = 0; l < L; ++l) {
        LayerSummary s;
        s.index = l;
        for (std::size_t k = 0; k < 4; ++k) {
            std::vector<double> v;
            for (const Analysis& a : analyses) {
                const LayerMetrics& m = a.layers[l].metrics;
                const double vals[4] = {m.fact, m.fact_sqrt, m.nfa_sqrt, m.enfa};
                v.push_back(vals[k]);
            }
            double mean = 0, var = 0;
            for (double x : v) mean += x / double(S);
            for (double x : v) var += (x - mean) * (x - mean);
            s.mean[k] = mean;
            s.std[k] = S > 1 ? std::sqrt(var / double(S - 1)) : 0.0;
        }
        result.layers.push_back(s);
    }

    std::string& t = result.table;
    t = fmt::format("E1 on {}: MLP {} ({}), MSE, λ = {:g}, full-batch L-BFGS in float64, {} seeds; "
                    "‖∇L_λ‖/‖θ‖ at the end: {}\n\n",
                    c.data, fmt::join(c.hidden, "-"), nn::to_string(c.activation), c.weight_decay, S,
                    fmt::join(result.grad_norm_ratios, ", "));
    t += "| layer | FACT | (FACT FACTᵀ)^½ | AGOP^½ (NFA) | eNFA stand-in C^½ |\n|---|---|---|---|---|\n";
    for (const LayerSummary& s : result.layers) {
        t += fmt::format("| {} |", s.index);
        for (std::size_t k = 0; k < 4; ++k) t += fmt::format(" {:.4f} ± {:.4f} |", s.mean[k], s.std[k]);
        t += "\n";
    }
    nlohmann::json summary = {{"data", c.data}, {"seeds", S}, {"hidden", c.hidden},
                              {"activation", nn::to_string(c.activation)}, {"weight_decay", c.weight_decay},
                              {"grad_norm_rel", result.grad_norm_ratios}, {"layers", nlohmann::json::array()}};
    const char* keys[4] = {"fact", "fact_sqrt", "nfa_sqrt", "enfa"};
    for (const LayerSummary& s : result.layers) {
        nlohmann::json l = {{"index", s.index}};
        for (std::size_t k = 0; k < 4; ++k) l[keys[k]] = {{"mean", s.mean[k]}, {"std", s.std[k]}};
        summary["layers"].push_back(l);
    }
    data::write_file((dir / "summary.json").string(), summary.dump(2) + "\n");
    data::write_file((dir / "table.md").string(), t);

    LineChart chart{"Pearson(WᵀW, ·) by layer, mean over seeds", "layer (0 = the input layer)",
                    "Pearson correlation with WᵀW", {}, false};
    chart.caption = "last layer: AGOP = WᵀW exactly, so AGOP^1/2 = (WᵀW)^1/2 there by construction (docs/MATH.md §3.3)";
    const char* names[4] = {"FACT", "(FACT FACT^T)^1/2", "AGOP^1/2 (NFA)", "eNFA stand-in"};
    for (std::size_t k = 0; k < 4; ++k) {
        Series s{names[k], {}, {}};
        for (const LayerSummary& l : result.layers) {
            s.x.push_back(double(l.index));
            s.y.push_back(l.mean[k]);
        }
        chart.series.push_back(s);
    }
    write_svg((dir / "pearson_by_layer.svg").string(), line_chart_svg(chart));
    return result;
}

}  // namespace fact
