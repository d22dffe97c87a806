/// \file
/// CSV files: numeric features and one label (or target) column.
#pragma once

#include <optional>
#include <string>

#include "data/dataset.hpp"

namespace data {

/// How load_csv reads a file (the dataset string `csv:PATH[,label=-1][,task=regression]`).
struct CsvOptions {
    /// The label column: an index (negative counts from the end: −1 is the last column) or a header name.
    std::string label = "-1";
    Task task = Task::classification;  ///< whether the label column holds classes or regression targets
    /// Field separator; '\0' detects it from the first line (',', ';' or tab).
    char delimiter = '\0';
    /// Whether the first line is a header; unset: detected (a first line with a non-numeric feature field).
    std::optional<bool> header;
};

/// Load a CSV file (gzipped or not). Classification labels may be any strings or numbers: the distinct
/// values, sorted (numerically when all are numbers), become classes 0..c−1 and class_names.
/// X is (n, d) with d the other columns; regression: Y (n, 1).
/// \throws DataError naming file, line and column: a non-numeric feature cell, a ragged row, an empty file,
///         a missing label column (and, through read_file, a file that cannot be read).
Dataset load_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace data
