/// \file
/// The seeded generator of a run. mt19937_64 is specified bit for bit by the C++ standard, but the
/// standard distributions are not (libstdc++ and libc++ differ), so the conversions to uniform and
/// normal numbers are written here: the same seed gives the same data on every platform.
#pragma once

// Any header that opens `namespace data` includes xtensor first: xtl (under xtensor) calls an unqualified
// data(...) in a template, which fails to parse if a namespace named `data` is already declared.
#include <xtensor/xtensor.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace data {

/// The seeded random generator: mt19937_64 with portable uniform and normal conversions.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}  ///< the stream of this seed

    std::uint64_t bits() { return engine_(); }  ///< 64 raw random bits
    /// Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }  ///< uniform in [lo, hi)
    /// Uniform integer in [0, n) without modulo bias (rejection), n ≥ 1.
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        std::uint64_t r;
        do r = engine_(); while (r >= limit);
        return r % n;
    }
    /// Standard normal by Box–Muller (one value per call; the pair's second value is kept for the next).
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u1;
        do u1 = uniform(); while (u1 == 0.0);
        const double u2 = uniform(), r = std::sqrt(-2.0 * std::log(u1)), t = 6.283185307179586476925 * u2;
        spare_ = r * std::sin(t);
        has_spare_ = true;
        return r * std::cos(t);
    }
    /// Fisher–Yates shuffle.
    template <class T>
    void shuffle(std::vector<T>& v) {
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
    }
    /// 0..n−1 in random order.
    std::vector<std::size_t> permutation(std::size_t n) {
        std::vector<std::size_t> p(n);
        for (std::size_t i = 0; i < n; ++i) p[i] = i;
        shuffle(p);
        return p;
    }

private:
    std::mt19937_64 engine_;
    double spare_ = 0;
    bool has_spare_ = false;
};

}  // namespace data
