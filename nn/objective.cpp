// The objective L_λ and its full-batch gradient: see objective.hpp.
#include "nn/objective.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "nn/error.hpp"

namespace nn {

Loss parse_loss(const std::string& name) {
    if (name == "mse") return Loss::mse;
    if (name == "ce" || name == "cross_entropy") return Loss::cross_entropy;
    throw ConfigError(fmt::format("loss '{}' is unknown (valid: mse, ce, cross_entropy)", name));
}

std::string to_string(Loss loss) { return loss == Loss::mse ? "mse" : "cross_entropy"; }

template <class T>
ad::Var<T> data_loss(Loss loss, const ad::Var<T>& f, const ad::Tensor<T>& Y) {
    return loss == Loss::mse ? ad::mse(f, Y) : ad::cross_entropy(f, Y);
}

bool decays(const Objective& objective, const std::string& name) {
    const std::string suffix = ".bias";
    const bool is_bias = name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    return objective.weight_decay != 0.0 && (objective.decay_biases || !is_bias);
}

template <class T>
std::vector<bool> decay_mask(const std::vector<ad::Var<T>>& params, bool decay_biases) {
    std::vector<bool> mask;
    for (const ad::Var<T>& p : params) mask.push_back(decays({Loss::mse, 1.0, decay_biases}, p.name()));
    return mask;
}

template <class T>
double decay_penalty(const std::vector<ad::Var<T>>& params, const Objective& objective) {
    if (!(objective.weight_decay > 0)) return 0.0;
    double s = 0;
    for (const ad::Var<T>& p : params)
        if (decays(objective, p.name()))
            for (T v : p.value()) s += double(v) * double(v);
    return 0.5 * objective.weight_decay * s;
}

template <class T>
Examples<T> to_examples(const data::Dataset& d) {
    Examples<T> e;
    e.X = xt::cast<T>(d.X);
    e.Y = xt::cast<T>(d.Y);
    e.labels = d.labels;
    return e;
}

template <class T>
Examples<T> slice(const Examples<T>& e, std::size_t begin, std::size_t end) {
    Examples<T> s;
    const std::size_t d = e.X.shape(1), c = e.Y.shape(1);
    s.X = ad::Tensor<T>::from_shape({end - begin, d});
    s.Y = ad::Tensor<T>::from_shape({end - begin, c});
    std::copy(e.X.data() + begin * d, e.X.data() + end * d, s.X.data());
    std::copy(e.Y.data() + begin * c, e.Y.data() + end * c, s.Y.data());
    if (!e.labels.empty()) s.labels.assign(e.labels.begin() + std::ptrdiff_t(begin), e.labels.begin() + std::ptrdiff_t(end));
    return s;
}

template <class T>
double accuracy(const ad::Tensor<T>& f, const std::vector<std::size_t>& labels) {
    if (labels.empty()) return -1;
    std::size_t right = 0;
    for (std::size_t i = 0; i < f.shape(0); ++i) {
        const T* row = &f(i, 0);
        right += std::size_t(std::max_element(row, row + f.shape(1)) - row) == labels[i];
    }
    return double(right) / double(f.shape(0));
}

namespace {

// Σ over chunks of rows: run(examples of the chunk, weight n_chunk/n). A single chunk uses e itself.
template <class T, class Run>
void over_chunks(const Examples<T>& e, std::size_t chunk, const Run& run) {
    const std::size_t n = e.n();
    if (n == 0) throw ConfigError("objective: the dataset has no rows");
    if (chunk == 0 || n <= chunk) {
        run(e, 1.0);
        return;
    }
    for (std::size_t b = 0; b < n; b += chunk) {
        const std::size_t end = std::min(n, b + chunk);
        run(slice(e, b, end), double(end - b) / double(n));
    }
}

// f(p) for every parameter p in the order of MLP::parameters(), without building that vector at every step.
template <class T, class F>
void for_each_parameter(const MLP<T>& model, const F& f) {
    for (const Linear<T>& layer : model.layers()) {
        f(layer.weight());
        if (layer.has_bias()) f(layer.bias());
    }
}

}  // namespace

template <class T>
Evaluation evaluate_objective(MLP<T>& model, const Examples<T>& e, const Objective& objective, std::size_t chunk) {
    ad::Tape<T>& tape = model.tape();
    tape.zero_grad();
    Evaluation ev;
    double right = 0;
    over_chunks(e, chunk, [&](const Examples<T>& part, double weight) {
        tape.clear();
        const ad::Var<T> f = model.forward(tape.constant(part.X));
        const ad::Var<T> L = data_loss(objective.loss, f, part.Y);
        if (weight == 1.0) {
            tape.backward(L);  // one chunk: the seed 1, with no seed tensor to allocate at every step
        } else {
            ad::Tensor<T> seed = ad::Tensor<T>::from_shape({1, 1});
            seed(0, 0) = T(weight);  // ∇L = Σ_chunks (n_chunk/n) ∇L_chunk: accumulated by the parameters
            tape.backward(L, seed);
        }
        ev.loss += weight * double(L.value()(0, 0));
        if (!part.labels.empty()) right += weight * accuracy(f.value(), part.labels);
    });
    ev.accuracy = e.labels.empty() ? -1 : right;

    // + λθ on the decayed parameters, and the norms.
    double decay = 0, g2 = 0, p2 = 0;
    for_each_parameter(model, [&](const ad::Var<T>& p) {
        ad::Node<T>& node = p.node();
        T* g = node.grad_acc();
        const T* w = node.value.data();
        const bool decayed = decays(objective, p.name());
        const T lambda = T(objective.weight_decay);
        for (std::size_t i = 0; i < node.value.size(); ++i) {
            if (decayed) {
                g[i] += lambda * w[i];
                decay += double(w[i]) * double(w[i]);
            }
            g2 += double(g[i]) * double(g[i]);
            p2 += double(w[i]) * double(w[i]);
        }
    });
    ev.objective = ev.loss + 0.5 * objective.weight_decay * decay;
    ev.grad_norm = std::sqrt(g2);
    ev.param_norm = std::sqrt(p2);
    return ev;
}

template <class T>
Evaluation evaluate_loss(MLP<T>& model, const Examples<T>& e, Loss loss, std::size_t chunk) {
    ad::Tape<T>& tape = model.tape();
    ad::NoGradGuard<T> guard(tape);
    Evaluation ev;
    double right = 0;
    over_chunks(e, chunk, [&](const Examples<T>& part, double weight) {
        tape.clear();
        const ad::Var<T> f = model.forward(tape.constant(part.X));
        ev.loss += weight * double(data_loss(loss, f, part.Y).value()(0, 0));
        if (!part.labels.empty()) right += weight * accuracy(f.value(), part.labels);
    });
    ev.objective = ev.loss;
    ev.accuracy = e.labels.empty() ? -1 : right;
    return ev;
}

#define NN_INSTANTIATE(T)                                                                                    \
    template ad::Var<T> data_loss<T>(Loss, const ad::Var<T>&, const ad::Tensor<T>&);                          \
    template Examples<T> to_examples<T>(const data::Dataset&);                                                \
    template Examples<T> slice<T>(const Examples<T>&, std::size_t, std::size_t);                              \
    template double accuracy<T>(const ad::Tensor<T>&, const std::vector<std::size_t>&);                       \
    template Evaluation evaluate_objective<T>(MLP<T>&, const Examples<T>&, const Objective&, std::size_t);    \
    template Evaluation evaluate_loss<T>(MLP<T>&, const Examples<T>&, Loss, std::size_t);                    \
    template std::vector<bool> decay_mask<T>(const std::vector<ad::Var<T>>&, bool);                           \
    template double decay_penalty<T>(const std::vector<ad::Var<T>>&, const Objective&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
