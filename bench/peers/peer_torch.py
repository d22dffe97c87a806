#!/usr/bin/env python3
"""PyTorch peer of bench/: the same gemm, MLP step, tiny graph and per-layer AGOP workloads, on CPU.

    peer_torch.py --threads T [--quick] [--filter REGEX] --out FILE

Rows (impl "torch"; see common.py for the sizes, mirrored from bench/*.cpp):
  gemm/torch/<f32|f64>/<m>x<k>x<n>      torch.mm into a preallocated output
  mlp.step/torch/f32/<case>             forward, cross-entropy, backward, SGD (momentum 0.9) step
  graph.tiny/torch/f32/<n>x<n>          y = Σ (a∘b + b) and its backward
  graph.mlp_fwd_bwd/torch/f32/b32:16-64-1
  agop.analyze/torch/f32/n<n>:<widths>  (1/n) Σ_i J_iᵀ J_i for every layer, J_i = ∂f(x_i)/∂h_l by
                                        torch.func.vmap(jacrev): the AGOP part only of fact::analyze
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

# --- AGOP of every layer by vmap(jacrev) -------------------------------------------------------------------
try:
    from torch.func import jacrev, vmap
except ImportError:  # torch < 2.0
    from functorch import jacrev, vmap

CHUNK = 4096  # rows per pass, as fact::AnalysisOptions::chunk


def agop_all_layers(s):
    model, X = s
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    n = X.shape[0]
    agops = [torch.zeros(l.in_features, l.in_features) for l in linears]
    for b in range(0, n, CHUNK):
        with torch.no_grad():  # the input of every Linear
            h, inputs = X[b:b + CHUNK], []
            for module in model:
                if isinstance(module, torch.nn.Linear):
                    inputs.append(h)
                h = module(h)
        for l, H in enumerate(inputs):
            tail = model[2 * l:]   # Linear, ReLU, Linear, ... from layer l to the output
            J = vmap(jacrev(tail))(H)   # (rows, c, d_l)
            Jf = J.reshape(-1, J.shape[-1])
            agops[l] += Jf.T @ Jf
    return [A / n for A in agops]


def agop_setup(n, widths):
    model = make_mlp(widths)
    for p in model.parameters():
        p.requires_grad_(False)  # the Jacobians are with respect to the layers' inputs only
    return model, uniform(n, widths[0])


for n, widths in common.AGOP_CASES_QUICK if opts.quick else common.AGOP_CASES:
    shape = f"n{n}:" + "-".join(str(w) for w in widths)
    rec.time(common.name("agop.analyze", "torch", "f32", shape, T), agop_all_layers,
             setup=lambda n=n, widths=widths: agop_setup(n, widths))

rec.write()
