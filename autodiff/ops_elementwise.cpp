// Elementwise functions y = f(x). Each is one struct: the forward f and the derivative f' side by side,
// written for SIMD packs; `unary` records the node and runs both over the tensor. The backward of every
// one of them is the same chain rule, dx += dy ∘ f'(x), with f' free to use the output y (tanh, exp) and
// the op's constant k (scale, leaky_relu).
#include <cmath>

#include "autodiff/kernels/map.hpp"
#include "autodiff/ops.hpp"

namespace ad {

namespace {

template <class F, class T>
Var<T> unary(const Var<T>& x, T k = T(0)) {
    Tape<T>& tape = x.tape();
    const Node<T>& xn = x.node();
    Node<T>& y = tape.push(F::name, xn.rows(), xn.cols(), &x);
    y.constants[0] = k;
    const Pack<T> kp(k);
    map(y.value.size(), y.value.data(), [kp](auto v) { return F::f(v, kp); }, xn.value.data());
    y.backward = [](Node<T>& y) {
        Node<T>& x = y.parent(0);
        if (!x.requires_grad) return;
        const Pack<T> kp(y.constants[0]);
        T* dx = x.grad_acc();
        map(y.value.size(), dx,
            [kp](auto acc, auto dy, auto xv, auto yv) { return xsimd::fma(dy, F::df(xv, yv, kp), acc); }, dx,
            y.grad.data(), x.value.data(), y.value.data());
    };
    return tape.var(y);
}

// y = f(x; k) and f'(x) from x, y and k. P is a SIMD pack.
struct Identity {
    static constexpr const char* name = "identity";
    template <class P> static P f(P x, P) { return x; }
    template <class P> static P df(P, P, P) { return P(1); }
};
struct Neg {
    static constexpr const char* name = "neg";
    template <class P> static P f(P x, P) { return -x; }
    template <class P> static P df(P, P, P) { return P(-1); }
};
struct Scale {
    static constexpr const char* name = "scale";
    template <class P> static P f(P x, P k) { return k * x; }
    template <class P> static P df(P, P, P k) { return k; }
};
struct Shift {
    static constexpr const char* name = "shift";
    template <class P> static P f(P x, P k) { return x + k; }
    template <class P> static P df(P, P, P) { return P(1); }
};
struct Exp {
    static constexpr const char* name = "exp";
    template <class P> static P f(P x, P) { return xsimd::exp(x); }
    template <class P> static P df(P, P y, P) { return y; }
};
struct Log {
    static constexpr const char* name = "log";
    template <class P> static P f(P x, P) { return xsimd::log(x); }
    template <class P> static P df(P x, P, P) { return P(1) / x; }
};
struct Sqrt {
    static constexpr const char* name = "sqrt";
    template <class P> static P f(P x, P) { return xsimd::sqrt(x); }
    template <class P> static P df(P, P y, P) { return P(0.5) / y; }
};
struct Square {
    static constexpr const char* name = "square";
    template <class P> static P f(P x, P) { return x * x; }
    template <class P> static P df(P x, P, P) { return x + x; }
};
struct Abs {
    static constexpr const char* name = "abs";
    template <class P> static P f(P x, P) { return xsimd::abs(x); }
    template <class P> static P df(P x, P, P) {
        return xsimd::select(x > P(0), P(1), xsimd::select(x < P(0), P(-1), P(0)));
    }
};
struct Relu {
    static constexpr const char* name = "relu";
    template <class P> static P f(P x, P) { return xsimd::select(x > P(0), x, P(0)); }
    template <class P> static P df(P x, P, P) { return xsimd::select(x > P(0), P(1), P(0)); }
};
struct LeakyRelu {
    static constexpr const char* name = "leaky_relu";
    template <class P> static P f(P x, P k) { return xsimd::select(x > P(0), x, k * x); }
    template <class P> static P df(P x, P, P k) { return xsimd::select(x > P(0), P(1), k); }
};
struct Tanh {
    static constexpr const char* name = "tanh";
    template <class P> static P f(P x, P) { return xsimd::tanh(x); }
    template <class P> static P df(P, P y, P) { return P(1) - y * y; }
};
struct Sigmoid {
    static constexpr const char* name = "sigmoid";
    template <class P> static P f(P x, P) { return P(1) / (P(1) + xsimd::exp(-x)); }
    template <class P> static P df(P, P y, P) { return y * (P(1) - y); }
};
struct Softplus {  // log(1 + e^x) = max(x, 0) + log(1 + e^{−|x|}): no overflow for large x
    static constexpr const char* name = "softplus";
    template <class P> static P f(P x, P) { return xsimd::max(x, P(0)) + xsimd::log1p(xsimd::exp(-xsimd::abs(x))); }
    template <class P> static P df(P x, P, P) { return P(1) / (P(1) + xsimd::exp(-x)); }
};
struct Gelu {  // x·Φ(x), Φ(x) = (1 + erf(x/√2))/2;  f'(x) = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π)
    static constexpr const char* name = "gelu";
    static constexpr double inv_sqrt2 = 0.70710678118654752440;
    static constexpr double inv_sqrt_2pi = 0.39894228040143267794;
    template <class P> static P f(P x, P) { return P(0.5) * x * (P(1) + xsimd::erf(x * P(inv_sqrt2))); }
    template <class P> static P df(P x, P, P) {
        const P cdf = P(0.5) * (P(1) + xsimd::erf(x * P(inv_sqrt2)));
        return cdf + x * P(inv_sqrt_2pi) * xsimd::exp(P(-0.5) * x * x);
    }
};

// x^p. For an integer p, |x|^p carrying the sign of x when p is odd, so x³ and x⁻² work for negative x;
// otherwise x^p as std::pow (NaN for x < 0). parity: −1 odd integer, +1 even integer, 0 not an integer.
template <class P, class T>
P power(P x, T p, T parity) {
    if (parity == T(0)) return xsimd::pow(x, P(p));
    const P r = xsimd::pow(xsimd::abs(x), P(p));
    return parity < T(0) ? xsimd::select(x < P(0), -r, r) : r;
}

}  // namespace

template <class T> Var<T> identity(const Var<T>& x) { return unary<Identity>(x); }
template <class T> Var<T> watch(const Var<T>& x) {
    Var<T> y = unary<Identity>(x);
    y.node().requires_grad = x.tape().recording();
    return y;
}
template <class T> Var<T> neg(const Var<T>& x) { return unary<Neg>(x); }
template <class T> Var<T> scale(const Var<T>& x, Scalar<T> c) { return unary<Scale>(x, c); }
template <class T> Var<T> shift(const Var<T>& x, Scalar<T> c) { return unary<Shift>(x, c); }
template <class T> Var<T> exp(const Var<T>& x) { return unary<Exp>(x); }
template <class T> Var<T> log(const Var<T>& x) { return unary<Log>(x); }
template <class T> Var<T> sqrt(const Var<T>& x) { return unary<Sqrt>(x); }
template <class T> Var<T> square(const Var<T>& x) { return unary<Square>(x); }
template <class T> Var<T> abs(const Var<T>& x) { return unary<Abs>(x); }
template <class T> Var<T> relu(const Var<T>& x) { return unary<Relu>(x); }
template <class T> Var<T> leaky_relu(const Var<T>& x, Scalar<T> slope) { return unary<LeakyRelu>(x, slope); }
template <class T> Var<T> tanh(const Var<T>& x) { return unary<Tanh>(x); }
template <class T> Var<T> sigmoid(const Var<T>& x) { return unary<Sigmoid>(x); }
template <class T> Var<T> softplus(const Var<T>& x) { return unary<Softplus>(x); }
template <class T> Var<T> gelu(const Var<T>& x) { return unary<Gelu>(x); }

// pow: y = x^p,  dx += dy · p·x^{p−1}
template <class T>
Var<T> pow(const Var<T>& x, Scalar<T> p) {
    Tape<T>& tape = x.tape();
    const Node<T>& xn = x.node();
    Node<T>& y = tape.push("pow", xn.rows(), xn.cols(), &x);
    const bool integer = std::isfinite(p) && std::nearbyint(p) == p;
    const T parity = !integer ? T(0) : std::fmod(p, T(2)) == T(0) ? T(1) : T(-1);
    y.constants = {p, parity};
    map(y.value.size(), y.value.data(), [p, parity](auto v) { return power(v, p, parity); }, xn.value.data());
    y.backward = [](Node<T>& y) {
        Node<T>& x = y.parent(0);
        if (!x.requires_grad) return;
        const T p = y.constants[0], parity = y.constants[1];
        T* dx = x.grad_acc();
        map(y.value.size(), dx,
            [p, parity](auto acc, auto dy, auto xv) {
                using P = decltype(xv);
                return xsimd::fma(dy, P(p) * power(xv, p - T(1), -parity), acc);
            },
            dx, y.grad.data(), x.value.data());
    };
    return tape.var(y);
}

#define AD_INSTANTIATE(T)                                          \
    template Var<T> identity<T>(const Var<T>&);                    \
    template Var<T> watch<T>(const Var<T>&);                       \
    template Var<T> neg<T>(const Var<T>&);                         \
    template Var<T> scale<T>(const Var<T>&, Scalar<T>);            \
    template Var<T> shift<T>(const Var<T>&, Scalar<T>);            \
    template Var<T> exp<T>(const Var<T>&);                         \
    template Var<T> log<T>(const Var<T>&);                         \
    template Var<T> sqrt<T>(const Var<T>&);                        \
    template Var<T> pow<T>(const Var<T>&, Scalar<T>);              \
    template Var<T> square<T>(const Var<T>&);                      \
    template Var<T> abs<T>(const Var<T>&);                         \
    template Var<T> relu<T>(const Var<T>&);                        \
    template Var<T> leaky_relu<T>(const Var<T>&, Scalar<T>);       \
    template Var<T> tanh<T>(const Var<T>&);                        \
    template Var<T> sigmoid<T>(const Var<T>&);                     \
    template Var<T> softplus<T>(const Var<T>&);                    \
    template Var<T> gelu<T>(const Var<T>&);
AD_INSTANTIATE(float)
AD_INSTANTIATE(double)
#undef AD_INSTANTIATE

}  // namespace ad
