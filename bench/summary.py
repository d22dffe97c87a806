#!/usr/bin/env python3
"""One table from the results of `./run bench`: every row of this project beside its baseline or peer.

Usage: summary.py RESULTS_DIR

RESULTS_DIR holds what ./run bench wrote (standard library only: no numpy here):
  bench_*.json          Google Benchmark JSON of each binary (--benchmark_out)
  bench_blas_unset.json bench_blas run again with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset
  bench_blas_best.json  and again with OPENBLAS_CORETYPE forced to the best core for this CPU (SkylakeX
                        with AVX-512): OpenBLAS's best configuration, the one the peers run with too
  bench_blis.json, bench_onednn.json   the gemm rows in BLIS and oneDNN (bench_cpu_peers.cpp), when installed;
                        otherwise peer_blis.json / peer_onednn.json say {"peer": .., "skipped": why}
  peer_<lib>_t<t>.json  the peers of bench/peers/, in the same JSON shape, or {"peer": .., "skipped": why}
  memory.json           peak resident memory of whole processes (bench/memory.py)

Rows are named <workload>/<impl>/<dtype>/<shape>/threads:<t> (bench/common.hpp). A row of impl "fact" is
this project; for each of its comparators (COMPARATORS below) the table has one line with both times and
ratio = project time / comparator time (below 1: the project is faster). Times are the best over
repetitions, wall clock per iteration.
"""
import json
import os
import re
import sys

# Comparators of each workload (by its part before the first '.'), in the order printed.
COMPARATORS = {
    "gemm": ["openblas", "openblas-unset", "openblas-best", "blis", "onednn", "torch", "numpy"],
    "potrf": ["openblas", "openblas-unset", "openblas-best"],
    "map": ["loop"],
    "reduce": ["loop"],
    "graph.tiny": ["hand", "torch"],
    "graph.mlp_fwd_bwd": ["torch"],
    "mlp": ["gemms", "torch"],
    "agop": ["torch"],
    "kernel": ["gemms", "numpy"],
    "rfm": ["numpy"],
}

PEER_PACKAGES = {"torch": "python3-torch", "numpy": "python3-numpy", "blis": "libblis-dev", "onednn": "libdnnl-dev"}

UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def comparators(workload):
    if workload in COMPARATORS:
        return COMPARATORS[workload]
    return COMPARATORS.get(workload.split(".")[0], [])


def parse_name(run_name):
    """(workload, impl, dtype, shape, threads) or None for a name outside the scheme."""
    m = re.match(r"^(.*)/threads:(\d+)", run_name)
    if not m:
        return None
    head, threads = m.group(1), int(m.group(2))
    parts = head.split("/")
    if len(parts) != 4:
        return None
    workload, impl, dtype, shape = parts
    return workload, impl, dtype, shape, threads


class Results:
    def __init__(self):
        self.rows = {}      # key -> {"seconds", "counters", "label"}
        self.skipped = {}   # peer -> reason
        self.contexts = {}  # file stem -> context dict
        self.failed = []    # files that could not be read

    def add_file(self, path, impl_rename=None):
        stem = os.path.splitext(os.path.basename(path))[0]
        if os.path.isfile(path) and os.path.getsize(path) == 0:
            return  # Google Benchmark leaves its --benchmark_out empty when --benchmark_filter matched no row
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            self.failed.append(f"{os.path.basename(path)}: {e}")
            return
        if "skipped" in doc:
            self.skipped[doc.get("peer", stem)] = doc["skipped"]
            return
        self.contexts[stem] = doc.get("context", {})
        aggregates = {}
        for b in doc.get("benchmarks", []):
            if b.get("error_occurred"):
                continue
            name = b.get("run_name", b.get("name", ""))
            key = parse_name(name)
            if key is None:
                continue
            if impl_rename and key[1] in impl_rename:
                key = (key[0], impl_rename[key[1]]) + key[2:]
            seconds = b["real_time"] * UNIT_SECONDS.get(b.get("time_unit", "ns"), 1e-9)
            entry = {"seconds": seconds, "counters": b, "label": b.get("label", "")}
            if b.get("run_type") == "aggregate":
                # with --benchmark_report_aggregates_only there are no single runs: take the median
                if b.get("aggregate_name") == "median":
                    aggregates[key] = entry
                continue
            if key not in self.rows or seconds < self.rows[key]["seconds"]:
                self.rows[key] = entry
        for key, entry in aggregates.items():
            self.rows.setdefault(key, entry)


def fmt_time(s):
    if s is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if s >= scale or unit == "ns":
            v = s / scale
            return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{s:g} s"


def gflops(row):
    """GFLOP/s of a row: Google Benchmark stores the counter as flop/s (kIs1000 only changes printing)."""
    if row is None or "GFLOP/s" not in row["counters"]:
        return None
    return row["counters"]["GFLOP/s"] / 1e9


def percent_peak(row):
    if row is None or "%peak" not in row["counters"]:
        return None
    return row["counters"]["%peak"]


def pretty_shape(workload, shape):
    if workload == "gemm":
        m = re.match(r"^(\d+)x(\d+)x(\d+)$", shape)
        if m:
            a, k, b = m.groups()
            return f"({a}×{k})·({k}×{b})"
    return shape.replace("x", "×") if re.match(r"^\d+x\d+$", shape) else shape


class Table:
    def __init__(self, headers):
        self.headers = headers
        self.lines = []

    def add(self, cells):
        self.lines.append([str(c) for c in cells])

    def rule(self):
        self.lines.append(None)

    def print(self, out=sys.stdout):
        widths = [len(h) for h in self.headers]
        for line in self.lines:
            if line:
                widths = [max(w, len(c)) for w, c in zip(widths, line)]
        right = {i for i, h in enumerate(self.headers) if h in ("project", "peer time", "ratio", "GFLOP/s", "%peak")}

        def render(cells):
            return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                             for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

        print(render(self.headers), file=out)
        print("  ".join("-" * w for w in widths), file=out)
        for line in self.lines:
            print(render(line) if line else "", file=out)


def comparator_name(cmp, results, threads_note, workload=""):
    ctx = results.contexts
    if cmp == "openblas":
        c = ctx.get("bench_blas", {})
        return f"OpenBLAS {c.get('openblas_core', '?')} (CORETYPE={c.get('OPENBLAS_CORETYPE', '?')})"
    if cmp == "openblas-unset":
        c = ctx.get("bench_blas_unset", {})
        return f"OpenBLAS {c.get('openblas_core', '?')} (CORETYPE unset)"
    if cmp == "openblas-best":
        c = ctx.get("bench_blas_best", {})
        return f"OpenBLAS {c.get('openblas_core', '?')} (CORETYPE forced)"
    if cmp in ("torch", "numpy"):
        versions = [c.get(f"{cmp}_version") for k, c in ctx.items() if k.startswith(f"peer_{cmp}")]
        versions = [v for v in versions if v]
        text = ("PyTorch " if cmp == "torch" else "NumPy ") + (versions[0] if versions else "")
        cores = [c.get("OPENBLAS_CORETYPE") for k, c in ctx.items() if k.startswith(f"peer_{cmp}")]
        if cores and cores[0] and cores[0] != "(unset)":
            text += f" ({cores[0]})"
        return text + (" (jacrev)" if workload.startswith("agop") else "")
    if cmp in ("blis", "onednn"):
        return ctx.get(f"bench_{cmp}", {}).get("peer_library", cmp)
    names = {"loop": "plain loop", "hand": "by hand, no tape", "gemms": "its GEMMs (ad::gemm)"}
    return names.get(cmp, cmp) + threads_note


def find_comparator(results, workload, cmp, dtype, shape, threads):
    """The comparator's row at the same threads, or (for one-thread baselines) at one thread."""
    row = results.rows.get((workload, cmp, dtype, shape, threads))
    if row is not None:
        return row, ""
    row = results.rows.get((workload, cmp, dtype, shape, 1))
    if row is not None and cmp in ("loop", "hand"):
        return row, " (1 thread)"
    return None, ""


def missing_reason(results, cmp):
    peer = {"openblas-unset": "openblas", "openblas-best": "openblas"}.get(cmp, cmp)
    if peer in results.skipped:
        return f"n/a ({results.skipped[peer]})"
    if peer == "onednn":
        return "n/a (oneDNN has no double gemm)"
    if peer in PEER_PACKAGES:
        return f"n/a ({peer} peer not run)"
    return "n/a (not measured)"


def ratio_text(project, peer):
    if project is None or peer is None or peer <= 0:
        return "-"
    return f"{project / peer:.2f}"


def both(a, b, fmt):
    if a is None and b is None:
        return ""
    return f"{fmt(a) if a is not None else '-'} / {fmt(b) if b is not None else '-'}"


def build_table(results):
    table = Table(["workload", "dtype", "thr", "shape", "project", "vs", "peer time", "ratio", "GFLOP/s",
                   "%peak"])
    order = ["peak", "gemm", "potrf", "map", "reduce", "graph", "mlp", "agop", "kernel", "rfm"]

    def sort_key(key):
        workload, impl, dtype, shape, threads = key
        group = workload.split(".")[0]
        nums = [int(x) for x in re.findall(r"\d+", shape)]
        return (order.index(group) if group in order else len(order), workload, dtype, nums, threads)

    project_rows = sorted((k for k in results.rows if k[1] == "fact"), key=sort_key)
    last_group = None
    skipped_noted = set()
    for key in project_rows:
        workload, _, dtype, shape, threads = key
        group = workload.split(".")[0]
        if last_group is not None and group != last_group:
            table.rule()
        last_group = group
        row = results.rows[key]
        cmps = comparators(workload)
        if not cmps:
            table.add([workload, dtype, threads, pretty_shape(workload, shape), fmt_time(row["seconds"]),
                       "(no comparator)", "", "", both(gflops(row), None, lambda v: f"{v:.1f}"), ""])
        present = [c for c in cmps if {"openblas-unset": "openblas", "openblas-best": "openblas"}.get(c, c) not in results.skipped]
        for cmp in cmps:
            peer = {"openblas-unset": "openblas", "openblas-best": "openblas"}.get(cmp, cmp)
            if peer in results.skipped:
                na = f"n/a ({results.skipped[peer]})"
                if not present:  # the only comparators are missing: the row still shows the project's time
                    table.add([workload, dtype, threads, pretty_shape(workload, shape), fmt_time(row["seconds"]),
                               comparator_name(cmp, results, "", workload), na, "-",
                               both(gflops(row), None, lambda v: f"{v:.1f}"),
                               both(percent_peak(row), None, lambda v: f"{v:.0f}%")])
                elif (workload, cmp) not in skipped_noted:  # beside others: once per workload
                    table.add([workload, "*", "*", "*", "", comparator_name(cmp, results, "", workload), na, "", "", ""])
                skipped_noted.add((workload, cmp))
                continue
            other, note = find_comparator(results, workload, cmp, dtype, shape, threads)
            g_proj, g_peer = gflops(row), gflops(other)
            p_proj, p_peer = percent_peak(row), percent_peak(other)
            if other is not None and g_peer is None and g_proj is not None:
                # the peers report times only: the same workload, so the same flops per iteration
                g_peer = g_proj * row["seconds"] / other["seconds"]
                peak = peak_gflops(results, dtype)
                if peak:
                    p_peer = 100.0 * g_peer / (peak * threads)
            table.add([workload, dtype, threads, pretty_shape(workload, shape), fmt_time(row["seconds"]),
                       comparator_name(cmp, results, note, workload),
                       fmt_time(other["seconds"]) if other else missing_reason(results, cmp),
                       ratio_text(row["seconds"], other["seconds"] if other else None),
                       both(g_proj, g_peer, lambda v: f"{v:.1f}"),
                       both(p_proj, p_peer, lambda v: f"{v:.0f}%")])
    return table


def peak_gflops(results, dtype):
    row = results.rows.get(("peak", "fma", dtype, "1core", 1))
    return gflops(row)


def rfm_memory_estimate(n, d=784, c=10):
    """Bytes at the peak of one RFM iteration (fact/kernel): the fit holds the n×n kernel matrix, X and
    X·M; the gradient pass the n×(c·d) matrix [α_jc x_j] and G (n·c, d), with blocks of ~16M entries."""
    fit = 8 * (n * n + 2 * n * d + 2 * n * c)
    block = max(16, min(n, 16_000_000 // max(n, 1)))
    gradients = 8 * (2 * n * c * d + 2 * block * n + block * c * d + 2 * n * d)
    return max(fit, gradients)


def fmt_bytes(b):
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= scale:
            return f"{b / scale:.2f} {unit}"
    return f"{b} B"


def print_memory(results_dir, out=sys.stdout):
    path = os.path.join(results_dir, "memory.json")
    entries = []
    if os.path.exists(path):
        with open(path) as f:
            entries = json.load(f)
    print("\nPeak resident memory (getrusage of the child process: ru_maxrss)", file=out)
    measured_rfm = False
    for e in entries:
        if e.get("maxrss_kb") is not None and e.get("status") == 0:
            text = f"{fmt_bytes(e['maxrss_kb'] * 1024)} in {e['seconds']:.1f} s"
        else:
            text = f"failed (exit status {e.get('status')}; log {e.get('log', '?')})"
        print(f"  {e['name']:<40} {text}", file=out)
        measured_rfm |= e["name"].startswith("rfm")
    if not measured_rfm:
        est = rfm_memory_estimate(25000, 50, 2)
        print(f"  {'rfm.iter f64 n=25000 d=50 c=2 (not run)':<40} estimate ≈ {fmt_bytes(est)} (8n² bytes of kernel matrix "
              f"dominate); ./run bench --memory measures it (minutes)", file=out)


def print_phases(results, out=sys.stdout):
    """Where the time of an RFM iteration goes (bench_rfm's counters fit_s, gradients_s, update_s)."""
    lines = []
    for key, row in sorted(results.rows.items()):
        c = row["counters"]
        if key[1] == "fact" and "fit_s" in c:
            lines.append(f"  {key[0]} {key[3]} threads {key[4]}: fit {c['fit_s']:.3g} s, gradients "
                         f"{c['gradients_s']:.3g} s, update {c['update_s']:.3g} s")
    if lines:
        print("\nRFM iteration by phase (seconds per iteration)", file=out)
        for line in lines:
            print(line, file=out)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    results_dir = argv[1]
    results = Results()
    for name in sorted(os.listdir(results_dir)):
        if not name.endswith(".json") or name == "memory.json":
            continue
        rename = {"bench_blas_unset.json": {"openblas": "openblas-unset"},
                  "bench_blas_best.json": {"openblas": "openblas-best"}}.get(name)
        results.add_file(os.path.join(results_dir, name), rename)

    print("ratio = project time / comparator time (below 1: the project is faster); times are the best of the\n"
          "repetitions, wall clock. GFLOP/s and %peak: project / comparator, where %peak = flop/s over one core's\n"
          "FMA peak × threads, the peak measured in the same run.")
    for dtype in ("f32", "f64"):
        g = peak_gflops(results, dtype)
        if g:
            print(f"FMA peak of one core, {dtype}: {g:.1f} GFLOP/s")
    loads = []
    start = os.path.join(results_dir, "loadavg.start")
    if os.path.exists(start):
        with open(start) as f:
            loads.append(("at the start", [float(x) for x in f.read().split()[:3]]))
    try:
        loads.append(("at the end", list(os.getloadavg())))
    except OSError:
        pass
    for when, load in loads:
        print(f"load average {when}: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs"
              + (" (above the threads measured: other processes shared the cores, timings are noisy)"
                 if load[0] > 2 else ""))
    for peer, why in sorted(results.skipped.items()):
        print(f"peer {peer}: {why}")
    print()
    build_table(results).print()
    print_phases(results)
    print_memory(results_dir)
    for f in results.failed:
        print(f"unreadable result: {f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
