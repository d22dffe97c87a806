/// \file
/// Everything of the autodiff component: tensors, kernels, the tape, the ops and gradcheck.
#pragma once

#include "autodiff/error.hpp"
#include "autodiff/gradcheck.hpp"
#include "autodiff/kernels/gemm.hpp"
#include "autodiff/kernels/reduce.hpp"
#include "autodiff/ops.hpp"
#include "autodiff/parallel.hpp"
#include "autodiff/tape.hpp"
#include "autodiff/tensor.hpp"
