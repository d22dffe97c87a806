/// \file
/// The training objective and its full-batch gradient (docs/MATH.md §1-2):
/// ~~~{.unparsed}
///   L(θ)   = (1/n) Σ_i ℓ_i
///   L_λ(θ) = L(θ) + (λ/2) Σ_{decayed θ} θ²        coupled L2 weight decay: gradient λθ
/// ~~~
/// with the per-sample terms
/// ~~~{.unparsed}
///   mse:            ℓ_i = (1/c) ‖f(x_i) − y_i‖²        (the mean over all n·c entries, as PyTorch's MSELoss)
///   cross_entropy:  ℓ_i = −Σ_j Y_ij log softmax(f(x_i))_j   (= −log softmax(f(x_i))_{y_i} for one-hot Y)
/// ~~~
/// The FACT identity holds for exactly this ℓ_i and λ. By default every parameter is decayed; with
/// decay_biases = false only the weight matrices are.
#pragma once

#include <cstddef>
#include <string>

#include "autodiff/ops.hpp"
#include "data/dataset.hpp"
#include "nn/mlp.hpp"

namespace nn {

/// The per-sample term ℓ_i of the objective (the formulas above).
enum class Loss { mse, cross_entropy };

/// "mse" | "ce" | "cross_entropy"; throws ConfigError listing them.
Loss parse_loss(const std::string& name);
std::string to_string(Loss loss);  ///< "mse" or "cross_entropy"

/// The objective L_λ: which loss, which λ, and which parameters λ applies to.
struct Objective {
    Loss loss = Loss::mse;       ///< the per-sample term ℓ_i
    double weight_decay = 0.0;   ///< λ of the coupled L2 term
    bool decay_biases = true;    ///< false: only the weight matrices are decayed
};

/// The data loss of outputs f against targets Y (one-hot or regression targets), recorded on f's tape.
/// f and Y are (n, c); returns (1,1). \throws ad::ShapeError if their shapes differ.
template <class T>
ad::Var<T> data_loss(Loss loss, const ad::Var<T>& f, const ad::Tensor<T>& Y);

/// Whether parameter `name` is decayed under this objective.
bool decays(const Objective& objective, const std::string& name);

/// Which of `params` weight decay applies to when it is on: the weights, and the biases with decay_biases.
/// The mask an optimizer applies a decoupled decay (AdamW) with.
template <class T>
std::vector<bool> decay_mask(const std::vector<ad::Var<T>>& params, bool decay_biases);

/// (λ/2)‖θ‖² over the decayed parameters, L_λ − L; 0 without decay.
template <class T>
double decay_penalty(const std::vector<ad::Var<T>>& params, const Objective& objective);

/// Value of the data loss and of L_λ, and the norms of ∇L_λ and θ, at the current parameters.
struct Evaluation {
    double loss = 0;            ///< L
    double objective = 0;       ///< L_λ
    double grad_norm = 0;       ///< ‖∇L_λ‖ over all parameters
    double param_norm = 0;      ///< ‖θ‖ over all parameters
    double accuracy = -1;       ///< classification: fraction of argmax f = label; −1 for regression
    double ratio() const { return param_norm > 0 ? grad_norm / param_norm : grad_norm; }  ///< ‖∇L_λ‖/‖θ‖
};

/// A dataset in the model's scalar type, converted once for many passes.
template <class T>
struct Examples {
    ad::Tensor<T> X;                       ///< (n, d)
    ad::Tensor<T> Y;                       ///< (n, c) one-hot or targets
    std::vector<std::size_t> labels;       ///< classification; empty for regression
    std::size_t n() const { return X.shape(0); }  ///< samples
};

/// The dataset's X, Y and labels converted to T (a copy: O(n(d + c)) memory).
template <class T>
Examples<T> to_examples(const data::Dataset& d);

/// Rows [begin, end) of e, copied; unchecked: begin ≤ end ≤ e.n() is the caller's to ensure.
template <class T>
Examples<T> slice(const Examples<T>& e, std::size_t begin, std::size_t end);

/// Full-batch L_λ and its gradient: leaves ∇L_λ (data gradient + λθ on decayed parameters) in every
/// parameter's .grad(), overwriting. Rows are processed in fixed chunks of `chunk` (the gradient is the
/// sample-weighted sum of the chunks' gradients), so memory stays bounded; results depend on the chunk
/// size but never on the thread count. Cost: one forward and one backward pass over the data.
/// \throws ConfigError for a dataset with no rows; ad::ShapeError if it does not fit the model.
template <class T>
Evaluation evaluate_objective(MLP<T>& model, const Examples<T>& e, const Objective& objective,
                              std::size_t chunk = 8192);

/// Loss and accuracy only, under NoGradGuard (parameters' gradients are untouched).
/// \throws ConfigError for a dataset with no rows; ad::ShapeError if it does not fit the model.
template <class T>
Evaluation evaluate_loss(MLP<T>& model, const Examples<T>& e, Loss loss, std::size_t chunk = 8192);

/// Fraction of rows whose largest output is at the label.
template <class T>
double accuracy(const ad::Tensor<T>& f, const std::vector<std::size_t>& labels);

}  // namespace nn
