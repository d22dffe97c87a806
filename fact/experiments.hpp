/// \file
/// The paper's network experiments as library functions (docs/MATH.md §6), each one command of `fact`.
/// ~~~{.unparsed}
///   E1  nfa_vs_fact: the paper's 5-hidden-layer ReLU MLP, MSE, weight decay 1e-4, trained full batch
///       (L-BFGS) on several seeds; per layer the mean ± std over seeds of Pearson(WᵀW, ·) for FACT,
///       (FACT FACTᵀ)^½, AGOP^½ (NFA) and the eNFA stand-in.
///   E2  the same with track_every: the correlations against epoch, per seed and layer.
/// ~~~
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "fact/run.hpp"

namespace fact {

/// The settings of E1/E2.
struct NfaVsFactConfig {
    std::string data = "digits";       ///< the dataset string (data/spec.hpp)
    std::size_t seeds = 5;             ///< runs, seeds 0 .. seeds − 1
    std::vector<std::size_t> hidden = {128, 128, 128, 128, 128};  ///< hidden widths
    nn::Activation activation = nn::Activation::relu;  ///< σ
    double weight_decay = 1e-4;        ///< λ (coupled)
    std::size_t epochs = 2000;         ///< L-BFGS iterations per seed
    double tolerance = 1e-9;           ///< stop once ‖∇L_λ‖/‖θ‖ is below it
    std::size_t track_every = 0;       ///< E2
    std::string out;                   ///< `out/seed<k>/` run directories, table.md, summary.json, pearson_by_layer.svg
    bool quiet = false;                ///< no progress on stderr
};

/// One layer's Pearson(WᵀW, ·) over the seeds.
struct LayerSummary {
    std::size_t index = 0;             ///< the layer
    double mean[4] = {0, 0, 0, 0};     ///< fact, fact_sqrt, nfa_sqrt, enfa
    double std[4] = {0, 0, 0, 0};      ///< the same order as mean
};

/// The outcome of nfa_vs_fact.
struct NfaVsFactResult {
    std::vector<LayerSummary> layers;  ///< one per weight matrix
    std::vector<double> grad_norm_ratios;  ///< per seed, at the analysed parameters
    std::string table;                     ///< markdown
};

/// Run E1 (and E2 with track_every): train and analyse one run per seed, then summarise. Writes out/.
/// \throws nn::ConfigError for an empty or existing out, or seeds 0; data::DataError for data that cannot
///         be loaded.
NfaVsFactResult nfa_vs_fact(const NfaVsFactConfig& config);

}  // namespace fact
