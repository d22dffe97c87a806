/// \file
/// Small real datasets shipped in data/datasets/ (origin and licence in data/datasets/README.md):
/// digits (1797 × 64, 10 classes), breast_cancer (569 × 30, 2), wine (178 × 13, 3), iris (150 × 4, 3).
#pragma once

#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace data {

/// The folder the shipped files are read from: $FACT_DATASETS_DIR if set, else the source tree's
/// data/datasets (when built from source), else the installed share/fact/datasets.
std::string datasets_dir();

std::vector<std::string> shipped_names();   ///< {"breast_cancer", "digits", "iris", "wine"}

/// One of shipped_names(); throws DataError listing the valid names otherwise.
/// \throws DataError for an unknown name, a missing file (naming the datasets folder), or a malformed one
///         (naming file, line and column).
Dataset load_shipped(const std::string& name);

}  // namespace data
