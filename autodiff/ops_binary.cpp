// Binary entrywise ops y = f(a, b) with an explicit broadcast of b (see Bcast in ops.hpp). Each op is one
// struct with f and its two partial derivatives; `binary` records the node. Backward:
//   da += dy ∘ ∂f/∂a                                   (a always has the shape of y)
//   db += dy ∘ ∂f/∂b, summed over the axis b was repeated along (col_sums for a row vector b,
//         row_sums for a column vector, everything for a scalar): the adjoint of broadcasting.
#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "autodiff/kernels/map.hpp"
#include "autodiff/kernels/reduce.hpp"
#include "autodiff/ops.hpp"

namespace ad {

namespace {

// linear_sign: ±1 when f = a ± b, whose partial derivatives are the constants 1 and ±1; then backward adds
// dy (or −dy) without the products by constants: into a's gradient directly, and for b through one sum of dy
// over the repeats (no full-size scratch). The results are bitwise those of the general path.
struct Add {  // a + b
    static constexpr const char* name = "add";
    static constexpr int linear_sign = 1;
    template <class P> static P f(P a, P b) { return a + b; }
    template <class P> static P da(P, P, P) { return P(1); }
    template <class P> static P db(P, P, P) { return P(1); }
};
struct Sub {  // a − b
    static constexpr const char* name = "sub";
    static constexpr int linear_sign = -1;
    template <class P> static P f(P a, P b) { return a - b; }
    template <class P> static P da(P, P, P) { return P(1); }
    template <class P> static P db(P, P, P) { return P(-1); }
};
struct Mul {  // a·b
    static constexpr const char* name = "mul";
    static constexpr int linear_sign = 0;
    template <class P> static P f(P a, P b) { return a * b; }
    template <class P> static P da(P, P b, P) { return b; }
    template <class P> static P db(P a, P, P) { return a; }
};
struct Div {  // a/b:  ∂/∂a = 1/b,  ∂/∂b = −a/b² = −y/b
    static constexpr const char* name = "div";
    static constexpr int linear_sign = 0;
    template <class P> static P f(P a, P b) { return a / b; }
    template <class P> static P da(P, P b, P) { return P(1) / b; }
    template <class P> static P db(P, P b, P y) { return -y / b; }
};

const char* bcast_name(Bcast bc) {
    switch (bc) {
        case Bcast::none: return "none";
        case Bcast::row: return "row";
        case Bcast::col: return "col";
        case Bcast::scalar: return "scalar";
    }
    return "?";
}

// The shape b must have to be spread over a (m,n) with bc.
Shape bcast_shape(Bcast bc, std::size_t m, std::size_t n) {
    switch (bc) {
        case Bcast::row: return {1, n};
        case Bcast::col: return {m, 1};
        case Bcast::scalar: return {1, 1};
        case Bcast::none: break;
    }
    return {m, n};
}

// db ±= dy (summed over the repeats when b is broadcast): the backward of b in a ± b.
template <class T>
void linear_b_backward(int sign, Bcast bc, std::size_t m, std::size_t n, const T* dy, Node<T>& b, Node<T>& y) {
    if (bc != Bcast::none) {
        add_reduced(bc, m, n, dy, sign < 0, y.scratch, b.grad_acc());
        return;
    }
    T beta;
    T* db = b.grad_out(beta);
    if (beta == T(0)) {
        if (sign > 0) map(m * n, db, [](auto g) { return g; }, dy);
        else map(m * n, db, [](auto g) { return -g; }, dy);
    } else {
        if (sign > 0) map(m * n, db, [](auto acc, auto g) { return acc + g; }, db, dy);
        else map(m * n, db, [](auto acc, auto g) { return acc - g; }, db, dy);
    }
}

template <class F, class T>
Var<T> binary(const Var<T>& a, const Var<T>& b, Bcast bc) {
    const Node<T>& an = a.node();
    const Node<T>& bn = b.node();
    const std::size_t m = an.rows(), n = an.cols();
    const Shape want = bcast_shape(bc, m, n);
    if (bn.rows() != want[0] || bn.cols() != want[1])
        throw ShapeError(fmt::format("{}: {} and {} with broadcast '{}': the second operand must be {}{}", F::name,
                                     shape_str(an.value), shape_str(bn.value), bcast_name(bc),
                                     shape_str(want[0], want[1]),
                                     bc == Bcast::none ? " (pass Bcast::row, col or scalar to broadcast)" : ""));
    Tape<T>& tape = a.tape();
    Node<T>& y = tape.push(F::name, m, n, &a, &b);
    y.flags = static_cast<int>(bc);
    T* yv = y.value.data();
    const T* av = an.value.data();
    map_bcast(bc, m, n, yv, [](auto u, auto v) { return F::f(u, v); }, av, bn.value.data());

    y.backward = [](Node<T>& y) {
        Node<T>& a = y.parent(0);
        Node<T>& b = y.parent(1);
        const Bcast bc = static_cast<Bcast>(y.flags);
        const std::size_t m = y.rows(), n = y.cols();
        const T *dy = y.grad.data(), *av = a.value.data(), *yv = y.value.data();
        if constexpr (F::linear_sign != 0) {
            if (a.requires_grad) {  // da += dy, or da = dy when a has no gradient yet
                T beta;
                T* da = a.grad_out(beta);
                if (beta == T(0)) map(m * n, da, [](auto g) { return g; }, dy);
                else map(m * n, da, [](auto acc, auto g) { return acc + g; }, da, dy);
            }
            if (b.requires_grad) linear_b_backward<T>(F::linear_sign, bc, m, n, dy, b, y);
            return;
        }
        if (a.requires_grad) {
            T* da = a.grad_acc();
            for_each_row_bcast(
                bc, m, n, b.value.data(),
                [&](std::size_t i, const T* bi) {
                    const std::size_t o = i * n;
                    map_range(0, n, da + o,
                              [](auto acc, auto g, auto u, auto v, auto w) { return xsimd::fma(g, F::da(u, v, w), acc); },
                              da + o, dy + o, av + o, bi, yv + o);
                },
                [&](std::size_t i, Pack<T> bk) {
                    const std::size_t o = i * n;
                    map_range(0, n, da + o,
                              [bk](auto acc, auto g, auto u, auto w) { return xsimd::fma(g, F::da(u, bk, w), acc); },
                              da + o, dy + o, av + o, yv + o);
                });
        }
        if (b.requires_grad) {
            // dy ∘ ∂f/∂b at full shape: straight into b's gradient when b is not broadcast, otherwise into
            // a scratch buffer (y.saved, reused across steps) that is then summed over the repeats.
            T* db = b.grad_acc();
            T* out = db;
            if (bc != Bcast::none) {
                y.saved.resize({m, n});
                out = y.saved.data();
            }
            const bool accumulate = bc == Bcast::none;
            for_each_row_bcast(
                bc, m, n, b.value.data(),
                [&](std::size_t i, const T* bi) {
                    const std::size_t o = i * n;
                    if (accumulate)
                        map_range(0, n, out + o,
                                  [](auto acc, auto g, auto u, auto v, auto w) { return xsimd::fma(g, F::db(u, v, w), acc); },
                                  out + o, dy + o, av + o, bi, yv + o);
                    else
                        map_range(0, n, out + o, [](auto g, auto u, auto v, auto w) { return g * F::db(u, v, w); },
                                  dy + o, av + o, bi, yv + o);
                },
                [&](std::size_t i, Pack<T> bk) {
                    const std::size_t o = i * n;
                    map_range(0, n, out + o, [bk](auto g, auto u, auto w) { return g * F::db(u, bk, w); }, dy + o,
                              av + o, yv + o);
                });
            // The sums over the repeats go to y.scratch, b's shape, which is also kept across steps.
            if (bc != Bcast::none) add_reduced(bc, m, n, out, false, y.scratch, db);
        }
    };
    return tape.var(y);
}

}  // namespace

template <class T> Var<T> add(const Var<T>& a, const Var<T>& b, Bcast bc) { return binary<Add>(a, b, bc); }
template <class T> Var<T> sub(const Var<T>& a, const Var<T>& b, Bcast bc) { return binary<Sub>(a, b, bc); }
template <class T> Var<T> mul(const Var<T>& a, const Var<T>& b, Bcast bc) { return binary<Mul>(a, b, bc); }
template <class T> Var<T> div(const Var<T>& a, const Var<T>& b, Bcast bc) { return binary<Div>(a, b, bc); }

#define AD_INSTANTIATE(T)                                               \
    template Var<T> add<T>(const Var<T>&, const Var<T>&, Bcast);        \
    template Var<T> sub<T>(const Var<T>&, const Var<T>&, Bcast);        \
    template Var<T> mul<T>(const Var<T>&, const Var<T>&, Bcast);        \
    template Var<T> div<T>(const Var<T>&, const Var<T>&, Bcast);
AD_INSTANTIATE(float)
AD_INSTANTIATE(double)
#undef AD_INSTANTIATE

}  // namespace ad
