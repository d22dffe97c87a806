/// \file
/// Per-layer FACT and NFA quantities of a trained MLP over a dataset (docs/MATH.md §2-4), for every
/// weight matrix W (k×d, z = W h):
/// ~~~{.unparsed}
///   NFM        WᵀW (d×d) and WWᵀ (k×k)
///   FACT       −(1/λ) Wᵀ ∂L/∂W, and independently −(1/(nλ)) Σ_i ∇_h ℓ_i h_iᵀ from the layer's inputs and the
///              gradients arriving at them through W: the two agree to rounding
///   forms      FACTᵀ, (FACT + FACTᵀ)/2, (FACT FACTᵀ)^{1/2};  bFACT = −(1/λ) (∂L/∂W) Wᵀ (k×k)
///   AGOP       (1/n) Σ_i J_iᵀ J_i with J_i = ∂f(x_i)/∂h (c backward passes with one-hot seeds), ^{1/2} and ^1
///   C          (1/n) Σ_i ∇_h ℓ_i ∇_h ℓ_iᵀ, the loss-gradient covariance: the stand-in for the paper's eNFA
///              (Ziyin et al.'s gradient-weight alignment), never called the eNFA itself
/// ~~~
/// Everything accumulates in float64 over fixed chunks of rows: one forward pass and c + 1 backward passes
/// per chunk, memory O(chunk·width + d²), nothing quadratic in n.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "fact/linalg.hpp"
#include "nn/mlp.hpp"
#include "nn/objective.hpp"

namespace fact {

/// Pearson correlations with WᵀW (bfact: with WWᵀ), and relative errors ‖WᵀW − X‖/‖WᵀW‖ (docs/MATH.md §4).
struct LayerMetrics {
    ///@{
    double fact = 0, fact_sym = 0, fact_sqrt = 0, bfact = 0;  ///< pearson
    ///@}
    ///@{
    double nfa_sqrt = 0, nfa = 0, enfa = 0;                   ///< pearson with AGOP^{1/2}, AGOP, C^{1/2}
    ///@}
    ///@{
    double fact_offdiag = 0, nfa_sqrt_offdiag = 0;            ///< pearson without the diagonal
    ///@}
    ///@{
    double cosine_fact = 0, cosine_nfa_sqrt = 0;              ///< cosine similarity with WᵀW
    ///@}
    ///@{
    double relerr_fact = 0, relerr_bfact = 0;                 ///< relerr(WᵀW, FACT), relerr(WWᵀ, bFACT)
    ///@}
    double relerr_fact_sum = 0;   ///< relerr(FACT, FACT from the sum over samples): the two computations agree
};

/// Every quantity of one weight matrix W (k×d), d×d unless marked otherwise (see the file description).
struct LayerQuantities {
    std::size_t index = 0;             ///< the layer, 0 = the input layer
    ///@{
    std::size_t out = 0, in = 0;       ///< W is (out, in) = (k, d)
    ///@}
    ///@{
    Matrix nfm, nfm_out;               ///< WᵀW, WWᵀ
    ///@}
    ///@{
    /// FACT = −(1/λ) Wᵀ ∂L/∂W; fact_sum: the same from −(1/(nλ)) Σ_i ∇_h ℓ_i h_iᵀ; fact_sym: (FACT + FACTᵀ)/2;
    /// fact_sqrt: (FACT FACTᵀ)^{1/2}; bfact: −(1/λ) (∂L/∂W) Wᵀ (k×k).
    Matrix fact, fact_sum, fact_sym, fact_sqrt, bfact;
    ///@}
    ///@{
    Matrix agop, agop_sqrt;            ///< AGOP and AGOP^{1/2} (empty when AnalysisOptions::agop is off)
    ///@}
    ///@{
    Matrix grad_cov, grad_cov_sqrt;    ///< C = (1/n) Σ_i ∇_h ℓ_i ∇_h ℓ_iᵀ and C^{1/2}
    ///@}
    LayerMetrics metrics;              ///< the comparisons with WᵀW
    /// Neuron balance with the next layer (docs/MATH.md §2.5): max over hidden units k of
    /// |(W_l W_lᵀ)_kk + b_k² − (W_{l+1}ᵀ W_{l+1})_kk| / max_k (W_{l+1}ᵀ W_{l+1})_kk, the b_k² only when the
    /// bias is decayed; −1 for the last layer.
    double balance = -1;
};

/// How analyze runs: the objective the model was trained with, and the regime that decides exactness.
struct AnalysisOptions {
    nn::Objective objective;            ///< the loss and λ the model was trained with (λ > 0)
    bool full_batch_coupled = true;     ///< trained full-batch with coupled L2 (not AdamW, not mini-batch)
    double exact_threshold = 1e-6;      ///< FACT expected exact when ‖∇L_λ‖/‖θ‖ is below this too
    std::size_t chunk = 4096;           ///< rows per pass
    bool agop = true;                   ///< the c Jacobian passes (off: AGOP matrices left empty, metrics NaN)
};

/// The result of analyze: the regime, and the quantities of every layer.
struct Analysis {
    double lambda = 0;                  ///< λ, the weight decay FACT divides by
    double grad_norm_ratio = 0;         ///< ‖∇L_λ‖/‖θ‖ at the analysed parameters
    double loss = 0;                    ///< L
    std::size_t n = 0;                  ///< samples analysed
    bool exact_expected = false;        ///< full_batch_coupled and grad_norm_ratio < exact_threshold
    std::string regime;                 ///< one line saying why FACT is or is not expected to hold exactly
    std::vector<LayerQuantities> layers;  ///< one per weight matrix, input layer first
};

/// Compute every quantity for every layer of model on d. Leaves the parameters' gradients zeroed.
/// Throws nn::ConfigError if λ ≤ 0 (FACT divides by λ) or the dataset does not fit the model.
/// Cost: per chunk one forward and c + 1 backward passes, plus O(d³) per layer for the matrix square
/// roots; memory O(chunk·width + Σ d²).
template <class T>
Analysis analyze(nn::MLP<T>& model, const data::Dataset& d, const AnalysisOptions& options);

/// The report.json document: top level lambda, grad_norm_rel, n, exact_expected, regime, loss; per layer
/// index, shape, pearson {fact, fact_sym, fact_sqrt, bfact, nfa_sqrt, nfa, enfa}, pearson_offdiag
/// {fact, nfa_sqrt}, cosine {fact, nfa_sqrt}, relerr {fact, bfact, fact_two_ways}, balance.
nlohmann::json to_json(const Analysis& a);

}  // namespace fact
