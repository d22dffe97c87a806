// The first program of the project (`./run example regression`): a two-layer tanh network fits y = sin(3·x₀)·x₁ + x₂² on 256 random points
// with plain full-batch gradient descent, using nothing but the autodiff engine. It prints the loss as
// it falls. Usage: regression [steps] [learning_rate]
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <random>

#include <xtensor/xnoalias.hpp>

#include "autodiff/autodiff.hpp"

using ad::Tensor;
using ad::Var;

int main(int argc, char** argv) {
    const int steps = argc > 1 ? std::atoi(argv[1]) : 2000;
    const double lr = argc > 2 ? std::atof(argv[2]) : 0.1;
    const std::size_t n = 256, d = 3, width = 32;

    std::mt19937_64 rng(0);
    std::uniform_real_distribution<double> unif(-1.0, 1.0);
    std::normal_distribution<double> normal(0.0, 1.0);
    Tensor<double> X = Tensor<double>::from_shape({n, d}), Y = Tensor<double>::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) X(i, j) = unif(rng);
        Y(i, 0) = std::sin(3 * X(i, 0)) * X(i, 1) + X(i, 2) * X(i, 2);
    }
    auto init = [&](std::size_t rows, std::size_t cols, double scale) {
        Tensor<double> w = Tensor<double>::from_shape({rows, cols});
        for (double& v : w) v = scale * normal(rng);
        return w;
    };

    ad::Tape<double> tape;
    // Weights are (out, in) so that z = W h; with samples as rows the layer computes H Wᵀ + b.
    Var<double> W1 = tape.parameter(init(width, d, 1.0), "W1");
    Var<double> b1 = tape.parameter(ad::zeros<double>(1, width), "b1");
    Var<double> W2 = tape.parameter(init(1, width, 1.0 / std::sqrt(double(width))), "W2");
    Var<double> b2 = tape.parameter(ad::zeros<double>(1, 1), "b2");

    std::printf("fitting y = sin(3 x0) x1 + x2^2: n = %zu, width %zu, %d steps of gradient descent, lr %g\n", n,
                width, steps, lr);
    double first = 0, last = 0;
    for (int step = 0; step <= steps; ++step) {
        tape.clear();
        Var<double> x = tape.constant(X);
        Var<double> h = ad::tanh(ad::add(ad::matmul(x, W1, ad::Trans::no, ad::Trans::yes), b1, ad::Bcast::row));
        Var<double> f = ad::add(ad::matmul(h, W2, ad::Trans::no, ad::Trans::yes), b2, ad::Bcast::row);
        Var<double> loss = ad::mse(f, Y);
        tape.zero_grad();
        tape.backward(loss);
        for (Var<double>& p : tape.parameters()) xt::noalias(p.mutable_value()) -= lr * p.grad();

        last = loss.value()(0, 0);
        if (step == 0) first = last;
        if (step % (steps / 10 > 0 ? steps / 10 : 1) == 0) std::printf("step %5d   loss %.6f\n", step, last);
    }
    std::printf("loss fell from %.6f to %.6f (%.0fx)\n", first, last, first / last);
    return 0;
}
