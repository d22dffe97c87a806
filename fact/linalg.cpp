// Symmetric matrix functions (docs/MATH.md §3): S^p = U diag(σ^p) Uᵀ from LAPACK's dsyevd, and the
// kernel ridge regression solve of docs/MATH.md §5.2 (dposv, dsysv, dgelsd).
// The only translation unit of the library that includes <lapacke.h>: every LAPACK call is here.
#include "fact/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <lapacke.h>

#include "autodiff/error.hpp"
#include "autodiff/kernels/cholesky.hpp"
#include "autodiff/kernels/gemm.hpp"
#include "autodiff/kernels/map.hpp"
#include "autodiff/parallel.hpp"

namespace fact {

namespace {

template <class T>
void require_square(const char* op, const ad::Tensor<T>& S) {
    if (S.shape(0) != S.shape(1))
        throw ad::ShapeError(fmt::format("{}: expected a square matrix, got {}", op, ad::shape_str(S)));
}

}  // namespace

// S (d,d) -> (S + Sᵀ)/2 (d,d). Exactly symmetric: entry (i,j) and (j,i) are the same sum.
Matrix symmetrize(const Matrix& S) {
    require_square("symmetrize", S);
    const std::size_t d = S.shape(0);
    Matrix out = Matrix::from_shape({d, d});
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j <= i; ++j) out(i, j) = out(j, i) = 0.5 * (S(i, j) + S(j, i));
    return out;
}

// S (d,d), lower triangle read -> values (d) ascending, vectors (d,d) with column j for values[j].
// Cost O(d³). dsyevd overwrites its input with the eigenvectors, so it works on a copy of S.
SymmetricEigen eigh(const Matrix& S) {
    require_square("eigh", S);
    const std::size_t d = S.shape(0);
    if (d == 0) throw ad::ValueError("eigh: empty (0,0) matrix; expected at least one row");
    if (d > static_cast<std::size_t>(std::numeric_limits<lapack_int>::max()))
        throw ad::ValueError(fmt::format("eigh: {} matrix is too large for LAPACK's index type",
                                         ad::shape_str(S)));
    // A NaN or an infinity would otherwise come back as a LAPACKE argument error (info = -5) or as
    // garbage; name the entry instead. Only the triangle LAPACK reads is checked.
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j <= i; ++j)
            if (!std::isfinite(S(i, j)))
                throw ad::ValueError(fmt::format("eigh: entry ({},{}) = {} of the {} matrix is not finite", i, j,
                                                 S(i, j), ad::shape_str(S)));

    SymmetricEigen eig;
    eig.vectors = S;
    eig.values.assign(d, 0.0);
    const auto n = static_cast<lapack_int>(d);
    // Row-major with uplo 'L': LAPACKE reads the lower triangle of the row-major S and returns the
    // eigenvectors as the columns of the row-major result.
    const lapack_int info =
        LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'L', n, eig.vectors.data(), n, eig.values.data());
    if (info != 0)
        throw ad::ValueError(fmt::format("eigh: LAPACKE_dsyevd failed with info = {} for a {} matrix{}", info,
                                         ad::shape_str(S),
                                         info < 0 ? " (an illegal argument)" : " (the eigensolver did not converge)"));
    return eig;
}

// S (d,d) -> S^p (d,d), exactly symmetric. σ < 0 (rounding in a PSD matrix) is clipped to 0 first.
// For p <= 0 an eigenvalue σ <= tol = d·ε·max|σ| counts as zero and contributes 0 to the result (the
// numpy/scipy rank tolerance): S^0 is then the projector on the positive eigenspace and S^{-1} the
// pseudo-inverse, never inf or 1/(rounding noise). For p > 0, 0^p = 0 needs no tolerance.
Matrix matrix_power(const Matrix& S, double p) {
    require_square("matrix_power", S);
    if (!std::isfinite(p))
        throw ad::ValueError(fmt::format("matrix_power: exponent p = {}; expected a finite number", p));
    const SymmetricEigen eig = eigh(symmetrize(S));
    const std::size_t d = S.shape(0);

    double max_abs = 0;
    for (double s : eig.values) max_abs = std::max(max_abs, std::abs(s));
    const double tol = static_cast<double>(d) * std::numeric_limits<double>::epsilon() * max_abs;

    // U_scaled = U diag(σ^p): column j of U times f_j.
    Matrix u_scaled = eig.vectors;
    for (std::size_t j = 0; j < d; ++j) {
        const double sigma = std::max(eig.values[j], 0.0);
        const double f = (p <= 0 && sigma <= tol) ? 0.0 : std::pow(sigma, p);
        for (std::size_t i = 0; i < d; ++i) u_scaled(i, j) *= f;
    }
    // U diag(σ^p) Uᵀ, then (R + Rᵀ)/2: the product's rounding is not symmetric, the result should be.
    return symmetrize(ad::matmul(u_scaled, eig.vectors, ad::Trans::no, ad::Trans::yes));
}

// M (d,d) -> (M Mᵀ)^{1/2} (d,d): the PSD factor P of the polar decomposition M = P Q.
Matrix sqrt_of_outer(const Matrix& M) {
    require_square("sqrt_of_outer", M);
    return matrix_power(ad::matmul(M, M, ad::Trans::no, ad::Trans::yes), 0.5);
}

std::string to_string(SolveMethod method) {
    switch (method) {
        case SolveMethod::cholesky: return "cholesky";
        case SolveMethod::symmetric_indefinite: return "symmetric-indefinite";
        case SolveMethod::least_squares: return "least-squares";
    }
    return "?";
}

namespace {

// The row-major lower triangle of a symmetric A is the column-major upper triangle of the same buffer, so
// every call below passes LAPACK_COL_MAJOR with uplo 'U': LAPACKE's row-major path would transpose A into
// a second n×n buffer (5 GB at n = 25,000). B (n,c) row-major is handed over as its transpose.
//
// They are LAPACKE's `_work` variants: the plain ones first scan the matrices for NaN with 32-bit index
// arithmetic, which overflows (and crashes) once n² > 2³¹ (n > 46,340). solve_ridge_system checks
// finiteness itself, and allocates the workspaces the plain variants would.

// What one pass over the lower triangle of a kernel matrix finds before its factorization.
struct LowerScan {
    bool finite = true;
    std::size_t i = 0, j = 0;   // the first entry (in row order) that is not finite
    double value = 0;           // its value
    double norm = 0;            // ‖A + μI‖₁ of the symmetric matrix (when finite)
};

// One pass over the lower triangle of the symmetric A (row-major): checks that every entry is finite, adds μ
// to the diagonal and computes ‖A + μI‖₁, the largest column sum of |a_ij| (for the condition estimate).
// Column j's sum is Σ_{i>j} |a_ij| (down column j of the lower triangle) + |a_jj| + Σ_{k<j} |a_jk| (along row
// j, standing for the upper triangle's column). Vectorised along rows, parallel over fixed chunks of rows
// whose column sums are added in chunk order: the same bits for any thread count. Three scalar passes did
// this at n = 25,000 in about 1.4 s, most of a second of it the norm's serial sum.
template <class T>
LowerScan scan_lower(ad::Tensor<T>& A, T mu) {
    using P = ad::Pack<T>;
    constexpr std::size_t W = P::size;
    const std::size_t n = A.shape(0);
    const std::size_t rows = std::max<std::size_t>(256, ad::chunk_count(n, 64)), chunks = ad::chunk_count(n, rows);
    std::vector<std::vector<T>> down(chunks);   // chunk c: Σ over its rows i of |a_ij|, j < i
    std::vector<T> along(n);                    // |a_jj| + Σ_{k<j} |a_jk|
    std::vector<std::size_t> first_bad(chunks, n * n);
    ad::parallel_chunks(n, rows, [&](std::size_t c, std::size_t b, std::size_t e) {
        std::vector<T>& col = down[c];
        col.assign(e, T(0));
        for (std::size_t i = b; i < e; ++i) {
            T* row = A.data() + i * n;
            P sum(T(0)), probe(T(0));   // probe = Σ (a − a): NaN as soon as some a is ±∞ or NaN
            std::size_t j = 0;
            for (; j + W <= i; j += W) {
                const P a = P::load_unaligned(row + j);
                probe += a - a;
                const P m = xsimd::abs(a);
                sum += m;
                (P::load_unaligned(col.data() + j) + m).store_unaligned(col.data() + j);
            }
            T tail = T(0);
            for (; j < i; ++j) {
                probe += P(row[j] - row[j]);
                tail += std::abs(row[j]);
                col[j] += std::abs(row[j]);
            }
            if (!std::isfinite(xsimd::hadd(probe)) || !std::isfinite(row[i])) {
                for (std::size_t k = 0; k <= i; ++k)
                    if (!std::isfinite(row[k])) {
                        first_bad[c] = i * n + k;
                        return;
                    }
            }
            row[i] += mu;
            along[i] = xsimd::hadd(sum) + tail + std::abs(row[i]);
        }
    });
    LowerScan scan;
    for (std::size_t c = 0; c < chunks; ++c)
        if (first_bad[c] != n * n) {
            scan.finite = false;
            scan.i = first_bad[c] / n;
            scan.j = first_bad[c] % n;
            scan.value = double(A(scan.i, scan.j));
            return scan;
        }
    std::vector<T> total = along;
    for (std::size_t c = 0; c < chunks; ++c)
        for (std::size_t j = 0; j < down[c].size(); ++j) total[j] += down[c][j];
    scan.norm = n == 0 ? 0.0 : double(*std::max_element(total.begin(), total.end()));
    return scan;
}

// Copy A's strict lower triangle onto its strict upper one (upper = true), or back (false): A(j, i) = A(i, j)
// for j < i, in 64×64 tiles (a plain loop writes down a column: every write misses the cache), rows of tiles
// in parallel (each entry is written by one tile only).
void mirror(Matrix& A, bool upper) {
    constexpr std::size_t tile = 64;
    const std::size_t n = A.shape(0);
    double* a = A.data();
    ad::parallel_chunks(n, tile, [&](std::size_t, std::size_t ib, std::size_t ie) {
        for (std::size_t jb = 0; jb < ie; jb += tile)
            for (std::size_t i = ib; i < ie; ++i)
                for (std::size_t j = jb; j < std::min(i, jb + tile); ++j) {
                    if (upper) a[j * n + i] = a[i * n + j];
                    else a[i * n + j] = a[j * n + i];
                }
    });
}

}  // namespace

void fill_upper(Matrix& A) { mirror(A, true); }

namespace {

// The optimal workspace size a LAPACK routine reports for lwork = -1.
lapack_int workspace_size(double query) { return std::max<lapack_int>(1, static_cast<lapack_int>(query)); }

// Refill the lower triangle and diagonal of A (row-major) from its untouched strict upper triangle and
// the saved diagonal, after a failed factorization overwrote them.
void restore_lower(Matrix& A, const std::vector<double>& diagonal) {
    mirror(A, false);
    for (std::size_t i = 0; i < A.shape(0); ++i) A(i, i) = diagonal[i];
}

// The checks both solves start with.
template <class T>
void check_ridge_system(const char* op, const ad::Tensor<T>& A, double ridge, const ad::Tensor<T>& B) {
    require_square(op, A);
    const std::size_t n = A.shape(0);
    if (B.shape(0) != n)
        throw ad::ShapeError(fmt::format("{}: A is {} but B is {}; expected B with {} rows", op, ad::shape_str(A),
                                         ad::shape_str(B), n));
    if (!(ridge >= 0) || !std::isfinite(ridge))
        throw ad::ValueError(fmt::format("{}: ridge μ = {}; expected a finite μ >= 0", op, ridge));
}

}  // namespace

// A (n,n) symmetric (lower read, destroyed), B (n,c) -> X (n,c) with (A + μI) X = B, all in float32.
std::string solve_ridge_cholesky_f32(ad::Tensor<float>& A, double ridge, ad::Tensor<float>& B, SolveReport& report) {
    check_ridge_system("solve_ridge_cholesky_f32", A, ridge, B);
    const std::size_t n = A.shape(0), c = B.shape(1);
    report = {};
    if (n == 0 || c == 0) return "";
    const LowerScan scan = scan_lower(A, static_cast<float>(ridge));
    if (!scan.finite) return fmt::format("entry ({},{}) of the kernel matrix is not finite in float32", scan.i, scan.j);
    const auto anorm = static_cast<float>(scan.norm);
    if (const std::size_t info = ad::potrf_lower(n, A.data(), n); info != 0)
        return fmt::format("K + μI is not positive definite in float32 (Cholesky pivot {})", info);
    ad::Tensor<float> x = ad::transpose(B);   // (c, n): one right-hand side per row
    ad::potrs_lower(c, n, A.data(), n, x.data(), n);
    std::vector<float> work(3 * n);
    std::vector<lapack_int> iwork(n);
    float rcond = 0;
    LAPACKE_spocon_work(LAPACK_COL_MAJOR, 'U', static_cast<lapack_int>(n), A.data(), static_cast<lapack_int>(n), anorm,
                        &rcond, work.data(), iwork.data());
    report.method = SolveMethod::cholesky;
    report.rcond = rcond;
    B = ad::transpose(x);
    return "";
}

// A (n,n) symmetric (lower read, destroyed), B (n,c) -> X (n,c) with (A + μI) X = B.
SolveReport solve_ridge_system(Matrix& A, double ridge, Matrix& B) {
    check_ridge_system("solve_ridge_system", A, ridge, B);
    const std::size_t n = A.shape(0), c = B.shape(1);
    if (n == 0 || c == 0) return {};
    if (n > static_cast<std::size_t>(std::numeric_limits<lapack_int>::max() / 2))
        throw ad::ValueError(fmt::format("solve_ridge_system: {} is too large for LAPACK's index type", ad::shape_str(A)));
    const LowerScan scan = scan_lower(A, ridge);   // μ is on the diagonal from here on
    if (!scan.finite)
        throw ad::ValueError(fmt::format("solve_ridge_system: entry ({},{}) = {} of the {} kernel matrix is not finite",
                                         scan.i, scan.j, scan.value, ad::shape_str(A)));

    // The fallbacks rebuild A from its strict upper triangle, which LAPACK leaves alone; only the lower one is
    // the caller's, so copy it over first (A is destroyed anyway). O(n²), against the O(n³) solve.
    mirror(A, true);

    const auto ln = static_cast<lapack_int>(n), lc = static_cast<lapack_int>(c);
    std::vector<double> diagonal(n);
    for (std::size_t i = 0; i < n; ++i) diagonal[i] = A(i, i);
    const double anorm = scan.norm;
    Matrix rhs = ad::transpose(B);     // (c, n): the column-major n×c right-hand side
    Matrix x = rhs;
    SolveReport report;
    const double singular = static_cast<double>(n) * std::numeric_limits<double>::epsilon();

    if (ridge > 0) {
        // The project's own Cholesky (autodiff/kernels/cholesky.hpp), on the gemm: its row-major lower factor L
        // is LAPACK's column-major upper one, which dpocon reads as it lies; the right-hand sides are x's rows.
        const std::size_t info = ad::potrf_lower(n, A.data(), n);
        if (info == 0) {
            ad::potrs_lower(c, n, A.data(), n, x.data(), n);
            std::vector<double> work(3 * n);
            std::vector<lapack_int> iwork(n);
            LAPACKE_dpocon_work(LAPACK_COL_MAJOR, 'U', ln, A.data(), ln, anorm, &report.rcond, work.data(),
                                iwork.data());
            B = ad::transpose(x);
            return report;
        }
        report.note = fmt::format("Cholesky failed (K + μI not positive definite at pivot {}); ", info);
        restore_lower(A, diagonal);
        x = rhs;
    }

    std::vector<lapack_int> pivots(n);
    double query = 0;
    lapack_int info = LAPACKE_dsysv_work(LAPACK_COL_MAJOR, 'U', ln, lc, A.data(), ln, pivots.data(), x.data(), ln,
                                         &query, -1);
    std::vector<double> work(static_cast<std::size_t>(workspace_size(query)));
    if (info == 0)
        info = LAPACKE_dsysv_work(LAPACK_COL_MAJOR, 'U', ln, lc, A.data(), ln, pivots.data(), x.data(), ln,
                                  work.data(), static_cast<lapack_int>(work.size()));
    report.method = SolveMethod::symmetric_indefinite;
    if (info == 0) {
        work.assign(2 * n, 0.0);
        std::vector<lapack_int> iwork(n);
        LAPACKE_dsycon_work(LAPACK_COL_MAJOR, 'U', ln, A.data(), ln, pivots.data(), anorm, &report.rcond,
                            work.data(), iwork.data());
        if (report.rcond >= singular) {
            B = ad::transpose(x);
            return report;
        }
        report.note += fmt::format("LDLᵀ estimated 1/cond = {:.3g} < n·ε = {:.3g} (numerically singular); ",
                                   report.rcond, singular);
    } else if (info > 0) {
        report.note += fmt::format("LDLᵀ found an exactly singular pivot {}; ", info);
    } else {
        throw ad::ValueError(fmt::format("solve_ridge_system: LAPACKE_dsysv rejected argument {}", -info));
    }

    // Least squares: the full symmetric matrix (both triangles) for dgelsd; singular values below n·ε·σ_max
    // count as zero (the rank tolerance of matrix_power too).
    restore_lower(A, diagonal);   // both triangles now hold the matrix
    x = rhs;
    std::vector<double> sigma(n);
    lapack_int rank = 0;
    lapack_int iquery = 0;
    info = LAPACKE_dgelsd_work(LAPACK_COL_MAJOR, ln, ln, lc, A.data(), ln, x.data(), ln, sigma.data(), singular,
                               &rank, &query, -1, &iquery);
    if (info == 0) {
        work.assign(static_cast<std::size_t>(workspace_size(query)), 0.0);
        std::vector<lapack_int> iwork(static_cast<std::size_t>(std::max<lapack_int>(1, iquery)));
        info = LAPACKE_dgelsd_work(LAPACK_COL_MAJOR, ln, ln, lc, A.data(), ln, x.data(), ln, sigma.data(), singular,
                                   &rank, work.data(), static_cast<lapack_int>(work.size()), iwork.data());
    }
    if (info != 0)
        throw ad::ValueError(fmt::format("solve_ridge_system: LAPACKE_dgelsd failed with info = {} for a {} system",
                                         info, ad::shape_str(A)));
    report.method = SolveMethod::least_squares;
    report.rcond = std::numeric_limits<double>::quiet_NaN();
    report.note += fmt::format("solved by least squares (SVD, rank {} of {})", rank, n);
    B = ad::transpose(x);
    return report;
}

}  // namespace fact
