// E6, τ against K′: see tau.hpp. K′ and τ are two GEMMs on n×n matrices (n = 1860 training pairs for
// p = 61 at fraction 0.5), cheap enough to fit the line at every iteration's M from the RFM observer.
#include "fact/tau.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "autodiff/error.hpp"
#include "autodiff/kernels/gemm.hpp"
#include "data/npy.hpp"
#include "data/random.hpp"
#include "fact/output.hpp"
#include "fact/plot.hpp"
#include "fact/rfm_run.hpp"
#include "fact/run.hpp"
#include "nn/error.hpp"
#include "nn/output_dir.hpp"

namespace fact {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The points (K'_ij, τ_ij) of the fit: i < j in row-major order, or every entry with the diagonal.
void pair_points(const Matrix& tau, const Matrix& Kprime, bool include_diagonal, std::vector<double>& x,
                 std::vector<double>& y) {
    if (tau.shape() != Kprime.shape() || tau.dimension() != 2 || tau.shape(0) != tau.shape(1))
        throw ad::ShapeError(fmt::format("fit_tau: τ {} and K' {}; expected two square matrices of one shape",
                                         ad::shape_str(tau), ad::shape_str(Kprime)));
    const std::size_t n = tau.shape(0);
    x.clear(), y.clear();
    x.reserve(include_diagonal ? n * n : n * (n - 1) / 2);
    y.reserve(x.capacity());
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = include_diagonal ? 0 : i + 1; j < n; ++j)
            x.push_back(Kprime(i, j)), y.push_back(tau(i, j));
}

nlohmann::json fit_json(const LinearFit& f) {
    return {{"slope", f.slope}, {"intercept", f.intercept}, {"r2", f.r2}, {"pairs", f.count}};
}

}  // namespace

// X (n,d), M (d,d) -> K' (n,n): φ' of the Gram matrix X M Xᵀ.
Matrix derivative_kernel_matrix(const Kernel& kernel, const Matrix& X, const Matrix& M) {
    check_kernel_arguments("derivative_kernel_matrix", kernel, X, X, M);
    if (is_distance_kernel(kernel.kind))
        throw ad::ValueError(fmt::format("derivative_kernel_matrix: the {} kernel is not an inner-product kernel; "
                                         "expected quadratic or exp", to_string(kernel.kind)));
    Matrix Kprime = ad::matmul(ad::matmul(X, M), X, ad::Trans::no, ad::Trans::yes);
    for (double& v : Kprime) v = inner_derivative(kernel, v);
    return Kprime;
}

// K' (n,n) -> τ (n,n) = (1/n) K'ᵀ K'.
Matrix tau_matrix(const Matrix& Kprime) {
    if (Kprime.dimension() != 2 || Kprime.shape(0) != Kprime.shape(1))
        throw ad::ShapeError(
            fmt::format("tau_matrix: K' is {}; expected a square (n,n) matrix", ad::shape_str(Kprime)));
    Matrix tau = ad::matmul(Kprime, Kprime, ad::Trans::yes, ad::Trans::no);
    tau /= double(Kprime.shape(0));
    return tau;
}

LinearFit linear_fit(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() != y.size())
        throw ad::ShapeError(fmt::format("linear_fit: {} x values but {} y values", x.size(), y.size()));
    LinearFit f;
    f.count = x.size();
    if (x.empty()) {
        f.slope = f.intercept = f.r2 = kNaN;
        return f;
    }
    const double n = double(x.size());
    double mx = 0, my = 0;
    for (std::size_t k = 0; k < x.size(); ++k) mx += x[k], my += y[k];
    mx /= n, my /= n;
    double sxx = 0, sxy = 0, syy = 0;
    for (std::size_t k = 0; k < x.size(); ++k) {
        const double dx = x[k] - mx, dy = y[k] - my;
        sxx += dx * dx, sxy += dx * dy, syy += dy * dy;
    }
    f.slope = sxx > 0 ? sxy / sxx : kNaN;
    f.intercept = my - f.slope * mx;
    // SS_res = S_yy − S_xy²/S_xx for the least-squares line, so R² = S_xy² / (S_xx S_yy).
    f.r2 = sxx > 0 && syy > 0 ? sxy * sxy / (sxx * syy) : kNaN;
    return f;
}

LinearFit fit_tau(const Matrix& tau, const Matrix& Kprime, bool include_diagonal) {
    std::vector<double> x, y;
    pair_points(tau, Kprime, include_diagonal, x, y);
    return linear_fit(x, y);
}

namespace {

void check_tau_config(const TauConfig& c) {
    if (c.out.empty()) throw nn::ConfigError("experiment tau: --out DIR is required");
    if (is_distance_kernel(c.rfm.kernel.kind))
        throw nn::ConfigError(fmt::format("experiment tau: --kernel {}; expected an inner-product kernel "
                                          "(quadratic or exp): τ and K' need φ'", to_string(c.rfm.kernel.kind)));
}

// The experiment into out, created by run_tau or adopted by tau_resume.
TauResult tau_into(const TauConfig& c, nn::OutputDir& out, const ExperimentHooks& hooks) {
    data::ModularOptions mo;
    mo.p = c.p;
    mo.op = c.op;
    mo.train_fraction = c.train_fraction;
    mo.seed = c.seed;
    const data::Split split = data::modular_arithmetic(mo);

    // The matrices are kept (d×d each): the fit at every M_t comes after the run (which may be resumed).
    const RfmConfig r = machine_for(c.rfm, c.rfm.update, c.quiet);
    check_config(r);

    TauResult result;
    result.config = c;
    const Matrix& X = split.train.X;
    const fs::path& tmp = out.path();
    {
        RfmRuns runs(&out, "tau", c.quiet, hooks);
        result.rfm = runs.run("rfm", r, RfmData{&split.train, &split.test, nullptr});
        // The fit at every M_t (the matrix its row was evaluated with).
        for (const Matrix& M : result.rfm.matrices) {
            const Matrix Kp = derivative_kernel_matrix(c.rfm.kernel, X, M);
            result.fits_per_iter.push_back(fit_tau(tau_matrix(Kp), Kp));
        }
        result.rfm.matrices.clear();
        const Matrix Kp = derivative_kernel_matrix(c.rfm.kernel, X, result.rfm.M), tau = tau_matrix(Kp);
        std::vector<double> x, y;
        pair_points(tau, Kp, false, x, y);
        result.fit = linear_fit(x, y);
        result.fit_with_diagonal = fit_tau(tau, Kp, true);

        // history.csv with the fit per iteration, and the final M.
        std::vector<double> r2, slope, intercept;
        for (const LinearFit& f : result.fits_per_iter)
            r2.push_back(f.r2), slope.push_back(f.slope), intercept.push_back(f.intercept);
        write_text(tmp / "history.csv",
                   history_csv(result.rfm.history,
                               {{"tau_r2", r2}, {"tau_slope", slope}, {"tau_intercept", intercept}}));
        data::save_npy((tmp / "M.npy").string(), result.rfm.M);

        // The scatter: a seeded subsample of the pairs without replacement (Floyd's algorithm), in pair order.
        std::vector<std::size_t> chosen;
        if (x.size() <= c.scatter_points) {
            for (std::size_t k = 0; k < x.size(); ++k) chosen.push_back(k);
        } else {
            data::Rng rng(c.seed);
            std::unordered_set<std::size_t> taken;
            for (std::size_t k = x.size() - c.scatter_points; k < x.size(); ++k) {
                const std::size_t v = rng.below(k + 1);
                const std::size_t pick = taken.count(v) ? k : v;
                taken.insert(pick);
                chosen.push_back(pick);
            }
            std::sort(chosen.begin(), chosen.end());
        }
        Series points{fmt::format("pairs i < j ({} of {})", chosen.size(), x.size()), {}, {}, true};
        double lo = INFINITY, hi = -INFINITY;
        for (std::size_t k : chosen) {
            points.x.push_back(x[k]), points.y.push_back(y[k]);
            lo = std::min(lo, x[k]), hi = std::max(hi, x[k]);
        }
        const LinearFit& f = result.fit;
        Series line{fmt::format("fit: {:.4g} K' + {:.4g}, R² = {:.4f}", f.slope, f.intercept, f.r2),
                    {lo, hi}, {f.slope * lo + f.intercept, f.slope * hi + f.intercept}};
        LineChart chart{fmt::format("tau against K' at the final M ({} mod {}, {} kernel, {} update)", data::to_string(c.op),
                                    c.p, to_string(c.rfm.kernel.kind), to_string(c.rfm.update)),
                        "K'_ij = phi'(x_i^T M x_j)", "tau_ij = (1/n) sum_l K'_li K'_lj", {points, line}, false};
        write_svg((tmp / "scatter.svg").string(), line_chart_svg(chart));

        const RfmIteration& last = result.rfm.history.back();
        nlohmann::json per_iter = nlohmann::json::array();
        for (const LinearFit& g : result.fits_per_iter) per_iter.push_back(fit_json(g));
        const nlohmann::json summary = {
            {"experiment", "E6 tau vs K'"},
            {"p", c.p},
            {"op", data::to_string(c.op)},
            {"train_fraction", c.train_fraction},
            {"n_train", split.train.n()},
            {"n_test", split.test.n()},
            {"seed", c.seed},
            {"kernel", to_string(c.rfm.kernel.kind)},
            {"ridge", c.rfm.ridge},
            {"iters", c.rfm.iters},
            {"update", to_string(c.rfm.update)},
            {"power", c.rfm.power},
            {"center", c.rfm.center},
            {"normalize", to_string(normalization_of(r))},
            {"stopped", result.rfm.stopped},
            {"final_train_acc", last.train_acc},
            {"final_test_acc", last.test_acc},
            {"pairs", "i < j"},
            {"fit", fit_json(result.fit)},
            {"fit_with_diagonal", fit_json(result.fit_with_diagonal)},
            {"per_iter", per_iter},
            {"scatter_points", chosen.size()}};
        write_text(tmp / "tau.json", summary.dump(2) + "\n");
    }
    remove_working_files(tmp);
    out.commit();
    return result;
}

}  // namespace

TauResult run_tau(const TauConfig& c, const ExperimentHooks& hooks) {
    check_tau_config(c);
    return start_run(c, "experiment tau", [&](const TauConfig& c, nn::OutputDir& out) { return tau_into(c, out, hooks); });
}

TauResult tau_resume(const std::string& out, const ExperimentHooks& hooks) {
    return resume_interrupted(out, "experiment tau", tau_config_from_json, [&](const TauConfig& c, nn::OutputDir& out) {
        check_tau_config(c);
        return tau_into(c, out, hooks);
    });
}

RfmConfig tau_machine() {
    RfmConfig r;
    r.kernel = {KernelKind::quadratic, 1.0};
    r.ridge = 1e-3;
    r.iters = 30;
    return r;
}

}  // namespace fact
