// The cost of the tape itself: graphs so small that the arithmetic is negligible, so the time is that of
// recording nodes, clearing the tape and walking it backward. "s/op" is the time per iteration divided
// by the number of ops in the graph.
//   graph.tiny/fact/f32/<n>x<n>/threads:1            y = Σ (a∘b + b), a, b (n,n): 3 ops, forward and backward
//   graph.tiny/hand/f32/<n>x<n>/threads:1            the same value and gradients written out by hand
//                                                    (∂y/∂a = b, ∂y/∂b = a + 1): the cost of no tape at all
//   graph.mlp_fwd_bwd/fact/f32/b32:16-64-1/threads:1 one forward and backward of a 2-layer MLP (5 ops), no
//                                                    optimizer: the same overhead beside real (small) kernels
// One thread: at these sizes every kernel runs inline (below one parallel chunk).
#include <cmath>
#include <cstddef>
#include <random>

#include "autodiff/autodiff.hpp"
#include "common.hpp"

namespace {

// rows×cols entries uniform in [−scale, scale), from the run's one generator.
ad::Tensor<float> uniform(std::size_t rows, std::size_t cols, float scale, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(-scale, scale);
    ad::Tensor<float> t = ad::Tensor<float>::from_shape({rows, cols});
    for (auto& v : t) v = u(rng);
    return t;
}

constexpr double tiny_ops = 3;

void per_op(benchmark::State& state, double ops) {
    // ops·iterations/time, inverted: seconds per op
    state.counters["s/op"] = benchmark::Counter(
        ops, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void tiny_graph(benchmark::State& state, std::size_t n) {
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
    per_op(state, tiny_ops);
}

// The tape's work without the tape: the forward's intermediate a∘b + b is stored, as the graph stores it.
void tiny_by_hand(benchmark::State& state, std::size_t n) {
    std::mt19937 rng(0);
    const ad::Tensor<float> a = uniform(n, n, 1.0f, rng), b = uniform(n, n, 1.0f, rng);
    ad::Tensor<float> z = ad::Tensor<float>::from_shape({n, n}), ga = z, gb = z;
    for (auto _ : state) {
        float y = 0;
        for (std::size_t i = 0; i < n * n; ++i) {
            z.data()[i] = a.data()[i] * b.data()[i] + b.data()[i];
            y += z.data()[i];
        }
        for (std::size_t i = 0; i < n * n; ++i) {
            ga.data()[i] = b.data()[i];
            gb.data()[i] = a.data()[i] + 1.0f;
        }
        benchmark::DoNotOptimize(y);
        benchmark::DoNotOptimize(ga.data());
        benchmark::DoNotOptimize(gb.data());
        benchmark::ClobberMemory();
    }
    per_op(state, tiny_ops);
}

// x (32,16) -> matmul W1 (16,64) -> + b1 (1,64) per row -> tanh -> matmul W2 (64,1) -> mse vs t (32,1).
void mlp_fwd_bwd(benchmark::State& state) {
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
    per_op(state, 5);
}

}  // namespace

int main(int argc, char** argv) {
    return bench::run(argc, argv, [](const bench::Options&) {
        for (std::size_t n : {8, 64}) {
            const std::string shape = bench::dims(n, n);
            bench::add("graph.tiny", "fact", "f32", shape, 1, benchmark::kNanosecond,
                       [n](benchmark::State& s) { tiny_graph(s, n); });
            bench::add("graph.tiny", "hand", "f32", shape, 1, benchmark::kNanosecond,
                       [n](benchmark::State& s) { tiny_by_hand(s, n); });
        }
        bench::add("graph.mlp_fwd_bwd", "fact", "f32", "b32:16-64-1", 1, benchmark::kMicrosecond, mlp_fwd_bwd);
    });
}
