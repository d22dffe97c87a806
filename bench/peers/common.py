"""What the peers share: options, thread pinning, the timing loop and the JSON they write.

The peers time the workloads of bench/*.cpp in other libraries and write their rows in Google Benchmark's
JSON shape, named as the C++ rows are (<workload>/<impl>/<dtype>/<shape>/threads:<t>, bench/common.hpp),
so bench/summary.py sets them side by side. The sizes below mirror the C++ ones: keep them in step.

pin_threads() must run before numpy or torch is imported: OpenBLAS and OpenMP size their pools from the
environment when they load.
"""
import argparse
import json
import os
import re
import sys
import time

# bench/gemm_cases.hpp: (m, k, n)
GEMM_SHAPES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048), (256, 784, 1024),
               (512, 2048, 2048)]
GEMM_SHAPES_QUICK = [(256, 256, 256), (1024, 1024, 1024), (256, 784, 1024)]

# bench/mlp_cases.hpp: (batch, [input, hidden..., output])
MLP_CASES = [(32, [10, 64, 64, 2]), (128, [100, 256, 256, 10]), (256, [784, 1024, 1024, 10]),
             (512, [2048, 2048, 2048, 2048, 10])]
MLP_CASES_QUICK = MLP_CASES[:3]

# bench/bench_agop.cpp: (n, widths)
AGOP_CASES = [(1797, [64, 64, 64, 10]), (4000, [784, 256, 256, 10])]
AGOP_CASES_QUICK = AGOP_CASES[:1]

# bench/kernel_cases.hpp
KERNEL_D, KERNEL_C = 784, 10


def kernel_n(opts):
    return opts.rfm_n or (2000 if opts.quick else 4000)


def parse(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", type=int, default=1, help="threads of every pool (OpenMP, OpenBLAS, MKL)")
    p.add_argument("--quick", action="store_true", help="the sizes of ./run bench --quick")
    p.add_argument("--rfm-n", type=int, default=0, help="n of the kernel and RFM workloads (default 4000)")
    p.add_argument("--filter", default="", help="run only rows whose name matches this regex")
    p.add_argument("--min-time", type=float, default=0.0, help="seconds per row (default 0.5, --quick 0.1)")
    p.add_argument("--repetitions", type=int, default=0,
                   help="timed batches per row, the best one reported (default 3, --quick 1)")
    p.add_argument("--out", required=True, help="JSON file to write")
    opts = p.parse_args()
    if opts.min_time <= 0:
        opts.min_time = 0.1 if opts.quick else 0.5
    if opts.repetitions <= 0:
        opts.repetitions = 1 if opts.quick else 3
    return opts


def pin_threads(threads):
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def skip(opts, peer, reason):
    """Write the skip marker that summary.py prints as "n/a (<reason>)", and say so."""
    print(f"peer {peer}: skipped ({reason})")
    with open(opts.out, "w") as f:
        json.dump({"peer": peer, "skipped": reason}, f)


def name(workload, impl, dtype, shape, threads):
    return f"{workload}/{impl}/{dtype}/{shape}/threads:{threads}"


def mlp_shape(batch, widths):
    return f"b{batch}:" + "-".join(str(w) for w in widths)


class Recorder:
    """Times rows and collects them; write() puts them in Google Benchmark's JSON shape."""

    def __init__(self, opts, context):
        self.opts = opts
        self.context = dict(context, threads=opts.threads,
                            **{v: os.environ.get(v, "(unset)") for v in
                               ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE")})
        self.rows = []
        self.filter = re.compile(opts.filter) if opts.filter else None

    def wanted(self, row_name):
        return self.filter is None or self.filter.search(row_name) is not None

    def time(self, row_name, fn, setup=None):
        """Call fn once to warm up, then in batches of doubling size until a batch lasts min_time; that
        batch and repetitions − 1 more of the same size are timed, and the row is the best batch's time per
        call (as summary.py takes the best of Google Benchmark's repetitions). setup() runs first, untimed,
        and its result goes to fn."""
        if not self.wanted(row_name):
            return
        state = setup() if setup else None
        call = (lambda: fn(state)) if setup else fn
        call()
        iterations = 1
        while True:
            start = time.perf_counter()
            for _ in range(iterations):
                call()
            elapsed = time.perf_counter() - start
            if elapsed >= self.opts.min_time or iterations >= 1 << 20:
                break
            iterations = max(iterations * 2, int(iterations * 1.4 * self.opts.min_time / max(elapsed, 1e-9)))
        for _ in range(self.opts.repetitions - 1):
            start = time.perf_counter()
            for _ in range(iterations):
                call()
            elapsed = min(elapsed, time.perf_counter() - start)
        self.rows.append({"name": row_name, "run_name": row_name, "run_type": "iteration",
                          "iterations": iterations, "real_time": elapsed / iterations * 1e9, "time_unit": "ns"})
        print(f"{row_name:<60} {elapsed / iterations * 1e3:12.4f} ms", file=sys.stderr)

    def write(self):
        with open(self.opts.out, "w") as f:
            json.dump({"context": self.context, "benchmarks": self.rows}, f, indent=1)
