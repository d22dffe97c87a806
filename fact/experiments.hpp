// The paper's network experiments as library functions (MATH.md section 6), each one command of `fact`.
//   E1  nfa_vs_fact: the paper's 5-hidden-layer ReLU MLP, MSE, weight decay 1e-4, trained full batch
//       (L-BFGS) on several seeds; per layer the mean ± std over seeds of Pearson(WᵀW, ·) for FACT,
//       (FACT FACTᵀ)^½, AGOP^½ (NFA) and the eNFA stand-in.
//   E2  the same with track_every: the correlations against epoch, per seed and layer.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "fact/run.hpp"

namespace fact {

struct NfaVsFactConfig {
    std::string data = "digits";
    std::size_t seeds = 5;
    std::vector<std::size_t> hidden = {128, 128, 128, 128, 128};
    nn::Activation activation = nn::Activation::relu;
    double weight_decay = 1e-4;
    std::size_t epochs = 2000;         // L-BFGS iterations per seed
    double tolerance = 1e-9;
    std::size_t track_every = 0;       // E2
    std::string out;                   // out/seed<k>/ run directories, table.md, summary.json, pearson_by_layer.svg
    bool quiet = false;
};

struct LayerSummary {
    std::size_t index = 0;
    double mean[4] = {0, 0, 0, 0};     // fact, fact_sqrt, nfa_sqrt, enfa
    double std[4] = {0, 0, 0, 0};
};

struct NfaVsFactResult {
    std::vector<LayerSummary> layers;
    std::vector<double> grad_norm_ratios;  // per seed, at the analysed parameters
    std::string table;                     // markdown
};

/// Run E1 (and E2 with track_every): train and analyse one run per seed, then summarise. Writes out/.
NfaVsFactResult nfa_vs_fact(const NfaVsFactConfig& config);

}  // namespace fact
