/// \file
/// Full-batch L-BFGS on the parameters of a model, through Debian's liblbfgs (Okazaki's C port of
/// Nocedal's L-BFGS) with its More-Thuente line search (strong Wolfe conditions, ftol 1e-4, gtol 0.9).
/// Parameters are flattened into one double vector in the order given; float models are evaluated in
/// float and their gradients widened.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "nn/optim.hpp"

namespace nn {

/// Settings of lbfgs_minimize.
struct LbfgsConfig {
    int history = 10;               ///< m, the number of correction pairs
    std::size_t max_iterations = 1000;  ///< iterations before giving up (not converged)
    double tolerance = 1e-10;       ///< stop when ‖∇f‖ / max(‖θ‖, 1e-300) < tolerance (checked every iteration)
    int max_linesearch = 40;        ///< function evaluations per line search
};

/// What lbfgs_minimize reached, and why it stopped.
struct LbfgsResult {
    bool converged = false;         ///< the tolerance was reached
    std::size_t iterations = 0;     ///< iterations completed
    std::size_t evaluations = 0;    ///< calls of evaluate(), the one at the start and the one at the end included
    double value = 0;               ///< f at the final point
    double grad_norm_ratio = 0;     ///< ‖∇f‖/‖θ‖ at the final point
    std::string status;             ///< why it stopped, in words: the tolerance, max_iterations, the progress
                                    ///< callback, or liblbfgs's return code (e.g. a failed line search)
};

/// Minimise f(θ) from the current parameter values. evaluate() computes f at the parameters' current
/// values and leaves ∇f in their .grad() (overwriting, not accumulating). progress(iteration, f,
/// ratio) is called after each iteration; returning false stops. On return the parameters hold the last
/// iterate liblbfgs accepted (f decreases from iterate to iterate; a trial point of a failed line search is
/// dropped), and their .grad() is the gradient there. Memory: 2m + O(1) vectors of the parameter count;
/// an iteration costs one or more evaluations plus O(m·parameters).
/// \throws ConfigError for a bad config (history or max_linesearch < 1, tolerance < 0), no parameters or
///         no evaluate; ad::ValueError if f or ∇f is not finite at the starting point; whatever evaluate()
///         or progress() throws is rethrown after liblbfgs returns.
template <class T>
LbfgsResult lbfgs_minimize(const Params<T>& params, const std::function<double()>& evaluate,
                           const LbfgsConfig& config,
                           const std::function<bool(std::size_t, double, double)>& progress = {});

}  // namespace nn
