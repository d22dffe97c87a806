#!/usr/bin/env python3
"""PyTorch peer of bench/: the same gemm, MLP step, tiny graph and per-layer FACT/AGOP analysis workloads, on CPU.

    peer_torch.py --threads T [--quick] [--filter REGEX] --out FILE

Rows (impl "torch"; see common.py for the sizes, mirrored from bench/*.cpp):
  gemm/torch/<f32|f64>/<m>x<k>x<n>      torch.mm into a preallocated output
  mlp.step/torch/f32/<case>             forward, cross-entropy, backward, SGD (momentum 0.9) step
  graph.tiny/torch/f32/<n>x<n>          y = Σ (a∘b + b) and its backward
  graph.mlp_fwd_bwd/torch/f32/b32:16-64-1
  agop.analyze/torch/f32/n<n>:<widths>  the whole FACT/NFA analysis of fact::analyze: per layer Σ GᵀH,
                                        Σ GᵀG and the AGOP (1/n) Σ_i J_iᵀ J_i, J_i = ∂f(x_i)/∂h_l by
                                        torch.func.vmap(jacrev), then the d×d matrices, their square
                                        roots (eigh) and the metrics, in float64 like fact::analyze
Threads: OMP_NUM_THREADS / MKL / OpenBLAS set before torch loads, then torch.set_num_threads(T).
Without torch the script writes a skip marker and says so (exit status 0).
"""
import sys

import common

opts = common.parse(__doc__.splitlines()[0])
common.pin_threads(opts.threads)

try:
    import torch
except ImportError:
    common.skip(opts, "torch", "torch not installed")
    sys.exit(0)

torch.set_num_threads(opts.threads)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass  # already set (only possible before any parallel work)

T = opts.threads
DTYPES = {"f32": torch.float32, "f64": torch.float64}
rec = common.Recorder(opts, {"torch_version": torch.__version__, "torch_config": torch.__config__.parallel_info()})
gen = torch.Generator().manual_seed(0)


def uniform(*shape, dtype=torch.float32, scale=1.0):
    return (torch.rand(*shape, generator=gen, dtype=dtype) * 2 - 1) * scale


def make_mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i + 2 < len(widths):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


# --- gemm ----------------------------------------------------------------------------------------------
for m, k, n in common.GEMM_SHAPES_QUICK if opts.quick else common.GEMM_SHAPES:
    for dname, dtype in DTYPES.items():
        row = common.name("gemm", "torch", dname, f"{m}x{k}x{n}", T)
        rec.time(row, lambda s: torch.mm(s[0], s[1], out=s[2]),
                 setup=lambda: (uniform(m, k, dtype=dtype), uniform(k, n, dtype=dtype), torch.empty(m, n, dtype=dtype)))

# --- MLP training step -----------------------------------------------------------------------------------
for batch, widths in common.MLP_CASES_QUICK if opts.quick else common.MLP_CASES:
    def setup(batch=batch, widths=widths):
        model = make_mlp(widths)
        x = uniform(batch, widths[0])
        labels = torch.randint(0, widths[-1], (batch,), generator=gen)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        return model, x, labels, opt

    def step(s):
        model, x, labels, opt = s
        opt.zero_grad(set_to_none=False)
        loss = torch.nn.functional.cross_entropy(model(x), labels)
        loss.backward()
        opt.step()

    rec.time(common.name("mlp.step", "torch", "f32", common.mlp_shape(batch, widths), T), step, setup=setup)

# --- the tape's overhead ---------------------------------------------------------------------------------
for n in (8, 64):
    def tiny(s):
        a, b = s
        a.grad = b.grad = None
        y = (a * b + b).sum()
        y.backward()

    rec.time(common.name("graph.tiny", "torch", "f32", f"{n}x{n}", T), tiny,
             setup=lambda n=n: (uniform(n, n).requires_grad_(), uniform(n, n).requires_grad_()))


def mlp_fwd_bwd(s):
    x, t, W1, b1, W2 = s
    for p in (W1, b1, W2):
        p.grad = None
    h = torch.tanh(x @ W1 + b1)
    loss = torch.mean((h @ W2 - t) ** 2)
    loss.backward()


rec.time(common.name("graph.mlp_fwd_bwd", "torch", "f32", "b32:16-64-1", T), mlp_fwd_bwd,
         setup=lambda: (uniform(32, 16), uniform(32, 1), uniform(16, 64, scale=0.25).requires_grad_(),
                        uniform(1, 64, scale=0.25).requires_grad_(), uniform(64, 1, scale=0.125).requires_grad_()))

# --- the FACT/NFA analysis of every layer, AGOP by vmap(jacrev) ---------------------------------------------
# The same computation as fact::analyze (fact/analysis.cpp): per chunk of rows one forward and backward pass
# of the data loss (the gradients at every layer's input H and ∂L/∂W) and the per-sample Jacobians
# J_i = ∂f(x_i)/∂h_l by vmap(jacrev); the sums Σ GᵀH, Σ GᵀG, Σ JᵀJ in float64; then per layer the d×d
# matrices (WᵀW, WWᵀ, FACT two ways, its symmetric part and (F Fᵀ)^½, bFACT, the gradient covariance and
# AGOP with their square roots by eigh) and the Pearson/cosine/relative-error metrics against WᵀW.
try:
    from torch.func import jacrev, vmap
except ImportError:  # torch < 2.0
    from functorch import jacrev, vmap

CHUNK = 4096  # rows per pass, as fact::AnalysisOptions::chunk
LAMBDA = 1e-3  # the weight decay of bench/bench_agop.cpp


def psd_power(S, p):
    """S^p for a symmetric PSD S (negative eigenvalues clamped to 0), as fact::matrix_power."""
    values, vectors = torch.linalg.eigh((S + S.T) / 2)
    return (vectors * values.clamp(min=0).pow(p)) @ vectors.T


def pearson(A, B, off_diagonal=False):
    a, b = A.flatten(), B.flatten()
    if off_diagonal:
        keep = ~torch.eye(A.shape[0], dtype=torch.bool).flatten()
        a, b = a[keep], b[keep]
    a, b = a - a.mean(), b - b.mean()
    return float(a @ b / (a.norm() * b.norm()))


def cosine(A, B):
    return float((A * B).sum() / (A.norm() * B.norm()))


def relerr(A, B):
    return float((A - B).norm() / A.norm())


def analysis_all_layers(s):
    model, X, Y = s
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    n = X.shape[0]
    f64 = torch.float64
    gh = [torch.zeros(l.in_features, l.in_features, dtype=f64) for l in linears]
    gg = [torch.zeros_like(g) for g in gh]
    jj = [torch.zeros_like(g) for g in gh]
    for p in model.parameters():
        p.grad = None
    for b in range(0, n, CHUNK):
        x, y = X[b:b + CHUNK].clone().requires_grad_(), Y[b:b + CHUNK]
        h, inputs = x, []
        for module in model:
            if isinstance(module, torch.nn.Linear):
                h.retain_grad()
                inputs.append(h)
            h = module(h)
        # MSE over all entries, weighted so the chunks add up to L over the whole data
        loss = torch.nn.functional.mse_loss(h, y) * (x.shape[0] / n)
        loss.backward()
        for l, H in enumerate(inputs):
            G, Hd = H.grad.to(f64), H.detach().to(f64)
            gh[l] += G.T @ Hd
            gg[l] += G.T @ G
        for l, H in enumerate(inputs):
            tail = model[2 * l:]   # Linear, ReLU, Linear, ... from layer l to the output
            J = vmap(jacrev(tail))(H.detach())   # (rows, c, d_l)
            Jf = J.reshape(-1, J.shape[-1]).to(f64)
            jj[l] += Jf.T @ Jf
    grad2 = theta2 = 0.0
    for p in model.parameters():   # ‖∇L_λ‖/‖θ‖, as nn::evaluate_objective
        grad2 += float(((p.grad + LAMBDA * p.detach()) ** 2).sum())
        theta2 += float((p.detach() ** 2).sum())
    metrics = {"grad_norm_ratio": (grad2 / theta2) ** 0.5}
    for l, layer in enumerate(linears):
        W, dW = layer.weight.detach().to(f64), layer.weight.grad.to(f64)
        nfm, nfm_out = W.T @ W, W @ W.T
        fact, bfact = -(W.T @ dW) / LAMBDA, -(dW @ W.T) / LAMBDA
        fact_sum = -gh[l] / LAMBDA
        fact_sym, fact_sqrt = (fact + fact.T) / 2, psd_power(fact @ fact.T, 0.5)
        grad_cov_sqrt = psd_power(gg[l] * n, 0.5)
        agop = jj[l] / n
        agop_sqrt = psd_power(agop, 0.5)
        metrics[l] = [pearson(nfm, fact), pearson(nfm, fact_sym), pearson(nfm, fact_sqrt),
                      pearson(nfm_out, bfact), pearson(nfm, grad_cov_sqrt), pearson(nfm, agop),
                      pearson(nfm, agop_sqrt), pearson(nfm, fact, True), pearson(nfm, agop_sqrt, True),
                      cosine(nfm, fact), cosine(nfm, agop_sqrt), relerr(nfm, fact), relerr(nfm_out, bfact),
                      relerr(fact, fact_sum)]
    return metrics


def analysis_setup(n, widths):
    model = make_mlp(widths)
    return model, uniform(n, widths[0]), uniform(n, widths[-1])


for n, widths in common.AGOP_CASES_QUICK if opts.quick else common.AGOP_CASES:
    shape = f"n{n}:" + "-".join(str(w) for w in widths)
    rec.time(common.name("agop.analyze", "torch", "f32", shape, T), analysis_all_layers,
             setup=lambda n=n, widths=widths: analysis_setup(n, widths))

rec.write()
