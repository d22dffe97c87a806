/// \file
/// Finite-difference gradient checking, in double precision: the oracle for every op's backward, and a
/// tool for users who write their own.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/tape.hpp"

namespace ad {

/// A function of some inputs built on a tape; any output shape.
using GradcheckFn = std::function<Var<double>(Tape<double>&, const std::vector<Var<double>>&)>;

/// The outcome of gradcheck: the worst errors over all entries and, on failure, a report of the worst one.
struct GradcheckResult {
    bool ok = true;            ///< every entry passed
    double max_abs_error = 0;  ///< max over all input entries of |analytic − numeric|
    double max_rel_error = 0;  ///< max of |analytic − numeric| / max(|analytic|, |numeric|), over entries
                               ///< whose magnitude exceeds atol (below that the absolute test applies)
    std::string report;        ///< the worst entry: input, position, both values; empty when ok
};

/// Compare the reverse-mode gradient of φ(x) = ⟨S, f(x)⟩ with finite differences, for every entry of every
/// input. S is a fixed pseudo-random seed of f's output shape, so a non-scalar f also exercises
/// backward(root, seed). The numeric derivative is the central difference with steps ε and ε/2 combined
/// by Richardson extrapolation, (8[φ(x+ε/2) − φ(x−ε/2)] − [φ(x+ε) − φ(x−ε)]) / 6ε, whose error is O(ε⁴):
/// with ε = 1e-3 both the truncation error (~ε⁴) and the rounding error (~1e-16·|φ|/ε) stay near 1e-12,
/// where a plain central difference cannot get below ~1e-8 for any ε. Keep inputs at least ε away from
/// kinks (relu at 0). An entry passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
/// f is called once per perturbation, each time on a cleared tape, and must be deterministic.
/// Cost: 4·(number of input entries) + 1 evaluations of f, one backward pass.
/// \throws ValueError for eps ≤ 0; whatever f throws (ShapeError, GraphError, ...) passes through.
GradcheckResult gradcheck(const GradcheckFn& f, const std::vector<Tensor<double>>& inputs, double eps = 1e-3,
                          double rtol = 1e-6, double atol = 1e-9);

}  // namespace ad
