// Full-batch L-BFGS through liblbfgs. The parameters are flattened, in the order given, into one double
// vector x (allocated with lbfgs_malloc); liblbfgs proposes points x, our evaluate callback copies x into
// the parameters, runs the user's evaluate() and copies the gradients back. The stopping test is ours, in
// the progress callback: ‖∇f‖/‖θ‖ < tolerance (liblbfgs's own test, ‖g‖ < ε·max(1, ‖x‖), is switched off
// with a tiny ε, since its max(1, ·) makes it absolute for small θ).
#include "nn/lbfgs.hpp"

#include <lbfgs.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "nn/error.hpp"

namespace nn {

static_assert(std::is_same_v<lbfgsfloatval_t, double>,
              "nn/lbfgs.cpp expects liblbfgs built with LBFGS_FLOAT = 64 (Debian's liblbfgs-dev)");

namespace {

/// liblbfgs's return code in words.
std::string describe(int code, const LbfgsConfig& config) {
    switch (code) {
        case LBFGS_SUCCESS: return "converged (liblbfgs's own gradient test)";
        case LBFGS_STOP: return "stopped";
        case LBFGS_ALREADY_MINIMIZED: return "the starting point already has a zero gradient";
        case LBFGSERR_UNKNOWNERROR: return "unknown error";
        case LBFGSERR_LOGICERROR: return "logic error in liblbfgs";
        case LBFGSERR_OUTOFMEMORY: return "out of memory";
        case LBFGSERR_CANCELED: return "canceled";
        case LBFGSERR_INVALID_N: return "invalid number of variables";
        case LBFGSERR_INVALID_N_SSE: return "invalid number of variables for liblbfgs's SSE build";
        case LBFGSERR_INVALID_X_SSE: return "the variables are not 16-byte aligned for liblbfgs's SSE build";
        case LBFGSERR_INVALID_EPSILON: return "invalid parameter epsilon";
        case LBFGSERR_INVALID_TESTPERIOD: return "invalid parameter past";
        case LBFGSERR_INVALID_DELTA: return "invalid parameter delta";
        case LBFGSERR_INVALID_LINESEARCH: return "invalid parameter linesearch";
        case LBFGSERR_INVALID_MINSTEP: return "invalid parameter min_step";
        case LBFGSERR_INVALID_MAXSTEP: return "invalid parameter max_step";
        case LBFGSERR_INVALID_FTOL: return "invalid parameter ftol";
        case LBFGSERR_INVALID_WOLFE: return "invalid parameter wolfe";
        case LBFGSERR_INVALID_GTOL: return "invalid parameter gtol";
        case LBFGSERR_INVALID_XTOL: return "invalid parameter xtol";
        case LBFGSERR_INVALID_MAXLINESEARCH: return "invalid parameter max_linesearch";
        case LBFGSERR_INVALID_ORTHANTWISE: return "invalid parameter orthantwise_c";
        case LBFGSERR_INVALID_ORTHANTWISE_START: return "invalid parameter orthantwise_start";
        case LBFGSERR_INVALID_ORTHANTWISE_END: return "invalid parameter orthantwise_end";
        case LBFGSERR_OUTOFINTERVAL: return "the line-search step went out of the interval of uncertainty";
        case LBFGSERR_INCORRECT_TMINMAX:
            return "the line search's interval of uncertainty became too small (or a logic error)";
        case LBFGSERR_ROUNDING_ERROR:
            return "rounding errors prevent further progress (the line search cannot decrease f)";
        case LBFGSERR_MINIMUMSTEP: return "the line-search step became smaller than its minimum";
        case LBFGSERR_MAXIMUMSTEP: return "the line-search step became larger than its maximum";
        case LBFGSERR_MAXIMUMLINESEARCH:
            return fmt::format("the line search reached its maximum of {} evaluations without satisfying the "
                               "Wolfe conditions",
                               config.max_linesearch);
        case LBFGSERR_MAXIMUMITERATION: return "liblbfgs reached its maximum number of iterations";
        case LBFGSERR_WIDTHTOOSMALL: return "the line search's interval of uncertainty became narrower than xtol";
        case LBFGSERR_INVALIDPARAMETERS: return "logic error: a negative line-search step";
        case LBFGSERR_INCREASEGRADIENT: return "the search direction increases f (not a descent direction)";
        default: return fmt::format("liblbfgs return code {}", code);
    }
}

/// Why our progress callback stopped liblbfgs (it then returns LBFGS_STOP).
enum class Stop { none, converged, by_progress, max_iterations, error };

/// liblbfgs's lbfgs_malloc'd vector, freed on every way out.
struct LbfgsFree {
    void operator()(lbfgsfloatval_t* x) const { lbfgs_free(x); }
};
using LbfgsVector = std::unique_ptr<lbfgsfloatval_t[], LbfgsFree>;

/// What the two callbacks share (liblbfgs hands it back as `instance`).
template <class T>
struct Problem {
    Problem(const Params<T>& params_, const std::function<double()>& evaluate_,
            const std::function<bool(std::size_t, double, double)>& progress_, const LbfgsConfig& config_)
        : params(params_), evaluate(evaluate_), progress(progress_), config(config_) {}

    const Params<T>& params;
    const std::function<double()>& evaluate;
    const std::function<bool(std::size_t, double, double)>& progress;
    const LbfgsConfig& config;
    std::size_t evaluations = 0;
    std::size_t iterations = 0;
    double ratio = 0;                 // ‖∇f‖/‖θ‖ at the last iteration
    double value = 0;                 // f at the last evaluation
    Stop stop = Stop::none;
    std::exception_ptr error;         // an exception of evaluate() or progress(), rethrown after lbfgs()

    /// θ ← x (cast to T).
    void set_params(const double* x) const {
        for (const ad::Var<T>& p : params)
            for (T& v : p.mutable_value()) v = T(*x++);
    }
    /// x ← θ.
    void get_params(double* x) const {
        for (const ad::Var<T>& p : params)
            for (T v : p.value()) *x++ = double(v);
    }
    /// f(θ), with ∇f widened into g.
    double evaluate_into(double* g) {
        ++evaluations;
        value = evaluate();
        for (const ad::Var<T>& p : params) {
            const ad::Tensor<T>& grad = p.grad();  // ad::GraphError if evaluate() did not reach p
            if (grad.size() != p.value().size())
                throw ad::ShapeError(fmt::format("lbfgs_minimize: parameter '{}' is {} but its gradient is {}",
                                                 p.name(), ad::shape_str(p.value()), ad::shape_str(grad)));
            for (T v : grad) *g++ = double(v);
        }
        return value;
    }
};

/// ‖∇f‖/‖θ‖, the stopping ratio of lbfgs.hpp (‖θ‖ floored at 1e-300 so that θ = 0 gives a finite ratio).
double grad_norm_ratio(double grad_norm, double theta_norm) { return grad_norm / std::max(theta_norm, 1e-300); }

double norm(const double* v, std::size_t n) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += v[i] * v[i];
    return std::sqrt(s);
}

template <class T>
lbfgsfloatval_t evaluate_callback(void* instance, const lbfgsfloatval_t* x, lbfgsfloatval_t* g, const int n,
                                  const lbfgsfloatval_t /*step*/) {
    Problem<T>& problem = *static_cast<Problem<T>*>(instance);
    // An exception must not unwind through liblbfgs's C frames. After one, every later call returns NaN
    // with a zero gradient at once; the line search then gives up within max_linesearch calls.
    if (!problem.error) {
        try {
            problem.set_params(x);
            return problem.evaluate_into(g);
        } catch (...) {
            problem.error = std::current_exception();
        }
    }
    std::fill(g, g + n, 0.0);
    return std::numeric_limits<double>::quiet_NaN();
}

template <class T>
int progress_callback(void* instance, const lbfgsfloatval_t* /*x*/, const lbfgsfloatval_t* /*g*/,
                      const lbfgsfloatval_t fx, const lbfgsfloatval_t xnorm, const lbfgsfloatval_t gnorm,
                      const lbfgsfloatval_t /*step*/, int /*n*/, int k, int /*ls*/) {
    Problem<T>& problem = *static_cast<Problem<T>*>(instance);
    if (problem.error) {
        problem.stop = Stop::error;
        return LBFGS_STOP;
    }
    problem.iterations = std::size_t(k);
    problem.ratio = grad_norm_ratio(gnorm, xnorm);
    bool go_on = true;
    try {
        if (problem.progress) go_on = problem.progress(problem.iterations, fx, problem.ratio);
    } catch (...) {
        problem.error = std::current_exception();
        problem.stop = Stop::error;
        return LBFGS_STOP;
    }
    if (problem.ratio < problem.config.tolerance)
        problem.stop = Stop::converged;
    else if (!go_on)
        problem.stop = Stop::by_progress;
    else if (problem.iterations >= problem.config.max_iterations)
        problem.stop = Stop::max_iterations;
    return problem.stop == Stop::none ? 0 : LBFGS_STOP;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

// The polish phase. Near a minimum f changes by about ‖g‖²/curvature per step, which drops below the
// rounding of f (1e-16·|f|) long before ‖g‖ is small; a line search that compares values of f then stalls
// ("rounding errors prevent further progress") at ‖∇f‖/‖θ‖ around 1e-8. Gradients stay accurate much
// longer, so this phase goes on with L-BFGS directions (two-loop recursion over its own correction pairs)
// and accepts a step when it reduces ‖∇f‖ — sound near a minimum, where the quadratic model holds and
// Newton-like steps shrink the gradient. Trial steps: 1 (the quasi-Newton step), halved up to 40 times;
// the first direction, −g, is scaled to move θ by 1e-4·‖θ‖. x and g hold the current point on entry and
// on return; returns the number of iterations taken.
template <class T>
std::size_t polish(Problem<T>& problem, std::vector<double>& x, std::vector<double>& g, std::size_t max_iterations) {
    const std::size_t n = x.size(), m = std::size_t(problem.config.history);
    std::vector<std::vector<double>> S, Y;
    std::vector<double> rho, d(n), xt(n), gt(n), alpha(m);
    double gnorm = std::sqrt(dot(g, g));
    std::size_t taken = 0;
    while (taken < max_iterations) {
        // d = −H·g by the two-loop recursion, H₀ = (sᵀy/yᵀy)·I from the newest pair.
        d = g;
        for (std::size_t j = S.size(); j-- > 0;) {
            alpha[j] = rho[j] * dot(S[j], d);
            for (std::size_t i = 0; i < n; ++i) d[i] -= alpha[j] * Y[j][i];
        }
        const double h0 = S.empty() ? 1e-4 * std::max(std::sqrt(dot(x, x)), 1.0) / gnorm
                                    : dot(S.back(), Y.back()) / dot(Y.back(), Y.back());
        for (double& v : d) v *= h0;
        for (std::size_t j = 0; j < S.size(); ++j) {
            const double beta = rho[j] * dot(Y[j], d);
            for (std::size_t i = 0; i < n; ++i) d[i] += S[j][i] * (alpha[j] - beta);
        }
        for (double& v : d) v = -v;
        bool accepted = false;
        double gnorm_t = 0;
        for (int halving = 0, step_ok = 0; halving <= 40 && !step_ok; ++halving) {
            const double a = std::ldexp(1.0, -halving);
            for (std::size_t i = 0; i < n; ++i) xt[i] = x[i] + a * d[i];
            problem.set_params(xt.data());
            const double f = problem.evaluate_into(gt.data());
            gnorm_t = std::sqrt(dot(gt, gt));
            step_ok = std::isfinite(f) && gnorm_t < gnorm;
            accepted = step_ok;
        }
        if (!accepted) {
            // The quasi-Newton direction need not shrink ‖∇f‖ when the pairs model the Hessian poorly;
            // −∇f always does for small enough steps near a minimum (d‖∇f‖²/dα = −2 gᵀHg < 0). Drop
            // the pairs and try again from steepest descent; stop only if that fails too.
            if (S.empty()) break;
            S.clear();
            Y.clear();
            rho.clear();
            continue;
        }
        std::vector<double> s(n), y(n);
        for (std::size_t i = 0; i < n; ++i) {
            s[i] = xt[i] - x[i];
            y[i] = gt[i] - g[i];
        }
        const double sy = dot(s, y);
        if (sy > 0) {  // keep only pairs of positive curvature, so H stays positive definite
            if (S.size() == m) {
                S.erase(S.begin());
                Y.erase(Y.begin());
                rho.erase(rho.begin());
            }
            S.push_back(std::move(s));
            Y.push_back(std::move(y));
            rho.push_back(1.0 / sy);
        }
        x = xt;
        g = gt;
        gnorm = gnorm_t;
        ++taken;
        problem.ratio = grad_norm_ratio(gnorm, std::sqrt(dot(x, x)));
        ++problem.iterations;
        if (problem.progress && !problem.progress(problem.iterations, problem.value, problem.ratio)) {
            problem.stop = Stop::by_progress;
            break;
        }
        if (problem.ratio < problem.config.tolerance) {
            problem.stop = Stop::converged;
            break;
        }
    }
    problem.set_params(x.data());
    problem.evaluate_into(g.data());
    return taken;
}

void check_config(const LbfgsConfig& config) {
    if (config.history < 1)
        throw ConfigError(fmt::format("lbfgs: history = {}; expected ≥ 1 correction pairs", config.history));
    if (config.max_linesearch < 1)
        throw ConfigError(fmt::format("lbfgs: max_linesearch = {}; expected ≥ 1", config.max_linesearch));
    if (!(config.tolerance >= 0.0))
        throw ConfigError(fmt::format("lbfgs: tolerance = {}; expected ≥ 0", config.tolerance));
}

}  // namespace

template <class T>
LbfgsResult lbfgs_minimize(const Params<T>& params, const std::function<double()>& evaluate,
                           const LbfgsConfig& config,
                           const std::function<bool(std::size_t, double, double)>& progress) {
    check_config(config);
    if (!evaluate) throw ConfigError("lbfgs_minimize: no evaluate function given");
    std::size_t size = 0;
    for (const ad::Var<T>& p : params) {
        p.mutable_value();  // ad::GraphError for a Var that is not a parameter
        size += p.value().size();
    }
    if (size == 0) throw ConfigError("lbfgs_minimize: no parameters to optimise (0 entries in total)");
    if (size > std::size_t(INT_MAX))
        throw ConfigError(fmt::format("lbfgs_minimize: {} parameter entries; liblbfgs takes at most {}", size, INT_MAX));
    const int n = int(size);

    Problem<T> problem(params, evaluate, progress, config);
    LbfgsVector x(lbfgs_malloc(n));
    std::vector<double> g(size);
    if (!x) throw ConfigError(fmt::format("lbfgs_minimize: lbfgs_malloc({}) failed", n));
    problem.get_params(x.get());

    // The starting point, evaluated here (in C++, so that an exception propagates as it is): it may
    // already satisfy the tolerance, and then liblbfgs is not called.
    LbfgsResult result;
    const double f0 = problem.evaluate_into(g.data());
    const double ratio0 = grad_norm_ratio(norm(g.data(), size), norm(x.get(), size));
    if (!std::isfinite(f0) || !std::isfinite(ratio0))
        throw ad::ValueError(fmt::format("lbfgs_minimize: f = {} and ‖∇f‖/‖θ‖ = {} at the starting point; "
                                         "expected finite values",
                                         f0, ratio0));
    if (ratio0 < config.tolerance) {
        result.status = fmt::format("converged at the starting point: ‖∇f‖/‖θ‖ = {:.3g} < {:.3g}", ratio0,
                                    config.tolerance);
    } else if (config.max_iterations == 0) {
        result.status = "max_iterations = 0: no iteration taken";
    } else {
        lbfgs_parameter_t param;
        lbfgs_parameter_init(&param);  // More-Thuente line search, ftol 1e-4, gtol 0.9
        param.m = config.history;
        param.epsilon = 1e-30;         // our test (in progress_callback) decides; liblbfgs's must not fire first
        param.past = 0;                // no test on the decrease of f
        param.max_iterations = 0;      // counted by progress_callback
        param.max_linesearch = config.max_linesearch;
        double fx = 0;
        const int code = lbfgs(n, x.get(), &fx, evaluate_callback<T>, progress_callback<T>, &problem, &param);
        if (problem.error) std::rethrow_exception(problem.error);
        switch (problem.stop) {
            case Stop::converged:
                result.status = fmt::format("converged: ‖∇f‖/‖θ‖ = {:.3g} < {:.3g}", problem.ratio,
                                            config.tolerance);
                break;
            case Stop::by_progress:
                result.status = fmt::format("stopped by the progress callback after iteration {}",
                                            problem.iterations);
                break;
            case Stop::max_iterations:
                result.status = fmt::format("reached max_iterations = {}", config.max_iterations);
                break;
            case Stop::none:
            case Stop::error: result.status = describe(code, config); break;
        }
        // liblbfgs leaves x at its last accepted point (it reverts a failed line search); the parameters
        // hold whatever was evaluated last. Put x back and evaluate there so that .grad() matches.
        problem.set_params(x.get());
        problem.evaluate_into(g.data());

        // Stalled on the rounding of f before the tolerance: polish with gradient-norm steps.
        const bool stalled = problem.stop == Stop::none && code < 0 && code != LBFGSERR_OUTOFMEMORY;
        if (stalled && problem.iterations < config.max_iterations && config.tolerance > 0) {
            std::vector<double> xv(x.get(), x.get() + size);
            const std::size_t taken = polish(problem, xv, g, config.max_iterations - problem.iterations);
            if (problem.stop == Stop::converged)
                result.status = fmt::format("converged: ‖∇f‖/‖θ‖ = {:.3g} < {:.3g} after {} gradient-norm polish "
                                            "steps ({})",
                                            problem.ratio, config.tolerance, taken, result.status);
            else
                result.status += fmt::format("; then {} gradient-norm polish steps", taken);
        }
    }

    result.iterations = problem.iterations;
    result.evaluations = problem.evaluations;
    double theta_sq = 0;
    for (const ad::Var<T>& p : params)
        for (T v : p.value()) theta_sq += double(v) * double(v);
    result.grad_norm_ratio = grad_norm_ratio(norm(g.data(), size), std::sqrt(theta_sq));
    result.value = problem.value;
    result.converged = result.grad_norm_ratio < config.tolerance;
    return result;
}

template LbfgsResult lbfgs_minimize<float>(const Params<float>&, const std::function<double()>&, const LbfgsConfig&,
                                           const std::function<bool(std::size_t, double, double)>&);
template LbfgsResult lbfgs_minimize<double>(const Params<double>&, const std::function<double()>&,
                                            const LbfgsConfig&,
                                            const std::function<bool(std::size_t, double, double)>&);

}  // namespace nn
