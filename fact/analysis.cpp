// The FACT/NFA analysis: see analysis.hpp. One loop over fixed chunks of rows accumulates, per layer,
// Σ Gᵀ H and Σ Gᵀ G (G = the gradients arriving at the layer's input H, scaled by the loss's 1/n) and, from
// c one-hot seeded backward passes, Σ Jᵀ J; ∂L/∂W accumulates in the weights' gradients. The d×d results
// are then formed in double.
#include "fact/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "autodiff/kernels/gemm.hpp"
#include "autodiff/memory.hpp"
#include "autodiff/parallel.hpp"
#include "fact/metrics.hpp"
#include "nn/error.hpp"

namespace fact {

namespace {

// C += Aᵀ·B and C += Aᵀ·A for row blocks A (n, p), B (n, q) of the model's type, accumulated in double. The
// float → double copies go into buffers kept across calls: a fresh n×p double matrix per call cost more in
// page faults than the gemm itself. For a double model the blocks are used as they are. Aᵀ·A is symmetric:
// only its lower triangle is accumulated (half the flops), and fact::fill_upper completes C once at the end. gemm
// would give the same upper triangle bitwise (the products a_ki·a_kj, summed in the same order).
template <class T>
class Gram {
public:
    void add(Matrix& C, const ad::Tensor<T>& A, const ad::Tensor<T>& B) {
        const std::size_t n = A.shape(0), p = A.shape(1), q = B.shape(1);
        const double* a = as_double(A, a_);
        ad::gemm(ad::Trans::yes, ad::Trans::no, p, q, n, 1.0, a, p, as_double(B, b_), q, 1.0, C.data(), q);
    }
    void add(Matrix& C, const ad::Tensor<T>& A) {
        const std::size_t n = A.shape(0), p = A.shape(1);
        const double* a = as_double(A, a_);
        ad::gemmt_lower(ad::Trans::yes, ad::Trans::no, p, n, 1.0, a, p, a, p, 1.0, C.data(), p);
    }

private:
    // X in double: X's own data for a double model, else a copy in `buffer`, which only grows (the layers
    // alternate between shapes; a buffer reallocated at each change was faulted in again every time).
    struct Buffer {
        std::unique_ptr<double[]> data;  // uninitialised: every use overwrites what it reads
        std::size_t size = 0;
    };
    static const double* as_double(const ad::Tensor<T>& X, Buffer& buffer) {
        if constexpr (std::is_same_v<T, double>) {
            return X.data();
        } else {
            if (buffer.size < X.size()) {
                buffer.data.reset(new double[X.size()]);
                buffer.size = X.size();
                ad::advise_huge_pages(buffer.data.get(), buffer.size * sizeof(double));
            }
            const T* x = X.data();
            double* out = buffer.data.get();
            if (X.size() < (std::size_t(1) << 20)) {  // small: a parallel loop costs more than it saves
                std::copy(x, x + X.size(), out);
            } else {
                ad::parallel_chunks(X.size(), std::size_t(1) << 16, [&](std::size_t, std::size_t b, std::size_t e) {
                    std::copy(x + b, x + e, out + b);
                });
            }
            return out;
        }
    }
    Buffer a_, b_;
};

Matrix zeros(std::size_t r, std::size_t c) { return ad::zeros<double>(r, c); }

Matrix scaled(const Matrix& M, double s) {
    Matrix out = M;
    for (double& v : out) v *= s;
    return out;
}

// While alive, the parameters need no gradient: the Jacobian passes then skip every ∂/∂W gemm (and leave
// the accumulated ∂L/∂W alone).
template <class T>
struct FrozenParameters {
    std::vector<ad::Var<T>> params;
    explicit FrozenParameters(std::vector<ad::Var<T>> p) : params(std::move(p)) {
        for (auto& v : params) v.node().requires_grad = false;
    }
    ~FrozenParameters() {
        for (auto& v : params) v.node().requires_grad = true;
    }
};

}  // namespace

template <class T>
Analysis analyze(nn::MLP<T>& model, const data::Dataset& d, const AnalysisOptions& o) {
    const double lambda = o.objective.weight_decay;
    if (!(lambda > 0))
        throw nn::ConfigError(fmt::format("analyze: λ = {}; FACT = −(1/λ)·Wᵀ∂L/∂W needs the positive weight "
                                          "decay the model was trained with",
                                          lambda));
    if (d.d() != model.config().input || d.outputs() != model.config().output)
        throw nn::ConfigError(fmt::format("analyze: data {} is {}×{} with {} outputs; the model takes {} inputs "
                                          "and gives {} outputs",
                                          d.name, d.n(), d.d(), d.outputs(), model.config().input,
                                          model.config().output));
    const nn::Examples<T> e = nn::to_examples<T>(d);
    const std::size_t n = e.n(), c = model.config().output, chunk = o.chunk == 0 ? n : o.chunk;
    auto& layers = model.layers();
    ad::Tape<T>& tape = model.tape();

    Analysis a;
    a.lambda = lambda;
    a.n = n;
    const nn::Evaluation ev = nn::evaluate_objective(model, e, o.objective, chunk);
    a.grad_norm_ratio = ev.ratio();
    a.loss = ev.loss;
    a.exact_expected = o.full_batch_coupled && a.grad_norm_ratio < o.exact_threshold;
    a.regime = !o.full_batch_coupled
                   ? "FACT not expected to hold exactly: trained with decoupled decay (AdamW) or mini-batches"
               : a.exact_expected
                   ? fmt::format("FACT expected to hold exactly: full-batch coupled L2 at ‖∇L_λ‖/‖θ‖ = {:.3g}",
                                 a.grad_norm_ratio)
                   : fmt::format("FACT not expected to hold exactly: ‖∇L_λ‖/‖θ‖ = {:.3g} is not below {:.3g} "
                                 "(not at a critical point)",
                                 a.grad_norm_ratio, o.exact_threshold);

    // Accumulators, per layer: Σ GᵀH, Σ GᵀG, Σ JᵀJ (d×d each).
    std::vector<Matrix> gh, gg, jj;
    for (const auto& l : layers) {
        gh.push_back(zeros(l.in(), l.in()));
        gg.push_back(zeros(l.in(), l.in()));
        jj.push_back(zeros(l.in(), l.in()));
    }
    const nn::TrackInputs<T> tracking(model);
    tape.zero_grad();
    Gram<T> gram;
    for (std::size_t b = 0; b < n; b += chunk) {
        const std::size_t end = std::min(n, b + chunk), m = end - b;
        const nn::Examples<T> part = (b == 0 && end == n) ? e : nn::slice(e, b, end);
        tape.clear();
        const ad::Var<T> f = model.forward(tape.constant(part.X));
        const ad::Var<T> L = nn::data_loss(o.objective.loss, f, part.Y);
        // Seeded with m/n: the chunk's mean loss becomes its share of L, so the rows of G are ∇_h ℓ_i / n
        // and the weights accumulate ∂L/∂W over the chunks.
        ad::Tensor<T> w = ad::Tensor<T>::from_shape({1, 1});
        w(0, 0) = T(double(m) / double(n));
        tape.backward(L, w);
        for (std::size_t l = 0; l < layers.size(); ++l) {
            gram.add(gh[l], layers[l].input().grad(), layers[l].input().value());
            gram.add(gg[l], layers[l].input().grad());
        }
        if (!o.agop) continue;
        // J rows: seed column j of f with ones; the input gradient's row i is ∂f_j(x_i)/∂h_i (samples do not
        // interact), so Σ_j JᵀJ over the passes is Σ_i J_iᵀ J_i.
        const FrozenParameters<T> frozen(model.parameters());
        ad::Tensor<T> seed = ad::Tensor<T>::from_shape({m, c});
        for (std::size_t j = 0; j < c; ++j) {
            seed.fill(T(0));
            for (std::size_t i = 0; i < m; ++i) seed(i, j) = T(1);
            tape.backward(f, seed);
            for (std::size_t l = 0; l < layers.size(); ++l)
                gram.add(jj[l], layers[l].input().grad());
        }
    }

    for (std::size_t l = 0; l < layers.size(); ++l) {
        fill_upper(gg[l]);
        fill_upper(jj[l]);
    }

    const double nan = std::nan("");
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const nn::Linear<T>& layer = layers[l];
        LayerQuantities q;
        q.index = l;
        q.out = layer.out();
        q.in = layer.in();
        const Matrix W = xt::cast<double>(layer.weight().value());  // (k, d)
        const Matrix dW = xt::cast<double>(layer.weight().grad());  // ∂L/∂W, data loss only
        q.nfm = ad::matmul(W, W, ad::Trans::yes, ad::Trans::no);
        q.nfm_out = ad::matmul(W, W, ad::Trans::no, ad::Trans::yes);
        q.fact = scaled(ad::matmul(W, dW, ad::Trans::yes, ad::Trans::no), -1.0 / lambda);
        q.bfact = scaled(ad::matmul(dW, W, ad::Trans::no, ad::Trans::yes), -1.0 / lambda);
        q.fact_sum = scaled(gh[l], -1.0 / lambda);  // gh = (1/n) Σ ∇_h ℓ_i h_iᵀ
        q.fact_sym = symmetrize(q.fact);
        q.fact_sqrt = sqrt_of_outer(q.fact);
        q.grad_cov = scaled(gg[l], double(n));      // gg = (1/n²) Σ ∇_h ℓ_i ∇_h ℓ_iᵀ
        q.grad_cov_sqrt = matrix_power(q.grad_cov, 0.5);
        LayerMetrics& mt = q.metrics;
        mt.fact = pearson(q.nfm, q.fact);
        mt.fact_sym = pearson(q.nfm, q.fact_sym);
        mt.fact_sqrt = pearson(q.nfm, q.fact_sqrt);
        mt.bfact = pearson(q.nfm_out, q.bfact);
        mt.enfa = pearson(q.nfm, q.grad_cov_sqrt);
        mt.cosine_fact = cosine(q.nfm, q.fact);
        mt.relerr_fact = relerr(q.nfm, q.fact);
        mt.relerr_bfact = relerr(q.nfm_out, q.bfact);
        mt.relerr_fact_sum = relerr(q.fact, q.fact_sum);
        const bool offdiag = q.in > 1;
        mt.fact_offdiag = offdiag ? pearson(q.nfm, q.fact, true) : nan;
        if (o.agop) {
            q.agop = scaled(jj[l], 1.0 / double(n));
            q.agop_sqrt = matrix_power(q.agop, 0.5);
            mt.nfa = pearson(q.nfm, q.agop);
            mt.nfa_sqrt = pearson(q.nfm, q.agop_sqrt);
            mt.nfa_sqrt_offdiag = offdiag ? pearson(q.nfm, q.agop_sqrt, true) : nan;
            mt.cosine_nfa_sqrt = cosine(q.nfm, q.agop_sqrt);
        } else {
            mt.nfa = mt.nfa_sqrt = mt.nfa_sqrt_offdiag = mt.cosine_nfa_sqrt = nan;
        }
        a.layers.push_back(std::move(q));
    }

    // Neuron balance between consecutive layers: (W_l W_lᵀ)_kk (+ b_k² when the bias is decayed) against
    // (W_{l+1}ᵀ W_{l+1})_kk.
    for (std::size_t l = 0; l + 1 < a.layers.size(); ++l) {
        const Matrix& out_l = a.layers[l].nfm_out;
        const Matrix& in_next = a.layers[l + 1].nfm;
        const bool bias_decayed = layers[l].has_bias() && nn::decays(o.objective, layers[l].bias().name());
        double worst = 0, scale = 0;
        for (std::size_t k = 0; k < out_l.shape(0); ++k) {
            double left = out_l(k, k);
            if (bias_decayed) left += double(layers[l].bias().value()(0, k)) * double(layers[l].bias().value()(0, k));
            worst = std::max(worst, std::abs(left - in_next(k, k)));
            scale = std::max(scale, in_next(k, k));
        }
        a.layers[l].balance = scale > 0 ? worst / scale : worst;
    }

    tape.zero_grad();
    tape.clear();
    return a;
}

nlohmann::json to_json(const Analysis& a) {
    // NaN is not JSON: write null for undefined correlations.
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    nlohmann::json layers = nlohmann::json::array();
    for (const LayerQuantities& q : a.layers) {
        const LayerMetrics& m = q.metrics;
        layers.push_back({
            {"index", q.index},
            {"shape", {q.out, q.in}},
            {"pearson",
             {{"fact", num(m.fact)},
              {"fact_sym", num(m.fact_sym)},
              {"fact_sqrt", num(m.fact_sqrt)},
              {"bfact", num(m.bfact)},
              {"nfa_sqrt", num(m.nfa_sqrt)},
              {"nfa", num(m.nfa)},
              {"enfa", num(m.enfa)}}},
            {"pearson_offdiag", {{"fact", num(m.fact_offdiag)}, {"nfa_sqrt", num(m.nfa_sqrt_offdiag)}}},
            {"cosine", {{"fact", num(m.cosine_fact)}, {"nfa_sqrt", num(m.cosine_nfa_sqrt)}}},
            {"relerr", {{"fact", num(m.relerr_fact)}, {"bfact", num(m.relerr_bfact)}, {"fact_two_ways", num(m.relerr_fact_sum)}}},
            {"balance", q.balance < 0 ? nlohmann::json(nullptr) : num(q.balance)},
        });
    }
    return {{"lambda", a.lambda},         {"grad_norm_rel", num(a.grad_norm_ratio)},
            {"loss", num(a.loss)},        {"n", a.n},
            {"exact_expected", a.exact_expected},
            {"regime", a.regime},         {"enfa_note", "enfa is the loss-gradient covariance C^(1/2), a stand-in "
                                                        "for the paper's eNFA (docs/MATH.md §3)"},
            {"layers", layers}};
}

template Analysis analyze<float>(nn::MLP<float>&, const data::Dataset&, const AnalysisOptions&);
template Analysis analyze<double>(nn::MLP<double>&, const data::Dataset&, const AnalysisOptions&);

}  // namespace fact
