/// \file
/// CSV files: numeric features and one label (or target) column.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace data {

/// How load_csv reads a file (the dataset string `csv:PATH[,label=-1][,task=regression]`).
struct CsvOptions {
    /// The label column: an index (negative counts from the end: −1 is the last column) or a header name.
    std::string label = "-1";
    /// Whether the label column holds classes or regression targets. Unset: classes, but a column of numbers
    /// that are not all integers is refused with a hint (task=regression, or classification to force classes).
    std::optional<Task> task;
    /// Field separator; '\0' detects it from the first line (',', ';' or tab).
    char delimiter = '\0';
    /// Whether the first line is a header; unset: detected (a first line with a non-numeric feature field).
    std::optional<bool> header;
};

/// Load a CSV file (gzipped or not; UTF-8 or ASCII; LF or CRLF line endings). Classification labels may
/// be any strings or numbers: the distinct values, sorted (numerically when all are numbers), become
/// classes 0..c−1 and class_names. X is (n, d) with d the other columns; regression: Y (n, 1).
/// Unless `header` says, the first line is a header only when no feature field of it is a number (or
/// nan, inf, 1e309) and one is a name; otherwise it is a data row, checked as every other.
/// \throws DataError naming file, line and column: a feature cell that is not a finite number, a ragged
///         row, a nan or inf label, an empty file, a missing label column, UTF-16 text or CR-only line
///         endings, non-integer numeric labels without a task, more than 65536 classes, data larger than the
///         memory budget (check_memory), and, through read_file, a file that cannot be read.
Dataset load_csv(const std::string& path, const CsvOptions& options = {});

/// One field of a CSV line the project writes (summary.csv): as it is, or in double quotes with every
/// quote doubled when it holds a comma or a quote; line breaks become spaces.
std::string csv_quote(std::string field);
/// The fields of one comma-separated line written with csv_quote (the inverse: "a,""b""" -> a,"b").
std::vector<std::string> csv_fields(const std::string& line);

}  // namespace data
