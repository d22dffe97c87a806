// Symmetric matrix functions (docs/MATH.md §3): S^p = U diag(σ^p) Uᵀ from LAPACK's dsyevd, and the
// kernel ridge regression solve of docs/MATH.md §5.2 (dposv, dsysv, dgelsd).
// The only translation unit that includes <lapacke.h> (OpenBLAS's cblas.h clashes with xtensor-blas).
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

// ‖A‖₁ of a symmetric A given by its lower triangle (row-major): the largest column sum of |a_ij|.
template <class T>
T symmetric_one_norm(const ad::Tensor<T>& A) {
    const std::size_t n = A.shape(0);
    std::vector<T> column(n, T(0));
    for (std::size_t i = 0; i < n; ++i) {
        const T* row = &A(i, 0);
        for (std::size_t j = 0; j < i; ++j) {
            column[j] += std::abs(row[j]);
            column[i] += std::abs(row[j]);
        }
        column[i] += std::abs(row[i]);
    }
    return n == 0 ? T(0) : *std::max_element(column.begin(), column.end());
}

// The optimal workspace size a LAPACK routine reports for lwork = -1.
lapack_int workspace_size(double query) { return std::max<lapack_int>(1, static_cast<lapack_int>(query)); }

// Refill the lower triangle and diagonal of A (row-major) from its untouched strict upper triangle and
// the saved diagonal, after a failed factorization overwrote them.
void restore_lower(Matrix& A, const std::vector<double>& diagonal) {
    const std::size_t n = A.shape(0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < i; ++j) A(i, j) = A(j, i);
        A(i, i) = diagonal[i];
    }
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
    const auto mu = static_cast<float>(ridge);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j <= i; ++j)
            if (!std::isfinite(A(i, j)))
                return fmt::format("entry ({},{}) of the kernel matrix is not finite in float32", i, j);
        A(i, i) += mu;
    }
    const float anorm = symmetric_one_norm(A);
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
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j <= i; ++j)
            if (!std::isfinite(A(i, j)))
                throw ad::ValueError(fmt::format("solve_ridge_system: entry ({},{}) = {} of the {} kernel matrix is "
                                                 "not finite", i, j, A(i, j), ad::shape_str(A)));

    // The fallbacks rebuild A from its strict upper triangle, which LAPACK leaves alone; only the lower one is
    // the caller's, so copy it over first (A is destroyed anyway). O(n²), against the O(n³) solve.
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < i; ++j) A(j, i) = A(i, j);

    const auto ln = static_cast<lapack_int>(n), lc = static_cast<lapack_int>(c);
    std::vector<double> diagonal(n);
    for (std::size_t i = 0; i < n; ++i) diagonal[i] = A(i, i) += ridge;
    const double anorm = symmetric_one_norm(A);
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
    restore_lower(A, diagonal);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) A(i, j) = A(j, i);
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
