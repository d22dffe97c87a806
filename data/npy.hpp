/// \file
/// NumPy .npy files (format versions 1-3): float32/float64 and signed/unsigned integers of 1-8 bytes,
/// little- or big-endian, C order, 1-D or 2-D. Written from scratch so that a malformed file gives a
/// DataError naming the file and the problem, never a crash.
#pragma once

#include <string>

#include "data/dataset.hpp"

namespace data {

/// A 1-D array becomes (n, 1); a 2-D array (n, d). Fortran order, other dtypes, more dimensions, a bad
/// magic string, a truncated body or an array larger than the memory budget (check_memory) throw DataError.
/// Values are not checked (a checkpoint may hold NaN); load_npy checks a dataset's.
Matrix load_npy_matrix(const std::string& path);

/// The bytes np.save writes for a C-order (rows, cols) array of float32 ('<f4') or float64 ('<f8'): "\x93NUMPY",
/// version 1.0, a little-endian uint16 header length, the header dict padded with spaces and ended by '\n' so
/// that the data starts at a multiple of 64 bytes, then the values little-endian.
template <class T>
std::string npy_bytes(const xt::xtensor<T, 2>& m);

/// Write a float64 C-order .npy file (atomically). \throws DataError if the file cannot be written.
void save_npy(const std::string& path, const Matrix& m);

/// X from x_path; Y from y_path. Classification: Y holds integer labels (1-D, or one column) or one-hot
/// rows. Regression: Y holds the targets. X is (n, d); Y (n, c).
/// \throws DataError for either file as load_npy_matrix, for row counts that differ, a NaN or infinity in X
///         (or in a regression Y), or (classification) labels that are not non-negative integers (with a
///         hint at task=regression for non-integer numbers) and rows that are not one-hot.
Dataset load_npy(const std::string& x_path, const std::string& y_path, Task task = Task::classification);

}  // namespace data
