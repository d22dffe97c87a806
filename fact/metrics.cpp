// Comparing matrices (docs/MATH.md §4): pearson, cosine and relative error over the d² entries (or the
// d² − d off-diagonal ones). The matrices are d×d with d a layer width, so plain loops in double suffice.
#include "fact/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "autodiff/error.hpp"

namespace fact {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Checks the pair for the metric `op` and returns the entries it compares, row-major, diagonal skipped
// when off_diagonal is set. A and B give (a, b) of equal length.
struct Entries {
    std::vector<double> a, b;
};

Entries entries_compared(const char* op, const Matrix& A, const Matrix& B, bool off_diagonal) {
    if (A.shape() != B.shape())
        throw ad::ShapeError(fmt::format("{}: {} and {} differ", op, ad::shape_str(A), ad::shape_str(B)));
    if (A.size() == 0)
        throw ad::ValueError(fmt::format("{}: empty {} matrices; expected at least one entry", op, ad::shape_str(A)));
    if (off_diagonal && A.shape(0) != A.shape(1))
        throw ad::ShapeError(fmt::format("{}: off_diagonal needs square matrices, got {}", op, ad::shape_str(A)));
    if (off_diagonal && A.shape(0) < 2)
        throw ad::ShapeError(fmt::format("{}: off_diagonal needs d >= 2, got {}: no entry off the diagonal", op,
                                         ad::shape_str(A)));
    Entries e;
    e.a.reserve(A.size());
    e.b.reserve(A.size());
    for (std::size_t i = 0; i < A.shape(0); ++i)
        for (std::size_t j = 0; j < A.shape(1); ++j) {
            if (off_diagonal && i == j) continue;
            e.a.push_back(A(i, j));
            e.b.push_back(B(i, j));
        }
    return e;
}

// x ← x − x̄. Returns false when the entries are all equal: then x − x̄ is zero in exact arithmetic, but
// Σx/n need not round back to the common value, and the rounding noise would pass for a signal.
bool center(std::vector<double>& x) {
    const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
    if (*lo == *hi) return false;
    double sum = 0;
    for (double v : x) sum += v;
    const double mean = sum / static_cast<double>(x.size());
    for (double& v : x) v -= mean;
    return true;
}

double dot(const std::vector<double>& x, const std::vector<double>& y) {
    double s = 0;
    for (std::size_t k = 0; k < x.size(); ++k) s += x[k] * y[k];
    return s;
}

// ⟨x, y⟩ / (‖x‖ ‖y‖), NaN when either norm is zero. Clamped to [-1, 1], which rounding can leave.
double normalized_inner(const std::vector<double>& x, const std::vector<double>& y) {
    const double nx = std::sqrt(dot(x, x)), ny = std::sqrt(dot(y, y));
    if (nx == 0 || ny == 0) return nan;
    return std::clamp(dot(x, y) / (nx * ny), -1.0, 1.0);
}

}  // namespace

// A, B (r,c) -> ⟨A − ā, B − b̄⟩_F / (‖A − ā‖_F ‖B − b̄‖_F); NaN when A or B is constant on the entries used.
double pearson(const Matrix& A, const Matrix& B, bool off_diagonal) {
    Entries e = entries_compared("pearson", A, B, off_diagonal);
    if (!center(e.a) || !center(e.b)) return nan;
    return normalized_inner(e.a, e.b);
}

// A, B (r,c) -> ⟨A, B⟩_F / (‖A‖_F ‖B‖_F); NaN when A or B is zero on the entries used.
double cosine(const Matrix& A, const Matrix& B, bool off_diagonal) {
    const Entries e = entries_compared("cosine", A, B, off_diagonal);
    return normalized_inner(e.a, e.b);
}

// A, B (r,c) -> ‖A − B‖_F / ‖A‖_F with A the reference. ‖A‖ = 0: 0 if B = A = 0 too, else NaN (no scale
// to measure the error against).
double relerr(const Matrix& A, const Matrix& B, bool off_diagonal) {
    const Entries e = entries_compared("relerr", A, B, off_diagonal);
    double diff2 = 0;
    for (std::size_t k = 0; k < e.a.size(); ++k) diff2 += (e.a[k] - e.b[k]) * (e.a[k] - e.b[k]);
    const double ref = std::sqrt(dot(e.a, e.a));
    if (ref == 0) return diff2 == 0 ? 0.0 : nan;
    return std::sqrt(diff2) / ref;
}

}  // namespace fact
