// Bad input: each main misuse throws its typed exception with a message naming the op, the offending
// value and what was expected.
#define BOOST_TEST_MODULE errors
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "autodiff/autodiff.hpp"
#include "expect_error.hpp"
#include "test_util.hpp"

using ad::Tensor;
using ad::Var;

namespace {

using test::message_of;

Tensor<double> ones(std::size_t m, std::size_t n) {
    Tensor<double> t = Tensor<double>::from_shape({m, n});
    t.fill(1.0);
    return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(matmul_inner_dimensions) {
    ad::Tape<double> tape;
    Var<double> a = tape.variable(ones(3, 4)), b = tape.variable(ones(5, 2));
    BOOST_TEST(message_of<ad::ShapeError>([&] { ad::matmul(a, b); }) ==
               "matmul: (3,4) x (5,2): inner dimensions 4 and 5 differ");
    BOOST_TEST(message_of<ad::ShapeError>([&] { ad::matmul(a, b, ad::Trans::yes); }) ==
               "matmul: (3,4)^T x (5,2): inner dimensions 3 and 5 differ");
    BOOST_TEST(message_of<ad::ShapeError>([&] { ad::matmul(ones(3, 4), ones(5, 2)); }) ==
               "matmul: (3,4) x (5,2): inner dimensions 4 and 5 differ");
    Tensor<double> c = ones(2, 2);
    BOOST_TEST(message_of<ad::ShapeError>([&] { ad::gemm(ad::Trans::no, ad::Trans::no, 1.0, ones(3, 4), ones(4, 2), 0.0, c); }) ==
               "gemm: (3,4) x (4,2): C has shape (2,2), expected (3,2)");
}

BOOST_AUTO_TEST_CASE(binary_shapes_and_broadcast) {
    ad::Tape<double> tape;
    Var<double> a = tape.variable(ones(3, 4)), b = tape.variable(ones(3, 5)), r = tape.variable(ones(1, 4));
    BOOST_TEST(message_of<ad::ShapeError>([&] { ad::add(a, b); }) ==
               "add: (3,4) and (3,5) with broadcast 'none': the second operand must be (3,4) (pass Bcast::row, "
               "col or scalar to broadcast)");
    BOOST_TEST(message_of<ad::ShapeError>([&] { a* r; }).find("mul: (3,4) and (1,4)") == 0u);
    BOOST_TEST(message_of<ad::ShapeError>([&] { ad::sub(a, r, ad::Bcast::col); }) ==
               "sub: (3,4) and (1,4) with broadcast 'col': the second operand must be (3,1)");
    BOOST_TEST(message_of<ad::ShapeError>([&] { ad::broadcast(r, 3, 5); }) ==
               "broadcast: (1,4) cannot be repeated to (3,5); expected (1,1), (1,5) or (3,1)");
}

BOOST_AUTO_TEST_CASE(empty_tensors) {
    ad::Tape<float> tape;
    BOOST_TEST(message_of<ad::ValueError>([&] { tape.constant(Tensor<float>::from_shape({0, 3})); }) ==
               "constant: empty tensor (0,3); expected at least one row and one column");
    BOOST_TEST(message_of<ad::ValueError>([&] { tape.parameter(Tensor<float>::from_shape({2, 0})); }) ==
               "parameter: empty tensor (2,0); expected at least one row and one column");
}

BOOST_AUTO_TEST_CASE(bad_seeds_and_roots) {
    ad::Tape<double> tape;
    Var<double> x = tape.variable(ones(2, 3));
    Var<double> y = ad::tanh(x);
    Tensor<double> seed = ones(2, 3);
    seed(0, 1) = std::numeric_limits<double>::quiet_NaN();
    BOOST_TEST(message_of<ad::ValueError>([&] { tape.backward(y, seed); }) ==
               "backward: seed entry (0,1) is nan; expected a finite number");
    seed(0, 1) = std::numeric_limits<double>::infinity();
    BOOST_TEST(message_of<ad::ValueError>([&] { tape.backward(y, seed); }) ==
               "backward: seed entry (0,1) is inf; expected a finite number");
    BOOST_TEST(message_of<ad::ShapeError>([&] { tape.backward(y, ones(3, 2)); }) ==
               "backward: seed has shape (3,2), root 'tanh' has shape (2,3)");
    BOOST_TEST(message_of<ad::ShapeError>([&] { tape.backward(y); }) ==
               "backward: root 'tanh' has shape (2,3); without a seed the root must be (1,1): pass a seed of its "
               "shape");
    Var<double> c = ad::sum(tape.constant(ones(2, 2)));
    BOOST_TEST(message_of<ad::GraphError>([&] { tape.backward(c); }).find("backward: root 'sum' does not depend") == 0u);
}

BOOST_AUTO_TEST_CASE(backward_on_a_cleared_graph) {
    ad::Tape<double> tape;
    Var<double> w = tape.parameter(ones(2, 2));
    Var<double> loss = ad::sum(ad::square(w));
    tape.clear();
    BOOST_TEST(message_of<ad::GraphError>([&] { tape.backward(loss); }) ==
               "Var: the node 'sum' belongs to a graph that was cleared (Tape::clear); Vars of an earlier step "
               "cannot be used");
    BOOST_TEST(message_of<ad::GraphError>([&] { Var<double>().value(); }) ==
               "Var: empty (default-constructed) Var used; create it with a Tape");
}

BOOST_AUTO_TEST_CASE(vars_of_two_tapes) {
    ad::Tape<double> t1, t2;
    Var<double> a = t1.variable(ones(2, 2)), b = t2.variable(ones(2, 2));
    BOOST_TEST(message_of<ad::GraphError>([&] { ad::add(a, b); }) == "add: operand 'variable' belongs to another tape");
    Var<double> y = ad::sum(a);
    BOOST_TEST(message_of<ad::GraphError>([&] { t2.backward(y); }) ==
               "backward: operand 'sum' belongs to another tape");
}

BOOST_AUTO_TEST_CASE(loss_targets) {
    ad::Tape<double> tape;
    Var<double> logits = tape.variable(ones(3, 4));
    BOOST_TEST(message_of<ad::ValueError>([&] { ad::cross_entropy(logits, std::vector<std::size_t>{0, 4, 1}); }) ==
               "cross_entropy: label 4 at row 1 is out of range for 4 classes (expected 0..3)");
    BOOST_TEST(message_of<ad::ShapeError>([&] { ad::cross_entropy(logits, std::vector<std::size_t>{0, 1}); }) ==
               "cross_entropy: 2 labels for logits (3,4); expected one label per row");
    BOOST_TEST(message_of<ad::ShapeError>([&] { ad::cross_entropy(logits, ones(3, 5)); }) ==
               "cross_entropy: targets (3,5) does not match the input (3,4)");
    BOOST_TEST(message_of<ad::ShapeError>([&] { ad::mse(logits, ones(4, 3)); }) ==
               "mse: target (4,3) does not match the input (3,4)");
}

BOOST_AUTO_TEST_CASE(misuse_of_values_and_hooks) {
    ad::Tape<double> tape;
    Var<double> w = tape.parameter(ones(2, 2), "W");
    Var<double> y = ad::exp(w);
    BOOST_TEST(message_of<ad::GraphError>([&] { y.mutable_value(); }) ==
               "mutable_value: node 'exp' is not a parameter; only parameters may be changed between steps");
    BOOST_TEST(message_of<ad::GraphError>([&] { w.on_grad([](const Tensor<double>&) {}); }).find("on_grad: 'W' is a parameter") == 0u);
    BOOST_TEST(message_of<ad::GraphError>([&] { y.grad(); }) ==
               "grad: no gradient for node 'exp' (2,2): no backward pass has reached it");
    BOOST_TEST(message_of<ad::ValueError>([&] {
                   ad::gradcheck([](ad::Tape<double>&, const std::vector<Var<double>>& v) { return v[0]; }, {ones(1, 1)}, 0.0);
               }) == "gradcheck: eps = 0; expected a positive step");
}

BOOST_AUTO_TEST_CASE(errors_share_a_base_class) {
    ad::Tape<double> tape;
    Var<double> a = tape.variable(ones(3, 4));
    BOOST_CHECK_THROW(ad::matmul(a, a), ad::Error);
    BOOST_CHECK_THROW(ad::matmul(a, a), std::runtime_error);
}
