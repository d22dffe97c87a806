// CSV files: numeric features and one label (or target) column.
#pragma once

#include <optional>
#include <string>

#include "data/dataset.hpp"

namespace data {

struct CsvOptions {
    /// The label column: an index (negative counts from the end: −1 is the last column) or a header name.
    std::string label = "-1";
    Task task = Task::classification;
    /// Field separator; '\0' detects it from the first line (',', ';' or tab).
    char delimiter = '\0';
    /// Whether the first line is a header; unset: detected (a first line with a non-numeric feature field).
    std::optional<bool> header;
};

/// Load a CSV file (gzipped or not). Classification labels may be any strings or numbers: the distinct
/// values, sorted (numerically when all are numbers), become classes 0..c−1 and class_names.
/// Errors name file, line and column: a non-numeric feature cell, a ragged row, an empty file, a missing
/// label column.
Dataset load_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace data
