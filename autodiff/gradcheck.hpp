// Finite-difference gradient checking, in double precision: the oracle for every op's backward, and a
// tool for users who write their own.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/tape.hpp"

namespace ad {

/// A function of some inputs built on a tape; any output shape.
using GradcheckFn = std::function<Var<double>(Tape<double>&, const std::vector<Var<double>>&)>;

struct GradcheckResult {
    bool ok = true;
    double max_abs_error = 0;  // max over all input entries of |analytic − numeric|
    double max_rel_error = 0;  // max of |analytic − numeric| / max(|analytic|, |numeric|), over entries
                               // whose magnitude exceeds atol (below that the absolute test applies)
    std::string report;        // the worst entry: input, position, both values; empty when ok
};

/// Compare the reverse-mode gradient of φ(x) = ⟨S, f(x)⟩ with central differences (φ(x+εe) − φ(x−εe))/2ε,
/// for every entry of every input. S is a fixed pseudo-random seed of f's output shape, so a non-scalar f
/// also exercises backward(root, seed). An entry passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
/// f is called once per perturbation, each time on a cleared tape, and must be deterministic.
/// Cost: 2·(number of input entries) + 1 evaluations of f, one backward pass.
GradcheckResult gradcheck(const GradcheckFn& f, const std::vector<Tensor<double>>& inputs, double eps = 1e-6,
                          double rtol = 1e-6, double atol = 1e-9);

}  // namespace ad
