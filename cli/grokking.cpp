// fact experiment grokking: E5, RFM on modular arithmetic (fact/grokking.hpp).
#include <cstdio>
#include <memory>
#include <sstream>

#include "autodiff/parallel.hpp"
#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "fact/grokking.hpp"
#include "nn/error.hpp"

namespace cli {

void add_grokking_command(CLI::App& experiment, Commands& out) {
    struct Flags {
        fact::GrokkingConfig config;
        std::string op = "add", updates = "nfa,fact", kernel = "gaussian", normalize = "auto";
        int threads = 0;
        MaxMemory max_memory;
        std::string resume;
    };
    auto f = std::make_shared<Flags>();
    fact::GrokkingConfig& g = f->config;
    CLI::App* cmd = experiment.add_subcommand(
        "grokking", "E5: RFM on (a op b) mod p; test accuracy, circulant deviation and alignment per iteration");
    cmd->add_option("--p", g.p, "the modulus")
        ->check(integer(2, 1000000))->capture_default_str();
    cmd->add_option("--op", f->op, "add|sub|mul|div")->capture_default_str();
    cmd->add_option("--frac", g.frac, "training fraction of the p² pairs")
        ->check(real({0.0, 1.0, true, true}))->capture_default_str();
    cmd->add_option("--iters", g.rfm.iters, "RFM iterations")
        ->check(integer(0, 100000))->capture_default_str();
    cmd->add_option("--update", f->updates, "updates to run side by side (nfa, fact, fact-geo)")->capture_default_str();
    cmd->add_option("--kernel", f->kernel, "laplace|gaussian|quadratic|exp")->capture_default_str();
    cmd->add_option("--bandwidth", g.rfm.kernel.bandwidth, "L")
        ->check(real(positive()))->capture_default_str();
    cmd->add_option("--ridge", g.rfm.ridge, "μ")
        ->check(real(non_negative()))->capture_default_str();
    add_kernel_dtype(cmd, g.rfm.dtype);
    cmd->add_option("--power", g.rfm.power, "s of the nfa update")
        ->check(real(agop_power()))->capture_default_str();
    cmd->add_flag("--center,!--no-center", g.rfm.center, "centre the gradients of the nfa update (default on)");
    cmd->add_option("--normalize", f->normalize, "none|max|trace|auto (auto: max for fact updates, none for nfa)")
        ->capture_default_str();
    add_seed(cmd, g.seed, "seed of the train/test split");
    add_out_and_resume(cmd, g.out, f->resume, "every update's M and history, kept after every iteration");
    add_threads(cmd, f->threads);
    add_max_memory(cmd, f->max_memory);
    cmd->add_flag("--quiet", g.quiet, "no progress on stderr");
    cmd->footer("Example: fact experiment grokking --p 61 --op add --frac 0.5 --iters 75 --out runs/grok61\n"
                "         (about 5 s per iteration and update on 2 cores)");
    out.push_back({cmd, [f, cmd]() {
                       ad::set_num_threads(f->threads);
                       apply_max_memory(f->max_memory);
                       fact::GrokkingConfig c = f->config;
                       const Start start = start_of(*cmd, c.out, f->resume);
                       if (start == Start::usage_error) return 2;
                       if (start == Start::fresh) {
                           c.op = data::parse_mod_op(f->op);
                           c.rfm.kernel.kind = fact::parse_kernel(f->kernel);
                           if (f->normalize != "auto") c.rfm.normalize = fact::parse_normalization(f->normalize);
                           c.updates = parse_updates("--update", f->updates);
                       }
                       const fact::GrokkingResult r =
                           start == Start::resume ? fact::grokking_resume(f->resume) : fact::grokking_experiment(c);
                       if (start == Start::resume) c.out = f->resume;
                       std::fputs(r.table.c_str(), stdout);
                       std::fflush(stdout);
                       if (!c.quiet)
                           std::fprintf(stderr, "wrote %s/ (<update>/history.csv with circ_dev and alignment, "
                                                "<update>/heatmaps.svg, curves.svg, progress.svg, summary.json)\n",
                                        c.out.c_str());
                       return 0;
                   }});
}

}  // namespace cli
