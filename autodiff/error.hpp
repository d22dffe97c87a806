/// \file
/// Typed exceptions of the autodiff library. Every message names the operation, the offending value and
/// what was expected, e.g. "matmul: (3,4) x (5,2): inner dimensions 4 and 5 differ".
#pragma once

#include <stdexcept>

namespace ad {

/// Base of every error the library throws.
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Operands whose shapes do not fit the operation.
struct ShapeError : Error {
    using Error::Error;
};

/// A value outside the operation's domain: an empty tensor, a non-finite seed, a label out of range.
struct ValueError : Error {
    using Error::Error;
};

/// Misuse of the tape: backward on a cleared graph, Vars of two different tapes, an empty Var.
struct GraphError : Error {
    using Error::Error;
};

}  // namespace ad
