// Generators: see generators.hpp. Each draws from one data::Rng(seed) in a fixed order.
#include "data/generators.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "data/error.hpp"
#include "data/random.hpp"
#include "data/transforms.hpp"

namespace data {

namespace {

// b⁻¹ mod p by the extended Euclidean algorithm; 0 when b has no inverse.
std::size_t inverse_mod(std::size_t b, std::size_t p) {
    long long r0 = static_cast<long long>(p), r1 = static_cast<long long>(b % p), t0 = 0, t1 = 1;
    while (r1 != 0) {
        const long long q = r0 / r1;
        const long long r2 = r0 - q * r1, t2 = t0 - q * t1;
        r0 = r1;
        r1 = r2;
        t0 = t1;
        t1 = t2;
    }
    if (r0 != 1) return 0;
    const long long pl = static_cast<long long>(p);
    return static_cast<std::size_t>(((t0 % pl) + pl) % pl);
}

}  // namespace

Split modular_arithmetic(const ModularOptions& o) {
    if (o.p < 2) throw DataError(fmt::format("modular: p = {}; expected a modulus ≥ 2", o.p));
    if (!(o.train_fraction > 0.0 && o.train_fraction <= 1.0))
        throw DataError(fmt::format("modular: frac = {}; expected a train fraction in (0, 1]", o.train_fraction));
    // All pairs as X (2p columns) and one-hot Y (p columns), then train and test copies of them: 6p
    // doubles per pair at the peak, plus the pair lists and the permutation (6 words per pair).
    const double pairs_estimate = double(o.p) * double(o.p);
    check_memory(fmt::format("modular: p = {}", o.p), pairs_estimate * (6.0 * double(o.p) + 6.0) * 8.0,
                 "p² pairs of 2p inputs and p one-hot outputs, doubles, held twice while split");
    const std::size_t p = o.p;
    // All pairs in order a-major, with their answers.
    std::vector<std::size_t> as, bs, ys;
    for (std::size_t a = 0; a < p; ++a)
        for (std::size_t b = 0; b < p; ++b) {
            std::size_t y = 0;
            switch (o.op) {
                case ModOp::add: y = (a + b) % p; break;
                case ModOp::sub: y = (a + p - b) % p; break;
                case ModOp::mul: y = (a * b) % p; break;
                case ModOp::div: {
                    if (b == 0) continue;
                    const std::size_t inv = inverse_mod(b, p);
                    if (inv == 0)
                        throw DataError(fmt::format("modular: op=div needs a prime modulus; {} has no inverse "
                                                    "mod {}",
                                                    b, p));
                    y = (a * inv) % p;
                    break;
                }
            }
            as.push_back(a);
            bs.push_back(b);
            ys.push_back(y);
        }
    const std::size_t pairs = as.size();
    Matrix X = Matrix::from_shape({pairs, 2 * p});
    X.fill(0.0);
    for (std::size_t i = 0; i < pairs; ++i) {
        X(i, as[i]) = 1.0;       // e_a
        X(i, p + bs[i]) = 1.0;   // ⊕ e_b
    }
    Dataset all = make_classification(fmt::format("modular-{}-{}", to_string(o.op), p), std::move(X), ys, p);

    Rng rng(o.seed);
    const std::vector<std::size_t> perm = rng.permutation(pairs);
    const auto n_train = static_cast<std::size_t>(std::llround(o.train_fraction * double(pairs)));
    const std::vector<std::size_t> train(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(n_train));
    const std::vector<std::size_t> test(perm.begin() + static_cast<std::ptrdiff_t>(n_train), perm.end());
    return {take_rows(all, train), take_rows(all, test)};
}

std::vector<std::size_t> parity_support(const ParityOptions& o) {
    if (o.d == 0) throw DataError("parity: d = 0; expected at least one coordinate");
    if (!o.support.empty()) {
        std::vector<std::size_t> s = o.support;
        std::sort(s.begin(), s.end());
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] >= o.d)
                throw DataError(fmt::format("parity: support coordinate {} is out of range for d = {}", s[i], o.d));
            if (i > 0 && s[i] == s[i - 1])
                throw DataError(fmt::format("parity: support coordinate {} appears twice", s[i]));
        }
        return o.support;
    }
    if (o.k == 0 || o.k > o.d)
        throw DataError(fmt::format("parity: k = {}; expected 1 ≤ k ≤ d = {}", o.k, o.d));
    Rng rng(o.seed);
    std::vector<std::size_t> perm = rng.permutation(o.d);
    perm.resize(o.k);
    std::sort(perm.begin(), perm.end());
    return perm;
}

Dataset sparse_parity(const ParityOptions& o) {
    if (o.n > 0 && o.d > 0)
        check_memory(fmt::format("parity: n = {}, d = {}", o.n, o.d), double(o.n) * (double(o.d) + 4.0) * 8.0,
                     "n rows of d inputs and 2 outputs, doubles, and the labels");
    const std::vector<std::size_t> support = parity_support(o);
    if (o.n == 0) throw DataError("parity: n = 0; expected at least one sample");
    Rng rng(o.seed);
    if (o.support.empty()) rng.permutation(o.d);  // the draw of the support, so samples follow it
    Matrix X = Matrix::from_shape({o.n, o.d});
    std::vector<std::size_t> xor_bits(o.n);
    std::vector<unsigned char> bits(o.d);
    for (std::size_t i = 0; i < o.n; ++i) {
        for (std::size_t j = 0; j < o.d; ++j) {
            bits[j] = static_cast<unsigned char>(rng.bits() >> 63);
            // {0,1} inputs are the bits; ±1 inputs are 1 − 2·bit, so the product of the inputs on the
            // support is 1 − 2·XOR (the ±1 target).
            X(i, j) = o.plus_minus_inputs ? 1.0 - 2.0 * bits[j] : double(bits[j]);
        }
        std::size_t x = 0;
        for (std::size_t s : support) x ^= bits[s];
        xor_bits[i] = x;
    }
    const std::string name = fmt::format("parity-d{}-k{}", o.d, support.size());
    if (o.target == ParityTarget::onehot) return make_classification(name, std::move(X), std::move(xor_bits), 2);
    Matrix Y = Matrix::from_shape({o.n, 1});
    for (std::size_t i = 0; i < o.n; ++i)
        Y(i, 0) = o.target == ParityTarget::zero_one ? double(xor_bits[i]) : 1.0 - 2.0 * double(xor_bits[i]);
    return make_regression(name, std::move(X), std::move(Y));
}

Dataset lowrank_polynomial(const LowRankOptions& o) {
    if (o.d < 6) throw DataError(fmt::format("lowrank: d = {}; expected d ≥ 6 (the target uses x₀, x₁, x₅)", o.d));
    if (o.n == 0) throw DataError("lowrank: n = 0; expected at least one sample");
    if (!(std::isfinite(o.noise) && o.noise >= 0))
        throw DataError(fmt::format("lowrank: noise = {}; expected a finite standard deviation ≥ 0", o.noise));
    check_memory(fmt::format("lowrank: n = {}, d = {}", o.n, o.d), double(o.n) * (double(o.d) + 1.0) * 8.0,
                 "n rows of d inputs and 1 target, doubles");
    Rng rng(o.seed);
    Matrix X = Matrix::from_shape({o.n, o.d}), Y = Matrix::from_shape({o.n, 1});
    for (std::size_t i = 0; i < o.n; ++i) {
        for (std::size_t j = 0; j < o.d; ++j) X(i, j) = rng.normal();
        Y(i, 0) = X(i, 0) * X(i, 1) * (X(i, 5) > 0 ? 1.0 : 0.0);
    }
    if (o.noise > 0)
        for (std::size_t i = 0; i < o.n; ++i) Y(i, 0) += o.noise * rng.normal();
    return make_regression(fmt::format("lowrank-d{}", o.d), std::move(X), std::move(Y));
}

Dataset gaussian_mixture(const MixtureOptions& o) {
    if (o.d == 0 || o.classes == 0 || o.n == 0)
        throw DataError(fmt::format("mixture: d = {}, classes = {}, n = {}; each must be ≥ 1", o.d, o.classes, o.n));
    if (!(std::isfinite(o.separation) && o.separation >= 0))
        throw DataError(fmt::format("mixture: sep = {}; expected a finite separation ≥ 0", o.separation));
    check_memory(fmt::format("mixture: n = {}, d = {}, classes = {}", o.n, o.d, o.classes),
                 2.0 * double(o.n) * (double(o.d) + double(o.classes) + 1.0) * 8.0 +
                     double(o.classes) * double(o.d) * 8.0,
                 "n rows of d inputs, one-hot outputs and a label, held twice while shuffled");
    Rng rng(o.seed);
    Matrix means = Matrix::from_shape({o.classes, o.d});
    for (double& m : means) m = o.separation * rng.normal();
    Matrix X = Matrix::from_shape({o.n, o.d});
    std::vector<std::size_t> labels(o.n);
    for (std::size_t i = 0; i < o.n; ++i) {
        labels[i] = i % o.classes;  // balanced classes, in random order after the shuffle below
        for (std::size_t j = 0; j < o.d; ++j) X(i, j) = means(labels[i], j) + rng.normal();
    }
    Dataset d = make_classification(fmt::format("mixture-d{}-c{}", o.d, o.classes), std::move(X), std::move(labels),
                                    o.classes);
    return take_rows(d, rng.permutation(o.n));
}

ModOp parse_mod_op(const std::string& name) {
    if (name == "add") return ModOp::add;
    if (name == "sub") return ModOp::sub;
    if (name == "mul") return ModOp::mul;
    if (name == "div") return ModOp::div;
    throw DataError("op '" + name + "': expected add, sub, mul or div");
}

std::string to_string(ModOp op) {
    switch (op) {
        case ModOp::add: return "add";
        case ModOp::sub: return "sub";
        case ModOp::mul: return "mul";
        case ModOp::div: return "div";
    }
    return "?";
}

}  // namespace data
