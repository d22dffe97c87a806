// Log-softmax and the fused losses. The losses are means over samples of a per-sample term ℓ_i, written
// out in ops.hpp (FACT, docs/MATH.md §2, depends on exactly which ℓ_i is averaged). A fused loss keeps
// the direction of its gradient in `saved` during the forward pass, so its backward is one scaled add.
#include <cmath>

#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "autodiff/kernels/map.hpp"
#include "autodiff/kernels/reduce.hpp"
#include "autodiff/ops.hpp"

namespace ad {

namespace {

// out_i = x_i − max(x) − log Σ_j e^{x_j − max(x)} for one row of n values.
template <class T>
void log_softmax_row(const T* x, std::size_t n, T* out) {
    T mx = x[0];
    for (std::size_t j = 1; j < n; ++j) mx = std::max(mx, x[j]);
    const Pack<T> shift(mx);
    map_range(0, n, out, [shift](auto v) { return xsimd::exp(v - shift); }, x);
    const T lse = mx + std::log(sum_all(out, n));
    const Pack<T> l(lse);
    map_range(0, n, out, [l](auto v) { return v - l; }, x);
}

// dlogits += (dL/dy)·scale·saved, the backward of both cross-entropies and of mse.
template <class T>
void scaled_saved_backward(Node<T>& y) {
    Node<T>& x = y.parent(0);
    if (!x.requires_grad) return;
    const Pack<T> g(y.grad(0, 0) * y.constants[0]);
    T* dx = x.grad_acc();
    map(x.value.size(), dx, [g](auto acc, auto s) { return xsimd::fma(g, s, acc); }, dx, y.saved.data());
}

template <class T>
void check_rows(const char* op, const Node<T>& x, std::size_t rows, std::size_t cols, const char* what) {
    if (x.rows() != rows || x.cols() != cols)
        throw ShapeError(fmt::format("{}: {} {} does not match the input {}", op, what, shape_str(rows, cols),
                                     shape_str(x.value)));
}

}  // namespace

// log_softmax: y_ij = x_ij − log Σ_k e^{x_ik}, x and y (m,n);  dx_ij += dy_ij − softmax_ij · Σ_k dy_ik
template <class T>
Var<T> log_softmax(const Var<T>& x) {
    const Node<T>& xn = x.node();
    Tape<T>& tape = x.tape();
    const std::size_t n = xn.cols();
    Node<T>& y = tape.push("log_softmax", xn.rows(), n, &x);
    for_each_row(xn.rows(), n, [&](std::size_t i) { log_softmax_row(&xn.value(i, 0), n, &y.value(i, 0)); });
    y.backward = [](Node<T>& y) {
        Node<T>& x = y.parent(0);
        if (!x.requires_grad) return;
        const std::size_t n = y.cols();
        T* dx = x.grad_acc();
        for_each_row(y.rows(), n, [&](std::size_t i) {
            const std::size_t o = i * n;
            const Pack<T> s(sum_all(y.grad.data() + o, n));
            map_range(0, n, dx + o, [s](auto acc, auto g, auto ly) { return acc + g - xsimd::exp(ly) * s; }, dx + o,
                      y.grad.data() + o, y.value.data() + o);
        });
    };
    return tape.var(y);
}

// mse: L = (1/(n·c)) Σ_ij (f_ij − y_ij)²  (ℓ_i = (1/c)‖f_i − y_i‖²);  df += dL · (2/(n·c)) (f − y)
template <class T>
Var<T> mse(const Var<T>& pred, const Tensor<T>& target) {
    const Node<T>& p = pred.node();
    check_rows("mse", p, target.shape(0), target.shape(1), "target");
    Tape<T>& tape = pred.tape();
    Node<T>& y = tape.push("mse", 1, 1, &pred);
    y.saved.resize({p.rows(), p.cols()});
    map(p.value.size(), y.saved.data(), [](auto f, auto t) { return f - t; }, p.value.data(), target.data());
    const T nc = static_cast<T>(p.value.size());
    y.value(0, 0) = dot(y.saved.data(), y.saved.data(), y.saved.size()) / nc;
    y.constants[0] = T(2) / nc;
    y.backward = scaled_saved_backward<T>;
    return tape.var(y);
}

// cross_entropy with labels: L = −(1/n) Σ_i log softmax(f_i)_{y_i};  df += dL · (1/n)(softmax(f) − onehot(y))
template <class T>
Var<T> cross_entropy(const Var<T>& logits, const std::vector<std::size_t>& labels) {
    const Node<T>& x = logits.node();
    const std::size_t m = x.rows(), c = x.cols();
    if (labels.size() != m)
        throw ShapeError(fmt::format("cross_entropy: {} labels for logits {}; expected one label per row",
                                     labels.size(), shape_str(x.value)));
    for (std::size_t i = 0; i < m; ++i)
        if (labels[i] >= c)
            throw ValueError(fmt::format("cross_entropy: label {} at row {} is out of range for {} classes "
                                         "(expected 0..{})",
                                         labels[i], i, c, c - 1));
    Tape<T>& tape = logits.tape();
    Node<T>& y = tape.push("cross_entropy", 1, 1, &logits);
    y.saved.resize({m, c});
    T total = T(0);
    for (std::size_t i = 0; i < m; ++i) {  // sequential over rows: the sum's order is fixed
        T* s = &y.saved(i, 0);
        log_softmax_row(&x.value(i, 0), c, s);
        total -= s[labels[i]];
        map_range(0, c, s, [](auto v) { return xsimd::exp(v); }, s);
        s[labels[i]] -= T(1);
    }
    y.value(0, 0) = total / static_cast<T>(m);
    y.constants[0] = T(1) / static_cast<T>(m);
    y.backward = scaled_saved_backward<T>;
    return tape.var(y);
}

// cross_entropy with target rows: L = −(1/n) Σ_ij Y_ij log softmax(f_i)_j;
//   df += dL · (1/n)(softmax(f_i)·Σ_j Y_ij − Y_i)      (= softmax − Y for one-hot rows)
template <class T>
Var<T> cross_entropy(const Var<T>& logits, const Tensor<T>& targets) {
    const Node<T>& x = logits.node();
    check_rows("cross_entropy", x, targets.shape(0), targets.shape(1), "targets");
    const std::size_t m = x.rows(), c = x.cols();
    Tape<T>& tape = logits.tape();
    Node<T>& y = tape.push("cross_entropy", 1, 1, &logits);
    y.saved.resize({m, c});
    T total = T(0);
    for (std::size_t i = 0; i < m; ++i) {
        T* s = &y.saved(i, 0);
        const T* t = &targets(i, 0);
        log_softmax_row(&x.value(i, 0), c, s);
        T weight = T(0);
        for (std::size_t j = 0; j < c; ++j) {
            total -= t[j] * s[j];
            weight += t[j];
        }
        const Pack<T> w(weight);
        map_range(0, c, s, [w](auto ls, auto tv) { return xsimd::exp(ls) * w - tv; }, s, t);
    }
    y.value(0, 0) = total / static_cast<T>(m);
    y.constants[0] = T(1) / static_cast<T>(m);
    y.backward = scaled_saved_backward<T>;
    return tape.var(y);
}

#define AD_INSTANTIATE(T)                                                                  \
    template Var<T> log_softmax<T>(const Var<T>&);                                         \
    template Var<T> mse<T>(const Var<T>&, const Tensor<T>&);                               \
    template Var<T> cross_entropy<T>(const Var<T>&, const std::vector<std::size_t>&);      \
    template Var<T> cross_entropy<T>(const Var<T>&, const Tensor<T>&);
AD_INSTANTIATE(float)
AD_INSTANTIATE(double)
#undef AD_INSTANTIATE

}  // namespace ad
