// fact experiment parity: E4, sparse parity with NFA-RFM and FACT-RFM side by side (fact/parity.hpp).
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "autodiff/parallel.hpp"
#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "fact/parity.hpp"
#include "nn/error.hpp"

namespace cli {

namespace {

int report(const fact::ParityResult& r, const std::string& out, bool quiet) {
    std::fputs(r.table.c_str(), stdout);
    std::fflush(stdout);
    const bool sweep = r.by_n.size() > 1;
    if (!quiet)
        std::fprintf(stderr, "wrote %s/ (%s<update>/history.csv and M.npy, accuracy.svg, support_fraction.svg, "
                             "heatmaps.svg, summary.json%s, table.md)\n",
                     out.c_str(), sweep ? "n<N>/" : "", sweep ? "; sweep.csv, accuracy_vs_n.svg" : "");
    return 0;
}

}  // namespace

void add_parity_command(CLI::App& experiment, Commands& out) {
    struct Flags {
        fact::ParityConfig run;
        std::string support = "7,15,25,29", sweep, updates = "nfa,fact", kernel = "laplace", normalize = "auto";
        int threads = 0;
        MaxMemory max_memory;
        std::string resume;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = experiment.add_subcommand(
        "parity", "E4: sparse parity, NFA-RFM and FACT-RFM side by side: test accuracy per iteration (the phase "
                  "transition), the share of diag(M) on the support, Pearson between the two M");
    cmd->add_option("--d", f->run.d, "input dimension: x uniform on {0,1}^d")->check(integer(1, 1000000))->capture_default_str();
    CLI::Option* k = cmd->add_option("--k", f->run.k, "support size (with a --k other than 4 and no --support the "
                                                       "k coordinates are drawn from the seed)")
                         ->check(integer(1, 1000000))
                         ->capture_default_str();
    CLI::Option* support = cmd->add_option("--support", f->support, "the support, 0-based coordinates, or 'random' "
                                                                    "(k drawn from the seed)")
                               ->capture_default_str();
    cmd->add_option("--n", f->run.n, "training samples")->check(integer(1, max_count))->capture_default_str();
    cmd->add_option("--sweep", f->sweep, "run these sample sizes instead of --n (nested training sets, one test "
                                         "set), e.g. 1000,2000,4000,8000");
    cmd->add_option("--test-n", f->run.test_n, "held-out test samples (an independent draw: seed + 0x9E3779B97F4A7C15)")
        ->check(integer(1, max_count))
        ->capture_default_str();
    cmd->add_option("--iters", f->run.rfm.iters, "T updates of M (iterations 0..T are evaluated)")
        ->check(integer(0, 100000))
        ->capture_default_str();
    cmd->add_option("--update", f->updates, "updates to run side by side: nfa, fact, fact-geo, comma separated")
        ->capture_default_str();
    cmd->add_option("--kernel", f->kernel, "laplace|gaussian|quadratic|exp")->capture_default_str();
    cmd->add_option("--bandwidth", f->run.rfm.kernel.bandwidth, "L (distance kernels)")->check(real(positive()))->capture_default_str();
    cmd->add_option("--ridge", f->run.rfm.ridge, "μ (0: ridgeless)")->check(real(non_negative()))->capture_default_str();
    add_kernel_dtype(cmd, f->run.rfm.dtype);
    cmd->add_option("--power", f->run.rfm.power, "s of the nfa update M = AGOP^s")->check(real(agop_power()))->capture_default_str();
    cmd->add_flag("--center", f->run.rfm.center, "centre the gradients before the AGOP (nfa)");
    cmd->add_option("--normalize", f->normalize, "none|max|trace|auto (auto: max for fact updates, none for nfa)")
        ->capture_default_str();
    cmd->add_option("--threshold", f->run.threshold, "test accuracy that counts as learned (first iteration ≥ it)")
        ->check(real({0.0, 1.0, true, false}))
        ->capture_default_str();
    add_seed(cmd, f->run.seed, "seed of the training set (and of a drawn support)");
    add_out_and_resume(cmd, f->run.out, f->resume, "every (n, update) run's M and history, kept after every iteration");
    add_threads(cmd, f->threads);
    add_max_memory(cmd, f->max_memory);
    cmd->add_flag("--quiet", f->run.quiet, "no progress on stderr");
    cmd->footer("Examples:\n"
                "  fact experiment parity --out runs/e4                      (the paper: d 50, k 4, n 25000; slow)\n"
                "  fact experiment parity --sweep 1000,2000,4000,8000 --out runs/e4-sweep\n"
                "  fact experiment parity --d 20 --k 3 --n 1000 --iters 4 --out runs/e4-small   (seconds)");
    out.push_back({cmd, [f, k, support, cmd]() {
                       ad::set_num_threads(f->threads);
                       apply_max_memory(f->max_memory);
                       fact::ParityConfig c = f->run;
                       switch (start_of(*cmd, c.out, f->resume)) {
                           case Start::usage_error: return 2;
                           case Start::resume: return report(fact::parity_resume(f->resume), f->resume, false);
                           case Start::fresh: break;
                       }
                       if (f->support == "random" || (support->count() == 0 && k->count() > 0 && c.k != 4)) {
                           c.support.clear();
                       } else {
                           c.support = parse_sizes("--support", f->support, {0, 999'999'999'999, "coordinate", "7,15,25,29"});
                           if (k->count() > 0 && c.k != c.support.size())
                               throw nn::ConfigError("--k " + std::to_string(c.k) + " but --support has " +
                                                     std::to_string(c.support.size()) + " coordinates");
                           c.k = c.support.size();
                       }
                       // The generator refuses the same, but without the flags' names.
                       for (std::size_t i = 0; i < c.support.size(); ++i) {
                           if (c.support[i] >= c.d)
                               throw nn::ConfigError(fmt::format("--support: coordinate {} is outside --d {} (0-based "
                                                                 "coordinates 0..{})", c.support[i], c.d, c.d - 1));
                           for (std::size_t j = 0; j < i; ++j)
                               if (c.support[j] == c.support[i])
                                   throw nn::ConfigError(fmt::format("--support: coordinate {} is given twice",
                                                                     c.support[i]));
                       }
                       if (c.k > c.d)
                           throw nn::ConfigError(fmt::format("--k {} is above --d {}; expected 1 ≤ k ≤ d", c.k, c.d));
                       if (!f->sweep.empty()) c.sweep = parse_sizes("--sweep", f->sweep, {1, 999'999'999'999, "positive integer", "1000,2000,4000"});
                       c.updates = parse_updates("--update", f->updates);
                       c.rfm.kernel.kind = fact::parse_kernel(f->kernel);
                       if (f->normalize != "auto") c.rfm.normalize = fact::parse_normalization(f->normalize);
                       return report(fact::run_parity(c), c.out, c.quiet);
                   }});
}

}  // namespace cli
