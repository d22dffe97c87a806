/// \file
/// Exceptions of the nn component. Messages name the thing (option, file, parameter), the offending value
/// and what was expected.
#pragma once

#include <stdexcept>

namespace nn {

/// Base of every error the nn component throws.
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A bad option or hyperparameter: unknown name, negative learning rate, inconsistent sizes.
struct ConfigError : Error {
    using Error::Error;
};

/// A checkpoint that cannot be written or read: missing file, wrong version, architecture or shape.
struct CheckpointError : Error {
    using Error::Error;
};

}  // namespace nn
