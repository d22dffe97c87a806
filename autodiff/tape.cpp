// The tape: node storage, the reverse walk, and the checks that turn misuse into GraphError.
#include "autodiff/tape.hpp"

#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "autodiff/memory.hpp"

namespace ad {

template <class T>
T* Node<T>::grad_acc() {
    if (!has_grad) {
        resize_buffer(grad, rows(), cols());
        grad.fill(T(0));
        has_grad = true;
    }
    return grad.data();
}

template <class T>
T* Node<T>::grad_out(T& beta) {
    beta = has_grad ? T(1) : T(0);
    if (!has_grad) {
        resize_buffer(grad, rows(), cols());
        has_grad = true;
    }
    return grad.data();
}

// --- Var ---------------------------------------------------------------------------------------------

template <class T>
Node<T>& Var<T>::node() const {
    if (node_ == nullptr) throw GraphError("Var: empty (default-constructed) Var used; create it with a Tape");
    if (generation_ != 0 && generation_ != tape_->generation_)
        throw GraphError(fmt::format("Var: the node '{}' belongs to a graph that was cleared (Tape::clear); "
                                     "Vars of an earlier step cannot be used",
                                     node_->op));
    return *node_;
}

template <class T>
Tape<T>& Var<T>::tape() const {
    node();  // checks
    return *tape_;
}

template <class T>
const Tensor<T>& Var<T>::grad() const {
    const Node<T>& n = node();
    if (!n.has_grad)
        throw GraphError(fmt::format("grad: no gradient for node '{}' {}: {}", n.op, shape_str(n.value),
                                     n.requires_grad ? "no backward pass has reached it"
                                                     : "it does not depend on any parameter or variable"));
    return n.grad;
}

template <class T>
Tensor<T>& Var<T>::mutable_value() const {
    Node<T>& n = node();
    if (!n.is_parameter)
        throw GraphError(fmt::format("mutable_value: node '{}' is not a parameter; only parameters may be "
                                     "changed between steps",
                                     n.op));
    return n.value;
}

template <class T>
void Var<T>::on_grad(std::function<void(const Tensor<T>&)> hook) const {
    Node<T>& n = node();
    if (n.is_parameter)
        throw GraphError(fmt::format("on_grad: '{}' is a parameter; its gradient accumulates over passes, "
                                     "read grad() after backward",
                                     n.name));
    n.hooks.push_back(std::move(hook));
}

// --- Tape: building the graph ---------------------------------------------------------------------------

template <class T>
Node<T>& Tape<T>::fresh_node() {
    if (live_ == nodes_.size()) nodes_.push_back(std::make_unique<Node<T>>());
    Node<T>& n = *nodes_[live_];
    // Reset everything but the buffers (value, grad, saved keep their memory for reuse).
    n.parents = {nullptr, nullptr};
    n.backward = nullptr;
    n.op = "leaf";
    n.requires_grad = n.has_grad = n.is_parameter = false;
    n.constants = {};
    n.flags = 0;
    n.hooks.clear();
    n.name.clear();
    n.index = live_++;
    return n;
}

template <class T>
void Tape<T>::check_owned(const char* op, const Var<T>& v) const {
    v.node();  // empty or stale Var
    if (v.tape_ != this)
        throw GraphError(fmt::format("{}: operand '{}' belongs to another tape", op, v.node_->op));
}

namespace {
template <class T>
void check_not_empty(const char* op, const Tensor<T>& value) {
    if (value.size() == 0)
        throw ValueError(fmt::format("{}: empty tensor {}; expected at least one row and one column", op,
                                     shape_str(value)));
}
}  // namespace

template <class T>
Var<T> Tape<T>::parameter(Tensor<T> value, std::string name) {
    check_not_empty("parameter", value);
    params_.push_back(std::make_unique<Node<T>>());
    Node<T>& n = *params_.back();
    n.value = std::move(value);
    n.op = "parameter";
    n.name = name.empty() ? "param" + std::to_string(params_.size() - 1) : std::move(name);
    n.requires_grad = n.is_parameter = true;
    n.index = params_.size() - 1;
    return Var<T>(this, &n, 0);
}

template <class T>
Var<T> Tape<T>::constant(const Tensor<T>& value) {
    check_not_empty("constant", value);
    Node<T>& n = fresh_node();
    resize_buffer(n.value, value.shape(0), value.shape(1));
    std::copy(value.begin(), value.end(), n.value.begin());
    n.op = "constant";
    return var(n);
}

template <class T>
Var<T> Tape<T>::variable(const Tensor<T>& value) {
    Var<T> v = constant(value);
    v.node_->op = "variable";
    v.node_->requires_grad = true;
    return v;
}

template <class T>
Node<T>& Tape<T>::push(const char* op, std::size_t rows, std::size_t cols, const Var<T>* a, const Var<T>* b) {
    if (a) check_owned(op, *a);
    if (b) check_owned(op, *b);
    const bool needs = recording_ && ((a && a->node_->requires_grad) || (b && b->node_->requires_grad));
    Node<T>& n = fresh_node();
    n.op = op;
    resize_buffer(n.value, rows, cols);
    n.requires_grad = needs;
    // Parents are kept even when no gradient is needed (to_dot shows them); backward only visits nodes
    // that require a gradient and only adds into parents that do.
    n.parents = {a ? a->node_ : nullptr, b ? b->node_ : nullptr};
    return n;
}

template <class T>
Var<T> Tape<T>::var(Node<T>& node) {
    return Var<T>(this, &node, node.is_parameter ? 0 : generation_);
}

template <class T>
std::vector<Var<T>> Tape<T>::parameters() {
    std::vector<Var<T>> out;
    out.reserve(params_.size());
    for (auto& p : params_) out.push_back(var(*p));
    return out;
}

template <class T>
void Tape<T>::clear() {
    live_ = 0;
    ++generation_;
}

template <class T>
void Tape<T>::zero_grad() {
    for (auto& p : params_) p->has_grad = false;  // grad_acc() zero-fills on next use
}

// --- Tape: the reverse walk ------------------------------------------------------------------------------

template <class T>
void Tape<T>::backward(const Var<T>& root) {
    const Node<T>& r = root.node();
    if (r.rows() != 1 || r.cols() != 1)
        throw ShapeError(fmt::format("backward: root '{}' has shape {}; without a seed the root must be "
                                     "(1,1): pass a seed of its shape",
                                     r.op, shape_str(r.value)));
    check_owned("backward", root);
    const T one = T(1);  // the seed ∂root/∂root, a plain scalar: no seed tensor to allocate every step
    reverse_walk(*root.node_, &one);
}

template <class T>
void Tape<T>::backward(const Var<T>& root, const Tensor<T>& seed) {
    check_owned("backward", root);
    Node<T>& r = *root.node_;
    if (seed.shape(0) != r.rows() || seed.shape(1) != r.cols())
        throw ShapeError(fmt::format("backward: seed has shape {}, root '{}' has shape {}", shape_str(seed), r.op,
                                     shape_str(r.value)));
    for (std::size_t i = 0; i < seed.shape(0); ++i)
        for (std::size_t j = 0; j < seed.shape(1); ++j)
            if (!std::isfinite(seed(i, j)))
                throw ValueError(fmt::format("backward: seed entry ({},{}) is {}; expected a finite number", i,
                                             j, seed(i, j)));
    reverse_walk(r, seed.data());
}

template <class T>
void Tape<T>::reverse_walk(Node<T>& r, const T* seed) {
    if (!r.requires_grad)
        throw GraphError(fmt::format("backward: root '{}' does not depend on any parameter or variable "
                                     "(or was computed under NoGradGuard)",
                                     r.op));

    for (std::size_t i = 0; i < live_; ++i) nodes_[i]->has_grad = false;
    T* g = r.grad_acc();
    for (std::size_t i = 0; i < r.value.size(); ++i) g[i] += seed[i];
    if (r.is_parameter) return;

    for (std::size_t i = r.index + 1; i-- > 0;) {
        Node<T>& n = *nodes_[i];
        if (!n.has_grad) continue;  // not on a path to the root
        for (auto& hook : n.hooks) hook(n.grad);
        if (n.backward) n.backward(n);
    }
}

// --- Graphviz -------------------------------------------------------------------------------------------

template <class T>
std::string Tape<T>::to_dot() const {
    std::ostringstream out;
    out << "digraph tape {\n  rankdir=LR;\n  node [shape=box, fontname=monospace];\n";
    auto id = [](const Node<T>* n) { return (n->is_parameter ? "p" : "n") + std::to_string(n->index); };
    for (const auto& p : params_)
        out << "  " << id(p.get()) << " [label=\"" << p->name << " " << shape_str(p->value)
            << "\", style=filled, fillcolor=lightblue];\n";
    for (std::size_t i = 0; i < live_; ++i) {
        const Node<T>* n = nodes_[i].get();
        out << "  " << id(n) << " [label=\"" << n->op << " " << shape_str(n->value) << "\"];\n";
        for (const Node<T>* p : n->parents)
            if (p) out << "  " << id(p) << " -> " << id(n) << ";\n";
    }
    out << "}\n";
    return out.str();
}

template struct Node<float>;
template struct Node<double>;
template class Var<float>;
template class Var<double>;
template class Tape<float>;
template class Tape<double>;

}  // namespace ad
