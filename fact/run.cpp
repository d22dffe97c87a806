// Runs on disk: see run.hpp.
#include "fact/run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "data/dataset.hpp"
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

data::Split load_split(const std::string& spec, std::uint64_t seed, double test_frac,
                       const data::BeforeGenerate& before_generate = {}) {
    data::Split s = data::load_spec(spec, seed, before_generate);
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

// What the curve plots need to know about the run besides its history.
struct CurveContext {
    bool lbfgs = false;            // x is the L-BFGS iteration, not the epoch
    std::string loss;              // nn::to_string(Loss): "mse" or "cross_entropy"
    double tolerance = 0;          // the convergence tolerance, drawn as a line when > 0
    bool classification = false;  // an accuracy panel
};

// curves.svg: the loss (train, and test when there is a test split), ‖∇L_λ‖/‖θ‖ on a log axis (the
// quantity that decides whether FACT holds) and, for classification, the accuracy; when tracked, also
// correlations_layer<i>.svg (correlations against epoch, the paper's Figure 8). As (file, svg) pairs.
std::vector<std::pair<std::string, std::string>> curve_plots(const std::vector<nn::EpochRecord>& history,
                                                             const std::vector<TrackRow>& track, const CurveContext& c) {
    const std::string x_label = c.lbfgs ? "L-BFGS iteration" : "epoch (one pass over the training set)";
    const bool has_test = !history.empty() && history.back().test_loss >= 0;
    const std::string loss_name = c.loss == "cross_entropy" ? "cross-entropy" : "mean squared error";
    LineChart loss{"Loss", x_label, "L = " + loss_name + " (log scale)", {}, true};
    LineChart grad{"Distance from a critical point", x_label, "‖∇L_λ‖ / ‖θ‖ (log scale)", {}, true};
    LineChart acc{"Accuracy", x_label, "accuracy (fraction classified correctly)", {}, false};
    Series train{"train", {}, {}}, test{"test", {}, {}}, ratio{"‖∇L_λ‖/‖θ‖", {}, {}};
    Series train_acc{"train", {}, {}}, test_acc{"test", {}, {}};
    bool any_ratio = false;
    for (const auto& r : history) {
        const double x = double(r.epoch);
        for (Series* s : {&train, &test, &ratio, &train_acc, &test_acc}) s->x.push_back(x);
        train.y.push_back(r.train_loss);
        test.y.push_back(r.test_loss >= 0 ? r.test_loss : std::nan(""));
        ratio.y.push_back(r.grad_norm_ratio >= 0 ? r.grad_norm_ratio : std::nan(""));
        any_ratio = any_ratio || r.grad_norm_ratio >= 0;
        train_acc.y.push_back(r.train_accuracy >= 0 ? r.train_accuracy : std::nan(""));
        test_acc.y.push_back(r.test_accuracy >= 0 ? r.test_accuracy : std::nan(""));
    }
    loss.series = {train};
    if (has_test) loss.series.push_back(test);
    grad.series = {ratio};
    const double x0 = history.empty() ? 0.0 : double(history.front().epoch);
    const double x1 = history.empty() ? 1.0 : double(history.back().epoch);
    if (c.tolerance > 0) grad.series.push_back({fmt::format("tolerance {:g}", c.tolerance), {x0, x1}, {c.tolerance, c.tolerance}});
    grad.caption = any_ratio ? "FACT holds only where this is ≈ 0: WᵀW − FACT = (1/λ) Wᵀ G_λ,\n"
                               "G_λ the layer's gradient of L_λ (docs/MATH.md §2.2)"
                             : "not computed: mini-batch training without --tol\n"
                               "(the full-batch gradient is computed only in convergence mode)";
    acc.series = {train_acc};
    if (has_test) acc.series.push_back(test_acc);
    std::vector<LineChart> charts = {loss, grad};
    if (c.classification) charts.push_back(acc);
    std::vector<std::pair<std::string, std::string>> plots = {
        {"curves.svg", line_charts_svg(charts, c.lbfgs ? "Training by full-batch L-BFGS" : "Training")}};
    if (track.empty()) return plots;
    const char* names[] = {"FACT", "(FACT FACT^T)^1/2", "AGOP^1/2", "AGOP"};
    const std::size_t layers = track.front().layers.size();
    for (std::size_t l = 0; l < layers; ++l) {
        LineChart chart{fmt::format("Layer {}: Pearson(WᵀW, ·) during training", l), x_label,
                        "Pearson correlation with WᵀW", {}, false};
        chart.caption = "FACT reaches 1 at a critical point (docs/MATH.md §2); AGOP^1/2 is the NFA (§3)";
        if (l + 1 == layers)
            chart.caption += "\nlast layer: AGOP = WᵀW exactly, its Pearson is 1 by construction (§3.3)";
        for (std::size_t k = 0; k < 4; ++k) {
            Series s{names[k], {}, {}};
            for (const TrackRow& t : track) {
                s.x.push_back(double(t.epoch));
                s.y.push_back(t.layers[l][k]);
            }
            chart.series.push_back(s);
        }
        plots.emplace_back(fmt::format("correlations_layer{}.svg", l), line_chart_svg(chart));
    }
    return plots;
}

// The pixel grid of the inputs when the data are images: digits 8×8, 784 features 28×28 (MNIST and its
// kin), IDX files with a square number of features; {0, 0} otherwise.
std::pair<std::size_t, std::size_t> image_shape(const std::string& spec, std::size_t d) {
    const std::string kind = data::parse_spec(spec).kind;
    const auto side = std::size_t(std::lround(std::sqrt(double(d))));
    if ((kind == "digits" && d == 64) || d == 784 || (kind == "idx" && side * side == d)) return {side, side};
    return {0, 0};
}

// The diagonal of a d×d matrix as a rows×cols image (row-major, as the pixels are stored).
Matrix diagonal_image(const Matrix& m, std::size_t rows, std::size_t cols) {
    Matrix out = Matrix::from_shape({rows, cols});
    for (std::size_t i = 0; i < rows * cols; ++i) out(i / cols, i % cols) = m(i, i);
    return out;
}

// layer<i>/heatmaps.svg: WᵀW and its candidates, each on its own colour scale (Pearson ignores scale and the
// NFA is a proportionality); for the first layer of image data also diagonals.svg.
void write_layer_plots(const fs::path& dir, const LayerQuantities& q, bool last,
                       std::pair<std::size_t, std::size_t> image) {
    std::vector<Heatmap> panels = {
        {"WᵀW", q.nfm},
        {fmt::format("FACT ({:.3f}, relerr {:.1e})", q.metrics.fact, q.metrics.relerr_fact), q.fact},
        {fmt::format("(FACT FACTᵀ)^½ ({:.3f})", q.metrics.fact_sqrt), q.fact_sqrt}};
    if (q.agop.size() > 0) panels.push_back({fmt::format("AGOP^½ ({:.3f})", q.metrics.nfa_sqrt), q.agop_sqrt});
    std::string caption = fmt::format("Rows and columns: the {} inputs of the layer ({}). In brackets: Pearson with WᵀW; "
                                      "relerr = ‖WᵀW − FACT‖/‖WᵀW‖, ≈ 0 only at a critical point (docs/MATH.md §2.2)",
                                      q.in, q.index == 0 ? "the data's features" : "the previous layer's outputs");
    if (last) caption += "\nLast layer (linear output): AGOP = WᵀW exactly and AGOP^½ = (WᵀW)^½, by construction (docs/MATH.md §3.3)";
    write_svg((dir / "heatmaps.svg").string(),
              heatmaps_svg(panels, fmt::format("Layer {} (W is {}×{}): WᵀW and its candidates", q.index, q.out, q.in),
                           ColourScale::per_panel, caption));
    if (q.index != 0 || image.first == 0) return;
    const auto [rows, cols] = image;
    std::vector<Heatmap> diag = {{"diag(WᵀW)", diagonal_image(q.nfm, rows, cols)},
                                 {"diag(FACT)", diagonal_image(q.fact, rows, cols)}};
    if (q.agop.size() > 0) diag.push_back({"diag(AGOP^½)", diagonal_image(q.agop_sqrt, rows, cols)});
    write_svg((dir / "diagonals.svg").string(),
              heatmaps_svg(diag, fmt::format("Layer 0: the diagonals as {}×{} images, one cell per input pixel", rows, cols),
                           ColourScale::per_panel,
                           "diag(WᵀW)ⱼ = ‖W[:, j]‖²: how much weight the first layer puts on pixel j"));
}

// The files a run keeps in its temporary directory while it works (run.hpp), removed before the commit.
constexpr const char* config_file = "config.json";
constexpr const char* progress_file = "progress.json";
constexpr const char* checkpoint_dir = "checkpoint";
constexpr const char* config_format = "fact-run-config";

// progress.json (run.hpp), written atomically at most once a second unless forced.
class ProgressFile {
public:
    ProgressFile(fs::path path, std::size_t epochs, double seconds_before)
        : path_(std::move(path)), epochs_(epochs), before_(seconds_before), start_(Clock::now()) {}

    void record(const nn::EpochRecord& r) {
        last_ = {{"epoch", r.epoch}, {"epochs", epochs_}, {"loss", json_number(r.train_loss)},
                 {"objective", json_number(r.train_objective)},
                 {"grad_ratio", r.grad_norm_ratio >= 0 ? json_number(r.grad_norm_ratio) : nlohmann::json(nullptr)}};
        write(false);
    }
    void checkpoint(std::size_t epoch) {
        checkpoint_epoch_ = epoch;
        if (last_.is_null() || last_.value("epoch", std::size_t(0)) != epoch) last_ = {{"epoch", epoch}, {"epochs", epochs_}};
        write(true);
    }

private:
    using Clock = std::chrono::steady_clock;
    double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
    void write(bool force) {
        const double now = elapsed();
        if (!force && now - written_ < 1.0) return;
        written_ = now;
        nlohmann::json j = last_;
        for (const char* k : {"loss", "objective", "grad_ratio"})
            if (!j.contains(k)) j[k] = nullptr;
        j["seconds"] = before_ + now;
        j["checkpoint_epoch"] = checkpoint_epoch_ > 0 ? nlohmann::json(checkpoint_epoch_) : nlohmann::json(nullptr);
        data::write_file(path_.string(), j.dump(2) + "\n");
    }
    fs::path path_;
    std::size_t epochs_;
    double before_;
    Clock::time_point start_;
    double written_ = -1e9;
    std::size_t checkpoint_epoch_ = 0;
    nlohmann::json last_;
};

nlohmann::json track_json(const std::vector<TrackRow>& track) {
    nlohmann::json rows = nlohmann::json::array();
    for (const TrackRow& t : track) {
        nlohmann::json layers = nlohmann::json::array();
        for (const auto& l : t.layers)
            layers.push_back({json_number(l[0]), json_number(l[1]), json_number(l[2]), json_number(l[3])});
        rows.push_back({{"epoch", t.epoch}, {"layers", layers}});
    }
    return rows;
}

std::vector<TrackRow> track_from_json(const nlohmann::json& j, const std::string& where) {
    std::vector<TrackRow> track;
    if (!j.is_array()) throw nn::CheckpointError(fmt::format("{}: \"track\" is not an array", where));
    for (const nlohmann::json& row : j) {
        TrackRow t{row.at("epoch").get<std::size_t>(), {}};
        for (const nlohmann::json& l : row.at("layers")) {
            std::array<double, 4> v{};
            for (std::size_t k = 0; k < 4; ++k) v[k] = l.at(k).is_null() ? std::nan("") : l.at(k).get<double>();
            t.layers.push_back(v);
        }
        track.push_back(std::move(t));
    }
    return track;
}

void check_run_config(const RunConfig& c) {
    if (c.out.empty()) throw nn::ConfigError("train: --out DIR is required");
    if (c.dtype != "f32" && c.dtype != "f64")
        throw nn::ConfigError(fmt::format("train: dtype '{}' is unknown (valid: f32, f64)", c.dtype));
    if (c.track_every > 0 && !(c.train.weight_decay > 0))
        throw nn::ConfigError("train: --track-every needs --wd > 0 (FACT divides by λ)");
}

// What can be refused once the size of the data is known, before the model is built: a loss that does not
// fit the task, and a model whose training would not fit in memory (nn::training_memory_bytes against the
// budget). For a generated dataset it runs before the data are generated (data::BeforeGenerate), with the
// training rows estimated from the split; for the others after they are loaded.
void check_fits(const RunConfig& c, std::size_t n_train, const nn::MLPConfig& arch, bool classification,
                std::size_t scalar_bytes) {
    if (c.train.loss == nn::Loss::cross_entropy && !classification)
        throw nn::ConfigError(fmt::format("train: --loss ce needs a classification dataset, but '{}' is a regression "
                                          "dataset (use --loss mse)", c.data));
    const std::size_t buffers = nn::optimizer_buffers(c.train);
    const std::size_t rows = c.train.batch == 0 ? n_train : std::min(c.train.batch, n_train);
    std::string widths = std::to_string(arch.input);
    for (std::size_t w : arch.hidden) widths += "-" + std::to_string(w);
    widths += "-" + std::to_string(arch.output);
    data::check_memory(fmt::format("train: MLP {}", widths), nn::training_memory_bytes(arch, rows, scalar_bytes, buffers),
                       fmt::format("parameters, gradients, {} optimizer buffers and the activations of {} rows", buffers,
                                   rows),
                       "training");
}

// Train into `out` (created by train_run, or adopted by resume_run with its checkpoint) and commit it.
template <class T>
RunOutcome train_typed(const RunConfig& c, const RunHooks& hooks, nn::OutputDir& out, const fs::path& checkpoint) {
    const auto before_generate = [&](const data::GeneratedSize& g) {
        const double train = g.train_fraction < 1 ? g.train_fraction : 1.0 - c.test_frac;
        check_fits(c, std::size_t(double(g.n) * train), {g.d, c.hidden, g.outputs, c.activation, c.bias},
                   g.classification, sizeof(T));
    };
    const data::Split s = load_split(c.data, c.seed, c.test_frac, before_generate);
    const nn::MLPConfig arch{s.train.d(), c.hidden, s.train.outputs(), c.activation, c.bias};
    check_fits(c, s.train.n(), arch, s.train.num_classes > 0, sizeof(T));
    nn::MLP<T> model(arch);
    data::Rng rng(c.seed);
    nn::initialize(model, c.init, rng);
    const fs::path& tmp = out.path();

    nn::TrainConfig tc = c.train;
    tc.seed = c.seed;
    std::vector<TrackRow> track;
    std::vector<nn::Observer<T>> observers;
    const bool coupled_full_batch = nn::fact_exact_possible(tc, s.train.n());
    if (c.track_every > 0) {
        tc.eval_every = std::gcd(tc.eval_every, c.track_every);  // every tracked epoch gets a history row
        observers.push_back({c.track_every, [&](nn::MLP<T>& m, std::size_t epoch) {
                                 AnalysisOptions o;
                                 o.objective = {tc.loss, tc.weight_decay, tc.decay_biases};
                                 o.full_batch_coupled = coupled_full_batch;
                                 const Analysis a = analyze(m, s.train, o);
                                 TrackRow row{epoch, {}};
                                 for (const auto& q : a.layers)
                                     row.layers.push_back({q.metrics.fact, q.metrics.fact_sqrt, q.metrics.nfa_sqrt,
                                                           q.metrics.nfa});
                                 track.push_back(row);
                                 return true;
                             }});
    }

    // Resuming: the checkpoint's parameters, training state and tracked correlations.
    nn::TrainState state;
    nn::TrainHooks th;
    if (!checkpoint.empty()) {
        nlohmann::json extra;
        state = nn::load_train_checkpoint(checkpoint.string(), model, &extra);
        track = track_from_json(extra.value("track", nlohmann::json::array()), checkpoint.string());
        th.resume = &state;
    }
    ProgressFile progress(tmp / progress_file, tc.epochs, state.seconds);
    th.record = [&](const nn::EpochRecord& r) { progress.record(r); };
    th.checkpoint_every = c.checkpoint_every;
    th.checkpoint_seconds = c.checkpoint_seconds;
    th.checkpoint = [&](const nn::TrainState& st) {
        nn::save_train_checkpoint((tmp / checkpoint_dir).string(), model, st, {{"track", track_json(track)}});
        out.keep_on_failure();   // from now on a crash leaves the work for resume_run
        progress.checkpoint(st.epoch);
    };
    if (hooks.after_epoch)
        observers.push_back({1, [&](nn::MLP<T>&, std::size_t epoch) {
                                 hooks.after_epoch(epoch, tmp);
                                 return true;
                             }});

    RunOutcome outcome;
    outcome.result = nn::train(model, s.train, s.test, tc, observers, th);
    outcome.dir = out.target().string();

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
        {"until_converged", c.until_converged},
        {"track_every", c.track_every},
        {"result",
         {{"stop", nn::to_string(outcome.result.stop)},
          {"epochs", outcome.result.epochs},
          {"grad_norm_rel", outcome.result.grad_norm_ratio},
          {"train_loss", outcome.result.train_loss},
          {"message", outcome.result.message},
          {"fact_exact_expected", outcome.result.fact_exact_expected}}},
    };
    remove_working_files(tmp);
    nn::save_checkpoint((tmp / "model").string(), model, outcome.result.optimizer_state, run);
    write_text(tmp / "history.csv", history_with_tracking(outcome.result.history, track, model.layers().size()));
    write_text(tmp / "run.json", run.dump(2) + "\n");
    const CurveContext cc{tc.optimizer.kind == nn::OptimizerKind::lbfgs, nn::to_string(tc.loss), tc.tolerance,
                          s.train.task == data::Task::classification};
    for (const auto& [file, svg] : curve_plots(outcome.result.history, track, cc)) write_svg((tmp / file).string(), svg);
    out.commit();
    return outcome;
}

RunOutcome train_dispatch(const RunConfig& c, const RunHooks& hooks, nn::OutputDir& out, const fs::path& checkpoint) {
    return c.dtype == "f32" ? train_typed<float>(c, hooks, out, checkpoint) : train_typed<double>(c, hooks, out, checkpoint);
}


// "input 64, hidden [32, 32], output 10, tanh, with biases".
std::string describe(const nn::MLPConfig& a) {
    return fmt::format("input {}, hidden [{}], output {}, {}, {}", a.input, fmt::join(a.hidden, ", "), a.output,
                       nn::to_string(a.activation), a.bias ? "with biases" : "without biases");
}

// The model must be the one the run record describes: a copied or replaced model/ would be analysed with
// another run's data, loss and λ. Checked after the checkpoint itself loaded (its own files agree).
void check_recorded_architecture(const nlohmann::json& run, const std::string& where, const std::string& model_dir) {
    const JsonFields f(run, where);
    if (!f.has("architecture")) return;
    const JsonFields a = f.object("architecture");
    nn::MLPConfig recorded;
    recorded.input = a.count("input");
    recorded.hidden = a.counts("hidden");
    recorded.output = a.count("output");
    try {
        recorded.activation = nn::parse_activation(a.text("activation"));
    } catch (const nn::ConfigError& e) {
        throw a.error("activation", e.what());
    }
    recorded.bias = a.boolean("bias");
    const nn::MLPConfig stored = nn::checkpoint_config(model_dir);
    if (describe(recorded) != describe(stored))
        throw nn::ConfigError(fmt::format("analyze: {} describes the architecture {}, but {} holds {}; the model does "
                                          "not belong to this run", where, describe(recorded),
                                          (fs::path(model_dir) / "model.json").string(), describe(stored)));
}

template <class T>
Analysis analyze_typed(const AnalyzeConfig& c, const nlohmann::json& run, const std::string& where,
                       const std::string& model_dir, std::string& table) {
    const JsonFields f(run, where);
    const std::string spec = f.text("data", c.data);
    const JsonFields train = f.object("train");
    const double lambda = train.number("weight_decay", 0.0);
    const std::string loss = train.text("loss", "mse");
    const std::string opt = train.text("optimizer", "sgd");
    const std::size_t batch = train.count("batch", 0);
    const data::Split s = load_split(spec, f.count("seed", c.seed), f.number("test_frac", 0.0));

    nn::MLP<T> model(nn::checkpoint_config(model_dir));
    nn::load_checkpoint(model_dir, model);
    if (!c.run.empty()) check_recorded_architecture(run, where, model_dir);
    AnalysisOptions o;
    nn::Loss parsed_loss;
    try {
        parsed_loss = nn::parse_loss(loss);
    } catch (const std::exception& e) {
        throw train.error("loss", e.what());
    }
    o.objective = {parsed_loss, lambda, train.boolean("decay_biases", true)};
    nn::TrainConfig trained;   // what fact_exact_possible reads of the recorded training
    try {
        trained.optimizer.kind = nn::parse_optimizer(opt);
    } catch (const std::exception& e) {
        throw train.error("optimizer", e.what());
    }
    trained.batch = batch;
    o.full_batch_coupled = nn::fact_exact_possible(trained, s.train.n());
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
            write_layer_plots(dir, q, q.index + 1 == a.layers.size(), image_shape(spec, q.in));
        }
    });
    return a;
}

}  // namespace

// The checkpoint folder `name` in tmp after a crash: a swap interrupted between its two renames leaves only
// "<name>.old-*" (the previous checkpoint, complete), which is put back; half-written "<name>.tmp-*" are
// removed (they are this process's now). The checkpoint, or an empty path if there is none.
fs::path settle_checkpoint(const fs::path& tmp, const std::string& name) {
    const fs::path cp = tmp / name;
    std::error_code ec;
    std::vector<fs::path> strays;
    for (const fs::directory_entry& e : fs::directory_iterator(tmp, ec)) {
        const std::string f = e.path().filename().string();
        if (f.rfind(name + ".tmp-", 0) == 0 || f.rfind(name + ".old-", 0) == 0) strays.push_back(e.path());
    }
    for (const fs::path& p : strays) {
        if (!fs::exists(cp) && p.filename().string().rfind(name + ".old-", 0) == 0) fs::rename(p, cp, ec);
        else fs::remove_all(p, ec);
    }
    return fs::is_directory(cp) ? cp : fs::path();
}

// Removes the working files of run.hpp from tmp before the commit.
void remove_working_files(const fs::path& tmp) {
    std::error_code ec;
    for (const char* f : {config_file, progress_file}) fs::remove(tmp / f, ec);
    fs::remove_all(tmp / checkpoint_dir, ec);
}

nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

void write_run_config(const fs::path& tmp, const std::string& command, const nlohmann::json& config) {
    write_text(tmp / config_file,
               nlohmann::json{{"format", config_format}, {"command", command}, {"config", config}}.dump(2) + "\n");
}

nlohmann::json read_run_config(const nn::Leftover& leftover, std::string& where) {
    const fs::path file = leftover.path / config_file;
    where = file.string() + ": config";
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(data::read_file(file.string()));
    } catch (const std::exception& e) {
        throw nn::ConfigError(fmt::format("resume: {}: cannot be read: {}", file.string(), e.what()));
    }
    return JsonFields(j, file.string()).at("config");
}

RunOutcome train_run(const RunConfig& c, const RunHooks& hooks) {
    check_run_config(c);
    return start_run(c, "train", [&](const RunConfig& c, nn::OutputDir& out) { return train_dispatch(c, hooks, out, {}); });
}

nn::Leftover resumable_leftover(const std::string& out_arg, const std::string& command) {
    const fs::path out = nn::normalize_output_path(out_arg);
    std::error_code ec;
    if (fs::exists(fs::symlink_status(out, ec)))
        throw nn::ConfigError(fmt::format("resume: '{}' already exists: the run finished; nothing to resume",
                                          out.string()));
    const std::vector<nn::Leftover> all = nn::find_leftovers(out);
    if (all.empty())
        throw nn::ConfigError(fmt::format("resume: no interrupted run of '{}' (no temporary directory '{}.tmp-XXXXXXXX' "
                                          "beside it)", out.string(), out.string()));
    if (all.size() > 1) {
        std::string names, rm;
        for (const nn::Leftover& l : all) {
            names += (names.empty() ? "'" : ", '") + l.path.string() + "'";
            rm += " '" + l.path.string() + "'";
        }
        throw nn::ConfigError(fmt::format("resume: several interrupted runs of '{}': {}; remove all but one (rm -r --{})",
                                          out.string(), names, rm));
    }
    const nn::Leftover& l = all.front();
    const std::string dir = l.path.string();
    if (!l.owned)
        throw nn::ConfigError(fmt::format("resume: '{}' records no owner (an older version's, or not this program's); "
                                          "it cannot be resumed", dir));
    if (l.alive)
        throw nn::ConfigError(fmt::format("resume: '{}' is being written now by process {}; it can be resumed only once "
                                          "that process has ended", dir, l.pid));
    const fs::path config = l.path / config_file;
    if (!fs::exists(config))
        throw nn::ConfigError(fmt::format("resume: '{}' has no {} (written by a version without resume, or not a run of "
                                          "a command with --resume); start the run again (remove it with rm -r -- '{}')",
                                          dir, config_file, dir));
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(data::read_file(config.string()));
    } catch (const std::exception& e) {
        throw nn::ConfigError(fmt::format("resume: {}: cannot be read: {}", config.string(), e.what()));
    }
    const JsonFields f(j, config.string());
    if (f.text("format") != config_format) throw f.error("format", fmt::format("\"{}\"", config_format));
    const std::string found = f.text("command");
    if (found != command)
        throw nn::ConfigError(fmt::format("resume: '{}' holds a `fact {}` run; resume it with `fact {} --resume {}`", dir,
                                          found, found, nn::shell_quote(out.string())));
    const bool has_checkpoint = fs::is_directory(l.path / checkpoint_dir) || [&] {
        for (const fs::directory_entry& e : fs::directory_iterator(l.path, ec))
            if (e.path().filename().string().rfind(std::string(checkpoint_dir) + ".old-", 0) == 0) return true;
        return false;
    }();
    if (!has_checkpoint)
        throw nn::ConfigError(fmt::format("resume: '{}' has no checkpoint yet (interrupted before its first one); start "
                                          "the run again (remove it with rm -r -- '{}')", dir, dir));
    return l;
}

RunOutcome resume_run(const std::string& out, const RunHooks& hooks) {
    return resume_interrupted(out, "train", run_config_from_json, [&](const RunConfig& c, nn::OutputDir& out) {
        check_run_config(c);
        const fs::path checkpoint = settle_checkpoint(out.path(), checkpoint_dir);
        if (checkpoint.empty())
            throw nn::ConfigError(fmt::format("resume: '{}' has no checkpoint", out.path().string()));
        return train_dispatch(c, hooks, out, checkpoint);
    });
}

nlohmann::json to_json(const RunConfig& c) {
    const nn::TrainConfig& t = c.train;
    const nn::OptimizerConfig& o = t.optimizer;
    return {
        {"data", c.data}, {"seed", c.seed}, {"dtype", c.dtype}, {"out", c.out}, {"test_frac", c.test_frac},
        {"hidden", c.hidden}, {"activation", nn::to_string(c.activation)}, {"bias", c.bias},
        {"init", {{"kind", nn::to_string(c.init.kind)}, {"std", c.init.std}, {"scale", c.init.scale}}},
        {"track_every", c.track_every}, {"until_converged", c.until_converged},
        {"checkpoint_every", c.checkpoint_every}, {"checkpoint_seconds", c.checkpoint_seconds},
        {"train",
         {{"optimizer", {{"kind", nn::to_string(o.kind)}, {"momentum", o.momentum}, {"nesterov", o.nesterov},
                         {"beta1", o.beta1}, {"beta2", o.beta2}, {"eps", o.eps},
                         {"decoupled_weight_decay", o.decoupled_weight_decay}}},
          {"lbfgs", {{"history", std::size_t(std::max(t.lbfgs.history, 0))}, {"max_iterations", t.lbfgs.max_iterations},
                     {"tolerance", t.lbfgs.tolerance}, {"max_linesearch", std::size_t(std::max(t.lbfgs.max_linesearch, 0))}}},
          {"schedule", {{"kind", nn::to_string(t.schedule.kind)}, {"gamma", t.schedule.gamma},
                        {"step_every", t.schedule.step_every}, {"min_lr", t.schedule.min_lr},
                        {"total_epochs", t.schedule.total_epochs}, {"warmup_epochs", t.schedule.warmup_epochs}}},
          {"lr", t.lr}, {"weight_decay", t.weight_decay}, {"decay_biases", t.decay_biases},
          {"loss", nn::to_string(t.loss)}, {"batch", t.batch}, {"epochs", t.epochs}, {"tolerance", t.tolerance},
          {"check_every", t.check_every}, {"eval_every", t.eval_every}, {"seed", t.seed}, {"quiet", t.quiet},
          {"divergence_patience", t.divergence_patience}, {"divergence_factor", t.divergence_factor}}},
    };
}

RunConfig run_config_from_json(const nlohmann::json& j, const std::string& where) {
    const JsonFields f(j, where);
    // A name the parser refuses becomes the error of its field.
    const auto parsed = [](const JsonFields& g, const std::string& key, auto parse) {
        const std::string name = g.text(key);
        try {
            return parse(name);
        } catch (const std::exception& e) {
            throw g.error(key, e.what());
        }
    };
    RunConfig c;
    c.data = f.text("data");
    c.seed = f.count("seed");
    c.dtype = f.text("dtype");
    c.out = f.text("out");
    c.test_frac = f.number("test_frac");
    c.hidden = f.counts("hidden");
    c.activation = parsed(f, "activation", nn::parse_activation);
    c.bias = f.boolean("bias");
    const JsonFields init = f.object("init");
    c.init.kind = parsed(init, "kind", nn::parse_init);
    c.init.std = init.number("std");
    c.init.scale = init.number("scale");
    c.track_every = f.count("track_every");
    c.until_converged = f.boolean("until_converged");
    c.checkpoint_every = f.count("checkpoint_every");
    c.checkpoint_seconds = f.number("checkpoint_seconds", 0.0);
    const JsonFields t = f.object("train");
    const JsonFields o = t.object("optimizer");
    c.train.optimizer.kind = parsed(o, "kind", nn::parse_optimizer);
    c.train.optimizer.momentum = o.number("momentum");
    c.train.optimizer.nesterov = o.boolean("nesterov");
    c.train.optimizer.beta1 = o.number("beta1");
    c.train.optimizer.beta2 = o.number("beta2");
    c.train.optimizer.eps = o.number("eps");
    c.train.optimizer.decoupled_weight_decay = o.number("decoupled_weight_decay");
    const JsonFields l = t.object("lbfgs");
    c.train.lbfgs.history = int(l.count("history"));
    c.train.lbfgs.max_iterations = l.count("max_iterations");
    c.train.lbfgs.tolerance = l.number("tolerance");
    c.train.lbfgs.max_linesearch = int(l.count("max_linesearch"));
    const JsonFields sc = t.object("schedule");
    c.train.schedule.kind = parsed(sc, "kind", nn::parse_schedule);
    c.train.schedule.gamma = sc.number("gamma");
    c.train.schedule.step_every = sc.count("step_every");
    c.train.schedule.min_lr = sc.number("min_lr");
    c.train.schedule.total_epochs = sc.count("total_epochs");
    c.train.schedule.warmup_epochs = sc.count("warmup_epochs");
    c.train.lr = t.number("lr");
    c.train.weight_decay = t.number("weight_decay");
    c.train.decay_biases = t.boolean("decay_biases");
    c.train.loss = parsed(t, "loss", nn::parse_loss);
    c.train.batch = t.count("batch");
    c.train.epochs = t.count("epochs");
    c.train.tolerance = t.number("tolerance");
    c.train.check_every = t.count("check_every");
    c.train.eval_every = t.count("eval_every");
    c.train.seed = t.count("seed");
    c.train.quiet = t.boolean("quiet");
    c.train.divergence_patience = t.count("divergence_patience");
    c.train.divergence_factor = t.number("divergence_factor");
    return c;
}

JsonFields::JsonFields(const nlohmann::json& j, std::string file, std::string path)
    : j_(j), file_(std::move(file)), path_(std::move(path)) {
    if (!j_.is_object())
        throw nn::ConfigError(fmt::format("{}: {} is {}, expected an object", file_,
                                          path_.empty() ? std::string("the content") : "field \"" + path_.substr(0, path_.size() - 1) + "\"",
                                          j_.dump()));
}

nn::ConfigError JsonFields::error(const std::string& key, const std::string& expected) const {
    const auto it = j_.find(key);
    if (it == j_.end()) return nn::ConfigError(fmt::format("{}: lacks the field \"{}{}\"", file_, path_, key));
    std::string value = it->dump();
    if (value.size() > 80) value = value.substr(0, 77) + "...";
    return nn::ConfigError(fmt::format("{}: field \"{}{}\" is {}, expected {}", file_, path_, key, value, expected));
}

bool JsonFields::has(const std::string& key) const { return j_.contains(key); }

const nlohmann::json& JsonFields::at(const std::string& key) const {
    const auto it = j_.find(key);
    if (it == j_.end()) throw error(key, "");
    return *it;
}

double JsonFields::number(const std::string& key) const {
    const nlohmann::json& v = at(key);
    if (v.is_null()) return std::nan("");
    if (!v.is_number()) throw error(key, "a number");
    return v.get<double>();
}
double JsonFields::number(const std::string& key, double otherwise) const { return has(key) ? number(key) : otherwise; }

std::uint64_t JsonFields::count(const std::string& key) const {
    const nlohmann::json& v = at(key);
    if (!v.is_number_unsigned()) throw error(key, "a whole number ≥ 0");
    return v.get<std::uint64_t>();
}
std::uint64_t JsonFields::count(const std::string& key, std::uint64_t otherwise) const {
    return has(key) ? count(key) : otherwise;
}

bool JsonFields::boolean(const std::string& key) const {
    const nlohmann::json& v = at(key);
    if (!v.is_boolean()) throw error(key, "true or false");
    return v.get<bool>();
}
bool JsonFields::boolean(const std::string& key, bool otherwise) const { return has(key) ? boolean(key) : otherwise; }

std::string JsonFields::text(const std::string& key) const {
    const nlohmann::json& v = at(key);
    if (!v.is_string()) throw error(key, "a string");
    return v.get<std::string>();
}
std::string JsonFields::text(const std::string& key, const std::string& otherwise) const {
    return has(key) ? text(key) : otherwise;
}

std::vector<std::size_t> JsonFields::counts(const std::string& key) const {
    const nlohmann::json& v = at(key);
    std::vector<std::size_t> out;
    if (!v.is_array()) throw error(key, "an array of whole numbers ≥ 0");
    for (const nlohmann::json& x : v) {
        if (!x.is_number_unsigned()) throw error(key, "an array of whole numbers ≥ 0");
        out.push_back(x.get<std::size_t>());
    }
    return out;
}

std::vector<std::string> JsonFields::texts(const std::string& key) const {
    const nlohmann::json& v = at(key);
    std::vector<std::string> out;
    if (!v.is_array()) throw error(key, "an array of strings");
    for (const nlohmann::json& x : v) {
        if (!x.is_string()) throw error(key, "an array of strings");
        out.push_back(x.get<std::string>());
    }
    return out;
}

JsonFields JsonFields::object(const std::string& key) const {
    const nlohmann::json& v = at(key);
    if (!v.is_object()) throw error(key, "an object");
    return JsonFields(v, file_, path_ + key + ".");
}

Analysis analyze_run(const AnalyzeConfig& c, std::string& table) {
    nlohmann::json run = nlohmann::json::object();
    std::string model_dir = c.model;
    std::string where;   // the file the run record comes from, for messages
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
        where = path.string();
    } else if (c.model.empty() || c.data.empty() || !(c.weight_decay > 0)) {
        throw nn::ConfigError("analyze: give --run DIR, or --model DIR with --data SPEC and --wd λ > 0");
    } else {
        // A checkpoint written by `fact train` carries its run record: keep its loss, optimizer and batch
        // (they decide ℓ_i and whether FACT can be exact), with the data and λ given on the command line.
        where = (fs::path(model_dir) / "model.json").string() + ": config";
        const nlohmann::json checkpoint = nn::checkpoint_json(model_dir);
        const nlohmann::json stored = checkpoint.contains("config") ? checkpoint.at("config") : nlohmann::json::object();
        if (stored.is_object() && stored.contains("train") && stored.at("train").is_object()) run = stored;
        if (JsonFields(run, where).text("data", std::string()) != c.data) {
            run["seed"] = c.seed;
            run["test_frac"] = 0.0;
        }
        run["data"] = c.data;
        if (!run.contains("train")) run["train"] = nlohmann::json::object();
        run["train"]["weight_decay"] = c.weight_decay;
    }
    const std::string dtype = nn::checkpoint_dtype(model_dir);
    return dtype == "float32" ? analyze_typed<float>(c, run, where, model_dir, table)
                              : analyze_typed<double>(c, run, where, model_dir, table);
}

std::string format_table(const Analysis& a) {
    std::string t = fmt::format("λ = {:g}   n = {}   ‖∇L_λ‖/‖θ‖ = {:.3g}   {}\n", a.lambda, a.n, a.grad_norm_ratio,
                                a.regime);
    t += "Pearson(WᵀW, ·) per layer; relerr = ‖WᵀW − FACT‖/‖WᵀW‖ (bFACT: against WWᵀ); eNFA* = C^½, the stand-in\n";
    t += fmt::format("{:>5} {:>10} {:>8} {:>10} {:>8}  {:>8}  {:>8} {:>11} {:>11}\n", "layer", "shape", "FACT",
                     "FACT_sqrt", "AGOP^½", "AGOP", "eNFA*", "relerr", "relerr bFACT");
    auto f = [](double v) { return std::isfinite(v) ? fmt::format("{:.4f}", v) : std::string("n/a"); };
    auto e = [](double v) { return std::isfinite(v) ? fmt::format("{:.2e}", v) : std::string("n/a"); };
    for (const LayerQuantities& q : a.layers) {
        // The last layer's AGOP columns hold by construction (†, below), not as evidence for the NFA.
        const bool last = q.index + 1 == a.layers.size();
        const std::string mark = last && std::isfinite(q.metrics.nfa) ? "†" : " ";
        t += fmt::format("{:>5} {:>10} {:>8} {:>10} {:>8}{} {:>8}{} {:>8} {:>11} {:>11}\n", q.index,
                         fmt::format("{}x{}", q.out, q.in), f(q.metrics.fact), f(q.metrics.fact_sqrt),
                         f(q.metrics.nfa_sqrt), mark, f(q.metrics.nfa), mark, f(q.metrics.enfa),
                         e(q.metrics.relerr_fact), e(q.metrics.relerr_bfact));
    }
    t += "relerr = ‖(1/λ) WᵀG_λ‖_F/‖WᵀW‖_F, G_λ the layer's gradient of L_λ: the layer's convergence diagnostic;\n"
         "  FACT is exact where it is ≈ 0, i.e. at a critical point (docs/MATH.md §2.2)\n";
    if (!a.layers.empty() && a.layers.back().agop.size() > 0)
        t += "† last layer (linear output): Jᵢ = W, so AGOP = WᵀW and its Pearson is 1 by construction, and\n"
             "  AGOP^½ = (WᵀW)^½; they say nothing about the NFA (docs/MATH.md §3.3)\n";
    return t;
}

}  // namespace fact
