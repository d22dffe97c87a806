// A two-layer network learns XOR, with nothing but the autodiff engine and plain gradient descent.
//
// XOR is the classic function no linear model can fit: the four points (0,0) (1,1) -> 0 and (0,1) (1,0) -> 1
// cannot be separated by one line. A hidden layer of tanh units bends the input space so that a linear
// read-out can:
//   H = tanh(X W₁ᵀ + 1b₁ᵀ)      X (4,2), W₁ (width,2), b₁ (1,width)   -> H (4,width)
//   f = H W₂ᵀ + 1b₂ᵀ             W₂ (1,width), b₂ (1,1)                -> f (4,1)
//   L = (1/n) Σᵢ ℓᵢ,  ℓᵢ = (fᵢ − yᵢ)²   the mean squared error over the n = 4 points
// ad::mse is the mean of the per-sample terms ℓᵢ = (1/c)‖fᵢ − yᵢ‖² (docs/MATH.md §1.3), here with one output
// (c = 1). The program prints the four ℓᵢ before and after training and checks that L is their mean:
// the 1/n belongs to the loss, and every per-sample quantity of FACT is built from these ℓᵢ.
// Full-batch gradient descent θ ← θ − η ∂L/∂θ, with the gradient from one backward pass per step.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include <xtensor/xnoalias.hpp>

#include "autodiff/autodiff.hpp"

using ad::Tensor;
using ad::Var;

int main() {
    const std::size_t width = 4;
    const int steps = 1000;
    const double lr = 0.1;  // η

    // The whole data set: the four corners of the unit square and their XOR.
    const Tensor<double> X{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const Tensor<double> Y{{0}, {1}, {1}, {0}};

    // Initial weights U(−1/√fan_in, 1/√fan_in), PyTorch's default. Uniforms come from the raw 64-bit
    // Mersenne Twister output (fixed by the C++ standard), so every platform draws the same numbers.
    std::mt19937_64 rng(1);
    auto uniform = [&rng](std::size_t rows, std::size_t cols, double bound) {
        Tensor<double> t = Tensor<double>::from_shape({rows, cols});
        for (double& v : t) v = bound * (2.0 * double(rng() >> 11) * 0x1.0p-53 - 1.0);
        return t;
    };
    ad::Tape<double> tape;
    // Parameters persist across steps; each step builds a fresh graph on them (tape.clear()).
    Var<double> W1 = tape.parameter(uniform(width, 2, 1 / std::sqrt(2.0)), "W1");
    Var<double> b1 = tape.parameter(uniform(1, width, 1 / std::sqrt(2.0)), "b1");
    Var<double> W2 = tape.parameter(uniform(1, width, 1 / std::sqrt(double(width))), "W2");
    Var<double> b2 = tape.parameter(uniform(1, 1, 1 / std::sqrt(double(width))), "b2");

    // The forward pass, recorded on the tape; returns f (4,1).
    auto forward = [&]() {
        const Var<double> x = tape.constant(X);
        const Var<double> h = ad::tanh(ad::add(ad::matmul(x, W1, ad::Trans::no, ad::Trans::yes), b1, ad::Bcast::row));
        return ad::add(ad::matmul(h, W2, ad::Trans::no, ad::Trans::yes), b2, ad::Bcast::row);
    };

    // The four samples: inputs, target, output f(x), the per-sample loss ℓᵢ and the class (f thresholded at
    // ½, halfway between the two targets); then L from ad::mse beside the mean of the ℓᵢ. Returns
    // |L − (1/n) Σᵢ ℓᵢ| / L, zero up to the rounding of a different order of summation.
    const std::size_t n = 4;
    auto per_sample_table = [&](const char* when, int& correct) {
        tape.clear();
        const Var<double> f = forward();
        const double L = ad::mse(f, Y).value()(0, 0);
        std::printf("%s:\n  x0 x1   target   f(x)      l_i = (f(x) - y)^2   class\n", when);
        double sum = 0;
        correct = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double fi = f.value()(i, 0), li = (fi - Y(i, 0)) * (fi - Y(i, 0));
            const int cls = fi > 0.5 ? 1 : 0;
            correct += cls == int(Y(i, 0));
            sum += li;
            std::printf("  %2.0f %2.0f   %4.0f     % .4f   %.6e         %d\n", X(i, 0), X(i, 1), Y(i, 0), fi, li, cls);
        }
        const double rel = std::abs(L - sum / double(n)) / std::max(L, 1e-300);
        std::printf("  L = (1/n) sum_i l_i = %.10e   (ad::mse gives the same L: relative difference %.1e)\n",
                    sum / double(n), rel);
        return rel;
    };

    std::printf("XOR with a 2-%zu-1 tanh network: %d steps of full-batch gradient descent, lr %g\n", width, steps, lr);
    std::printf("loss L = (1/n) sum_i l_i over the n = %zu samples, l_i = (f(x_i) - y_i)^2; "
                "class = 1 if f(x) > 1/2 else 0\n\n", n);
    int correct_before = 0;
    const double rel_before = per_sample_table("at initialisation (step 0)", correct_before);
    std::printf("\n");
    double last = 0;
    for (int step = 0; step <= steps; ++step) {
        tape.clear();                              // drop last step's graph, keep the parameters
        const Var<double> loss = ad::mse(forward(), Y);
        last = loss.value()(0, 0);
        if (step % 100 == 0) std::printf("step %5d   loss %.3e\n", step, last);
        if (step == steps) break;                  // the last loss is measured, not stepped from
        tape.zero_grad();                          // parameter gradients accumulate: start from 0
        tape.backward(loss);                       // ∂L/∂θ for every parameter, in one reverse pass
        for (Var<double>& p : tape.parameters())   // θ ← θ − η ∂L/∂θ
            xt::noalias(p.mutable_value()) -= lr * p.grad();
    }

    // The predictions after training, with the same parameters that gave the last loss.
    std::printf("\n");
    int correct = 0;
    char after[64];
    std::snprintf(after, sizeof after, "after training (step %d)", steps);
    const double rel_after = per_sample_table(after, correct);
    std::printf("%d of 4 points classified correctly (%d at initialisation)\n", correct, correct_before);

    // The checks: L is the mean of the ℓᵢ (the same numbers summed in another order: a few roundings, so
    // 1e-12 relative), all four points right, and the fit tight. A point on the wrong side of ½ is at least
    // ½ from its target and alone adds (½)²/4 = 1/16 to L, so L < 1e-4 also rules that out; here L ends
    // near 1e-11.
    if (!(rel_before < 1e-12 && rel_after < 1e-12)) {
        std::printf("FAILED: L is not the mean of the per-sample losses l_i\n");
        return 1;
    }
    if (correct != 4) {
        std::printf("FAILED: only %d of the 4 XOR points classified correctly\n", correct);
        return 1;
    }
    if (!(last < 1e-4)) {
        std::printf("FAILED: final loss %.3e is not below 1e-4\n", last);
        return 1;
    }
    std::printf("mlp_xor done: XOR learned\n");
    return 0;
}
