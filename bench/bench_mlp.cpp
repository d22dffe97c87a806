// One training step of an MLP in float32: forward, cross-entropy loss, backward, and an SGD update with
// momentum 0.9, exactly as nn::train does it for one mini-batch (tape cleared, gradients zeroed). Beside it
// the step's matrix products alone, by ad::gemm on the same shapes: the ratio step/gemms is what the tape,
// the activations, the loss and the optimizer cost on top of the arithmetic that cannot be avoided.
//   mlp.step/fact/f32/<case>/threads:<t>     the training step (mlp_cases.hpp)
//   mlp.step/gemms/f32/<case>/threads:<t>    per layer (in, out): H·Wᵀ, Gᵀ·H and (above the first) G·W
// Counters: GFLOP/s and %peak of those products' flops (mlp_cases.hpp), for both rows.
#include <chrono>
#include <cstddef>
#include <memory>
#include <random>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "common.hpp"
#include "data/random.hpp"
#include "mlp_cases.hpp"
#include "nn/init.hpp"
#include "nn/objective.hpp"
#include "nn/optim.hpp"
#include "peak.hpp"

namespace {

using T = float;

// x uniform in [−1, 1), one-hot targets of uniform labels: enough for timing (the values do not matter).
struct Batch {
    ad::Tensor<T> X, Y;
};

Batch random_batch(const bench::MlpCase& c, std::mt19937& rng) {
    const std::size_t in = c.widths.front(), out = c.widths.back();
    Batch b{ad::zeros<T>(c.batch, in), ad::zeros<T>(c.batch, out)};
    std::uniform_real_distribution<T> u(T(-1), T(1));
    std::uniform_int_distribution<std::size_t> label(0, out - 1);
    for (auto& v : b.X) v = u(rng);
    for (std::size_t i = 0; i < c.batch; ++i) b.Y(i, label(rng)) = T(1);
    return b;
}

void training_step(benchmark::State& state, const bench::MlpCase& c, int threads) {
    std::mt19937 rng(0);
    const Batch b = random_batch(c, rng);
    nn::MLP<T> model(c.config());
    data::Rng init_rng(0);
    nn::initialize(model, nn::InitConfig{}, init_rng);
    nn::OptimizerConfig oc;
    oc.kind = nn::OptimizerKind::sgd;
    oc.momentum = 0.9;
    auto optimizer = nn::make_optimizer<T>(oc);
    const auto params = model.parameters();
    ad::Tape<T>& tape = model.tape();
    auto step = [&] {
        tape.clear();
        const ad::Var<T> loss = nn::data_loss(nn::Loss::cross_entropy, model.forward(b.X), b.Y);
        tape.zero_grad();
        tape.backward(loss);
        optimizer->step(params, 0.01);
    };
    step();  // untimed warm-up: the tape's buffers and the optimizer's state are allocated by the first step
    bench::peak_flops<T>();

    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        step();
        benchmark::DoNotOptimize(params.front().value().data());
        benchmark::ClobberMemory();
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    bench::set_flop_counters<T>(state, c.step_flops(), threads, elapsed.count());
}

void step_gemms(benchmark::State& state, const bench::MlpCase& c, int threads) {
    const std::size_t layers = c.widths.size() - 1, n = c.batch;
    std::mt19937 rng(0);
    std::uniform_real_distribution<T> u(T(-1), T(1));
    auto filled = [&](std::size_t size) {
        std::vector<T> v(size);
        for (auto& x : v) x = u(rng);
        return v;
    };
    // H[l] (n, in_l), W[l] (out_l, in_l), G[l] (n, out_l): the layer's input, weight, output gradient
    std::vector<std::vector<T>> H, W, G, Z, dW, dH;
    for (std::size_t l = 0; l < layers; ++l) {
        const std::size_t in = c.widths[l], out = c.widths[l + 1];
        H.push_back(filled(n * in));
        W.push_back(filled(out * in));
        G.push_back(filled(n * out));
        Z.emplace_back(n * out);
        dW.emplace_back(out * in);
        dH.emplace_back(n * in);
    }
    auto products = [&] {
        for (std::size_t l = 0; l < layers; ++l) {  // forward: Z = H Wᵀ
            const std::size_t in = c.widths[l], out = c.widths[l + 1];
            ad::gemm<T>(ad::Trans::no, ad::Trans::yes, n, out, in, 1, H[l].data(), in, W[l].data(), in, 0,
                        Z[l].data(), out);
        }
        for (std::size_t l = layers; l-- > 0;) {  // backward: ∂W = Gᵀ H, ∂H = G W
            const std::size_t in = c.widths[l], out = c.widths[l + 1];
            ad::gemm<T>(ad::Trans::yes, ad::Trans::no, out, in, n, 1, G[l].data(), out, H[l].data(), in, 0,
                        dW[l].data(), in);
            if (l > 0)
                ad::gemm<T>(ad::Trans::no, ad::Trans::no, n, in, out, 1, G[l].data(), out, W[l].data(), in, 0,
                            dH[l].data(), in);
        }
    };
    products();  // untimed warm-up, as for the step
    bench::peak_flops<T>();

    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        products();
        benchmark::DoNotOptimize(dW.front().data());
        benchmark::ClobberMemory();
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    bench::set_flop_counters<T>(state, c.step_flops(), threads, elapsed.count());
}

}  // namespace

int main(int argc, char** argv) {
    return bench::run(argc, argv, [](const bench::Options& o) {
        for (const bench::MlpCase& c : bench::mlp_cases(o.quick))
            for (int t : bench::thread_counts()) {
                const auto unit = c.batch >= 256 ? benchmark::kMillisecond : benchmark::kMicrosecond;
                bench::add("mlp.step", "fact", "f32", c.str(), t, unit,
                           [c, t](benchmark::State& s) { training_step(s, c, t); });
                bench::add("mlp.step", "gemms", "f32", c.str(), t, unit,
                           [c, t](benchmark::State& s) { step_gemms(s, c, t); });
            }
    });
}
