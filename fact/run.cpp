// Runs on disk: see run.hpp.
#include "fact/run.hpp"

#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "data/error.hpp"
#include "data/files.hpp"
#include "data/npy.hpp"
#include "data/spec.hpp"
#include "data/transforms.hpp"
#include "fact/output.hpp"
#include "fact/plot.hpp"
#include "nn/checkpoint.hpp"
#include "nn/error.hpp"

namespace fact {

namespace fs = std::filesystem;

namespace {

data::Split load_split(const std::string& spec, std::uint64_t seed, double test_frac) {
    data::Split s = data::load_spec(spec, seed);
    if (s.test.n() == 0 && test_frac > 0) s = data::train_test_split(s.train, test_frac, seed);
    return s;
}

struct TrackRow {
    std::size_t epoch;
    std::vector<std::array<double, 4>> layers;  // fact, fact_sqrt, nfa_sqrt, nfa
};

std::string num(double v) { return std::isfinite(v) ? fmt::format("{:.10g}", v) : std::string(); }

// history.csv: nn's columns, plus the tracked correlations of each layer on the epochs that have them.
std::string history_with_tracking(const std::vector<nn::EpochRecord>& history, const std::vector<TrackRow>& track,
                                  std::size_t layers) {
    std::istringstream base(nn::history_csv(history));
    std::string line, out;
    std::getline(base, line);
    out += line;
    if (!track.empty())
        for (std::size_t l = 0; l < layers; ++l)
            out += fmt::format(",l{0}_fact,l{0}_fact_sqrt,l{0}_nfa_sqrt,l{0}_nfa", l);
    out += '\n';
    for (const nn::EpochRecord& r : history) {
        std::getline(base, line);
        out += line;
        if (!track.empty()) {
            const TrackRow* t = nullptr;
            for (const TrackRow& row : track)
                if (row.epoch == r.epoch) t = &row;
            for (std::size_t l = 0; l < layers; ++l)
                for (std::size_t k = 0; k < 4; ++k) out += "," + (t ? num(t->layers[l][k]) : std::string());
        }
        out += '\n';
    }
    return out;
}

// curves.svg (losses) and, when tracked, correlations_layer<i>.svg (the paper's Figure 8), as (file, svg).
std::vector<std::pair<std::string, std::string>> curve_plots(const std::vector<nn::EpochRecord>& history,
                                                             const std::vector<TrackRow>& track) {
    LineChart loss{"Loss against epoch", "epoch", "loss", {}, true};
    Series train{"train", {}, {}}, test{"test", {}, {}};
    for (const auto& r : history) {
        train.x.push_back(double(r.epoch));
        train.y.push_back(r.train_loss);
        test.x.push_back(double(r.epoch));
        test.y.push_back(r.test_loss >= 0 ? r.test_loss : std::nan(""));
    }
    loss.series = {train};
    if (!history.empty() && history.back().test_loss >= 0) loss.series.push_back(test);
    std::vector<std::pair<std::string, std::string>> plots = {{"curves.svg", line_chart_svg(loss)}};
    if (track.empty()) return plots;
    const char* names[] = {"FACT", "(FACT FACT^T)^1/2", "AGOP^1/2", "AGOP"};
    for (std::size_t l = 0; l < track.front().layers.size(); ++l) {
        LineChart c{fmt::format("Layer {}: Pearson(W^T W, ·) against epoch", l), "epoch", "Pearson", {}, false};
        for (std::size_t k = 0; k < 4; ++k) {
            Series s{names[k], {}, {}};
            for (const TrackRow& t : track) {
                s.x.push_back(double(t.epoch));
                s.y.push_back(t.layers[l][k]);
            }
            c.series.push_back(s);
        }
        plots.emplace_back(fmt::format("correlations_layer{}.svg", l), line_chart_svg(c));
    }
    return plots;
}

template <class T>
RunOutcome train_typed(const RunConfig& c) {
    if (c.out.empty()) throw nn::ConfigError("train: --out DIR is required");
    const fs::path out(c.out);
    if (fs::exists(out)) throw nn::ConfigError(fmt::format("train: '{}' already exists; choose a new --out", c.out));
    if (c.track_every > 0 && !(c.train.weight_decay > 0))
        throw nn::ConfigError("train: --track-every needs --wd > 0 (FACT divides by λ)");
    const data::Split s = load_split(c.data, c.seed, c.test_frac);
    nn::MLP<T> model({s.train.d(), c.hidden, s.train.outputs(), c.activation, c.bias});
    data::Rng rng(c.seed);
    nn::initialize(model, c.init, rng);

    nn::TrainConfig tc = c.train;
    tc.seed = c.seed;
    std::vector<TrackRow> track;
    std::vector<nn::Observer<T>> observers;
    const bool adamw = tc.optimizer.kind == nn::OptimizerKind::adamw;
    const bool full_batch = tc.batch == 0 || tc.batch >= s.train.n() || tc.optimizer.kind == nn::OptimizerKind::lbfgs;
    if (c.track_every > 0) {
        tc.eval_every = std::gcd(tc.eval_every, c.track_every);  // every tracked epoch gets a history row
        observers.push_back({c.track_every, [&](nn::MLP<T>& m, std::size_t epoch) {
                                 AnalysisOptions o;
                                 o.objective = {tc.loss, tc.weight_decay, tc.decay_biases};
                                 o.full_batch_coupled = full_batch && !adamw;
                                 const Analysis a = analyze(m, s.train, o);
                                 TrackRow row{epoch, {}};
                                 for (const auto& q : a.layers)
                                     row.layers.push_back({q.metrics.fact, q.metrics.fact_sqrt, q.metrics.nfa_sqrt,
                                                           q.metrics.nfa});
                                 track.push_back(row);
                                 return true;
                             }});
    }
    RunOutcome outcome;
    outcome.result = nn::train(model, s.train, s.test, tc, observers);
    outcome.dir = c.out;

    nlohmann::json run = {
        {"format", "fact-run"},
        {"data", c.data},
        {"seed", c.seed},
        {"dtype", c.dtype},
        {"test_frac", c.test_frac},
        {"n_train", s.train.n()},
        {"n_test", s.test.n()},
        {"architecture",
         {{"input", s.train.d()}, {"hidden", c.hidden}, {"output", s.train.outputs()},
          {"activation", nn::to_string(c.activation)}, {"bias", c.bias}}},
        {"init", {{"scale", c.init.scale}}},
        {"train", nn::to_json(tc)},
        {"track_every", c.track_every},
        {"result",
         {{"stop", nn::to_string(outcome.result.stop)},
          {"epochs", outcome.result.epochs},
          {"grad_norm_rel", outcome.result.grad_norm_ratio},
          {"train_loss", outcome.result.train_loss},
          {"message", outcome.result.message},
          {"fact_exact_expected", outcome.result.fact_exact_expected}}},
    };
    build_directory(out, false, [&](const fs::path& tmp) {
        nn::save_checkpoint((tmp / "model").string(), model, outcome.result.optimizer_state, run);
        write_text(tmp / "history.csv", history_with_tracking(outcome.result.history, track, model.layers().size()));
        write_text(tmp / "run.json", run.dump(2) + "\n");
        for (const auto& [file, svg] : curve_plots(outcome.result.history, track)) write_svg((tmp / file).string(), svg);
    });
    return outcome;
}

template <class T>
Analysis analyze_typed(const AnalyzeConfig& c, const nlohmann::json& run, const std::string& model_dir,
                       std::string& table) {
    const std::string spec = run.value("data", c.data);
    const nlohmann::json& train = run.at("train");
    const double lambda = train.value("weight_decay", 0.0);
    const std::string loss = train.value("loss", std::string("mse"));
    const std::string opt = train.value("optimizer", std::string("sgd"));
    const std::size_t batch = train.value("batch", std::size_t(0));
    const data::Split s = load_split(spec, run.value("seed", c.seed), run.value("test_frac", 0.0));

    nn::MLP<T> model(nn::checkpoint_config(model_dir));
    nn::load_checkpoint(model_dir, model);
    AnalysisOptions o;
    o.objective = {nn::parse_loss(loss), lambda, train.value("decay_biases", true)};
    o.full_batch_coupled = opt != "adamw" && (batch == 0 || batch >= s.train.n() || opt == "lbfgs");
    o.agop = c.agop;
    const Analysis a = analyze(model, s.train, o);
    table = format_table(a);

    const fs::path base = c.out.empty() ? fs::path(c.run.empty() ? model_dir : c.run) : fs::path(c.out);
    nlohmann::json report = to_json(a);
    report["data"] = spec;
    report["model"] = c.run.empty() ? model_dir : std::string("model");  // relative to the run directory
    build_directory(base / "analysis", true, [&](const fs::path& tmp) {
        write_text(tmp / "report.json", report.dump(2) + "\n");
        for (const LayerQuantities& q : a.layers) {
            const fs::path dir = tmp / fmt::format("layer{}", q.index);
            fs::create_directories(dir);
            const std::pair<const char*, const Matrix*> files[] = {
                {"NFM", &q.nfm}, {"FACT", &q.fact}, {"FACT_sqrt", &q.fact_sqrt}, {"bFACT", &q.bfact},
                {"AGOP", &q.agop}, {"AGOP_sqrt", &q.agop_sqrt}, {"eNFA_standin_sqrt", &q.grad_cov_sqrt}};
            for (const auto& [name, m] : files)
                if (m->size() > 0) data::save_npy((dir / (std::string(name) + ".npy")).string(), *m);
            std::vector<Heatmap> panels = {
                {"W^T W", q.nfm},
                {fmt::format("FACT ({:.3f})", q.metrics.fact), q.fact},
                {fmt::format("(FACT FACT^T)^1/2 ({:.3f})", q.metrics.fact_sqrt), q.fact_sqrt}};
            if (q.agop.size() > 0) panels.push_back({fmt::format("AGOP^1/2 ({:.3f})", q.metrics.nfa_sqrt), q.agop_sqrt});
            write_svg((dir / "heatmaps.svg").string(),
                      heatmaps_svg(panels, fmt::format("Layer {}: W^T W and its candidates (Pearson in brackets)", q.index)));
        }
    });
    return a;
}

}  // namespace

RunOutcome train_run(const RunConfig& c) {
    if (c.dtype == "f32") return train_typed<float>(c);
    if (c.dtype == "f64") return train_typed<double>(c);
    throw nn::ConfigError(fmt::format("train: dtype '{}' is unknown (valid: f32, f64)", c.dtype));
}

Analysis analyze_run(const AnalyzeConfig& c, std::string& table) {
    nlohmann::json run = nlohmann::json::object();
    std::string model_dir = c.model;
    if (!c.run.empty()) {
        const fs::path path = fs::path(c.run) / "run.json";
        std::ifstream in(path);
        if (!in) throw nn::ConfigError(fmt::format("analyze: cannot read '{}' (is --run a run directory?)", path.string()));
        try {
            run = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            throw nn::ConfigError(fmt::format("analyze: '{}' is not valid JSON: {}", path.string(), e.what()));
        }
        model_dir = (fs::path(c.run) / "model").string();
    } else if (c.model.empty() || c.data.empty() || !(c.weight_decay > 0)) {
        throw nn::ConfigError("analyze: give --run DIR, or --model DIR with --data SPEC and --wd λ > 0");
    } else {
        // A checkpoint written by `fact train` carries its run record: keep its loss, optimizer and batch
        // (they decide ℓ_i and whether FACT can be exact), with the data and λ given on the command line.
        const nlohmann::json stored = nn::checkpoint_json(model_dir).value("config", nlohmann::json::object());
        if (stored.is_object() && stored.contains("train")) run = stored;
        if (run.value("data", std::string()) != c.data) {
            run["seed"] = c.seed;
            run["test_frac"] = 0.0;
        }
        run["data"] = c.data;
        if (!run.contains("train")) run["train"] = nlohmann::json::object();
        run["train"]["weight_decay"] = c.weight_decay;
    }
    const std::string dtype = nn::checkpoint_dtype(model_dir);
    return dtype == "float32" ? analyze_typed<float>(c, run, model_dir, table)
                              : analyze_typed<double>(c, run, model_dir, table);
}

std::string format_table(const Analysis& a) {
    std::string t = fmt::format("λ = {:g}   n = {}   ‖∇L_λ‖/‖θ‖ = {:.3g}   {}\n", a.lambda, a.n, a.grad_norm_ratio,
                                a.regime);
    t += "Pearson(WᵀW, ·) per layer; relerr = ‖WᵀW − FACT‖/‖WᵀW‖ (bFACT: against WWᵀ); eNFA* = C^½, the stand-in\n";
    t += fmt::format("{:>5} {:>10} {:>8} {:>10} {:>8} {:>8} {:>8} {:>11} {:>11}\n", "layer", "shape", "FACT",
                     "FACT_sqrt", "AGOP^½", "AGOP", "eNFA*", "relerr", "relerr bFACT");
    auto f = [](double v) { return std::isfinite(v) ? fmt::format("{:.4f}", v) : std::string("n/a"); };
    auto e = [](double v) { return std::isfinite(v) ? fmt::format("{:.2e}", v) : std::string("n/a"); };
    for (const LayerQuantities& q : a.layers)
        t += fmt::format("{:>5} {:>10} {:>8} {:>10} {:>8} {:>8} {:>8} {:>11} {:>11}\n", q.index,
                         fmt::format("{}x{}", q.out, q.in), f(q.metrics.fact), f(q.metrics.fact_sqrt),
                         f(q.metrics.nfa_sqrt), f(q.metrics.nfa), f(q.metrics.enfa), e(q.metrics.relerr_fact),
                         e(q.metrics.relerr_bfact));
    return t;
}

}  // namespace fact
