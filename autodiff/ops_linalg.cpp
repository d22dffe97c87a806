// Matrix product, transpose, reductions and broadcasting: ops whose backward moves gradients between
// shapes. Each op's forward and backward sit together with the shapes in a comment.
#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "autodiff/kernels/map.hpp"
#include "autodiff/kernels/reduce.hpp"
#include "autodiff/ops.hpp"

namespace ad {

namespace {
constexpr Trans flip(Trans t) { return t == Trans::no ? Trans::yes : Trans::no; }
template <class T> void add_into(std::size_t n, T* acc, const T* x) {
    map(n, acc, [](auto s, auto v) { return s + v; }, acc, x);
}
}  // namespace

// matmul: y = op(a)·op(b);  op(a) (m,k), op(b) (k,n), y (m,n).
//   ∂/∂op(a) = dy·op(b)ᵀ (m,k),  ∂/∂op(b) = op(a)ᵀ·dy (k,n); a transposed operand gets the transpose:
//   da += dy·op(b)ᵀ  or, when a is stored (k,m),  da += op(b)·dyᵀ
//   db += op(a)ᵀ·dy  or, when b is stored (n,k),  db += dyᵀ·op(a)
// Each is one gemm into the gradient, with no transposed copy: it adds (β = 1), or writes (β = 0) when it is
// the gradient's first contribution in this pass (Node::grad_out).
template <class T>
Var<T> matmul(const Var<T>& a, const Var<T>& b, Trans ta, Trans tb) {
    const Node<T>& an = a.node();
    const Node<T>& bn = b.node();
    const std::size_t m = ta == Trans::no ? an.rows() : an.cols();
    const std::size_t n = tb == Trans::no ? bn.cols() : bn.rows();
    const std::size_t ka = ta == Trans::no ? an.cols() : an.rows(), kb = tb == Trans::no ? bn.rows() : bn.cols();
    if (ka != kb)
        throw ShapeError(fmt::format("matmul: {}{} x {}{}: inner dimensions {} and {} differ", shape_str(an.value),
                                     ta == Trans::yes ? "^T" : "", shape_str(bn.value), tb == Trans::yes ? "^T" : "",
                                     ka, kb));
    Tape<T>& tape = a.tape();
    Node<T>& y = tape.push("matmul", m, n, &a, &b);
    y.flags = (ta == Trans::yes ? 1 : 0) | (tb == Trans::yes ? 2 : 0);
    gemm(ta, tb, T(1), an.value, bn.value, T(0), y.value);
    y.backward = [](Node<T>& y) {
        Node<T>& a = y.parent(0);
        Node<T>& b = y.parent(1);
        const Trans ta = (y.flags & 1) ? Trans::yes : Trans::no, tb = (y.flags & 2) ? Trans::yes : Trans::no;
        const std::size_t m = y.rows(), n = y.cols();
        const std::size_t k = ta == Trans::no ? a.cols() : a.rows();
        const T* dy = y.grad.data();
        T beta;  // 0 when the operand's gradient is fresh: the gemm writes it instead of adding to zeros
        if (a.requires_grad) {
            T* da = a.grad_out(beta);
            if (ta == Trans::no)  // da (m,k) += dy (m,n) · op(b)ᵀ (n,k)
                gemm(Trans::no, flip(tb), m, k, n, T(1), dy, n, b.value.data(), b.cols(), beta, da, k);
            else                  // da (k,m) += op(b) (k,n) · dyᵀ (n,m)
                gemm(tb, Trans::yes, k, m, n, T(1), b.value.data(), b.cols(), dy, n, beta, da, m);
        }
        if (b.requires_grad) {
            T* db = b.grad_out(beta);
            if (tb == Trans::no)  // db (k,n) += op(a)ᵀ (k,m) · dy (m,n)
                gemm(flip(ta), Trans::no, k, n, m, T(1), a.value.data(), a.cols(), dy, n, beta, db, n);
            else                  // db (n,k) += dyᵀ (n,m) · op(a) (m,k)
                gemm(Trans::yes, ta, n, k, m, T(1), dy, n, a.value.data(), a.cols(), beta, db, k);
        }
    };
    return tape.var(y);
}

// transpose: y = xᵀ, x (m,n), y (n,m);  dx += dyᵀ
template <class T>
Var<T> transpose(const Var<T>& x) {
    const Node<T>& xn = x.node();
    Tape<T>& tape = x.tape();
    Node<T>& y = tape.push("transpose", xn.cols(), xn.rows(), &x);
    transpose(xn.value.data(), xn.rows(), xn.cols(), y.value.data());
    y.backward = [](Node<T>& y) {
        Node<T>& x = y.parent(0);
        if (!x.requires_grad) return;
        y.saved.resize({x.rows(), x.cols()});
        transpose(y.grad.data(), y.rows(), y.cols(), y.saved.data());
        add_into(y.saved.size(), x.grad_acc(), y.saved.data());
    };
    return tape.var(y);
}

// sum: y = Σ_ij x_ij, x (m,n), y (1,1);  dx_ij += dy
template <class T>
Var<T> sum(const Var<T>& x) {
    const Node<T>& xn = x.node();
    Tape<T>& tape = x.tape();
    Node<T>& y = tape.push("sum", 1, 1, &x);
    y.value(0, 0) = sum_all(xn.value);
    y.backward = [](Node<T>& y) {
        Node<T>& x = y.parent(0);
        if (!x.requires_grad) return;
        const Pack<T> g(y.grad(0, 0));
        T* dx = x.grad_acc();
        map(x.value.size(), dx, [g](auto acc) { return acc + g; }, dx);
    };
    return tape.var(y);
}

// mean: y = Σ_ij x_ij / (mn);  dx_ij += dy / (mn)
template <class T>
Var<T> mean(const Var<T>& x) {
    return scale(sum(x), T(1) / static_cast<T>(x.node().value.size()));
}

// row_sums: y_i = Σ_j x_ij, x (m,n), y (m,1);  dx_ij += dy_i
template <class T>
Var<T> row_sums(const Var<T>& x) {
    const Node<T>& xn = x.node();
    Tape<T>& tape = x.tape();
    Node<T>& y = tape.push("row_sums", xn.rows(), 1, &x);
    row_sums(xn.value.data(), xn.rows(), xn.cols(), y.value.data());
    y.backward = [](Node<T>& y) {
        Node<T>& x = y.parent(0);
        if (!x.requires_grad) return;
        const std::size_t n = x.cols();
        T* dx = x.grad_acc();
        for_each_row(x.rows(), n, [&](std::size_t i) {
            const Pack<T> g(y.grad(i, 0));
            map_range(0, n, dx + i * n, [g](auto acc) { return acc + g; }, dx + i * n);
        });
    };
    return tape.var(y);
}

// col_sums: y_j = Σ_i x_ij, x (m,n), y (1,n);  dx_ij += dy_j
template <class T>
Var<T> col_sums(const Var<T>& x) {
    const Node<T>& xn = x.node();
    Tape<T>& tape = x.tape();
    Node<T>& y = tape.push("col_sums", 1, xn.cols(), &x);
    col_sums(xn.value.data(), xn.rows(), xn.cols(), y.value.data());
    y.backward = [](Node<T>& y) {
        Node<T>& x = y.parent(0);
        if (!x.requires_grad) return;
        const std::size_t n = x.cols();
        T* dx = x.grad_acc();
        const T* dy = y.grad.data();
        for_each_row(x.rows(), n, [&](std::size_t i) {
            map_range(0, n, dx + i * n, [](auto acc, auto g) { return acc + g; }, dx + i * n, dy);
        });
    };
    return tape.var(y);
}

// broadcast: x (1,1), (1,n) or (m,1) repeated to y (m,n);  dx += dy summed over the repeats.
template <class T>
Var<T> broadcast(const Var<T>& x, std::size_t rows, std::size_t cols) {
    const Node<T>& xn = x.node();
    const bool scalar = xn.rows() == 1 && xn.cols() == 1;
    const bool row = scalar || (xn.rows() == 1 && xn.cols() == cols);
    const bool col = scalar || (xn.cols() == 1 && xn.rows() == rows);
    if (!row && !col)
        throw ShapeError(fmt::format("broadcast: {} cannot be repeated to {}; expected (1,1), {} or {}",
                                     shape_str(xn.value), shape_str(rows, cols), shape_str(1, cols),
                                     shape_str(rows, 1)));
    if (rows == 0 || cols == 0)
        throw ValueError(fmt::format("broadcast: target shape {} is empty", shape_str(rows, cols)));
    Tape<T>& tape = x.tape();
    Node<T>& y = tape.push("broadcast", rows, cols, &x);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) y.value(i, j) = xn.value(row ? 0 : i, col ? 0 : j);
    y.backward = [](Node<T>& y) {
        Node<T>& x = y.parent(0);
        if (!x.requires_grad) return;
        // The sums over the repeats go to y.scratch, x's shape, kept across steps like the node's value.
        const Bcast bc = x.rows() == 1 && x.cols() == 1 ? Bcast::scalar : x.rows() == 1 ? Bcast::row : Bcast::col;
        add_reduced(bc, y.rows(), y.cols(), y.grad.data(), false, y.scratch, x.grad_acc());
    };
    return tape.var(y);
}

#define AD_INSTANTIATE(T)                                                           \
    template Var<T> matmul<T>(const Var<T>&, const Var<T>&, Trans, Trans);          \
    template Var<T> transpose<T>(const Var<T>&);                                    \
    template Var<T> sum<T>(const Var<T>&);                                          \
    template Var<T> mean<T>(const Var<T>&);                                         \
    template Var<T> row_sums<T>(const Var<T>&);                                     \
    template Var<T> col_sums<T>(const Var<T>&);                                     \
    template Var<T> broadcast<T>(const Var<T>&, std::size_t, std::size_t);
AD_INSTANTIATE(float)
AD_INSTANTIATE(double)
#undef AD_INSTANTIATE

}  // namespace ad
