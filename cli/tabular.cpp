// `fact experiment tabular`: E3 (docs/MATH.md §6), RFM on the UCI collection or on shipped datasets split
// the same way (fact/tabular.hpp).
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "autodiff/parallel.hpp"
#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "fact/tabular.hpp"
#include "nn/error.hpp"

namespace cli {

namespace {

struct TabularFlags {
    fact::TabularConfig config;
    std::string datasets, data, methods = "laplace,nfa,fact,fact-geo";
    double max_memory_gb = 0;
    int threads = 0;
};

}  // namespace

void add_tabular_command(CLI::App& experiment, Commands& out) {
    auto f = std::make_shared<TabularFlags>();
    CLI::App* cmd = experiment.add_subcommand(
        "tabular", "E3: Laplace kernel, NFA-, FACT- and FACT-geo-RFM on the UCI collection (ridge, row "
                   "normalisation and iteration chosen on the validation split, then 4-fold accuracy)");
    CLI::Option* uci =
        cmd->add_option("--uci", f->config.uci_root, "root of the UCI collection (one folder per dataset)");
    cmd->add_option("--datasets", f->datasets, "with --uci: only these folders, comma separated (default: all)")
        ->needs(uci);
    cmd->add_option("--data", f->data, "instead of --uci: shipped datasets, e.g. digits,wine,iris,breast_cancer, "
                                       "split like the collection (seeded)")
        ->excludes(uci);
    cmd->add_option("--methods", f->methods, "laplace,nfa,fact,fact-geo (any subset)")->capture_default_str();
    add_kernel_dtype(cmd, f->config.dtype);
    cmd->add_option("--out", f->config.out, "output directory: summary.csv, run.json, table.md")->required();
    cmd->add_flag("--resume", f->config.resume, "keep the finished rows of OUT/summary.csv and compute the rest");
    cmd->add_option("--max-samples", f->config.max_samples,
                    "skip datasets whose largest training part has more rows (0: no cap)")
        ->check(integer(0, max_count))->capture_default_str();
    cmd->add_option("--max-memory", f->max_memory_gb,
                    "skip datasets whose kernel matrix and workspace need more GiB (0: half the physical memory)")
        ->check(real(non_negative()))->capture_default_str();
    add_seed(cmd, f->config.seed, "seed of the --data splits");
    add_threads(cmd, f->threads);
    cmd->add_flag("--quiet", f->config.quiet, "no progress on stderr (skips and errors are still reported)");
    cmd->footer("Example: fact experiment tabular --uci data/uci121 --max-samples 3000 --out runs/e3\n"
                "         fact experiment tabular --data digits,wine,iris,breast_cancer --out runs/e3-shipped\n"
                "         fact experiment tabular --uci data/uci121 --max-samples 3000 --out runs/e3 --resume   "
                "(after an interruption)");

    out.push_back({cmd, [f]() {
                       fact::TabularConfig& c = f->config;
                       if (!f->datasets.empty()) c.datasets = split_list("--datasets", f->datasets);
                       if (!f->data.empty()) c.data = split_list("--data", f->data);
                       c.methods.clear();
                       for (const std::string& m : split_list("--methods", f->methods))
                           c.methods.push_back(fact::parse_tabular_method(m));
                       c.max_memory_bytes = f->max_memory_gb * 1073741824.0;
                       ad::set_num_threads(f->threads);
                       const fact::TabularResult r = fact::run_tabular(c);
                       std::fputs(r.table.c_str(), stdout);
                       std::fflush(stdout);  // the table before the closing line on stderr, also when piped
                       if (!c.quiet)
                           std::fprintf(stderr, "wrote %s/ (summary.csv, run.json, table.md)\n", c.out.c_str());
                       return 0;
                   }});
}

}  // namespace cli
