/// \file
/// The one tensor type of the project: a row-major 2-D array of float or double.
/// Rows are samples (or output units), columns are features; vectors are 1×n or n×1, scalars 1×1.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include <xtensor/xtensor.hpp>

/// The autodiff component: tensors, the SIMD/TBB kernels, the tape, the differentiable ops and gradcheck.
namespace ad {

/// Row-major (rows, cols) array. With XTENSOR_USE_XSIMD its buffer is SIMD-aligned.
template <class T>
using Tensor = xt::xtensor<T, 2>;

/// A tensor's (rows, cols).
using Shape = std::array<std::size_t, 2>;

/// "(rows,cols)", the form every error message uses.
inline std::string shape_str(std::size_t rows, std::size_t cols) {
    return "(" + std::to_string(rows) + "," + std::to_string(cols) + ")";
}

/// "(rows,cols)" of t.
template <class T>
std::string shape_str(const Tensor<T>& t) {
    return shape_str(t.shape(0), t.shape(1));
}

/// A rows×cols tensor of zeros.
template <class T>
Tensor<T> zeros(std::size_t rows, std::size_t cols) {
    Tensor<T> t = Tensor<T>::from_shape({rows, cols});
    t.fill(T(0));
    return t;
}

}  // namespace ad
