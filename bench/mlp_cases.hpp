// The MLPs that bench_mlp trains and bench_agop analyses (and the peers in bench/peers/ mirror): a ReLU
// network input-widths-output with biases, named "b<batch>:<input>-<widths...>-<output>".
//   small   b32:10-64-64-2,  b128:100-256-256-10           (input 10-100, width 64-256, batch 32-128)
//   large   b256:784-1024-1024-10                          (an MNIST-sized network)
//   wide    b512:2048-2048-2048-2048-10                    (2048 wide, 4 layers; not in --quick)
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nn/mlp.hpp"

namespace bench {

struct MlpCase {
    std::size_t batch;
    std::vector<std::size_t> widths;  // input, hidden..., output

    nn::MLPConfig config() const {
        nn::MLPConfig c;
        c.input = widths.front();
        c.hidden.assign(widths.begin() + 1, widths.end() - 1);
        c.output = widths.back();
        c.activation = nn::Activation::relu;
        c.bias = true;
        return c;
    }
    std::string str() const {
        std::string s = "b" + std::to_string(batch) + ":";
        for (std::size_t i = 0; i < widths.size(); ++i) s += (i ? "-" : "") + std::to_string(widths[i]);
        return s;
    }
    /// Flops of the matrix products of one training step: per layer (in, out), 2·b·in·out for the forward,
    /// the same for ∂W and, above the first layer, for ∂H.
    double step_flops() const {
        double f = 0;
        for (std::size_t l = 0; l + 1 < widths.size(); ++l)
            f += (l == 0 ? 4.0 : 6.0) * double(batch) * double(widths[l]) * double(widths[l + 1]);
        return f;
    }
};

inline std::vector<MlpCase> mlp_cases(bool quick) {
    std::vector<MlpCase> cases{{32, {10, 64, 64, 2}}, {128, {100, 256, 256, 10}}, {256, {784, 1024, 1024, 10}}};
    if (!quick) cases.push_back({512, {2048, 2048, 2048, 2048, 10}});
    return cases;
}

}  // namespace bench
