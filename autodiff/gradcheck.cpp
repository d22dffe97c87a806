// gradcheck: see gradcheck.hpp.
#include "autodiff/gradcheck.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "autodiff/error.hpp"

namespace ad {

namespace {

// A seed in [−1, 1] from a fixed linear congruential sequence: the same on every platform and run.
Tensor<double> fixed_seed(std::size_t rows, std::size_t cols) {
    Tensor<double> s = Tensor<double>::from_shape({rows, cols});
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    for (double& v : s) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        v = static_cast<double>(state >> 11) / 9007199254740992.0 * 2.0 - 1.0;  // 53 bits -> [−1, 1)
    }
    return s;
}

// ⟨seed, f(inputs)⟩ evaluated on a cleared tape.
double projected(const GradcheckFn& f, Tape<double>& tape, const std::vector<Tensor<double>>& inputs,
                 const Tensor<double>& seed) {
    tape.clear();
    std::vector<Var<double>> vars;
    for (const auto& x : inputs) vars.push_back(tape.constant(x));
    const Tensor<double>& y = f(tape, vars).value();
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += seed.data()[i] * y.data()[i];
    return s;
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFn& f, const std::vector<Tensor<double>>& inputs, double eps, double rtol,
                          double atol) {
    if (!(eps > 0)) throw ValueError(fmt::format("gradcheck: eps = {}; expected a positive step", eps));

    // Analytic: one backward pass of the seeded output.
    Tape<double> tape;
    std::vector<Var<double>> vars;
    for (const auto& x : inputs) vars.push_back(tape.variable(x));
    const Var<double> out = f(tape, vars);
    const Tensor<double> seed = fixed_seed(out.rows(), out.cols());
    tape.backward(out, seed);
    std::vector<Tensor<double>> analytic;
    for (const auto& v : vars)
        analytic.push_back(v.node().has_grad ? v.grad() : zeros<double>(v.rows(), v.cols()));

    // Numeric: Richardson-extrapolated central differences, one entry at a time.
    GradcheckResult result;
    std::vector<Tensor<double>> x = inputs;
    Tape<double> probe;
    for (std::size_t k = 0; k < x.size(); ++k) {
        for (std::size_t e = 0; e < x[k].size(); ++e) {
            double& xe = x[k].data()[e];
            const double saved = xe;
            auto at = [&](double step) {
                xe = saved + step;
                const double phi = projected(f, probe, x, seed);
                xe = saved;
                return phi;
            };
            const double wide = at(eps) - at(-eps), narrow = at(eps / 2) - at(-eps / 2);
            const double numeric = (8 * narrow - wide) / (6 * eps);
            const double a = analytic[k].data()[e];
            const double err = std::abs(a - numeric);
            const double mag = std::max(std::abs(a), std::abs(numeric));
            result.max_abs_error = std::max(result.max_abs_error, err);
            if (mag > atol) result.max_rel_error = std::max(result.max_rel_error, err / mag);
            if (!(err <= atol + rtol * std::abs(numeric)) && result.ok) {
                result.ok = false;
                const std::size_t cols = x[k].shape(1);
                result.report = fmt::format("gradcheck: input {} entry ({},{}): analytic {:.12g}, numeric {:.12g}, "
                                            "error {:.3g} > atol {:.3g} + rtol {:.3g}·|numeric|",
                                            k, e / cols, e % cols, a, numeric, err, atol, rtol);
            }
        }
    }
    return result;
}

}  // namespace ad
