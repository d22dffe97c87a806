/// \file
/// Experiment E3 of the FACT paper (docs/MATH.md §6): RFM on the UCI classification collection of
/// Fernández-Delgado et al. (data/uci.hpp). Per dataset and method, hyper-parameters are chosen on the given
/// train/validation split, then the 4-fold accuracy is measured on the given folds with M kept fixed.
///
/// Protocol (each step is one function below):
/// ~~~{.unparsed}
///   kernel      Laplace, L = 10 (docs/MATH.md §5)
///   methods     laplace (M = I, iteration 0 only), nfa (M ← AGOP^{1/2}, uncentred, not rescaled),
///               fact (M ← (FACT FACTᵀ)^{1/2}), fact-geo (M ← (FACT M² FACTᵀ)^{1/4}), both rescaled to
///               λ_max(M) = 1 (default_normalization: the paper leaves E3's rescaling and centring open, docs/MATH.md §6)
///   grid        ridge μ ∈ {10, 1, 0.1, 1e-2, 1e-3} × row normalisation x ← x/‖x‖ off/on × iteration
///               t = 0..4 of one RFM run per (μ, row normalisation)
///   selection   the best validation accuracy; ties go to the first in the order μ as listed (largest
///               first), then row normalisation off before on, then the earliest iteration
///   score       for each of the 4 folds: KRR with the chosen μ and row normalisation under the chosen M
///               (M_t of the validation run, the same for every fold) fitted on the fold's train rows,
///               accuracy on its test rows; the dataset's score is the mean of the 4 accuracies
/// ~~~
/// run_tabular writes out/summary.csv one row at a time (an interrupted run keeps what finished and
/// resumes), out/run.json and out/table.md (mean accuracy per method next to the paper's numbers).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "data/uci.hpp"
#include "fact/kernel/rfm.hpp"

namespace fact {

/// The methods of the comparison (the protocol above).
enum class TabularMethod { laplace, nfa, fact, fact_geo };

/// "laplace" | "nfa" | "fact" | "fact-geo"; nn::ConfigError listing them otherwise.
TabularMethod parse_tabular_method(const std::string& name);
std::string to_string(TabularMethod method);  ///< the name parse_tabular_method reads
/// The paper's mean accuracy (%) over its 120 datasets: laplace 83.71, nfa 85.10, fact 85.22, fact-geo 84.99.
double paper_accuracy(TabularMethod method);
/// The paper's name of the method ("FACT-RFM geo", ...), for tables.
const char* paper_name(TabularMethod method);
/// The RFM update a method runs (laplace runs none; nfa is returned for it).
RfmUpdate update_of(TabularMethod method);

/// The settings of E3. Sources: exactly one of uci_root and data.
struct TabularConfig {
    std::string uci_root;                  ///< the collection's root folder
    std::vector<std::string> datasets;     ///< folder names under uci_root; empty: all of data::list_uci
    std::vector<std::string> data;         ///< dataset strings (digits, wine, ...), split by shipped_as_uci
    /// The methods to compare (default: all four).
    std::vector<TabularMethod> methods = {TabularMethod::laplace, TabularMethod::nfa, TabularMethod::fact,
                                          TabularMethod::fact_geo};
    std::string out;                       ///< summary.csv, run.json, table.md
    bool resume = false;                   ///< keep the finished rows of out/summary.csv; else out must be new or empty
    std::size_t max_samples = 0;           ///< skip a dataset whose largest training part exceeds it (0: no cap)
    double max_memory_bytes = 0;           ///< skip a dataset whose estimate exceeds it (0: half the physical memory)
    std::uint64_t seed = 0;                ///< the splits of `data` sources
    bool quiet = false;                    ///< no progress on stderr (skips and errors are still reported)

    // The protocol (docs/MATH.md §6, E3).
    Kernel kernel{KernelKind::laplace, 10.0};  ///< Laplace, L = 10
    std::vector<double> ridges = {10, 1, 0.1, 1e-2, 1e-3};  ///< the grid of μ, in tie-breaking order
    std::size_t iters = 4;                 ///< RFM updates: iterations t = 0..iters
    double nfa_power = 0.5;                ///< s of AGOP^s
    bool center = false;                   ///< centre the gradients before the AGOP
    Dtype dtype = Dtype::f64;              ///< the type of the kernel systems (docs/MATH.md §5.9)
};

/// The hyper-parameters one method chose on the validation split.
struct TabularChoice {
    double ridge = 0;                      ///< μ
    bool row_norm = false;                 ///< x ← x/‖x‖ on
    std::size_t best_iter = 0;             ///< the iteration t whose M was chosen
    double val_acc = 0;                    ///< its validation accuracy
    Matrix M;                              ///< (d,d): M_{best_iter} of that validation run
    std::size_t fallbacks = 0;             ///< fits whose solve was not a plain Cholesky
    std::string stopped;                   ///< non-empty if an RFM run of the grid ended early, and why
};

/// Search the grid on uci.validation_split() in the documented order (one run_rfm per ridge and row
/// normalisation; laplace: iteration 0 only).
TabularChoice select_hyperparameters(const TabularConfig& config, TabularMethod method, const data::UciDataset& uci);

/// Accuracy on the test rows of each of the 4 folds, KRR fitted on the fold's train rows with the choice's
/// ridge, row normalisation and M. `fallbacks` (optional) counts the solves that were not a plain Cholesky.
std::array<double, 4> fold_accuracies(const TabularConfig& config, const data::UciDataset& uci,
                                      const TabularChoice& choice, std::size_t* fallbacks = nullptr);

/// A dataset string (digits, wine, iris, breast_cancer, or any classification source of data::load_spec;
/// its own test part, if any, is appended) in the collection's shape: features standardised over all rows
/// (as the UCI files are), a seeded split into train (the first ⌈n/2⌉ of a permutation) and validation,
/// and 4 folds from a second permutation (fold i tests rows ⌊i·n/4⌋ .. ⌊(i+1)·n/4⌋ − 1 of it and trains
/// on the rest). data::Rng(seed), so the same seed gives the same split on every platform.
data::UciDataset shipped_as_uci(const std::string& spec, std::uint64_t seed);

/// The largest training set the protocol fits: max(|train|, |fold i train|).
std::size_t largest_training_part(const data::UciDataset& uci);
/// Bytes the protocol needs at most for one fit on n training rows of d features and c classes: the n×n
/// kernel matrix (8n² in float64, 4n² in float32), two blocks of kernel rows of the gradient pass, and the
/// n×c·d gradient buffers (kernel_system_bytes).
double protocol_memory_bytes(std::size_t n, std::size_t d, std::size_t c, Dtype dtype = Dtype::f64);
/// Half the physical memory (sysconf), the default limit.
double default_memory_limit();

/// One row of summary.csv. status: "ok" (with a note in parentheses when a solve fell back), "skipped: why"
/// or "error: message"; the numeric fields are NaN (written empty) unless ok. n, d, classes are 0 when the
/// dataset could not be read.
struct TabularRow {
    ///@{
    std::string dataset, method;           ///< the dataset's name and the method's
    ///@}
    ///@{
    std::size_t n = 0, d = 0, classes = 0;  ///< rows, features and classes of the dataset
    ///@}
    ///@{
    /// The chosen μ, its validation accuracy, the mean 4-fold accuracy, and the wall time.
    double ridge = kUnset, val_acc = kUnset, fold_acc = kUnset, seconds = kUnset;
    ///@}
    ///@{
    int row_norm = -1, best_iter = -1;     ///< -1: unknown
    ///@}
    std::array<double, 4> folds = {kUnset, kUnset, kUnset, kUnset};  ///< the accuracy of each fold
    std::string status;                    ///< "ok ...", "skipped: why" or "error: message"
    bool ok() const { return status.rfind("ok", 0) == 0; }  ///< status starts with "ok"
    static constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();  ///< NaN: not computed
};

/// The header of summary.csv and the text of one row (CSV, fields quoted when they hold , or ").
std::string summary_header();
std::string summary_line(const TabularRow& row);  ///< one line of summary.csv, without the newline
/// Parse one line back (the inverse of summary_line); nn::ConfigError naming the line for a malformed one.
TabularRow parse_summary_line(const std::string& line, std::size_t line_number);

/// The outcome of run_tabular.
struct TabularResult {
    std::vector<TabularRow> rows;          ///< every row of summary.csv, resumed ones included
    std::string table;                     ///< table.md: mean accuracy per method next to the paper's
    std::size_t computed = 0;              ///< (dataset, method) pairs computed by this call
};

/// Mean 4-fold accuracy per method over the datasets that every method of `methods` finished; the header
/// says when the kernel systems were float32.
std::string tabular_table(const std::vector<TabularRow>& rows, const std::vector<TabularMethod>& methods,
                          Dtype dtype = Dtype::f64);

/// Run E3 over the configured datasets and methods. Throws nn::ConfigError for a bad configuration (no or
/// two sources, an unknown dataset, an existing non-empty out without resume, a resume whose run.json has
/// another protocol); a dataset that cannot be read or a method that fails is recorded as an error row and
/// the run goes on.
TabularResult run_tabular(const TabularConfig& config);

}  // namespace fact
