// The `fact` program: parse flags, call the library (fact/run.hpp), print one line on stderr and exit
// non-zero on any error. Every output directory is written under a temporary name and renamed when
// complete, so a failed command leaves nothing behind.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <new>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "autodiff/parallel.hpp"
#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "data/dataset.hpp"
#include "data/error.hpp"
#include "data/spec.hpp"
#include "fact/experiments.hpp"
#include "fact/grokking.hpp"
#include "fact/run.hpp"
#include "nn/error.hpp"
#include "nn/output_dir.hpp"

namespace {

// "256,256,256" -> {256, 256, 256}; "none" -> no hidden layer (a linear model). An empty text is refused:
// it is what an unset shell variable gives, not a request for a linear model.
std::vector<std::size_t> parse_widths(const std::string& text) {
    if (text == "none") return {};
    if (text.empty())
        throw nn::ConfigError("--hidden: empty; expected widths such as 256,256,256, or 'none' for a linear model "
                              "without hidden layers");
    return cli::parse_sizes("--hidden", text, {1, 999'999'999, "width", "256,256,256, or 'none'"});
}

struct Common {
    std::string data = "digits";
    std::uint64_t seed = 0;
    int threads = 0;
    std::string dtype = "f64";
    std::string out;
    bool quiet = false;
    cli::MaxMemory max_memory;
};

void add_common(CLI::App* cmd, Common& c, bool with_data = true) {
    if (with_data) cmd->add_option("--data", c.data, "dataset string (see `fact datasets`)")->capture_default_str();
    cli::add_seed(cmd, c.seed, "seed of data, split, initialisation and shuffling");
    cli::add_threads(cmd, c.threads);
    cli::add_max_memory(cmd, c.max_memory);
    cmd->add_option("--dtype", c.dtype, "f32 or f64")->check(CLI::IsMember({"f32", "f64"}))->capture_default_str();
    cmd->add_option("--out", c.out, "output directory");
    cmd->add_flag("--quiet", c.quiet, "no progress on stderr");
}

// `--tol` without `--epochs` trains until converged; this safety cap on epochs (L-BFGS iterations) is
// reported when it is hit.
constexpr std::size_t until_converged_cap = 100000;

struct TrainFlags {
    std::string hidden = "256,256,256", act = "relu", loss = "mse", opt = "gd", batch = "full", schedule = "constant";
    bool no_bias = false, nesterov = false;
    double lr = 0.1, momentum = 0.0, wd = 0.0, tol = 0.0, test_frac = 0.0, init_scale = 1.0;
    std::size_t epochs = 100, track_every = 0, eval_every = 1, checkpoint_every = 0;
    bool checkpoint_given = false;  // --checkpoint-every was on the command line (else: one a minute)
    std::string resume;             // --resume OUT
};

void add_train_flags(CLI::App* cmd, TrainFlags& f) {
    cmd->add_option("--hidden", f.hidden, "hidden widths, comma separated, or none (a linear model)")->capture_default_str();
    cmd->add_option("--act", f.act, "relu|leaky_relu|tanh|gelu|identity|quadratic|softplus")->capture_default_str();
    cmd->add_flag("--no-bias,!--bias", f.no_bias, "layers without (or with, the default) biases");
    cmd->add_option("--loss", f.loss, "mse|ce")->capture_default_str();
    cmd->add_option("--opt", f.opt, "gd|sgd|adam|adamw|lbfgs")->capture_default_str();
    cmd->add_option("--lr", f.lr, "learning rate")->check(cli::real(cli::positive()))->capture_default_str();
    cmd->add_option("--momentum", f.momentum, "SGD momentum")->check(cli::real({0.0, 1.0, false, true}))->capture_default_str();
    cmd->add_flag("--nesterov", f.nesterov, "Nesterov momentum");
    cmd->add_option("--wd", f.wd, "weight decay λ (coupled L2; AdamW: decoupled wd)")
        ->check(cli::real(cli::non_negative()))
        ->capture_default_str();
    cmd->add_option("--batch", f.batch, "mini-batch size, or full")->capture_default_str();
    cmd->add_option("--epochs", f.epochs, "maximum epochs (L-BFGS: iterations); with --tol and no --epochs: train "
                                          "until converged, at most " + std::to_string(until_converged_cap))
        ->check(cli::integer(1, cli::max_count))
        ->capture_default_str();
    cmd->add_option("--tol", f.tol, "convergence mode: stop when |grad L_λ|/|θ| < tol (without --epochs: until then)")
        ->check(cli::real(cli::non_negative()))
        ->capture_default_str();
    cmd->add_option("--test-frac", f.test_frac, "held-out fraction when the data has no split")
        ->check(cli::real(cli::fraction()))
        ->capture_default_str();
    cmd->add_option("--track-every", f.track_every, "epochs between FACT/NFA correlation snapshots")
        ->check(cli::integer(0, cli::max_count));
    cmd->add_option("--eval-every", f.eval_every, "epochs between history rows")
        ->check(cli::integer(1, cli::max_count))
        ->capture_default_str();
    cmd->add_option("--schedule", f.schedule, "constant|step|cosine")->capture_default_str();
    cmd->add_option("--checkpoint-every", f.checkpoint_every,
                    "epochs (L-BFGS: iterations) between checkpoints in OUT.tmp-*, which --resume continues from "
                    "(default: one a minute; 0: none)")
        ->check(cli::integer(0, cli::max_count));
    cmd->add_option("--resume", f.resume,
                    "finish the interrupted run of OUT from its last checkpoint, with the flags it was started with "
                    "(SGD, Adam, AdamW: bitwise as if never interrupted; L-BFGS: with an empty memory)");
    cmd->add_option("--init-scale", f.init_scale, "multiplies the initial parameters")
        ->check(cli::real(cli::positive()))
        ->capture_default_str();
}

// epochs_given: --epochs was on the command line; without it, --tol means "until converged".
fact::RunConfig run_config(const Common& c, const TrainFlags& f, bool epochs_given) {
    fact::RunConfig r;
    r.data = c.data;
    r.seed = c.seed;
    r.dtype = c.dtype;
    r.out = c.out;
    r.test_frac = f.test_frac;
    r.hidden = parse_widths(f.hidden);
    r.activation = nn::parse_activation(f.act);
    r.bias = !f.no_bias;
    r.init.scale = f.init_scale;
    r.track_every = f.track_every;
    r.checkpoint_every = f.checkpoint_every;
    r.checkpoint_seconds = f.checkpoint_given ? 0.0 : 60.0;
    nn::TrainConfig& t = r.train;
    t.optimizer.kind = f.opt == "gd" ? nn::OptimizerKind::sgd : nn::parse_optimizer(f.opt);
    t.optimizer.momentum = f.momentum;
    t.optimizer.nesterov = f.nesterov;
    t.lr = f.lr;
    t.weight_decay = f.wd;
    t.loss = nn::parse_loss(f.loss);
    if (f.batch != "full") {
        try {
            t.batch = static_cast<std::size_t>(data::parse_integer(f.batch, "--batch ", 1, cli::max_count));
        } catch (const data::DataError&) {
            throw nn::ConfigError("--batch: '" + data::printable(f.batch) + "' is neither 'full' nor an integer in 1.." +
                                  std::to_string(cli::max_count));
        }
    }
    r.until_converged = f.tol > 0 && !epochs_given;
    t.epochs = r.until_converged ? until_converged_cap : f.epochs;
    t.tolerance = f.tol;
    t.eval_every = f.eval_every;
    t.schedule.kind = nn::parse_schedule(f.schedule);
    t.schedule.total_epochs = t.epochs;
    t.quiet = c.quiet;
    return r;
}

int run_analyze(const fact::AnalyzeConfig& a, bool quiet) {
    std::string table;
    fact::analyze_run(a, table);
    std::fputs(table.c_str(), stdout);
    std::fflush(stdout);  // the table before the lines that follow on stderr, also when piped
    const std::string base = a.out.empty() ? (a.run.empty() ? a.model : a.run) : a.out;
    const bool images = std::filesystem::exists(std::filesystem::path(base) / "analysis/layer0/diagonals.svg");
    if (!quiet) std::fprintf(stderr, "wrote %s/analysis/ (report.json, layer<i>/*.npy, heatmaps.svg%s)\n", base.c_str(),
                             images ? ", layer0/diagonals.svg" : "");
    return 0;
}

// ---- fact demo ---------------------------------------------------------------------------------------

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void say(const std::string& text) {
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);  // before the progress lines that follow on stderr, also when piped
}

// One part of the demo on digits: train (flags f) into out/name, analyse, print the table; returns the analysis.
fact::Analysis demo_network(const std::string& out, const std::string& name, const TrainFlags& f, bool epochs_given,
                            bool quiet, double& seconds) {
    const auto t0 = std::chrono::steady_clock::now();
    Common c;
    c.data = "digits";
    c.out = out + "/" + name;
    c.quiet = quiet;
    const fact::RunOutcome r = fact::train_run(run_config(c, f, epochs_given));
    fact::AnalyzeConfig a;
    a.run = r.dir;
    std::string table;
    fact::Analysis analysis = fact::analyze_run(a, table);
    seconds = seconds_since(t0);
    // The training's closing line is on stderr already, unless --quiet silenced it.
    say(quiet ? fmt::format("{}: {}\n{}", name, r.result.message, table) : table);
    return analysis;
}

// The default demo directory, or the first free one of DIR-2, DIR-3, ...: `./run demo` twice keeps both
// demos, and nothing already on disk is ever replaced.
std::string free_demo_name(const std::string& dir) {
    namespace fs = std::filesystem;
    const fs::path base = nn::normalize_output_path(dir);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(base, ec))) return base.string();
    for (int k = 2;; ++k) {
        const std::string candidate = fmt::format("{}-{}", base.string(), k);
        if (!fs::exists(fs::symlink_status(candidate, ec))) return candidate;
    }
}

// fact demo: FACT exact at a critical point (tanh), then ReLU, where it cannot be, then a short grokking run.
// The three parts are built in one temporary directory, renamed to `requested` (or, when the default was
// taken, the next free name) at the end.
int run_demo(const std::string& requested, bool explicit_out, bool quiet) {
    const auto start = std::chrono::steady_clock::now();
    nn::OutputDir dir(explicit_out ? requested : free_demo_name(requested), nn::Existing::refuse, "demo");
    const std::string out = dir.path().string(), shown = dir.target().string();
    if (shown != nn::normalize_output_path(requested).string())
        say(fmt::format("({} exists: this demo writes to {}/)\n", requested, shown));

    TrainFlags f;
    f.hidden = "32,32";
    f.act = "tanh";
    f.opt = "lbfgs";
    f.wd = 1e-2;
    f.tol = 1e-9;
    say("== fact demo, part 1 of 3: FACT holds exactly at a critical point ==\n"
        "digits (1797 × 64, 10 classes), MLP 64-32-32-10 with tanh, MSE, λ = 1e-2, full-batch L-BFGS in float64\n"
        "until ‖∇L_λ‖/‖θ‖ < 1e-9: a smooth activation, so a critical point of L_λ can be reached (docs/MATH.md §2.8)\n");
    double secs = 0;
    const fact::Analysis smooth = demo_network(out, "smooth", f, false, quiet, secs);
    double max_relerr = 0, min_fact = 1;
    bool beats = true;
    std::string nfa;
    for (const fact::LayerQuantities& q : smooth.layers) {
        max_relerr = std::max(max_relerr, q.metrics.relerr_fact);
        min_fact = std::min(min_fact, q.metrics.fact);
        if (q.index + 1 == smooth.layers.size()) continue;  // the last layer's AGOP is WᵀW's own (†)
        beats = beats && q.metrics.fact > q.metrics.nfa_sqrt;
        nfa += fmt::format("{}{:.4f}", nfa.empty() ? "" : ", ", q.metrics.nfa_sqrt);
    }
    const bool exact = smooth.exact_expected && max_relerr < 1e-6;
    const std::string fact_r = min_fact >= 0.99995 ? "= 1.0000" : fmt::format("≥ {:.4f}", min_fact);
    say(fmt::format("result ({:.1f} s): {}: relerr(WᵀW, FACT) ≤ {:.1e}{} in every layer and Pearson(WᵀW, FACT) {},\n"
                    "{} Pearson(WᵀW, AGOP^½) = {} in the hidden layers: WᵀW is FACT; AGOP^½ only resembles it.\n"
                    "plots: {}/smooth/curves.svg, analysis/layer<i>/heatmaps.svg, analysis/layer0/diagonals.svg\n\n",
                    secs, exact ? "FACT is exact" : "NOT at a critical point", max_relerr, exact ? " < 1e-6" : "",
                    fact_r, beats ? "above" : "NOT above", nfa, shown));

    f.act = "relu";
    f.epochs = 1000;
    say("== part 2 of 3: ReLU, where FACT cannot be exact ==\n"
        "the same data, network shape, λ and optimizer with ReLU, 1000 L-BFGS iterations\n");
    const fact::Analysis relu = demo_network(out, "relu", f, true, quiet, secs);
    max_relerr = 0, min_fact = 1;
    for (const fact::LayerQuantities& q : relu.layers) {
        max_relerr = std::max(max_relerr, q.metrics.relerr_fact);
        min_fact = std::min(min_fact, q.metrics.fact);
    }
    say(fmt::format("caveat ({:.1f} s): ReLU has a kink at 0, and near the optimum some training samples' pre-activations "
                    "sit on it,\nwhere L_λ has no gradient: no optimizer reaches ∇L_λ = 0 (docs/MATH.md §2.8). L-BFGS "
                    "stalls at ‖∇L_λ‖/‖θ‖ = {:.3g},\nso FACT is not exact: relerr, the convergence diagnostic, is up to "
                    "{:.1e}. FACT still tracks WᵀW closely\n(Pearson ≥ {:.4f}), but as an approximation, not as the "
                    "theorem's equality.\n"
                    "plots: {}/relu/curves.svg, analysis/layer<i>/heatmaps.svg, analysis/layer0/diagonals.svg\n\n",
                    secs, relu.grad_norm_ratio, max_relerr, min_fact, shown));

    // A short grokking run (E5 in small): the full one is `fact experiment grokking --p 61`.
    const auto t2 = std::chrono::steady_clock::now();
    fact::GrokkingConfig g;
    g.p = 13;
    g.frac = 0.8;
    g.rfm.iters = 20;
    g.out = out + "/grokking";
    g.quiet = true;
    say("== part 3 of 3: grokking (a + b) mod 13 with RFM ==\n"
        "80 % of the pairs, Gaussian kernel L = 2.5, ridge 0, NFA and FACT updates, 20 iterations\n");
    const fact::GrokkingResult gr = fact::grokking_experiment(g);
    dir.commit();
    say(fmt::format("{}({:.2f} s) plots: {}/grokking/curves.svg, progress.svg, <update>/heatmaps.svg\n\n"
                    "fact demo: {:.0f} s in all\n",
                    gr.table, seconds_since(t2), shown, seconds_since(start)));
    if (exact) return 0;
    std::fprintf(stderr, "fact: error: demo: the tanh network did not reach a critical point (relerr above 1e-6)\n");
    return 1;
}

// Whether writing to stdout failed (a full disk, /dev/full, a closed stdout): then a message and a non-zero
// exit, since output that did not arrive must not look like success.
int check_stdout(int rc, bool stdout_was_closed) {
    std::cout.flush();
    errno = 0;
    const bool flushed = std::fflush(stdout) == 0;
    const int err = errno;
    if (flushed && !std::ferror(stdout) && std::cout.good()) return rc;
    std::fprintf(stderr, "fact: error: cannot write to standard output: %s\n",
                 stdout_was_closed ? "it is closed" : err != 0 ? std::strerror(err) : "a write failed");
    return rc != 0 ? rc : 1;
}

int run(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
    // A closed stdout would hand fd 1 to the next file opened, and stdout's text would go into it; /dev/full
    // takes its place, so writing fails and is reported.
    const bool stdout_was_closed = ::fcntl(STDOUT_FILENO, F_GETFD) == -1 && errno == EBADF;
    if (stdout_was_closed) ::open("/dev/full", O_WRONLY);
    nn::install_interrupt_cleanup("fact");   // first, before any thread exists
    data::set_memory_hint("--max-memory GIB overrides");
    return check_stdout(run(argc, argv), stdout_was_closed);
}

namespace {

int run(int argc, char** argv) {
    CLI::App app{"fact: train networks and compute the per-layer quantities of the Features at Convergence "
                 "Theorem (FACT), the NFA (AGOP) and their correlations."};
    app.require_subcommand(1);
    app.footer("Examples:\n"
               "  fact train --data digits --hidden 32,32 --act tanh --opt lbfgs --wd 1e-2 --tol 1e-9 --out runs/a\n"
               "      (until |grad L_λ|/|θ| < 1e-9: about 3300 L-BFGS iterations, ~10 s on 2 cores)\n"
               "  fact analyze --run runs/a    (FACT = 1.0000 with relerr < 1e-6 in every layer, above AGOP^½)\n"
               "  fact demo\n"
               "  fact datasets");

    Common common;
    TrainFlags flags;
    CLI::App* train = app.add_subcommand("train", "train an MLP and write a run directory");
    add_common(train, common);
    add_train_flags(train, flags);
    train->footer("Example: fact train --data digits --hidden 32,32 --act tanh --opt lbfgs --wd 1e-2 --tol 1e-9 "
                  "--out runs/a\n         (no --epochs: until converged, ~10 s)\n"
                  "         fact train --data modular:p=23 --hidden 128 --act quadratic --no-bias --loss mse "
                  "--opt adam --lr 1e-2 --wd 1e-3 --epochs 500 --out runs/mod23");

    fact::AnalyzeConfig analyze_cfg;
    Common analyze_common;
    CLI::App* analyze = app.add_subcommand("analyze", "FACT/NFA quantities of every layer of a trained model");
    CLI::Option* analyze_run_flag =
        analyze->add_option("--run", analyze_cfg.run, "a run directory written by `fact train`");
    analyze->add_option("--model", analyze_cfg.model, "a checkpoint directory (with --data and --wd)")
        ->excludes(analyze_run_flag);
    analyze->add_option("--data", analyze_cfg.data, "dataset string (with --model; a run records its own)")
        ->excludes(analyze_run_flag);
    analyze->add_option("--wd", analyze_cfg.weight_decay, "the λ the model was trained with (with --model)")
        ->check(cli::real(cli::positive()))
        ->excludes(analyze_run_flag);
    analyze->add_flag("--no-agop", "skip the AGOP (c backward passes per chunk)");
    add_common(analyze, analyze_common, false);
    analyze->footer("Example: fact analyze --run runs/a    (writes runs/a/analysis/)");

    Common demo_common;
    demo_common.out = "runs/demo";
    CLI::App* demo = app.add_subcommand("demo", "FACT vs NFA on digits in about 10 s: a tanh MLP with weight decay "
                                                "trained by full-batch L-BFGS in float64 to a critical point (FACT "
                                                "exact), the same with ReLU (not exact: the caveat), then a short "
                                                "grokking run of NFA- and FACT-RFM on (a + b) mod 13");
    demo->add_option("--out", demo_common.out, "output directory: smooth/, relu/, grokking/ (the default's next free "
                                               "name runs/demo-2, ... if it exists; an existing --out is refused)")
        ->capture_default_str();
    cli::add_threads(demo, demo_common.threads);
    cli::add_max_memory(demo, demo_common.max_memory);
    demo->add_flag("--quiet", demo_common.quiet, "no progress on stderr");

    CLI::App* experiment = app.add_subcommand("experiment", "the paper's experiments");
    experiment->require_subcommand(1);
    fact::NfaVsFactConfig e1;
    std::string e1_hidden = "128,128,128,128,128", e1_act = "relu";
    int e1_threads = 0;
    CLI::App* nvf = experiment->add_subcommand(
        "nfa-vs-fact", "E1/E2: per-layer Pearson(WᵀW, ·) for FACT, (FACT FACTᵀ)^½, NFA, eNFA stand-in over seeds");
    nvf->add_option("--data", e1.data, "dataset string")->capture_default_str();
    nvf->add_option("--seeds", e1.seeds, "number of seeds")->check(cli::integer(1, 1000))->capture_default_str();
    nvf->add_option("--hidden", e1_hidden, "hidden widths")->capture_default_str();
    nvf->add_option("--act", e1_act, "activation")->capture_default_str();
    nvf->add_option("--wd", e1.weight_decay, "weight decay λ (coupled, > 0: FACT needs it)")
        ->check(cli::real(cli::positive()))
        ->capture_default_str();
    nvf->add_option("--epochs", e1.epochs, "L-BFGS iterations per seed")
        ->check(cli::integer(1, cli::max_count))
        ->capture_default_str();
    nvf->add_option("--tol", e1.tolerance, "stop when |grad L_λ|/|θ| < tol")
        ->check(cli::real(cli::non_negative()))
        ->capture_default_str();
    nvf->add_option("--track-every", e1.track_every, "E2: correlations every K iterations")
        ->check(cli::integer(0, cli::max_count));
    nvf->add_option("--out", e1.out, "output directory")->required();
    cli::add_threads(nvf, e1_threads);
    cli::MaxMemory e1_memory;
    cli::add_max_memory(nvf, e1_memory);
    nvf->add_flag("--quiet", e1.quiet, "no progress on stderr");
    nvf->footer("Example: fact experiment nfa-vs-fact --data digits --seeds 5 --out runs/e1\n"
                "         fact experiment nfa-vs-fact --seeds 1 --track-every 100 --out runs/e2   (E2)");

    cli::Commands commands;
    cli::add_rfm_command(app, commands);
    cli::add_grokking_command(*experiment, commands);
    cli::add_parity_command(*experiment, commands);
    cli::add_tabular_command(*experiment, commands);
    cli::add_tau_command(*experiment, commands);

    app.add_subcommand("datasets", "list the dataset strings");
    cli::require_checked_numbers(app);

    if (const auto unknown = cli::unknown_command(app, argc, argv)) {
        std::fprintf(stderr, "fact: error: %s (see fact --help)\n", unknown->c_str());
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "fact: error: %s (see fact --help)\n", e.what());
        return 2;  // every usage error, whatever CLI11's own code for it
    }

    try {
        for (const cli::Command& c : commands)
            if (c.app->parsed()) return c.run();
        if (train->parsed()) {
            ad::set_num_threads(common.threads);
            cli::apply_max_memory(common.max_memory);
            flags.checkpoint_given = train->count("--checkpoint-every") > 0;
            const fact::RunConfig config = run_config(common, flags, train->count("--epochs") > 0);
            if (!flags.resume.empty()) cli::refuse_with_resume(*train);
            const fact::RunOutcome r = flags.resume.empty() ? fact::train_run(config) : fact::resume_run(flags.resume);
            if (config.until_converged && flags.resume.empty() && r.result.stop == nn::StopReason::max_epochs)
                std::fprintf(stderr, "fact: warning: not converged: the safety cap of %zu epochs (iterations) was hit at "
                                     "|grad L_λ|/|θ| = %.3g ≥ --tol %g; give --epochs to train longer\n",
                             until_converged_cap, r.result.grad_norm_ratio, flags.tol);
            if (!common.quiet) std::fprintf(stderr, "wrote %s/ (model/, history.csv, run.json, curves.svg)\n", r.dir.c_str());
            if (r.result.stop != nn::StopReason::diverged) return 0;
            // A failure is said even with --quiet, which silences progress only.
            std::fprintf(stderr, "fact: error: %s (the run is in %s/)\n", r.result.message.c_str(), r.dir.c_str());
            return 3;
        }
        if (analyze->parsed()) {
            ad::set_num_threads(analyze_common.threads);
            cli::apply_max_memory(analyze_common.max_memory);
            analyze_cfg.seed = analyze_common.seed;
            analyze_cfg.out = analyze_common.out;
            analyze_cfg.agop = analyze->count("--no-agop") == 0;
            return run_analyze(analyze_cfg, analyze_common.quiet);
        }
        if (nvf->parsed()) {
            ad::set_num_threads(e1_threads);
            cli::apply_max_memory(e1_memory);
            e1.hidden = parse_widths(e1_hidden);
            e1.activation = nn::parse_activation(e1_act);
            const fact::NfaVsFactResult r = fact::nfa_vs_fact(e1);
            std::fputs(r.table.c_str(), stdout);
            if (!e1.quiet) std::fprintf(stderr, "wrote %s/ (table.md, summary.json, pearson_by_layer.svg, seed<k>/)\n",
                                        e1.out.c_str());
            return 0;
        }
        if (demo->parsed()) {
            ad::set_num_threads(demo_common.threads);
            cli::apply_max_memory(demo_common.max_memory);
            return run_demo(demo_common.out, demo->count("--out") > 0, demo_common.quiet);
        }
        std::fputs(data::spec_help().c_str(), stdout);
        return 0;
    } catch (const std::bad_alloc&) {
        // Sizes are estimated and refused before the large allocations; this is what the estimates missed.
        std::fputs("fact: error: out of memory: an allocation failed although the estimates fit the memory budget; "
                   "close other programs or choose smaller sizes\n", stderr);
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fact: error: %s\n", e.what());
        return 1;
    }
}

}  // namespace
