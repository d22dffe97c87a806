/// \file
/// The Recursive Feature Machine (docs/MATH.md §5): alternate kernel ridge regression under a feature
/// matrix M with an update of M from the fitted machine's gradients, starting from M₀ = I.
/// ~~~{.unparsed}
///   nfa       M_{t+1} = AGOP_t^s                        (s = 1/2 default; the original Laplace RFM used s = 1)
///   fact      M_{t+1} = (FACT_t FACT_tᵀ)^{1/2}          (every M = FACT_t is a fixed point; §5.7)
///   fact-geo  M_{t+1} = (FACT_t M_t² FACT_tᵀ)^{1/4}     (fixed point: M = FACT)
/// ~~~
/// then optionally rescaled (`max`: largest eigenvalue 1; `trace`: trace d). FACT_t grows with ‖α‖², so
/// un-normalised FACT-RFM collapses (docs/MATH.md §5.8): the default is `max` for the fact updates, `none` for nfa.
/// Iteration t is the machine fitted with M_t; `iters` = T updates give the evaluations t = 0..T.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.hpp"
#include "fact/kernel/gradients.hpp"
#include "fact/kernel/krr.hpp"

namespace fact {

/// The update of M (the table above).
enum class RfmUpdate { nfa, fact, fact_geo };
/// The rescaling of M after an update: none, largest eigenvalue 1 (max), trace d (trace).
enum class Normalization { none, max, trace };

/// "nfa" | "fact" | "fact-geo"; ad::ValueError listing them otherwise.
RfmUpdate parse_update(const std::string& name);
std::string to_string(RfmUpdate update);  ///< "nfa", "fact" or "fact-geo"
/// "none" | "max" | "trace"; ad::ValueError otherwise.
Normalization parse_normalization(const std::string& name);
std::string to_string(Normalization n);   ///< "none", "max" or "trace"
/// `max` for fact and fact-geo, `none` for nfa (docs/MATH.md §5).
Normalization default_normalization(RfmUpdate update);

/// The settings of one RFM run.
struct RfmConfig {
    Kernel kernel;                      ///< laplace, L = 10
    double ridge = 1e-3;                ///< μ ≥ 0
    std::size_t iters = 5;              ///< T: updates of M (evaluations t = 0..T)
    RfmUpdate update = RfmUpdate::nfa;  ///< how M is updated
    double power = 0.5;                 ///< s of the nfa update
    bool center = false;                ///< centre the gradients before the AGOP (nfa)
    /// The rescaling after each update; unset: default_normalization(update) (`max` for the fact updates,
    /// without which FACT-RFM collapses; `none` for nfa).
    std::optional<Normalization> normalize;
    bool diagonal = false;              ///< keep only diag(M) after every update
    Dtype dtype = Dtype::f64;           ///< the type of the kernel system and the gradient pass (§5.9)
    bool keep_matrices = false;         ///< RfmResult::matrices gets M_0 .. M_T
    bool quiet = true;                  ///< progress on stderr
};

/// The rescaling config uses: config.normalize if set, else default_normalization(config.update).
Normalization normalization_of(const RfmConfig& config);

/// Throws ad::ValueError naming the field for a ridge < 0, a bandwidth <= 0, a non-finite power.
void check_config(const RfmConfig& config);

/// One evaluation (row of history.csv). Accuracies are NaN for regression targets, test/validation fields
/// NaN when that set is absent; m_change = ‖M_t − M_{t−1}‖_F (NaN at t = 0).
struct RfmIteration {
    std::size_t iter = 0;               ///< t
    ///@{
    /// Mean squared error (krr's mean_squared_error) and argmax accuracy of the machine fitted with M_t.
    double train_loss = 0, test_loss = 0, train_acc = 0, test_acc = 0;
    double val_loss = 0, val_acc = 0;
    ///@}
    double seconds = 0;                 ///< wall time of this iteration: fit, evaluation, update
    double m_change = 0;                ///< ‖M_t − M_{t−1}‖_F (NaN at t = 0)
    SolveMethod solve = SolveMethod::cholesky;  ///< how the fit's system was solved
    std::string solve_note;             ///< non-empty when the solve fell back (also printed on stderr)
};

/// The outcome of run_rfm.
struct RfmResult {
    std::vector<RfmIteration> history;  ///< t = 0 .. last evaluated
    Matrix M;                           ///< the feature matrix of the last evaluated iteration
    Matrix alpha;                       ///< its coefficients
    std::size_t best_iter = 0;          ///< by validation accuracy (loss for regression); the last one without
    Matrix best_M;                      ///< M of best_iter
    std::vector<Matrix> matrices;       ///< M_0 .. M_T with keep_matrices
    std::string stopped;                ///< non-empty if the loop ended early (a non-finite update), and why
};

/// The datasets of one RFM run. test and validation may be null or empty.
struct RfmData {
    const data::Dataset* train = nullptr;        ///< required, n ≥ 1
    const data::Dataset* test = nullptr;         ///< evaluated at every iteration when given
    const data::Dataset* validation = nullptr;   ///< selects best_iter when given
};

/// Called after every evaluation with the row and the M it was computed with; return false to stop.
using RfmObserver = std::function<bool(const RfmIteration&, const Matrix& M)>;

/// Where an RFM run stands between two iterations: everything run_rfm needs to continue it exactly.
struct RfmState {
    std::size_t next_iter = 0;          ///< the iteration t to compute next (1 ≤ t ≤ iters)
    Matrix M;                           ///< M_t, the feature matrix of that iteration
    double m_change = std::numeric_limits<double>::quiet_NaN();  ///< ‖M_t − M_{t−1}‖_F (its row's m_change)
    std::vector<RfmIteration> history;  ///< the rows 0 .. t − 1
    std::size_t best_iter = 0;          ///< the best iteration so far by validation (with a validation set)
    Matrix best_M;                      ///< its M
    double best_metric = std::numeric_limits<double>::quiet_NaN();  ///< its validation metric (NaN: none yet)
    std::vector<Matrix> matrices;       ///< M_0 .. M_{t−1} with keep_matrices
};

/// Checkpoints and resumption for run_rfm. Resuming is bitwise exact: an iteration depends only on M_t,
/// the data and the config (and the validation bookkeeping, which the state holds).
struct RfmHooks {
    /// Called after every iteration that is followed by another, with the state to continue from.
    std::function<void(const RfmState&)> checkpoint;
    /// Continue from this state (null: start from M₀ = I).
    const RfmState* resume = nullptr;
};

/// Run the loop of docs/MATH.md §5 from M₀ = I (or from hooks.resume). Deterministic: same inputs, same bits, any thread count.
/// Per iteration, for n training rows of d features and c outputs: the fit, O(n²d + n³) time and the n×n
/// kernel matrix (8n² bytes in float64, 4n² in float32); the gradients, O(n²cd + ncd²); the matrix function,
/// O(d³), always in float64.
/// \throws ad::ValueError for a bad config (check_config) or no training data; ad::ShapeError for a test or
///         validation set whose d or c differs from the training set's.
RfmResult run_rfm(const RfmConfig& config, const RfmData& data, const RfmObserver& observer = {},
                  const RfmHooks& hooks = {});

/// One update M_t -> M_{t+1} from the fit (α) under M_t: gradients at the training points, AGOP or FACT, the
/// matrix function, then the normalisation and the diagonal restriction. `g` is the gradient pass (its
/// predictions are the training predictions).
Matrix rfm_update(const RfmConfig& config, const Matrix& X, const Matrix& alpha, const Matrix& M,
                  const KernelGradients& g);

/// M / λ_max(M) (`max`), d·M / tr(M) (`trace`) or M (`none`). A matrix with no positive scale is returned
/// as it is.
Matrix normalize_feature_matrix(const Matrix& M, Normalization n);

/// history.csv text: iter,train_loss,test_loss,train_acc,test_acc,seconds,m_change,val_loss,val_acc,solve,
/// then the extra columns (names and one value per row) that experiments add.
std::string history_csv(const std::vector<RfmIteration>& history,
                        const std::vector<std::pair<std::string, std::vector<double>>>& extra = {});

}  // namespace fact
