// The AGOP of a layer computed by hand, three ways, and compared with what fact::analyze computes
// (docs/MATH.md §3):
//
//     AGOP = (1/n) Σᵢ Jᵢᵀ Jᵢ ,    Jᵢ = ∂f(xᵢ)/∂h ∈ R^{c×d}   (h = the input of the layer's W; here h = x)
//
// The network has one hidden layer and no biases, f(x) = A σ(W x) with W (k×d), A (c×k) and σ = tanh, so
// the three computations are
//   (a) reverse mode: c backward passes, each seeded with a one-hot output gradient e_j; the gradient that
//       arrives at the input is row j of every Jᵢ;
//   (b) central finite differences: column m of Jᵢ is (f(xᵢ + ε e_m) − f(xᵢ − ε e_m)) / (2ε);
//   (c) the closed form of the chain rule: Jᵢ = A diag(σ′(W xᵢ)) W, i.e. ∇ₓf_j = Wᵀ diag(σ′(W x)) a_j
//       with a_j row j of A, and σ′(z) = 1 − tanh²(z).
// All must agree to rounding (a, c, and the library) or to the O(ε²) truncation error of (b).
#include <cmath>
#include <cstdio>
#include <vector>

#include "data/dataset.hpp"
#include "data/random.hpp"
#include "fact/analysis.hpp"
#include "fact/metrics.hpp"
#include "nn/init.hpp"
#include "nn/mlp.hpp"

using fact::Matrix;

namespace {

void print_matrix(const char* title, const Matrix& M) {
    std::printf("%s\n", title);
    for (std::size_t r = 0; r < M.shape(0); ++r) {
        for (std::size_t c = 0; c < M.shape(1); ++c) std::printf(" %9.5f", M(r, c));
        std::printf("\n");
    }
}

// AGOP += Jᵀ J / n for one sample's Jacobian J (c×d).
void add_outer(Matrix& agop, const Matrix& J, std::size_t n) {
    for (std::size_t p = 0; p < J.shape(1); ++p)
        for (std::size_t q = 0; q < J.shape(1); ++q)
            for (std::size_t j = 0; j < J.shape(0); ++j) agop(p, q) += J(j, p) * J(j, q) / double(n);
}

bool check(const char* what, double value, double limit) {
    const bool ok = value < limit;
    std::printf("relerr(%s) = %.3e   %s (limit %.0e)\n", what, value, ok ? "ok" : "FAILED", limit);
    return ok;
}

}  // namespace

int main() {
    const std::size_t n = 200, d = 5, k = 8, c = 2;  // samples, inputs, hidden units, outputs
    data::Rng rng(7);
    Matrix X = Matrix::from_shape({n, d});
    for (double& v : X) v = rng.normal();

    // f(x) = A tanh(W x): layers.0.weight is W (k×d), layers.1.weight is A (c×k). Scale 2 makes W x of
    // order 1, where tanh is visibly non-linear (σ′ far from 1), so the closed form is a real test.
    nn::MLP<double> model({d, {k}, c, nn::Activation::tanh, /*bias=*/false});
    nn::initialize(model, {nn::InitConfig::Kind::pytorch, 0.01, 2.0}, rng);
    const Matrix W = model.layers()[0].weight().value(), A = model.layers()[1].weight().value();
    std::printf("f(x) = A tanh(W x): n = %zu samples, d = %zu inputs, k = %zu hidden, c = %zu outputs\n", n, d, k, c);
    std::printf("AGOP = (1/n) Σᵢ JᵢᵀJᵢ (d×d) with Jᵢ = ∂f(xᵢ)/∂x (c×d), the first layer's input being x; "
                "computed three ways by hand and once by the library:\n"
                "  (a) c backward passes with one-hot seeds, (b) central finite differences,\n"
                "  (c) the closed form Jᵢ = A diag(tanh′(W xᵢ)) W, (d) fact::analyze\n"
                "relerr(P, Q) = ‖P − Q‖_F / ‖P‖_F, with the closed form as P\n\n");

    // (a) Reverse mode with one-hot seeds. X is a variable, so its gradient is kept. Seeding the output
    // f (n×c) with column j all ones and the rest zero computes ∂(Σᵢ f_j(xᵢ))/∂X; because samples do not
    // interact, row i of that gradient is ∂f_j(xᵢ)/∂xᵢ, i.e. row j of Jᵢ (docs/MATH.md §3.1, §8.2). c passes.
    Matrix agop_reverse = ad::zeros<double>(d, d);
    {
        ad::Tape<double>& tape = model.tape();
        tape.clear();
        const ad::Var<double> x = tape.variable(X);
        const ad::Var<double> f = model.forward(x);
        std::vector<Matrix> J(n, ad::zeros<double>(c, d));  // Jᵢ, filled row by row
        for (std::size_t j = 0; j < c; ++j) {
            Matrix seed = ad::zeros<double>(n, c);
            for (std::size_t i = 0; i < n; ++i) seed(i, j) = 1.0;  // the one-hot e_j in every row
            tape.backward(f, seed);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t m = 0; m < d; ++m) J[i](j, m) = x.grad()(i, m);
        }
        for (const Matrix& Ji : J) add_outer(agop_reverse, Ji, n);
        tape.clear();
        tape.zero_grad();  // the passes also accumulated ∂f/∂W into the parameters: not needed here
    }

    // (b) Central finite differences, column m of every Jᵢ at once (again: rows are independent samples).
    // Error O(ε²·f‴) from truncation plus O(u/ε) from rounding (u ≈ 1e-16): ε = 1e-5 balances them near 1e-10.
    Matrix agop_fd = ad::zeros<double>(d, d);
    {
        const double eps = 1e-5;
        ad::NoGradGuard<double> no_graph(model.tape());  // values only: nothing recorded
        std::vector<Matrix> J(n, ad::zeros<double>(c, d));
        for (std::size_t m = 0; m < d; ++m) {
            Matrix plus = X, minus = X;
            for (std::size_t i = 0; i < n; ++i) {
                plus(i, m) += eps;
                minus(i, m) -= eps;
            }
            const Matrix f_plus = model.forward(plus).value(), f_minus = model.forward(minus).value();
            model.tape().clear();
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < c; ++j) J[i](j, m) = (f_plus(i, j) - f_minus(i, j)) / (2 * eps);
        }
        for (const Matrix& Ji : J) add_outer(agop_fd, Ji, n);
    }

    // (c) Closed form: Jᵢ = A diag(σ′(W xᵢ)) W, entry (j, m) = Σ_h A_jh σ′(zₕ) W_hm with z = W xᵢ.
    Matrix agop_closed = ad::zeros<double>(d, d);
    for (std::size_t i = 0; i < n; ++i) {
        Matrix Ji = ad::zeros<double>(c, d);
        for (std::size_t h = 0; h < k; ++h) {
            double z = 0;
            for (std::size_t m = 0; m < d; ++m) z += W(h, m) * X(i, m);
            const double dsigma = 1.0 - std::tanh(z) * std::tanh(z);  // σ′(z) for σ = tanh
            for (std::size_t j = 0; j < c; ++j)
                for (std::size_t m = 0; m < d; ++m) Ji(j, m) += A(j, h) * dsigma * W(h, m);
        }
        add_outer(agop_closed, Ji, n);
    }

    // (d) The library: fact::analyze computes every layer's AGOP (with the same c seeded passes as (a),
    // in chunks, plus the FACT quantities, which need a λ > 0 and targets; neither changes the AGOP).
    data::Dataset ds = data::make_regression("gaussian inputs", X, ad::zeros<double>(n, c));
    fact::AnalysisOptions options;
    options.objective = {nn::Loss::mse, /*λ=*/1e-3, true};
    const fact::Analysis analysis = fact::analyze(model, ds, options);
    const Matrix& agop_library = analysis.layers[0].agop;

    print_matrix("AGOP of the first layer, closed form (c), d×d:", agop_closed);
    std::printf("\n");
    bool ok = true;
    // Relative Frobenius differences (docs/MATH.md §4), the closed form as the reference.
    ok &= check("closed form, one-hot backward passes", fact::relerr(agop_closed, agop_reverse), 1e-12);
    ok &= check("closed form, finite differences", fact::relerr(agop_closed, agop_fd), 1e-6);
    ok &= check("closed form, fact::analyze", fact::relerr(agop_closed, agop_library), 1e-12);

    // A bonus identity: for the last layer h = tanh(W x) and f = A h, so Jᵢ = A for every sample and the
    // AGOP is AᵀA (k×k), the last layer's own WᵀW: the NFA holds there trivially.
    const Matrix AtA = ad::matmul(A, A, ad::Trans::yes, ad::Trans::no);
    std::printf("the last layer: its input is h = tanh(W x) and f = A h, so Jᵢ = A and its AGOP is AᵀA (k×k)\n");
    ok &= check("AᵀA, fact::analyze AGOP of the last layer", fact::relerr(AtA, analysis.layers[1].agop), 1e-12);

    // The AGOP is what the NFA compares WᵀW with (docs/MATH.md §3). The closed form already explains part of the
    // resemblance: AGOP = Wᵀ Q W with Q = (1/n) Σᵢ Dᵢ AᵀA Dᵢ, Dᵢ = diag(σ′(W xᵢ)), so even at random weights
    // it lives in WᵀW's row space, and the correlation is well above 0 before any training.
    std::printf("\npearson(WᵀW, AGOP^½) at these random weights: %.3f\n", analysis.layers[0].metrics.nfa_sqrt);
    if (!ok) {
        std::printf("agop_by_hand: a check FAILED\n");
        return 1;
    }
    std::printf("agop_by_hand done: the three AGOPs and the library's agree\n");
    return 0;
}
