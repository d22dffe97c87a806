// Seeded generators for the paper's synthetic tasks (MATH.md section 6): modular arithmetic, sparse
// parity, a low-rank polynomial regression target, Gaussian mixtures. Same options and seed, same data,
// bit for bit, on every platform (data::Rng).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace data {

enum class ModOp { add, sub, mul, div };

/// "add" | "sub" | "mul" | "div"; DataError listing them otherwise.
ModOp parse_mod_op(const std::string& name);
std::string to_string(ModOp op);

struct ModularOptions {
    std::size_t p = 61;           // the modulus (a prime for div)
    ModOp op = ModOp::add;
    double train_fraction = 0.5;  // of all pairs, chosen at random
    std::uint64_t seed = 0;
};

/// Every pair (a, b) once (b ≠ 0 for div), input e_a ⊕ e_b ∈ R^{2p}, target one-hot of (a op b) mod p,
/// p classes. The pairs are shuffled and split into train/test by train_fraction.
Split modular_arithmetic(const ModularOptions& options);

enum class ParityTarget { onehot, zero_one, plus_minus };

struct ParityOptions {
    std::size_t d = 50;
    std::size_t k = 4;                      // support size when `support` is empty (k random coordinates)
    std::vector<std::size_t> support;       // the coordinates whose XOR is the label
    std::size_t n = 25000;
    bool plus_minus_inputs = false;         // x ∈ {−1, 1}^d instead of {0, 1}^d
    ParityTarget target = ParityTarget::onehot;  // onehot: 2-class classification; else 1-column regression
    std::uint64_t seed = 0;
};

/// x uniform on {0,1}^d (or {−1,1}^d), label = XOR of x on the support.
Dataset sparse_parity(const ParityOptions& options);
/// The support actually used (the given one, or the k coordinates drawn from the seed).
std::vector<std::size_t> parity_support(const ParityOptions& options);

struct LowRankOptions {
    std::size_t d = 20;
    std::size_t n = 4000;
    double noise = 0.0;                     // std of Gaussian noise added to y
    std::uint64_t seed = 0;
};

/// x ~ N(0, I_d), y = x₀·x₁·1[x₅ > 0] + noise (d ≥ 6): a target of rank 3 in x.
Dataset lowrank_polynomial(const LowRankOptions& options);

struct MixtureOptions {
    std::size_t d = 2;
    std::size_t classes = 3;
    std::size_t n = 600;
    double separation = 3.0;                // class means ~ N(0, separation² I), samples ~ N(mean, I)
    std::uint64_t seed = 0;
};

Dataset gaussian_mixture(const MixtureOptions& options);

}  // namespace data
