// What reverse mode is, on the smallest function there is: y = x·w + b.
//
// The forward pass records one node per op on the tape, in creation order. tape.backward(L) seeds
// ∂L/∂L = 1 and walks the tape backwards: each node adds its gradient times its local derivative into its
// parents' gradients (the chain rule, one op at a time). One backward pass gives ∂L/∂(every input) at the
// cost of a small multiple of one forward pass, however many inputs there are.
//
// Every gradient is then checked against a central finite difference computed in double,
//   ∂L/∂θ ≈ (L(θ + h) − L(θ − h)) / 2h,
// which needs no derivative at all: two more evaluations of L per entry, the reason nobody trains that way.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"

using ad::Tensor;
using ad::Var;

// The function of both cases. y = x·w + b is a matrix product plus a same-shape b (no broadcasting here:
// examples/broadcast.cpp is about that). backward starts from a 1×1 value, so a matrix y is reduced to
// L = ½ Σ y², whose gradient with respect to y is y itself.
Var<double> loss_of(const Var<double>& x, const Var<double>& w, const Var<double>& b) {
    const Var<double> y = ad::add(ad::matmul(x, w), b);  // y = x·w + b: (m,k)·(k,n) + (m,n)
    if (y.rows() == 1 && y.cols() == 1) return y;        // scalars: L = y, so ∂L/∂x = w, ∂L/∂w = x, ∂L/∂b = 1
    return ad::scale(ad::sum(ad::square(y)), 0.5);       // L = ½ Σ y²: ∂L/∂y = y
}

// L at plain tensors, on a throwaway tape where everything is a constant: values only, no gradients.
double loss_value(const Tensor<double>& x, const Tensor<double>& w, const Tensor<double>& b) {
    ad::Tape<double> tape;
    return loss_of(tape.constant(x), tape.constant(w), tape.constant(b)).value()(0, 0);
}

// A tensor on one line, row by row: "1.5" for a 1×1, "[[1, -0.5], [0.25, 2]]" for a matrix.
void print_value(const char* name, const Tensor<double>& t) {
    std::printf("%s = ", name);
    if (t.size() == 1) {
        std::printf("%g\n", t(0, 0));
        return;
    }
    std::printf("[");
    for (std::size_t i = 0; i < t.shape(0); ++i) {
        std::printf("%s[", i ? ", " : "");
        for (std::size_t j = 0; j < t.shape(1); ++j) std::printf("%s%g", j ? ", " : "", t(i, j));
        std::printf("]");
    }
    std::printf("]   (%zux%zu)\n", t.shape(0), t.shape(1));
}

// One case: state the inputs and L, build the graph, print the tape, run backward, compare every gradient
// with finite differences. Returns the largest relative difference found.
double run_case(const char* title, const char* definition, const Tensor<double>& x0, const Tensor<double>& w0,
                const Tensor<double>& b0) {
    std::printf("== %s\n", title);
    print_value("x", x0);
    print_value("w", w0);
    print_value("b", b0);
    std::printf("%s\n", definition);
    ad::Tape<double> tape;
    // w and b are parameters (named, persistent, what training updates); x is a variable: a per-step leaf
    // whose gradient we also ask for. The ops record the nodes matmul, add (and square, sum, scale).
    const Var<double> x = tape.variable(x0);
    const Var<double> w = tape.parameter(w0, "w");
    const Var<double> b = tape.parameter(b0, "b");
    const Var<double> L = loss_of(x, w, b);
    std::printf("value: L = %.10f\nthe tape (Graphviz dot; n0 is x, p0 and p1 the parameters w and b, then one node per "
                "op in creation order):\n%s",
                L.value()(0, 0), tape.to_dot().c_str());

    // The reverse walk: every node's gradient is complete once all nodes after it have been visited, and
    // the walk visits them in reverse creation order. For L = ½Σy² it computes ∂L/∂y = y, then
    //   ∂L/∂b = ∂L/∂y,   ∂L/∂w = xᵀ·∂L/∂y,   ∂L/∂x = ∂L/∂y·wᵀ       (the matmul rule, shapes as the inputs)
    tape.backward(L);

    // The oracle: perturb one entry at a time. L is at most quadratic in each entry here, so the central
    // difference has no truncation error (it is exact for quadratics) and only rounding is left: L is
    // computed to about 1e-16·|L|, so the quotient is off by about 1e-16·|L|/h ≈ 1e-10 with h = 1e-5
    // (relative to a small gradient entry, a little more).
    const double h = 1e-5;
    double worst = 0;
    const Var<double> leaves[3] = {x, w, b};
    const char* names[3] = {"x", "w", "b"};
    for (int k = 0; k < 3; ++k) {
        const Tensor<double>& g = leaves[k].grad();  // ∂L/∂(leaf k), the shape of the leaf
        for (std::size_t i = 0; i < g.shape(0); ++i)
            for (std::size_t j = 0; j < g.shape(1); ++j) {
                Tensor<double> in[3] = {x0, w0, b0};
                const double keep = in[k](i, j);
                in[k](i, j) = keep + h;
                const double up = loss_value(in[0], in[1], in[2]);
                in[k](i, j) = keep - h;
                const double down = loss_value(in[0], in[1], in[2]);
                const double numeric = (up - down) / (2 * h);
                const double rel = std::abs(g(i, j) - numeric) / std::max({std::abs(g(i, j)), std::abs(numeric), 1e-12});
                worst = std::max(worst, rel);
                std::printf("dL/d%s(%zu,%zu)   reverse mode % .10f   finite difference % .10f   rel. diff %.1e\n",
                            names[k], i, j, g(i, j), numeric, rel);
            }
    }
    std::printf("%s: max relative error %.3e\n\n", title, worst);
    return worst;
}

int main() {
    // 1×1 tensors are scalars: y = x·w + b with x = 1.5, w = −2, b = 0.25; dy/dx = w, dy/dw = x, dy/db = 1.
    const double scalar_err = run_case("scalars",
                                       "y = x*w + b and L = y, so dL/dx = w = -2, dL/dw = x = 1.5, dL/db = 1",
                                       Tensor<double>{{1.5}}, Tensor<double>{{-2.0}}, Tensor<double>{{0.25}});

    // 2×2 matrices: the same code, now a matrix product, reduced to L = ½ Σ y².
    const double matrix_err = run_case("2x2 matrices",
                                       "y = x*w + b (2x2), L = 1/2 sum_ij y_ij^2, so dL/dy = y, dL/db = y, "
                                       "dL/dw = x^T y, dL/dx = y w^T",
                                       Tensor<double>{{1.0, -0.5}, {0.25, 2.0}}, Tensor<double>{{0.5, -1.5}, {2.0, 0.75}},
                                       Tensor<double>{{0.1, -0.2}, {0.3, 0.4}});

    // Both errors should be at the rounding level of the finite difference (~1e-10); 1e-6 leaves room for
    // any compiler or instruction set, and a wrong backward rule would be off by O(1).
    const double tol = 1e-6;
    const double worst = std::max(scalar_err, matrix_err);
    std::printf("max relative error over both cases %.3e (tolerance %.0e)\n", worst, tol);
    if (!(worst < tol)) {
        std::printf("FAILED: a reverse-mode gradient disagrees with its finite difference\n");
        return 1;
    }
    std::printf("tape done: every gradient agrees with its finite difference\n");
    return 0;
}
