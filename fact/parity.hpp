/// \file
/// E4, sparse parity (docs/MATH.md §6): the Recursive Feature Machine (section 5) with the NFA and FACT
/// updates, side by side, on x uniform on {0,1}^d with the label y = XOR of x on a support S of k
/// coordinates (one-hot, 2 classes). Per update and iteration: test accuracy (the phase transition), the
/// share of diag(M) on the support, Σ_{i∈S} M_ii / tr M (k/d for M₀ = I, 1 when M has learned S), and the
/// Pearson correlation (docs/MATH.md §4) between the matrices of the two updates. A sweep over n finds the
/// sample size at which each update makes the transition. Measured with the defaults (seed 0, T = 10):
/// FACT-RFM reaches ≥ 99 % test accuracy at n = 4000 (iteration 8) and 8000 (iteration 3), with 88-94 % of
/// the trace on the support, while NFA-RFM stays at chance for every n ≤ 8000 (as the NumPy prototype of
/// docs/MATH.md §6 saw). An iteration costs O(n³) for the solve: n = 25,000 takes hours on 2 cores.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fact/kernel/rfm.hpp"
#include "fact/rfm_checkpoint.hpp"

namespace fact {

/// The machine of E4 (the paper's): Laplace kernel L = 10, ridge 1e-3, 10 iterations, no centring, each
/// update's default normalisation.
RfmConfig parity_machine();

/// The settings of E4 (defaults: the paper's k = 4 task).
struct ParityConfig {
    std::size_t d = 50;                                  ///< input dimension
    std::size_t k = 4;                                   ///< support size when `support` is empty (drawn from seed)
    std::vector<std::size_t> support = {7, 15, 25, 29};  ///< the paper's support for k = 4 (0-based coordinates)
    std::size_t n = 25000;                               ///< training samples (the paper's n for k = 4)
    std::vector<std::size_t> sweep;                      ///< sample sizes to run instead of n (empty: just n)
    std::size_t test_n = 10000;                          ///< held-out samples, drawn with test_seed(seed)
    std::vector<RfmUpdate> updates = {RfmUpdate::nfa, RfmUpdate::fact};  ///< run side by side
    RfmConfig rfm = parity_machine();                    ///< the machine; its update is each of `updates` in turn
    double threshold = 0.99;                             ///< the test accuracy that counts as "learned"
    std::uint64_t seed = 0;                              ///< training data (and the support when drawn)
    std::string out;                                     ///< output directory (required by run_parity)
    bool quiet = false;                                  ///< no progress on stderr
};

/// The seed of the held-out test set: a fixed odd offset (the 64-bit golden ratio) from the training seed,
/// so the two sets are independent draws of the same distribution (same support) for every seed.
std::uint64_t test_seed(std::uint64_t seed);

/// Σ_{i∈S} M_ii / Σ_i M_ii: the share of the trace on the support (NaN when tr M ≤ 0 or not finite).
/// Throws ad::ShapeError for a non-square M or a support index ≥ d.
double support_fraction(const Matrix& M, const std::vector<std::size_t>& support);

/// The first iteration whose test accuracy is ≥ threshold, or none. NaN accuracies never count.
std::optional<std::size_t> first_iteration_reaching(const std::vector<RfmIteration>& history, double threshold);

/// One update at one sample size.
struct ParityRun {
    RfmUpdate update = RfmUpdate::nfa;        ///< the update
    Normalization normalize = Normalization::none;  ///< the normalisation it ran with
    RfmResult rfm;                            ///< with matrices M_0 .. M_T
    std::vector<double> support_fraction;     ///< per iteration
    double best_test_acc = 0;                 ///< the highest test accuracy over the iterations
    std::size_t best_iter = 0;                ///< its first iteration
    std::optional<std::size_t> first_at_threshold;  ///< first_iteration_reaching(threshold)
    double seconds = 0;                       ///< wall time of the run
};

/// All updates at one n. pearson[a][b] (a < b, indices into runs) holds Pearson(M_t of a, M_t of b) per
/// iteration (NaN where one run had stopped); pearson_offdiag the same over the off-diagonal entries.
struct ParityAtN {
    std::size_t n = 0;                        ///< training samples
    std::vector<ParityRun> runs;              ///< in the order of ParityConfig::updates
    /// The comparison of runs a and b.
    struct Pair {
        ///@{
        std::size_t a = 0, b = 0;             ///< indices into runs, a < b
        ///@}
        ///@{
        std::vector<double> pearson, pearson_offdiag;  ///< per iteration (NaN where one run had stopped)
        ///@}
    };
    std::vector<Pair> pairs;                  ///< every pair a < b
};

/// The outcome of run_parity.
struct ParityResult {
    std::vector<std::size_t> support;         ///< sorted as given, or drawn from the seed
    std::vector<ParityAtN> by_n;              ///< one per n (the sweep, or just n)
    std::string table;                        ///< markdown, also written to out/table.md
};

/// Throws nn::ConfigError naming the field for an empty update list or a repeated update, n or test_n of 0,
/// a threshold outside (0, 1], or a sweep entry of 0; the generator checks d, k and the support.
void check_parity_config(const ParityConfig& config);

/// Run E4 and write out/ atomically (fact/output.hpp). With a sweep the training sets are nested (the first
/// n rows of one draw: data::sparse_parity generates row by row) and share one test set. Layout per n
/// (out/ itself without a sweep, `out/n<N>/` with one): `<update>/history.csv` (extra columns
/// support_fraction, `pearson_<other update>`, `pearson_offdiag_<other update>`), `<update>/M.npy` (final M),
/// accuracy.svg, support_fraction.svg, heatmaps.svg, summary.json; with a sweep also out/sweep.csv,
/// out/accuracy_vs_n.svg and out/summary.json; out/table.md always. Cost: O(n³) per iteration (see
/// run_rfm): n = 25,000 takes hours on 2 cores.
/// While it works, the temporary directory `<out>.tmp-XXXXXXXX` holds config.json, progress.json and
/// checkpoint/n<N>-<update>/ (fact::RfmRuns): a killed run is finished by parity_resume.
/// \throws nn::ConfigError as check_parity_config, or for an empty or existing out; data::DataError from
///         the generator for a bad d, k or support.
ParityResult run_parity(const ParityConfig& config, const ExperimentHooks& hooks = {});

/// Finish the interrupted run_parity of out (`fact experiment parity --resume OUT`) with the settings it was
/// started with: the (n, update) runs that finished are read back, the interrupted one continues from its
/// last iteration; the outputs are bitwise those of an uninterrupted run (but the seconds).
/// \throws nn::ConfigError with the refusals of fact::resumable_leftover, or for a bad config.json.
ParityResult parity_resume(const std::string& out, const ExperimentHooks& hooks = {});

/// Every field of config as JSON (config.json): the exact inverse of parity_config_from_json.
nlohmann::json to_json(const ParityConfig& config);
/// A ParityConfig from to_json's JSON. \throws nn::ConfigError naming `where` and the field.
ParityConfig parity_config_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace fact
