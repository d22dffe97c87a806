/// \file
/// Comparing matrices (docs/MATH.md §4). All d² entries are used, diagonal included, unless
/// off_diagonal is set; a non-symmetric matrix is compared as it is.
/// ~~~{.unparsed}
///   pearson(A, B) = ⟨A − ā, B − b̄⟩_F / (‖A − ā‖_F ‖B − b̄‖_F)     ā = mean of the entries used
///   cosine(A, B)  = ⟨A, B⟩_F / (‖A‖_F ‖B‖_F)
///   relerr(A, B)  = ‖A − B‖_F / ‖A‖_F          (A is the reference: WᵀW)
/// ~~~
/// Shapes must agree (ad::ShapeError otherwise). A constant or zero matrix has no defined correlation:
/// pearson and cosine return NaN then, never a division by zero presented as a number.
#pragma once

#include "fact/linalg.hpp"

namespace fact {

/// \name The three comparisons (formulas above)
/// Each O(d²) for (d,d) matrices. \throws ad::ShapeError for shapes that differ, or off_diagonal with a
/// non-square matrix or d < 2; ad::ValueError for empty matrices.
///@{
double pearson(const Matrix& A, const Matrix& B, bool off_diagonal = false);  ///< Pearson correlation (formula above)
double cosine(const Matrix& A, const Matrix& B, bool off_diagonal = false);   ///< ⟨A, B⟩_F / (‖A‖_F ‖B‖_F)
double relerr(const Matrix& A, const Matrix& B, bool off_diagonal = false);   ///< ‖A − B‖_F / ‖A‖_F
///@}

}  // namespace fact
