/// \file
/// E6, why the NFA holds for inner-product kernels (docs/MATH.md §5-6). For k(x,z) = φ(xᵀ M z) the two
/// feature matrices of RFM are
/// ~~~{.unparsed}
///   FACT_t = M Xᵀ (K' ∘ A) X          K'_ij = φ'(x_iᵀ M x_j)
///   AGOP_t = M Xᵀ (τ ∘ A) X M         τ = (1/n) K'ᵀ K',  τ_ij = (1/n) Σ_l φ'(x_lᵀ M x_i) φ'(x_lᵀ M x_j)
/// ~~~
/// (A = α αᵀ), so where τ ≈ a K' + b over the pairs of training points, AGOP ≈ a·FACT·M + b·M Xᵀ A X M: the
/// NFA follows from FACT. The experiment trains RFM on modular arithmetic and fits τ_ij ≈ a K'_ij + b by
/// least squares over the pairs i < j at the final M (the paper reports R² = 0.987).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/generators.hpp"
#include <nlohmann/json.hpp>

#include "fact/kernel/rfm.hpp"
#include "fact/rfm_checkpoint.hpp"

namespace fact {

/// K' (n,n), K'_ij = φ'(x_iᵀ M x_j), for X (n,d) and M (d,d): one GEMM X M Xᵀ, then φ' entrywise. O(n²d + nd²).
/// Throws ad::ValueError for a distance kernel (no φ), ad::ShapeError when X and M do not fit.
Matrix derivative_kernel_matrix(const Kernel& kernel, const Matrix& X, const Matrix& M);

/// τ = (1/n) K'ᵀ K' (n,n) from K' (n,n): one GEMM, O(n³). Throws ad::ShapeError for a non-square K'.
Matrix tau_matrix(const Matrix& Kprime);

/// The least-squares line y ≈ slope·x + intercept over points (x_k, y_k) and its coefficient of
/// determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (= corr(x, y)² for a line with intercept). Two-pass sums
/// (means first, then centred products), so a large common offset does not cancel digits. Slope and R² are
/// NaN when all x are equal, R² also when all y are equal. Throws ad::ShapeError for lengths that differ.
struct LinearFit {
    ///@{
    double slope = 0, intercept = 0, r2 = 0;  ///< y ≈ slope·x + intercept, with its R²
    ///@}
    std::size_t count = 0;                    ///< points fitted
};
/// The LinearFit of the points (x_k, y_k), O(count). \throws ad::ShapeError if x and y differ in length.
LinearFit linear_fit(const std::vector<double>& x, const std::vector<double>& y);

/// The fit τ_ij ≈ a K'_ij + b over the pairs i < j (the n(n−1)/2 distinct pairs of distinct points; both
/// matrices are symmetric for a symmetric M), or over all n² entries with include_diagonal. O(n²).
/// \throws ad::ShapeError unless τ and K' are square matrices of one shape.
LinearFit fit_tau(const Matrix& tau, const Matrix& Kprime, bool include_diagonal = false);

/// The machine of E6: quadratic kernel, ridge 1e-3, 30 iterations of the nfa update (s = 1/2, no centring,
/// no rescaling), the defaults TauConfig's comment explains.
RfmConfig tau_machine();

/// The settings of E6.
/// Defaults, chosen by trying them on (a + b) mod 61 at fraction 0.5 (seed 0): the quadratic kernel with ridge
/// 1e-3 and the NFA update (s = 1/2, no centring, no rescaling) groks: test accuracy 0 up to iteration 9,
/// ≥ 99 % from iteration 16, 99.95 % at 30, and the fit at the final M gives R² = 0.967 (0.972 at M₀ = I,
/// lowest 0.919 at iteration 11, during the jump). Ridge 0 and centring change nothing visible; s = 1
/// gives R² 0.973 but test accuracy 0.983 at 20 iterations; the fact update R² 0.949; the exp kernel does
/// not learn the task (test accuracy 0.04, R² 0.35).
struct TauConfig {
    std::size_t p = 61;                              ///< the modulus
    data::ModOp op = data::ModOp::add;               ///< the operation
    double train_fraction = 0.5;                     ///< training fraction of the pairs
    RfmConfig rfm = tau_machine();                   ///< the machine: an inner-product kernel (quadratic or exp)
    std::uint64_t seed = 0;                          ///< the split and the scatter's subsample
    std::size_t scatter_points = 5000;               ///< at most this many pairs drawn in scatter.svg
    std::string out;                                 ///< the output directory (required)
    bool quiet = false;                              ///< no progress on stderr
};

/// The outcome of run_tau.
struct TauResult {
    TauConfig config;                                ///< the settings it ran with (read back by tau_resume)
    RfmResult rfm;                                   ///< the RFM run
    LinearFit fit;                                   ///< at the final M, pairs i < j
    LinearFit fit_with_diagonal;                     ///< at the final M, all n² entries
    std::vector<LinearFit> fits_per_iter;            ///< at M_t, pairs i < j
};

/// Train RFM on modular arithmetic, fit τ against K' at every iteration's M, and write out/ atomically:
/// tau.json, scatter.svg (a seeded subsample of the pairs with the fitted line), history.csv (extra
/// columns tau_r2, tau_slope, tau_intercept), M.npy. While it works, the temporary directory
/// `<out>.tmp-XXXXXXXX` holds config.json, progress.json and checkpoint/rfm/ (fact::RfmRuns): a killed run is
/// finished by tau_resume. Throws nn::ConfigError for a distance kernel or an empty out.
TauResult run_tau(const TauConfig& config, const ExperimentHooks& hooks = {});

/// Finish the interrupted run_tau of out (`fact experiment tau --resume OUT`) with the settings it was started
/// with, from its last iteration; the outputs are bitwise those of an uninterrupted run (but the seconds).
/// \throws nn::ConfigError with the refusals of fact::resumable_leftover, or for a bad config.json.
TauResult tau_resume(const std::string& out, const ExperimentHooks& hooks = {});

/// Every field of config as JSON (config.json): the exact inverse of tau_config_from_json.
nlohmann::json to_json(const TauConfig& config);
/// A TauConfig from to_json's JSON. \throws nn::ConfigError naming `where` and the field.
TauConfig tau_config_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace fact
