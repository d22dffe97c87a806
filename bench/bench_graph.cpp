// The cost of the tape itself: graphs so small that the arithmetic is negligible, so the time is that of
// recording nodes, clearing the tape and walking it backward. "s/op" is the time per iteration divided
// by the number of ops in the graph; the MLP step shows the same overhead beside real (small) kernels.
#include <cmath>
#include <cstddef>
#include <random>

#include <benchmark/benchmark.h>

#include "autodiff/autodiff.hpp"

namespace {

// rows×cols entries uniform in [−scale, scale), from the run's one generator.
ad::Tensor<float> uniform(std::size_t rows, std::size_t cols, float scale, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(-scale, scale);
    ad::Tensor<float> t = ad::Tensor<float>::from_shape({rows, cols});
    for (auto& v : t) v = u(rng);
    return t;
}

// y = Σ (a∘b + b) with a, b (n,n) parameters: 3 ops (mul, add, sum), forward and backward.
void BM_tiny_graph(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::mt19937 rng(0);
    ad::Tape<float> tape;
    auto a = tape.parameter(uniform(n, n, 1.0f, rng), "a");
    auto b = tape.parameter(uniform(n, n, 1.0f, rng), "b");
    for (auto _ : state) {
        tape.clear();
        auto y = ad::sum(ad::add(ad::mul(a, b), b));
        tape.zero_grad();
        tape.backward(y);
        benchmark::DoNotOptimize(a.grad().data());
        benchmark::ClobberMemory();
    }
    constexpr double ops = 3;
    // ops·iterations/time, inverted: seconds per op
    state.counters["s/op"] = benchmark::Counter(
        ops, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// One training step's forward and backward of a 2-layer MLP (no optimizer update):
//   x (32,16) -> matmul W1 (16,64) -> + b1 (1,64) per row -> tanh -> matmul W2 (64,1) -> mse vs t (32,1).
// 6 nodes: the constant x and 5 ops.
void BM_mlp_step(benchmark::State& state) {
    constexpr std::size_t batch = 32, input = 16, width = 64, output = 1;
    std::mt19937 rng(0);
    const ad::Tensor<float> x = uniform(batch, input, 1.0f, rng);
    const ad::Tensor<float> target = uniform(batch, output, 1.0f, rng);
    ad::Tape<float> tape;
    // weights uniform in ±1/√fan_in, so tanh is not saturated
    auto W1 = tape.parameter(uniform(input, width, 1.0f / std::sqrt(float(input)), rng), "W1");
    auto b1 = tape.parameter(uniform(1, width, 1.0f / std::sqrt(float(input)), rng), "b1");
    auto W2 = tape.parameter(uniform(width, output, 1.0f / std::sqrt(float(width)), rng), "W2");
    for (auto _ : state) {
        tape.clear();
        auto h = ad::tanh(ad::add(ad::matmul(tape.constant(x), W1), b1, ad::Bcast::row));
        auto loss = ad::mse(ad::matmul(h, W2), target);
        tape.zero_grad();
        tape.backward(loss);
        benchmark::DoNotOptimize(W1.grad().data());
        benchmark::ClobberMemory();
    }
    constexpr double ops = 5;
    state.counters["s/op"] = benchmark::Counter(
        ops, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(BM_tiny_graph)->ArgName("n")->Arg(8)->Arg(64)->Unit(benchmark::kNanosecond);
BENCHMARK(BM_mlp_step)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
