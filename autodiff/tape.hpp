/// \file
/// The tape of reverse-mode differentiation.
///
/// Every op appends a Node to the tape, in creation order, holding its value, its parents and a backward
/// function. backward(root) seeds root's gradient and walks the tape from root back to the start: when a
/// node is reached, every node created after it has already added its contribution, so its gradient is
/// complete and it can pass it on to its parents (gradients accumulate with +=). Creation order is a
/// topological order, so the walk needs no search.
///
/// Parameters are leaves that persist across steps; they live beside the per-step graph, which clear()
/// drops (keeping the node storage for the next step, so a steady training loop reuses its buffers).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/tensor.hpp"

namespace ad {

template <class T>
class Tape;

/// One value in the graph: the result of an op, or a leaf. Ops fill it; users reach it through Var.
template <class T>
struct Node {
    Tensor<T> value;                              ///< the forward result, (rows, cols)
    Tensor<T> grad;                               ///< ∂root/∂value, same shape; meaningful when has_grad
    std::array<Node*, 2> parents{nullptr, nullptr};  ///< the operands (nullptr for a leaf or a unary op's second)
    void (*backward)(Node&) = nullptr;            ///< adds this node's grad into its parents' grads
    const char* op = "leaf";                      ///< the op's name, for messages and to_dot
    bool requires_grad = false;                   ///< some parameter or variable lies upstream
    bool has_grad = false;                        ///< grad holds a gradient of the current backward pass
    bool is_parameter = false;                    ///< a persistent leaf of Tape::parameter

    // What an op keeps for its backward (besides its value and its parents' values).
    Tensor<T> saved;                              ///< e.g. the softmax minus the targets of cross_entropy
    Tensor<T> scratch;                            ///< backward's workspace, e.g. a broadcast operand's summed gradient
    std::array<T, 2> constants{};                 ///< e.g. the exponent of pow, the slope of leaky_relu
    int flags = 0;                                ///< e.g. which operands of matmul are transposed

    std::vector<std::function<void(const Tensor<T>&)>> hooks;  ///< called with grad when it is complete
    std::string name;                             ///< optional label (parameters), shown by to_dot
    std::size_t index = 0;                        ///< position on the tape (parameters: in the parameter list)

    std::size_t rows() const { return value.shape(0); }          ///< rows of value
    std::size_t cols() const { return value.shape(1); }          ///< columns of value
    Node& parent(std::size_t i) const { return *parents[i]; }    ///< operand i (0 or 1); unchecked

    /// Gradient buffer to add into: zero-filled on first use in a backward pass.
    T* grad_acc();
    /// Gradient buffer for an op that writes every entry when told β = 0 (a gemm): on first use in a
    /// backward pass it comes back unfilled with beta = 0, afterwards with beta = 1 (add into it). Saves
    /// grad_acc's zero-filling pass.
    T* grad_out(T& beta);
};

/// A handle to a node of a tape: cheap to copy, checked on use. A Var of the per-step graph becomes stale
/// when the tape is cleared; using it then throws GraphError instead of reading reused memory.
/// Every accessor below goes through node(), so each throws GraphError for an empty or stale Var.
template <class T>
class Var {
public:
    using value_type = T;  ///< the scalar type, float or double

    Var() = default;       ///< an empty Var (empty() is true): a placeholder to assign to

    const Tensor<T>& value() const { return node().value; }  ///< the forward value, (rows, cols)
    std::size_t rows() const { return node().rows(); }       ///< rows of value()
    std::size_t cols() const { return node().cols(); }       ///< columns of value()
    /// The gradient from the last backward pass (accumulated over passes for parameters).
    /// Throws GraphError if no backward pass has reached this node.
    const Tensor<T>& grad() const;
    bool requires_grad() const { return node().requires_grad; }  ///< a parameter or variable lies upstream
    bool is_parameter() const { return node().is_parameter; }    ///< made by Tape::parameter
    const std::string& name() const { return node().name; }      ///< the parameter's name ("" otherwise)

    /// A parameter's value, for optimizers and initialisers. Throws GraphError for any other node: the
    /// graph's values are what backward differentiates and must not change under it.
    Tensor<T>& mutable_value() const;

    /// Call hook(grad) during backward once this node's gradient is complete, before it flows on to the
    /// parents. This is how a layer's input gradient is captured. Not for parameters (their gradients
    /// accumulate across passes: read grad() after backward).
    void on_grad(std::function<void(const Tensor<T>&)> hook) const;

    Tape<T>& tape() const;  ///< the tape the node lives on
    Node<T>& node() const;  ///< checked: throws GraphError for an empty or stale Var
    bool empty() const { return node_ == nullptr; }  ///< default-constructed (never throws)

private:
    friend class Tape<T>;
    Var(Tape<T>* tape, Node<T>* node, std::uint64_t generation)
        : tape_(tape), node_(node), generation_(generation) {}
    Tape<T>* tape_ = nullptr;
    Node<T>* node_ = nullptr;
    std::uint64_t generation_ = 0;  // 0 for parameters, which never go stale
};

/// The tape: parameters plus the per-step graph.
template <class T>
class Tape {
public:
    Tape() = default;
    Tape(const Tape&) = delete;  ///< Vars point into it
    Tape& operator=(const Tape&) = delete;

    /// A persistent leaf whose gradient is wanted. Survives clear(); its gradient accumulates over
    /// backward passes until zero_grad(). \throws ValueError for an empty (0-row or 0-column) value.
    Var<T> parameter(Tensor<T> value, std::string name = "");
    /// A per-step leaf whose gradient is not wanted (data, targets). \throws ValueError for an empty value.
    Var<T> constant(const Tensor<T>& value);
    /// A per-step leaf whose gradient is wanted (inputs of a Jacobian, of gradcheck).
    /// \throws ValueError for an empty value.
    Var<T> variable(const Tensor<T>& value);

    /// Reverse pass from a 1×1 root, seeded with 1. Cost: about that of the forward pass (each node's
    /// backward once, in reverse creation order).
    /// \throws ShapeError unless root is (1,1).
    /// \throws GraphError for a stale root, a root of another tape, or one that depends on no parameter
    ///         or variable (or was computed under NoGradGuard).
    void backward(const Var<T>& root);
    /// Reverse pass seeded with an arbitrary output gradient of root's shape (one-hot seeds give rows of
    /// a Jacobian). Per-step gradients are those of this pass alone; parameter gradients accumulate.
    /// \throws ShapeError unless seed has root's shape; ValueError for a non-finite seed entry;
    ///         GraphError as backward(root).
    void backward(const Var<T>& root, const Tensor<T>& seed);

    /// Drop the per-step graph (its Vars go stale); parameters and node storage stay.
    void clear();
    /// Set every parameter's gradient to zero.
    void zero_grad();

    /// Every parameter, in creation order.
    std::vector<Var<T>> parameters();
    /// Nodes on the per-step graph.
    std::size_t size() const { return live_; }
    /// False inside a NoGradGuard: ops compute values but record no parents and no backward.
    bool recording() const { return recording_; }
    void set_recording(bool on) { recording_ = on; }  ///< prefer NoGradGuard, which restores the old state

    /// The per-step graph (and the parameters feeding it) in Graphviz dot.
    std::string to_dot() const;

    // --- for op implementations -----------------------------------------------------------------------
    /// Append a node of the given shape computed by `op` from up to two parents (checked to be live Vars
    /// of this tape). It requires a gradient when a parent does and the tape is recording.
    /// \throws GraphError for a stale parent or a parent of another tape.
    Node<T>& push(const char* op, std::size_t rows, std::size_t cols, const Var<T>* a = nullptr,
                  const Var<T>* b = nullptr);
    /// The Var handle of a node push() returned (the result an op gives back).
    Var<T> var(Node<T>& node);

private:
    friend class Var<T>;
    Node<T>& fresh_node();
    void check_owned(const char* op, const Var<T>& v) const;
    /// The reverse walk from root, seeded with seed[0 .. root's size): both backward()s after their checks.
    void reverse_walk(Node<T>& root, const T* seed);

    std::vector<std::unique_ptr<Node<T>>> nodes_;   // node pool; the first live_ form the graph
    std::size_t live_ = 0;
    std::vector<std::unique_ptr<Node<T>>> params_;
    std::uint64_t generation_ = 1;                  // bumped by clear()
    bool recording_ = true;
};

/// Stops recording on a tape for its lifetime (evaluation, metrics): values only, no graph.
template <class T>
class NoGradGuard {
public:
    /// Stop recording on tape until the guard goes out of scope (then the previous state comes back).
    explicit NoGradGuard(Tape<T>& tape) : tape_(tape), previous_(tape.recording()) { tape.set_recording(false); }
    ~NoGradGuard() { tape_.set_recording(previous_); }
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    Tape<T>& tape_;
    bool previous_;
};

extern template struct Node<float>;
extern template struct Node<double>;
extern template class Var<float>;
extern template class Var<double>;
extern template class Tape<float>;
extern template class Tape<double>;

}  // namespace ad
