#!/usr/bin/env python3
"""NumPy peer of bench/: gemm, the Laplace kernel matrix and one RFM iteration, in float64 NumPy.

    peer_numpy.py --threads T [--quick] [--rfm-n N] [--filter REGEX] --out FILE

Rows (impl "numpy"; sizes in common.py, mirrored from bench/*.cpp):
  gemm/numpy/<f32|f64>/<m>x<k>x<n>           np.matmul into a preallocated output
  kernel.laplace/numpy/f64/n<n>:d784         K = exp(−‖x − z‖/L) at M = I by the expansion, as fact does
  rfm.iter/numpy/f64/n<n>:d784:c10           fit (K + μI)α = Y, the gradients of f at the training points,
                                             M ← AGOP^{1/2}: one iteration of fact::run_rfm (nfa update)
NumPy's BLAS (OpenBLAS on Debian) takes its threads from the environment, set here before numpy loads.
Without numpy the script writes a skip marker and says so (exit status 0).
"""
import sys

import common

opts = common.parse(__doc__.splitlines()[0])
common.pin_threads(opts.threads)

try:
    import numpy as np
except ImportError:
    common.skip(opts, "numpy", "numpy not installed")
    sys.exit(0)

try:
    from scipy.linalg import cho_factor, cho_solve
except ImportError:
    cho_factor = cho_solve = None

T = opts.threads
rng = np.random.default_rng(0)
rec = common.Recorder(opts, {"numpy_version": np.__version__, "cholesky": "scipy" if cho_solve else "np.linalg.solve"})

# --- gemm ------------------------------------------------------------------------------------------------
for m, k, n in common.GEMM_SHAPES_QUICK if opts.quick else common.GEMM_SHAPES:
    for dname, dtype in (("f32", np.float32), ("f64", np.float64)):
        rec.time(common.name("gemm", "numpy", dname, f"{m}x{k}x{n}", T),
                 lambda s: np.matmul(s[0], s[1], out=s[2]),
                 setup=lambda: (rng.uniform(-1, 1, (m, k)).astype(dtype), rng.uniform(-1, 1, (k, n)).astype(dtype),
                                np.empty((m, n), dtype=dtype)))

# --- kernel machines (docs/MATH.md §5), Laplace kernel with L = 10 ---------------------------------------
L, RIDGE = 10.0, 1e-3
n, d, c = common.kernel_n(opts), common.KERNEL_D, common.KERNEL_C


def kernel_data():
    X = rng.uniform(0, 1, (n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    Y = np.eye(c)[rng.integers(0, c, n)]
    return X, Y


def operands(X, M):
    """X·M and the squared M-norms xᵀMx of the rows: computed once, as fact::kernel_operands does."""
    XM = X @ M
    return XM, np.einsum("ij,ij->i", XM, X)


def laplace_rows(XM_rows, norms_rows, X, norms):
    """Rows of K = exp(−‖x_i − x_j‖_M / L) and the distances, by xᵀMx + zᵀMz − 2xᵀMz floored at 0."""
    r = norms_rows[:, None] + norms[None, :] - 2 * XM_rows @ X.T
    dist = np.sqrt(np.maximum(r, 0))
    return np.exp(-dist / L), dist


def kernel_matrix(s):
    X, _, M = s
    XM, norms = operands(X, M)
    return laplace_rows(XM, norms, X, norms)[0]


def rfm_iteration(s):
    X, Y, M = s
    XM, norms = operands(X, M)
    K, _ = laplace_rows(XM, norms, X, norms)
    K[np.diag_indices_from(K)] += RIDGE
    if cho_solve is not None:
        alpha = cho_solve(cho_factor(K, lower=True), Y)
    else:
        alpha = np.linalg.solve(K, Y)
    del K
    # G_iᵀ[c] = (1/L) Σ_j α_jc (k_ij/‖x_i − x_j‖) (x_j − x_i)ᵀ M, in row blocks (fact/kernel/gradients.hpp)
    Xa = (alpha[:, :, None] * X[:, None, :]).reshape(n, c * d)   # row j: α_jc x_j for every c
    block = max(16, min(n, 16_000_000 // n))
    agop = np.zeros((d, d))
    for b in range(0, n, block):
        rows = slice(b, b + block)
        Kb, dist = laplace_rows(XM[rows], norms[rows], X, norms)
        S = np.divide(Kb, L * dist, out=np.zeros_like(Kb), where=dist >= 1e-10)
        G = (S @ Xa).reshape(-1, c, d) - (S @ alpha)[:, :, None] * X[rows, None, :]
        G = G.reshape(-1, d) @ M
        agop += G.T @ G
    agop /= n
    w, U = np.linalg.eigh(agop)
    return (U * np.sqrt(np.clip(w, 0, None))) @ U.T


shape = f"n{n}:d{d}"
rec.time(common.name("kernel.laplace", "numpy", "f64", shape, T), kernel_matrix,
         setup=lambda: kernel_data() + (np.eye(d),))
rec.time(common.name("rfm.iter", "numpy", "f64", f"{shape}:c{c}", T), rfm_iteration,
         setup=lambda: kernel_data() + (np.eye(d),))

rec.write()
