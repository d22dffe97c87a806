// End to end with the engine alone: a two-layer network fits a small regression problem by full-batch
// gradient descent, and its loss falls by at least 100x.
#define BOOST_TEST_MODULE training
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <xtensor/xnoalias.hpp>

#include "autodiff/autodiff.hpp"
#include "test_util.hpp"

using ad::Tensor;
using ad::Var;

template <class T>
double fit(int steps, T lr) {
    // y = x₀·x₁ + sin(2x₂) on 128 points in [−1,1]³, tanh network of width 32.
    const std::size_t n = 128;
    const Tensor<T> X = test::uniform<T>(n, 3, 1);
    Tensor<T> Y = Tensor<T>::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) Y(i, 0) = X(i, 0) * X(i, 1) + std::sin(T(2) * X(i, 2));

    ad::Tape<T> tape;
    Var<T> W1 = tape.parameter(test::uniform<T>(32, 3, 2, -1.5, 1.5));
    Var<T> b1 = tape.parameter(test::uniform<T>(1, 32, 3, -0.5, 0.5));
    Var<T> W2 = tape.parameter(test::uniform<T>(1, 32, 4, -0.3, 0.3));
    Var<T> b2 = tape.parameter(ad::zeros<T>(1, 1));
    double first = 0, last = 0;
    for (int step = 0; step <= steps; ++step) {
        tape.clear();
        Var<T> h = ad::tanh(ad::add(ad::matmul(tape.constant(X), W1, ad::Trans::no, ad::Trans::yes), b1, ad::Bcast::row));
        Var<T> loss = ad::mse(ad::add(ad::matmul(h, W2, ad::Trans::no, ad::Trans::yes), b2, ad::Bcast::row), Y);
        tape.zero_grad();
        tape.backward(loss);
        for (Var<T>& p : tape.parameters()) xt::noalias(p.mutable_value()) -= lr * p.grad();
        last = loss.value()(0, 0);
        if (step == 0) first = last;
    }
    BOOST_TEST_MESSAGE("loss " << first << " -> " << last);
    return first / last;
}

BOOST_AUTO_TEST_CASE(two_layer_network_fits_regression_double) { BOOST_TEST(fit<double>(3000, 0.2) > 100.0); }
BOOST_AUTO_TEST_CASE(two_layer_network_fits_regression_float) { BOOST_TEST(fit<float>(3000, 0.2f) > 100.0); }
