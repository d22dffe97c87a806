// Why the gradient of a bias is a column sum.
//
// A layer adds one bias row bᵀ (1×k) to every sample: Z = X·W + 1bᵀ, with 1 the n×1 vector of ones, so
// Z_ij = Σ_l X_il W_lj + b_j. Each b_j appears in all n rows of column j, and the chain rule adds up every
// path from b_j to the loss:
//   ∂L/∂b_j = Σ_i ∂L/∂Z_ij · ∂Z_ij/∂b_j = Σ_i G_ij        (G = ∂L/∂Z, the upstream gradient, n×k)
// i.e. ∂L/∂bᵀ = 1ᵀG: the adjoint of "repeat over the rows" is "sum over the rows".
//
// The library never broadcasts silently: the repeat is named, either as an op of its own
// (ad::broadcast(b, n, k)) or as an argument of add/sub/mul/div (ad::Bcast::row), and either way its
// backward does the sum. This example computes ∂L/∂b three ways, compares each with the column sums of G,
// then checks the whole layer against finite differences with ad::gradcheck.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"

using ad::Bcast;
using ad::Tensor;
using ad::Var;

void print_matrix(const char* name, const Tensor<double>& m) {
    std::printf("%s (%zux%zu):\n", name, m.shape(0), m.shape(1));
    for (std::size_t i = 0; i < m.shape(0); ++i) {
        for (std::size_t j = 0; j < m.shape(1); ++j) std::printf(" % 9.5f", m(i, j));
        std::printf("\n");
    }
}

double max_abs_diff(const Tensor<double>& a, const Tensor<double>& b) {
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a.data()[i] - b.data()[i]));
    return d;
}

int main() {
    const std::size_t n = 4, k = 2;  // 4 samples (rows), 3 features, 2 outputs
    const Tensor<double> X{{1.0, 0.5, -1.0}, {0.0, 2.0, 1.0}, {-1.5, 0.25, 0.5}, {2.0, -1.0, 0.0}};  // (n,3)
    const Tensor<double> W{{0.5, -1.0}, {1.5, 0.25}, {-0.75, 2.0}};                                 // (3,k)
    const Tensor<double> b{{0.1, -0.3}};                                                              // (1,k)
    // The upstream gradient G = ∂L/∂Z: whatever the rest of the network sends back. backward(Z, G) seeds it
    // directly, as if L = ⟨G, Z⟩ = Σ_ij G_ij Z_ij.
    const Tensor<double> G{{1.0, -2.0}, {0.5, 3.0}, {-1.0, 0.25}, {2.0, 1.0}};                        // (n,k)
    std::printf("a layer Z = X W + 1 b^T with X (4x3), W (3x2), the bias row b (1x2) and 1 the column of 4 ones;\n"
                "backward is seeded with G, as if L = <G, Z> = sum_ij G_ij Z_ij, so that dL/dZ = G\n");
    print_matrix("upstream gradient G = dL/dZ", G);

    // The oracle, by hand: 1ᵀG, the sum of each column of G.
    Tensor<double> colsum = ad::zeros<double>(1, k);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < k; ++j) colsum(0, j) += G(i, j);
    print_matrix("column sums 1^T G", colsum);

    ad::Tape<double> tape;
    double worst = 0;
    // Way 1: add with Bcast::row, how nn::Linear adds its bias. Backward sums the rows of G (ops_binary.cpp).
    {
        tape.clear();
        const Var<double> bv = tape.variable(b);
        const Var<double> Z = ad::add(ad::matmul(tape.constant(X), tape.constant(W)), bv, Bcast::row);
        tape.backward(Z, G);
        print_matrix("dL/db via add(XW, b, Bcast::row)", bv.grad());
        worst = std::max(worst, max_abs_diff(bv.grad(), colsum));
    }
    // Way 2: the explicit broadcast op makes the n×k matrix 1bᵀ; its backward sums over the repeats.
    {
        tape.clear();
        const Var<double> bv = tape.variable(b);
        const Var<double> B = ad::broadcast(bv, n, k);  // (1,k) -> (n,k): every row is bᵀ
        print_matrix("broadcast(b, 4, 2) = 1 b^T", B.value());
        const Var<double> Z = ad::add(ad::matmul(tape.constant(X), tape.constant(W)), B);
        tape.backward(Z, G);
        print_matrix("dL/db via broadcast(b) then add", bv.grad());
        worst = std::max(worst, max_abs_diff(bv.grad(), colsum));
    }
    // Way 3: 1bᵀ really is a matrix product, of the ones column (n,1) with b (1,k). The matmul rule
    // ∂/∂b = 1ᵀ·G (the left factor transposed times the upstream gradient) is the column sum, again.
    {
        tape.clear();
        const Var<double> bv = tape.variable(b);
        Tensor<double> ones = Tensor<double>::from_shape({n, 1});
        ones.fill(1.0);
        const Var<double> Z = ad::add(ad::matmul(tape.constant(X), tape.constant(W)), ad::matmul(tape.constant(ones), bv));
        tape.backward(Z, G);
        print_matrix("dL/db via matmul(1, b)", bv.grad());
        worst = std::max(worst, max_abs_diff(bv.grad(), colsum));
    }
    // The other axis: a per-sample offset c (n×1) repeated along the columns, Bcast::col. Now c_i appears
    // in every column of row i, so ∂L/∂c = G·1, the row sums.
    {
        tape.clear();
        const Var<double> cv = tape.variable(Tensor<double>{{0.1}, {0.2}, {0.3}, {0.4}});
        const Var<double> Z = ad::add(ad::matmul(tape.constant(X), tape.constant(W)), cv, Bcast::col);
        tape.backward(Z, G);
        Tensor<double> rowsum = ad::zeros<double>(n, 1);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < k; ++j) rowsum(i, 0) += G(i, j);
        print_matrix("dL/dc for a per-sample offset c (4x1) instead of b, add(XW, c, Bcast::col) (= row sums G 1)",
                     cv.grad());
        worst = std::max(worst, max_abs_diff(cv.grad(), rowsum));
    }
    // The sums above add the same four numbers, possibly in another order: equal up to a rounding or two.
    std::printf("max |reverse mode - column (row) sums| over the four cases %.3e\n", worst);

    // Finally the finite-difference oracle on a whole layer, tanh(X·W + 1bᵀ), with respect to W and b.
    // gradcheck seeds the (n,k) output with a fixed pseudo-random S and compares reverse mode with
    // Richardson-extrapolated central differences of ⟨S, f⟩, entry by entry (autodiff/gradcheck.hpp).
    const ad::GradcheckFn layer = [&X](ad::Tape<double>& t, const std::vector<Var<double>>& in) {
        return ad::tanh(ad::add(ad::matmul(t.constant(X), in[0]), in[1], Bcast::row));
    };
    const ad::GradcheckResult gc = ad::gradcheck(layer, {W, b});
    std::printf("gradcheck of tanh(X W + 1 b^T) w.r.t. W and b: max relative error %.3e, max absolute error %.3e\n",
                gc.max_rel_error, gc.max_abs_error);

    // Tolerances: the column sums are exact up to ~1e-15 (sums of four O(1) numbers); gradcheck's own
    // default test (rtol 1e-6) passes at its ~1e-10 truncation-and-rounding level.
    if (!(worst < 1e-12)) {
        std::printf("FAILED: a bias gradient is not the column sum of the upstream gradient\n");
        return 1;
    }
    if (!gc.ok) {
        std::printf("FAILED: gradcheck: %s\n", gc.report.c_str());
        return 1;
    }
    std::printf("broadcast done: the bias gradient is the column sum 1^T G\n");
    return 0;
}
