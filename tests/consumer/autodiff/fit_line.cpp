// A first program on the tape: fit y = 2x + 1 by gradient descent, the gradients from one reverse pass
// per step. Exits non-zero if the fit fails (tests/check_install.sh runs it).
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"

int main() {
    const ad::Tensor<double> x{{-1.0}, {0.0}, {1.0}, {2.0}};  // 4 samples (rows) of 1 feature
    const ad::Tensor<double> y{{-1.0}, {1.0}, {3.0}, {5.0}};  // y = 2x + 1

    ad::Tape<double> tape;
    ad::Var<double> w = tape.parameter(ad::Tensor<double>{{0.0}}, "w");  // (out, in) = (1, 1)
    ad::Var<double> b = tape.parameter(ad::Tensor<double>{{0.0}}, "b");  // (1, out)
    double loss = 0;
    for (int step = 0; step < 300; ++step) {
        tape.clear();  // a new graph on the same parameters
        const ad::Var<double> f = ad::add(ad::matmul(tape.constant(x), w, ad::Trans::no, ad::Trans::yes), b,
                                          ad::Bcast::row);
        const ad::Var<double> l = ad::mse(f, y);
        loss = l.value()(0, 0);
        tape.zero_grad();
        tape.backward(l);
        for (ad::Var<double>& p : tape.parameters()) p.mutable_value() -= 0.2 * p.grad();
    }
    const double w0 = w.value()(0, 0), b0 = b.value()(0, 0);
    std::printf("fit y = %.6f x + %.6f (loss %.3e)\n", w0, b0, loss);
    if (std::abs(w0 - 2) > 1e-6 || std::abs(b0 - 1) > 1e-6) {
        std::printf("FAILED: expected y = 2 x + 1\n");
        return 1;
    }
    return 0;
}
