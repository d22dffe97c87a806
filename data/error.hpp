/// \file
/// The one exception type of the data component: a file, a format or a parameter that cannot be used.
/// Messages name the file (and line and column, or byte offset, where there is one), the offending value
/// and what was expected: "iris.csv:12:3: 'abc' is not a number".
#pragma once

// Any header that opens `namespace data` includes xtensor first: xtl (under xtensor) calls an unqualified
// data(...) in a template, which fails to parse if a namespace named `data` is already declared.
#include <xtensor/xtensor.hpp>

#include <stdexcept>

namespace data {

/// The error of the data component (see the file description for its messages).
struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace data
