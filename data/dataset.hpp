/// \file
/// A dataset in memory: features X (one sample per row) and targets Y, plain double matrices that any
/// component can use (the data component depends on no other). Classification keeps both the integer
/// labels and their one-hot rows, since losses want one and metrics the other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

/// The data component: datasets in memory, shipped data, generators, file loaders, transforms and the
/// dataset string. Depends on no other component; every error is a DataError.
namespace data {

/// A row-major (rows, cols) double matrix: samples are rows.
using Matrix = xt::xtensor<double, 2>;

/// What Y holds: one-hot class rows, or real-valued targets.
enum class Task { classification, regression };

/// A dataset in memory: X (n, d), Y (n, c), and for classification the integer labels. Memory 8n(d + c) bytes.
struct Dataset {
    std::string name;                        ///< for messages and reports (e.g. "digits")
    Task task = Task::classification;        ///< what Y holds
    Matrix X;                                ///< (n, d)
    Matrix Y;                                ///< (n, c): one-hot rows (classification) or targets (regression)
    std::vector<std::size_t> labels;         ///< classification: class of each row in 0..c−1; else empty
    std::size_t num_classes = 0;             ///< classification: c; regression: 0
    std::vector<std::string> class_names;    ///< optional, num_classes entries when present

    std::size_t n() const { return X.shape(0); }         ///< samples (rows)
    std::size_t d() const { return X.shape(1); }         ///< features (columns of X)
    std::size_t outputs() const { return Y.shape(1); }   ///< c, the columns of Y
    /// Samples per class (classification).
    std::vector<std::size_t> class_counts() const;
    /// Throws DataError if X, Y, labels and num_classes disagree.
    void check() const;
};

/// A classification dataset from features and labels in 0..num_classes−1 (Y = one-hot of the labels).
/// \throws DataError if the label count differs from X's rows or a label is ≥ num_classes.
Dataset make_classification(std::string name, Matrix X, std::vector<std::size_t> labels, std::size_t num_classes);

/// A regression dataset: Y is (n, outputs). \throws DataError if X and Y have different row counts.
Dataset make_regression(std::string name, Matrix X, Matrix Y);

/// The byte budget of the data component: before a generator or loader allocates a dataset (or a file's
/// bytes, or a gzip stream's decompressed text) it estimates the bytes it is about to allocate and refuses
/// with a DataError if they exceed the budget. By default the budget is the machine's MemAvailable
/// (/proc/meminfo), read at each check; set_memory_budget replaces it (a command line's --max-memory).
struct MemoryBudget {
    std::uint64_t bytes = 0;  ///< the budget in bytes
    std::string source;       ///< where it comes from, for messages: "MemAvailable in /proc/meminfo", a flag name
};

/// Use a fixed budget of `bytes` from now on (thread-safe); `source` names it in messages ("--max-memory").
void set_memory_budget(std::uint64_t bytes, std::string source = "set_memory_budget");
/// Text appended to every refusal, saying how to change the budget (the `fact` program: "--max-memory GIB
/// overrides"); empty by default.
void set_memory_hint(std::string hint);
/// Back to the default budget, MemAvailable.
void reset_memory_budget();
/// The budget in force: the one set, else MemAvailable of /proc/meminfo (else the available physical
/// pages of sysconf; else unlimited).
MemoryBudget memory_budget();
/// Refuse an allocation of `bytes` (an estimate, as a double so that no size product overflows) that
/// exceeds the budget. \throws DataError "WHAT: the dataset needs 44.7 GiB (LAYOUT) but 21.3 GiB is
/// available (SOURCE)".
void check_memory(const std::string& what, double bytes, const std::string& layout);
/// The same for anything else that is about to be allocated: "WHAT: SUBJECT needs ..." (e.g. subject "the
/// model's training", "the kernel system"). \throws DataError.
void check_memory(const std::string& what, double bytes, const std::string& layout, const std::string& subject);
/// Bytes in binary units for messages: "512 bytes", "1.5 KiB", "44.7 GiB".
std::string format_bytes(double bytes);

/// Two parts of one dataset. `test` is empty (n = 0) when the source has no split of its own.
struct Split {
    Dataset train;  ///< the training part
    Dataset test;   ///< the held-out part (n = 0 when there is none)
};

}  // namespace data
