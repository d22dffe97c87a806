/// \file
/// Seeded generators for the paper's synthetic tasks (docs/MATH.md §6): modular arithmetic, sparse
/// parity, a low-rank polynomial regression target, Gaussian mixtures. Same options and seed, same data,
/// bit for bit, on every platform (data::Rng).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace data {

/// The operation of modular arithmetic: (a op b) mod p.
enum class ModOp { add, sub, mul, div };

/// "add" | "sub" | "mul" | "div"; DataError listing them otherwise.
ModOp parse_mod_op(const std::string& name);
std::string to_string(ModOp op);  ///< the name parse_mod_op reads

/// Options of modular_arithmetic (the dataset string `modular:p=61,op=add,frac=0.5`).
struct ModularOptions {
    std::size_t p = 61;           ///< the modulus (a prime for div)
    ModOp op = ModOp::add;        ///< the operation
    double train_fraction = 0.5;  ///< of all pairs, chosen at random
    std::uint64_t seed = 0;       ///< the shuffle of the pairs
};

/// Every pair (a, b) once (b ≠ 0 for div), input e_a ⊕ e_b ∈ R^{2p}, target one-hot of (a op b) mod p,
/// p classes. The pairs are shuffled and split into train/test by train_fraction. X is (p², 2p)
/// ((p(p−1), 2p) for div) before the split.
/// \throws DataError for p < 2, a train_fraction outside (0, 1], div with a modulus that is not prime, or a
///         dataset larger than the memory budget (check_memory; 48p³ bytes at the peak).
Split modular_arithmetic(const ModularOptions& options);

/// Y of sparse_parity: 2-class one-hot rows, or one column of 0/1 or ±1 regression targets.
enum class ParityTarget { onehot, zero_one, plus_minus };

/// Options of sparse_parity (the dataset string `parity:d=50,k=4,n=25000`).
struct ParityOptions {
    std::size_t d = 50;                     ///< input dimension
    std::size_t k = 4;                      ///< support size when `support` is empty (k random coordinates)
    std::vector<std::size_t> support;       ///< the coordinates whose XOR is the label
    std::size_t n = 25000;                  ///< samples
    bool plus_minus_inputs = false;         ///< x ∈ {−1, 1}^d instead of {0, 1}^d
    ParityTarget target = ParityTarget::onehot;  ///< onehot: 2-class classification; else 1-column regression
    std::uint64_t seed = 0;                 ///< the samples (and the support when it is drawn)
};

/// x uniform on {0,1}^d (or {−1,1}^d), label = XOR of x on the support. X is (n, d).
/// \throws DataError for d = 0, n = 0, k outside 1..d, a support coordinate ≥ d or given twice, or a
///         dataset larger than the memory budget (check_memory).
Dataset sparse_parity(const ParityOptions& options);
/// The support actually used (the given one, or the k coordinates drawn from the seed).
/// \throws DataError as sparse_parity for a bad d, k or support.
std::vector<std::size_t> parity_support(const ParityOptions& options);

/// Options of lowrank_polynomial (the dataset string `lowrank:d=20,n=4000`).
struct LowRankOptions {
    std::size_t d = 20;                     ///< input dimension (≥ 6)
    std::size_t n = 4000;                   ///< samples
    double noise = 0.0;                     ///< std of Gaussian noise added to y
    std::uint64_t seed = 0;                 ///< the samples
};

/// x ~ N(0, I_d), y = x₀·x₁·1[x₅ > 0] + noise (d ≥ 6): a target of rank 3 in x. X (n, d), Y (n, 1).
/// \throws DataError for d < 6, n = 0, a noise that is negative or not finite, or a dataset larger than the
///         memory budget (check_memory).
Dataset lowrank_polynomial(const LowRankOptions& options);

/// Options of gaussian_mixture (the dataset string `mixture:d=2,classes=3,n=600`).
struct MixtureOptions {
    std::size_t d = 2;                      ///< input dimension
    std::size_t classes = 3;                ///< number of Gaussians, one class each
    std::size_t n = 600;                    ///< samples
    double separation = 3.0;                ///< class means ~ N(0, separation² I), samples ~ N(mean, I)
    std::uint64_t seed = 0;                 ///< the means and the samples
};

/// Gaussian mixture classification: X (n, d), labels in 0..classes−1.
/// \throws DataError if d, classes or n is 0, the separation is negative or not finite, or the dataset is
///         larger than the memory budget (check_memory).
Dataset gaussian_mixture(const MixtureOptions& options);

}  // namespace data
