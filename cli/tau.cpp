// fact experiment tau: E6, τ against K′ for an inner-product-kernel RFM on modular arithmetic (fact/tau.hpp).
#include <cstdio>
#include <memory>
#include <string>

#include "autodiff/parallel.hpp"
#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "fact/tau.hpp"
#include "nn/error.hpp"

namespace cli {

void add_tau_command(CLI::App& experiment, Commands& out) {
    struct Flags {
        fact::TauConfig run;
        std::string op = "add", kernel = "quadratic", update = "nfa", normalize = "auto";
        int threads = 0;
        MaxMemory max_memory;
        std::string resume;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = experiment.add_subcommand(
        "tau", "E6: train an inner-product-kernel RFM on modular arithmetic, then fit τ_ij = (1/n) Σ_l K'_li K'_lj "
               "against K'_ij = φ'(x_iᵀ M x_j) over the pairs of training points (R², slope, scatter)");
    cmd->add_option("--p", f->run.p, "modulus")
        ->check(integer(2, 1000000))->capture_default_str();
    cmd->add_option("--op", f->op, "add|sub|mul|div")->check(CLI::IsMember({"add", "sub", "mul", "div"}))
        ->capture_default_str();
    cmd->add_option("--frac", f->run.train_fraction, "training fraction of all pairs")
        ->check(real({0.0, 1.0, true, true}))->capture_default_str();
    cmd->add_option("--kernel", f->kernel, "quadratic|exp (inner-product kernels)")->capture_default_str();
    cmd->add_option("--ridge", f->run.rfm.ridge, "μ (0: ridgeless)")
        ->check(real(non_negative()))->capture_default_str();
    add_kernel_dtype(cmd, f->run.rfm.dtype);
    cmd->add_option("--iters", f->run.rfm.iters, "T updates of M (iterations 0..T are evaluated)")
        ->check(integer(0, 100000))->capture_default_str();
    cmd->add_option("--update", f->update, "nfa|fact|fact-geo")->capture_default_str();
    cmd->add_option("--power", f->run.rfm.power, "s of the nfa update M = AGOP^s")
        ->check(real(agop_power()))->capture_default_str();
    cmd->add_flag("--center", f->run.rfm.center, "centre the gradients before the AGOP (nfa)");
    cmd->add_option("--normalize", f->normalize, "none|max|trace|auto (auto: max for fact updates, none for nfa)")
        ->capture_default_str();
    cmd->add_option("--scatter-points", f->run.scatter_points, "pairs drawn in scatter.svg (a seeded subsample)")
        ->check(integer(1, 10000000))->capture_default_str();
    add_seed(cmd, f->run.seed, "seed of the split and of the scatter's subsample");
    add_out_and_resume(cmd, f->run.out, f->resume, "M and the history, kept after every iteration");
    add_threads(cmd, f->threads);
    add_max_memory(cmd, f->max_memory);
    cmd->add_flag("--quiet", f->run.quiet, "no progress on stderr");
    cmd->footer("Example: fact experiment tau --p 61 --op add --frac 0.5 --out runs/e6");
    out.push_back({cmd, [f, cmd]() {
                       ad::set_num_threads(f->threads);
                       apply_max_memory(f->max_memory);
                       fact::TauConfig c = f->run;
                       const Start start = start_of(*cmd, c.out, f->resume);
                       if (start == Start::usage_error) return 2;
                       if (start == Start::fresh) {
                           c.op = data::parse_mod_op(f->op);
                           c.rfm.kernel.kind = fact::parse_kernel(f->kernel);
                           c.rfm.update = fact::parse_update(f->update);
                           if (f->normalize != "auto") c.rfm.normalize = fact::parse_normalization(f->normalize);
                       }
                       const fact::TauResult r = start == Start::resume ? fact::tau_resume(f->resume) : fact::run_tau(c);
                       if (start == Start::resume) c = r.config;
                       const fact::RfmIteration& last = r.rfm.history.back();
                       std::printf("E6 τ vs K' on (a %s b) mod %zu, %s kernel, ridge %g, %s update, %zu iterations: "
                                   "train acc %.4f, test acc %.4f\n",
                                   data::to_string(c.op).c_str(), c.p, fact::to_string(c.rfm.kernel.kind).c_str(), c.rfm.ridge,
                                   fact::to_string(c.rfm.update).c_str(), r.rfm.history.size() - 1, last.train_acc,
                                   last.test_acc);
                       std::printf("pairs i < j (%zu): τ ≈ %.6g K' + %.6g, R² = %.4f\n", r.fit.count, r.fit.slope,
                                   r.fit.intercept, r.fit.r2);
                       std::printf("all entries (%zu): τ ≈ %.6g K' + %.6g, R² = %.4f\n", r.fit_with_diagonal.count,
                                   r.fit_with_diagonal.slope, r.fit_with_diagonal.intercept, r.fit_with_diagonal.r2);
                       std::fflush(stdout);
                       if (!c.quiet)
                           std::fprintf(stderr, "wrote %s/ (tau.json, scatter.svg, history.csv, M.npy)\n",
                                        c.out.c_str());
                       return 0;
                   }});
}

}  // namespace cli
