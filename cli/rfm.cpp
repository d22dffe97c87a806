// fact rfm: one Recursive Feature Machine run (fact/rfm_run.hpp).
#include <cstdio>
#include <memory>

#include "autodiff/parallel.hpp"
#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "fact/rfm_run.hpp"

namespace cli {

namespace {

int report(const fact::RfmRunOutcome& r, bool quiet) {
    std::fputs(r.summary.c_str(), stdout);
    std::fflush(stdout);
    if (!quiet)
        std::fprintf(stderr, "wrote %s/ (history.csv, M.npy, run.json, curves.svg, loss.svg, M.svg)\n", r.dir.c_str());
    return 0;
}

}  // namespace

void add_rfm_command(CLI::App& app, Commands& out) {
    struct Flags {
        fact::RfmRunConfig run;
        std::string kernel = "laplace", update = "nfa", normalize = "auto";
        int threads = 0;
        MaxMemory max_memory;
        std::string resume;
    };
    auto f = std::make_shared<Flags>();
    f->run.rfm.quiet = false;
    CLI::App* cmd = app.add_subcommand("rfm", "a Recursive Feature Machine: kernel ridge regression with a learned "
                                              "feature matrix M (docs/MATH.md §5)");
    cmd->add_option("--data", f->run.data, "dataset string (see `fact datasets`)")->capture_default_str();
    add_seed(cmd, f->run.seed, "seed of data generation and splits");
    cmd->add_option("--test-frac", f->run.test_frac, "held-out fraction when the data has no split")
        ->check(real(fraction()))->capture_default_str();
    cmd->add_option("--val-frac", f->run.val_frac, "validation fraction of the training part (keeps the best iteration)")
        ->check(real(fraction()))->capture_default_str();
    cmd->add_flag("--row-normalize", f->run.row_normalize, "divide every sample by its norm");
    cmd->add_option("--kernel", f->kernel, "laplace|gaussian|quadratic|exp")->capture_default_str();
    cmd->add_option("--bandwidth", f->run.rfm.kernel.bandwidth, "L (distance kernels)")
        ->check(real(positive()))->capture_default_str();
    cmd->add_option("--ridge", f->run.rfm.ridge, "μ (0: ridgeless)")
        ->check(real(non_negative()))->capture_default_str();
    add_kernel_dtype(cmd, f->run.rfm.dtype);
    cmd->add_option("--iters", f->run.rfm.iters, "T updates of M (iterations 0..T are evaluated)")
        ->check(integer(0, 100000))->capture_default_str();
    cmd->add_option("--update", f->update, "nfa|fact|fact-geo")->capture_default_str();
    cmd->add_option("--power", f->run.rfm.power, "s of the nfa update M = AGOP^s")
        ->check(real(agop_power()))->capture_default_str();
    cmd->add_flag("--center", f->run.rfm.center, "centre the gradients before the AGOP");
    cmd->add_option("--normalize", f->normalize, "none|max|trace|auto (auto: max for fact updates, none for nfa)")
        ->capture_default_str();
    cmd->add_flag("--diag", f->run.rfm.diagonal, "keep only the diagonal of M");
    add_out_and_resume(cmd, f->run.out, f->resume, "kept after every iteration");
    add_threads(cmd, f->threads);
    add_max_memory(cmd, f->max_memory);
    cmd->add_flag("--quiet", [f](std::int64_t) { f->run.rfm.quiet = true; }, "no progress on stderr");
    cmd->footer("Examples:\n"
                "  fact rfm --data lowrank:d=20,n=2500 --update fact --iters 5 --out runs/rfm-lowrank\n"
                "  fact rfm --data modular:p=61 --kernel gaussian --bandwidth 2.5 --ridge 0 --update nfa --center "
                "--iters 30 --out runs/rfm-mod61");
    out.push_back({cmd, [f, cmd]() {
                       ad::set_num_threads(f->threads);
                       apply_max_memory(f->max_memory);
                       switch (start_of(*cmd, f->run.out, f->resume)) {
                           case Start::usage_error: return 2;
                           case Start::resume: return report(fact::rfm_resume(f->resume), f->run.rfm.quiet);
                           case Start::fresh: break;
                       }
                       fact::RfmRunConfig c = f->run;
                       c.rfm.kernel.kind = fact::parse_kernel(f->kernel);
                       c.rfm.update = fact::parse_update(f->update);
                       c.rfm.normalize = f->normalize == "auto" ? fact::default_normalization(c.rfm.update)
                                                                : fact::parse_normalization(f->normalize);
                       return report(fact::rfm_run(c), c.rfm.quiet);
                   }});
}

}  // namespace cli
