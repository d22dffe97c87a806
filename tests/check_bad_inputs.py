#!/usr/bin/env python3
"""Bad inputs to the `fact` program, one row of a table each.

Usage: check_bad_inputs.py PATH_TO_FACT [plain|sanitized]

Every row is a name, the argv, the expected exit status, the key phrases that the one line on stderr must
contain, and optionally the files to create first (bad CSV, .npy, IDX, CIFAR and UCI files, a run directory
with a damaged run.json or model/, all written by this script). For each row the program must:

- exit with the expected status: 1 for an error or a refusal, 2 for a usage error that CLI11 finds (an
  unknown command or option, a missing required option, excluded options, a value CLI11 cannot convert).
  A bad flag value (a sign on an unsigned flag, an overflow, nan, a number outside the flag's range) may be
  refused either way, by a CLI11 check (2) or by the program after parsing (1): those rows accept both;
- print exactly one line on stderr, beginning with "fact: ", in UTF-8 without control characters (unprintable
  bytes of a file are escaped), containing every key phrase (case-insensitive; a plain string is literal, an
  R(...) string a regular expression). The one documented exception: rfm --power 100 may instead run and warn
  that M underflows (exit 0, the warning naming --power among its lines): a warning serves as well there;
- finish within QUICK seconds (5 s; 30 s under ASan + UBSan): sizes are refused by estimate before anything is
  allocated, contradictions before any training; a row that runs TIMEOUT seconds (20 s; 120 s sanitized) is
  stopped and fails;
- leave its working directory exactly as it was: every pre-existing file with the same checksum, nothing
  new (no --out, no OUT.tmp-* debris, no analysis/ in a run directory it refused to analyse), and nothing
  at an absolute --out outside it.

Each row runs in its own directory (the working directory of the program), which holds a notes.txt of the
user's and the row's files. In the plain suite every row runs under `ulimit -v` (4 GiB of address space), so
that a size that is not refused by estimate fails at once instead of filling the machine's memory (ASan
reserves terabytes of address space, so the sanitized suite uses ASan's hard_rss_limit_mb instead). The
sizes are beyond any machine, or are realistic sizes under --max-memory 1 (GiB), so the expected refusal
does not depend on the machine's memory.

Prints "ok: NAME" or "FAIL: NAME: why [the actual exit status, time and stderr]" per row, then
"N passed, N failed"; exits 1 if any row failed. BAD_INPUTS_ONLY=REGEX runs only the rows whose name it
matches; BAD_INPUTS_VERBOSE=1 shows the actual behaviour of the rows that pass too.
"""
import concurrent.futures
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

ERROR = 1            # an error or a refusal
USAGE = 2            # a usage error found by CLI11
VALUE = (1, 2)       # a bad flag value: refused by a CLI11 check (2) or by the program after parsing (1)

SANITIZED = len(sys.argv) > 2 and sys.argv[2] == "sanitized"
QUICK = 30.0 if SANITIZED else 5.0          # seconds within which every row must be refused
TIMEOUT = 120.0 if SANITIZED else 20.0      # seconds after which a row is stopped (and fails)
ADDRESS_SPACE_KIB = 4 * 1024 * 1024         # ulimit -v of every row in the plain suite


class R(str):
    """A key phrase that is a regular expression (a plain str is matched literally)."""


# Phrases for the common kinds of message (regular expressions, matched case-insensitively).
INTEGER = R(r"integer")                                       # --epochs -1, 99999999999999999999, abc
IN_RANGE = R(r"integer|positive|at least|≥|>=|range|between|\.\.|non-?zero|\d")  # --batch 0, --p 1
FLOAT_RANGE = R(r"finite|range|positive|negative|≥|>=|>|<|≤|\[|\(|at least|at most|between")  # -1, 0, 1.5
FINITE = FLOAT_RANGE                                          # nan, inf, 1e309: "finite", or the range
MEMORY = ["memory", "--max-memory"]                           # refused by estimate


class Case:
    def __init__(self, name, argv, code, phrases, files=None, fixture=False, mutate=None, warn_ok=False,
                 outside=None):
        self.name, self.argv, self.code, self.phrases = name, argv, code, phrases
        self.files = files or {}      # relative path -> bytes | str | DIR | ("symlink", target)
        self.fixture = fixture        # copy the trained run to R/ (analyze rows)
        self.mutate = mutate          # function(case_dir) applied after the files and the fixture
        self.warn_ok = warn_ok        # exit 0 with a warning is accepted too (rfm --power 100)
        self.outside = outside        # an absolute path that must not exist afterwards


DIR = object()   # a file entry that is an (empty) directory
CASES = []


def case(name, argv, code, *phrases, **kw):
    CASES.append(Case(name, list(argv), code, list(phrases), **kw))


def command(words, defaults, overrides=None, flags=("--quiet",)):
    """words + the default options, each replaced by overrides (None drops it), + flags."""
    opts = dict(defaults)
    for k, v in (overrides or {}).items():
        opts[k] = v
    argv = list(words)
    for k, v in opts.items():
        if v is not None:
            argv += [k, v]
    return argv + list(flags)


def train(o=None, *flags):
    return command(["train"], {"--data": "iris", "--hidden": "4", "--epochs": "2", "--out": "out"}, o,
                   ("--quiet",) + flags)


def rfm(o=None, *flags):
    return command(["rfm"], {"--data": "iris", "--iters": "1", "--out": "out"}, o, ("--quiet",) + flags)


def nvf(o=None, *flags):
    return command(["experiment", "nfa-vs-fact"],
                   {"--data": "iris", "--seeds": "1", "--hidden": "4", "--act": "tanh", "--epochs": "5",
                    "--out": "out"}, o, ("--quiet",) + flags)


def grok(o=None, *flags):
    return command(["experiment", "grokking"], {"--p": "5", "--iters": "1", "--out": "out"}, o,
                   ("--quiet",) + flags)


def parity(o=None, *flags):
    return command(["experiment", "parity"],
                   {"--d": "10", "--k": "2", "--support": "1,3", "--n": "200", "--test-n": "100", "--iters": "1",
                    "--out": "out"}, o, ("--quiet",) + flags)


def tau(o=None, *flags):
    return command(["experiment", "tau"], {"--p": "5", "--iters": "1", "--scatter-points": "50", "--out": "out"}, o,
                   ("--quiet",) + flags)


def tabular(o=None, *flags):
    return command(["experiment", "tabular"], {"--data": "iris", "--methods": "laplace", "--out": "out"}, o,
                   ("--quiet",) + flags)


def analyze(o=None, *flags):
    return command(["analyze"], {"--run": "R"}, o, ("--quiet",) + flags)


def analyze_model(o=None, *flags):
    return command(["analyze"], {"--model": "R/model", "--data": "iris", "--wd": "0.01"}, o, ("--quiet",) + flags)


# ---- files the rows read -------------------------------------------------------------------------------

def npy(values, descr="<f8", shape=None, fortran=False, version=(1, 0), header=None, data=None):
    """A .npy file of the values (a flat list, or a list of rows), or of a given header and data."""
    if values and isinstance(values[0], (list, tuple)):
        shape = shape or (len(values), len(values[0]))
        flat = [v for row in values for v in row]
    else:
        shape = shape or (len(values),)
        flat = list(values)
    if data is None:
        code = {"<f8": "d", "<f4": "f", "<i8": "q", "<i4": "i", "|u1": "B"}.get(descr, "d")
        data = struct.pack("<%d%s" % (len(flat), code), *flat)
    if header is None:
        dims = ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "")
        header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (descr, fortran, dims)
    head = header.encode("latin-1")
    prefix = 10 if version[0] == 1 else 12
    head += b" " * ((64 - (prefix + len(head) + 1) % 64) % 64) + b"\n"
    size = struct.pack("<H", len(head)) if version[0] == 1 else struct.pack("<I", len(head))
    return b"\x93NUMPY" + bytes(version) + size + head + data


X4 = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8]]
Y4 = [0, 1, 0, 1]


def npy_pair(x=None, y=None):
    return {"x.npy": x if x is not None else npy(X4), "y.npy": y if y is not None else npy(Y4, "<i8")}


def idx_images(n, rows, cols, body=None, magic=0x803):
    head = struct.pack(">IIII", magic, n, rows, cols)
    return head + (body if body is not None else bytes(n * rows * cols))


def idx_labels(n, body=None, magic=0x801):
    return struct.pack(">II", magic, n) + (body if body is not None else bytes(i % 10 for i in range(n)))


def idx_pair(images=None, labels=None):
    return {"img.idx": images if images is not None else idx_images(4, 2, 2),
            "lab.idx": labels if labels is not None else idx_labels(4)}


CIFAR_RECORD = 3073


def cifar_batch(labels):
    return b"".join(bytes([lab]) + bytes(CIFAR_RECORD - 1) for lab in labels)


def uci_folder(txt=None, data=None, split=None, kfold=None, name="toy"):
    """A UCI dataset folder uci/toy/ with 4 rows of 2 features and 2 classes; any part replaced."""
    base = "uci/%s/" % name
    txt = txt if txt is not None else "n_entradas= 2\nn_clases= 2\nn_patrons1= 4\nfich1= toy_R.dat\n"
    data = data if data is not None else "\tf1\tf2\tclase\n1\t0.1\t0.2\t0\n2\t0.3\t0.4\t1\n3\t0.5\t0.6\t0\n4\t0.7\t0.8\t1\n"
    split = split if split is not None else "0 1\n2 3\n"
    kfold = kfold if kfold is not None else "0 1\n2 3\n2 3\n0 1\n0 2\n1 3\n1 3\n0 2\n"
    files = {base + "conxuntos.dat": split, base + "conxuntos_kfold.dat": kfold}
    if txt is not False:
        files[base + name + ".txt"] = txt
    if data is not False:
        files[base + "toy_R.dat"] = data
    return files


def gz(text):
    return gzip.compress(text.encode() if isinstance(text, str) else text, mtime=0)


def zeros_csv_gz(megabytes):
    """A gzip of `megabytes` MiB of the CSV rows "0,0": a small file that decompresses past a budget."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"0,0\n" * (1 << 18)
    return b"".join([comp.compress(block) for _ in range(megabytes)] + [comp.flush()])


# ---- the damaged run directories of analyze (the fixture R/ is a real run of `fact train`) -----------

def edit_json(path, change):
    def mutate(d):
        p = os.path.join(d, path)
        with open(p) as f:
            j = json.load(f)
        change(j)
        with open(p, "w") as f:
            json.dump(j, f, indent=2)
    return mutate


def write_file(path, content):
    def mutate(d):
        with open(os.path.join(d, path), "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
    return mutate


def remove(path):
    return lambda d: os.remove(os.path.join(d, path))


def nan_weight(d):
    """The first entry of layers.0.weight becomes NaN (the file keeps its header)."""
    p = os.path.join(d, "R/model/layers.0.weight.npy")
    with open(p, "rb") as f:
        b = bytearray(f.read())
    start = 10 + struct.unpack("<H", b[8:10])[0]
    b[start:start + 8] = struct.pack("<d", float("nan"))
    with open(p, "wb") as f:
        f.write(b)


def set_key(obj_path, value):
    def change(j):
        *parents, last = obj_path
        for k in parents:
            j = j[k]
        j[last] = value
    return change


# ======================================================================================================
# The table.
# ======================================================================================================

# ---- commands and CLI11 usage errors ----------------------------------------------------------------
case("unknown command trian", ["trian"], USAGE, "unknown command 'trian'", "did you mean 'train'")
case("unknown command analyse", ["analyse", "--run", "R"], USAGE, "'analyse'", "did you mean 'analyze'")
case("unknown command rfn", ["rfn", "--out", "out"], USAGE, "'rfn'", "did you mean 'rfm'")
case("unknown experiment grokin", ["experiment", "grokin", "--out", "out"], USAGE, "grokin'",
     R("did you mean '(experiment )?grokking'"))
case("no command", [], USAGE, R("command"))
case("experiment without a name", ["experiment"], USAGE, R("command|experiment"))
case("unknown option train --bogus", train({}, "--bogus"), USAGE, "--bogus")
case("misspelt option train --epoch", train({"--epochs": None, "--epoch": "5"}), USAGE, "--epoch")
case("rfm without --out", rfm({"--out": None}), USAGE, "--out", R("required"))
case("grokking without --out", grok({"--out": None}), USAGE, "--out", R("required"))
case("train --epochs without a value", ["train", "--data", "iris", "--out", "out", "--epochs"], USAGE, "--epochs")
case("train --dtype f16", train({"--dtype": "f16"}), USAGE, "--dtype", "f16")
case("rfm --dtype f16", rfm({"--dtype": "f16"}), USAGE, "--dtype", "f16")
case("tabular --dtype float", tabular({"--dtype": "float"}), USAGE, "--dtype", "float")
case("tau --op pow", tau({"--op": "pow"}), USAGE, "--op", "pow")
case("tabular --uci with --data", tabular({"--uci": "uci"}), USAGE, "--uci", "--data")
case("tabular --datasets without --uci", tabular({"--datasets": "toy"}), USAGE, "--datasets", "--uci")
case("datasets with an argument", ["datasets", "extra"], USAGE, "extra")
case("train with a positional argument", train() + ["extra"], USAGE, "extra")

# ---- integer flags: sign, overflow, non-digits, range -------------------------------------------------
for flag, value in [("--epochs", "-1"), ("--epochs", "99999999999999999999"), ("--epochs", "abc"),
                    ("--epochs", "1.5"), ("--epochs", "+5"), ("--seed", "-1"),
                    ("--seed", "18446744073709551616"), ("--seed", "0x10"), ("--threads", "-1"),
                    ("--threads", "99999999999"), ("--track-every", "-1"), ("--eval-every", "-1"),
                    ("--eval-every", "1e3")]:
    case("train %s %s" % (flag, value), train({flag: value, "--wd": "0.01"}), VALUE, flag, INTEGER)
case("train --eval-every 0", train({"--eval-every": "0"}), VALUE, "--eval-every", IN_RANGE)
case("train --batch 0", train({"--batch": "0"}), VALUE, "--batch", R("positive|integer|full"))
case("train --batch -5", train({"--batch": "-5"}), VALUE, "--batch", R("positive|integer|full"))
case("train --batch abc", train({"--batch": "abc"}), VALUE, "--batch", R("positive|integer|full"))
case("train --batch 1e3", train({"--batch": "1e3"}), VALUE, "--batch", R("positive|integer|full"))
case("train --batch 99999999999999999999", train({"--batch": "99999999999999999999"}), VALUE, "--batch",
     R("integer|too large|at most|range"))
case("analyze --seed -1", analyze_model({"--seed": "-1"}), VALUE, "--seed", INTEGER, fixture=True)
case("analyze --threads -1", analyze({"--threads": "-1"}), VALUE, "--threads", INTEGER, fixture=True)
case("rfm --iters -1", rfm({"--iters": "-1"}), VALUE, "--iters", INTEGER)
case("rfm --iters 99999999999999999999", rfm({"--iters": "99999999999999999999"}), VALUE, "--iters", INTEGER)
case("rfm --seed -1", rfm({"--seed": "-1"}), VALUE, "--seed", INTEGER)
case("rfm --threads -1", rfm({"--threads": "-1"}), VALUE, "--threads", INTEGER)
case("nfa-vs-fact --seeds -1", nvf({"--seeds": "-1"}), VALUE, "--seeds", INTEGER)
case("nfa-vs-fact --seeds 0", nvf({"--seeds": "0"}), VALUE, "--seeds", IN_RANGE)
case("nfa-vs-fact --epochs -1", nvf({"--epochs": "-1"}), VALUE, "--epochs", INTEGER)
case("nfa-vs-fact --track-every -1", nvf({"--track-every": "-1"}), VALUE, "--track-every", INTEGER)
case("nfa-vs-fact --threads -1", nvf({"--threads": "-1"}), VALUE, "--threads", INTEGER)
case("grokking --p -1", grok({"--p": "-1"}), VALUE, "--p", INTEGER)
case("grokking --p 1", grok({"--p": "1"}), VALUE, "--p", IN_RANGE)
case("grokking --p abc", grok({"--p": "abc"}), VALUE, "--p", INTEGER)
case("grokking --iters -1", grok({"--iters": "-1"}), VALUE, "--iters", INTEGER)
case("grokking --seed -1", grok({"--seed": "-1"}), VALUE, "--seed", INTEGER)
case("grokking --threads -1", grok({"--threads": "-1"}), VALUE, "--threads", INTEGER)
case("parity --test-n -1", parity({"--test-n": "-1"}), VALUE, "--test-n", INTEGER)
case("parity --test-n 0", parity({"--test-n": "0"}), VALUE, "--test-n", IN_RANGE)
case("parity --n -1", parity({"--n": "-1"}), VALUE, "--n", INTEGER)
case("parity --d -1", parity({"--d": "-1"}), VALUE, "--d", INTEGER)
case("parity --k -1", parity({"--k": "-1", "--support": "random"}), VALUE, "--k", INTEGER)
case("parity --iters -1", parity({"--iters": "-1"}), VALUE, "--iters", INTEGER)
case("parity --sweep 100,-5", parity({"--sweep": "100,-5"}), VALUE, "--sweep", R("integer|positive"))
case("parity --support 1,-2", parity({"--support": "1,-2"}), VALUE, "--support", R("integer|coordinate"))
case("tau --p -1", tau({"--p": "-1"}), VALUE, "--p", INTEGER)
case("tau --iters -1", tau({"--iters": "-1"}), VALUE, "--iters", INTEGER)
case("tau --scatter-points -1", tau({"--scatter-points": "-1"}), VALUE, "--scatter-points", INTEGER)
case("tabular --max-samples -1", tabular({"--max-samples": "-1"}), VALUE, "--max-samples", INTEGER)
case("tabular --seed -1", tabular({"--seed": "-1"}), VALUE, "--seed", INTEGER)
case("demo --threads -1", ["demo", "--out", "out", "--threads", "-1", "--quiet"], VALUE, "--threads", INTEGER)

# ---- float flags: finite, and inside the flag's range --------------------------------------------------
for flag, value, phrase in [("--lr", "nan", FINITE), ("--lr", "inf", FINITE), ("--lr", "1e309", FINITE),
                            ("--lr", "-1", FLOAT_RANGE), ("--lr", "0", FLOAT_RANGE),
                            ("--wd", "inf", FINITE), ("--wd", "nan", FINITE), ("--wd", "-1", FLOAT_RANGE),
                            ("--momentum", "nan", FINITE), ("--momentum", "-0.5", FLOAT_RANGE),
                            ("--momentum", "1.5", FLOAT_RANGE), ("--tol", "-1", FLOAT_RANGE),
                            ("--tol", "nan", FINITE), ("--tol", "inf", FINITE),
                            ("--test-frac", "-0.1", FLOAT_RANGE), ("--test-frac", "nan", FINITE),
                            ("--test-frac", "1", FLOAT_RANGE), ("--test-frac", "1.5", FLOAT_RANGE),
                            ("--init-scale", "nan", FINITE), ("--init-scale", "inf", FINITE),
                            ("--lr", "abc", R("--lr"))]:
    case("train %s %s" % (flag, value), train({flag: value}), VALUE, flag, phrase)
case("analyze --wd inf", analyze_model({"--wd": "inf"}), VALUE, "--wd", FINITE, fixture=True)
case("analyze --wd nan", analyze_model({"--wd": "nan"}), VALUE, "--wd", FINITE, fixture=True)
case("analyze --wd -1", analyze_model({"--wd": "-1"}), VALUE, "--wd", FLOAT_RANGE, fixture=True)
case("analyze --wd 0", analyze_model({"--wd": "0"}), VALUE, "--wd", FLOAT_RANGE, fixture=True)
case("rfm --power 100 (M underflows)", rfm({"--power": "100"}), VALUE, "--power", R("underflow|" + FLOAT_RANGE),
     warn_ok=True)
for flag, value, phrase in [("--power", "-1", FLOAT_RANGE),
                            ("--power", "nan", FINITE), ("--bandwidth", "0", FLOAT_RANGE),
                            ("--bandwidth", "-1", FLOAT_RANGE), ("--bandwidth", "inf", FINITE),
                            ("--ridge", "-1", FLOAT_RANGE), ("--ridge", "nan", FINITE),
                            ("--test-frac", "-0.1", FLOAT_RANGE), ("--test-frac", "1", FLOAT_RANGE),
                            ("--test-frac", "nan", FINITE), ("--val-frac", "1", FLOAT_RANGE),
                            ("--val-frac", "-0.5", FLOAT_RANGE)]:
    case("rfm %s %s" % (flag, value), rfm({flag: value}), VALUE, flag, phrase)
for flag, value, phrase in [("--frac", "0", FLOAT_RANGE), ("--frac", "1.5", FLOAT_RANGE), ("--frac", "nan", FINITE),
                            ("--bandwidth", "0", FLOAT_RANGE), ("--ridge", "-1", FLOAT_RANGE),
                            ("--power", "nan", FINITE)]:
    case("grokking %s %s" % (flag, value), grok({flag: value}), VALUE, flag, phrase)
for flag, value, phrase in [("--threshold", "2", FLOAT_RANGE), ("--threshold", "nan", FINITE),
                            ("--bandwidth", "-1", FLOAT_RANGE), ("--ridge", "inf", FINITE)]:
    case("parity %s %s" % (flag, value), parity({flag: value}), VALUE, flag, phrase)
for flag, value, phrase in [("--frac", "0", FLOAT_RANGE), ("--ridge", "-1", FLOAT_RANGE), ("--power", "inf", FINITE)]:
    case("tau %s %s" % (flag, value), tau({flag: value}), VALUE, flag, phrase)
# --wd 0 must be refused before seed 0 trains: this configuration would train for minutes.
case("nfa-vs-fact --wd 0 refused before training",
     nvf({"--wd": "0", "--data": "digits", "--hidden": "64,64", "--act": "relu", "--epochs": "100000",
          "--seeds": "3"}), VALUE, "--wd", FLOAT_RANGE)
case("nfa-vs-fact --wd -1", nvf({"--wd": "-1"}), VALUE, "--wd", FLOAT_RANGE)
case("nfa-vs-fact --wd inf", nvf({"--wd": "inf"}), VALUE, "--wd", FINITE)
case("nfa-vs-fact --tol nan", nvf({"--tol": "nan"}), VALUE, "--tol", FINITE)
case("tabular --max-memory -1", tabular({"--max-memory": "-1"}), VALUE, "--max-memory", FLOAT_RANGE)
case("tabular --max-memory nan", tabular({"--max-memory": "nan"}), VALUE, "--max-memory", FINITE)

# ---- names of things and contradictions ---------------------------------------------------------------
case("train --act foo", train({"--act": "foo"}), VALUE, "foo", R("relu|tanh|valid"))
case("train --opt foo", train({"--opt": "foo"}), VALUE, "foo", R("adam|lbfgs|valid"))
case("train --loss foo", train({"--loss": "foo"}), VALUE, "foo", R("mse|ce|valid"))
case("train --schedule foo", train({"--schedule": "foo"}), VALUE, "foo", R("cosine|constant|valid"))
case("train --hidden '' (no hidden layer must be --hidden none)", train({"--hidden": ""}), VALUE, "--hidden",
     "none")
case("train --hidden 4,,4", train({"--hidden": "4,,4"}), VALUE, "--hidden", R("width|positive"))
case("train --hidden 0", train({"--hidden": "0"}), VALUE, "--hidden", R("width|positive"))
case("train --hidden -4", train({"--hidden": "-4"}), VALUE, "--hidden", R("width|positive"))
case("train --hidden abc", train({"--hidden": "abc"}), VALUE, "--hidden", R("width|positive"))
case("train --hidden 4,", train({"--hidden": "4,"}), VALUE, "--hidden", R("width|positive"))
case("train --loss ce on a regression dataset", train({"--data": "lowrank:d=6,n=50", "--loss": "ce"}), ERROR,
     R("--loss|ce"), "regression")
case("train --loss ce on csv task=regression",
     train({"--data": "csv:r.csv,task=regression", "--loss": "ce"}), ERROR, R("--loss|ce"), "regression",
     files={"r.csv": "1,2,0.5\n3,4,1.5\n5,6,2.5\n"})
case("train --track-every without --wd", train({"--track-every": "1"}), ERROR, "--track-every", "--wd")
case("train without --out", train({"--out": None}), VALUE, "--out")
case("train --out ''", train({"--out": ""}), VALUE, "--out")
case("analyze --run with --model", analyze({"--model": "R/model"}), VALUE, "--run", "--model", fixture=True)
case("analyze --run with --data", analyze({"--data": "iris"}), VALUE, "--run", "--data", fixture=True)
case("analyze without --run or --model", ["analyze", "--quiet"], VALUE, "--run", "--model")
case("analyze --model without --data", analyze_model({"--data": None}), VALUE, "--data", fixture=True)
case("grokking --update nfa,nfa", grok({"--update": "nfa,nfa"}), VALUE, "--update", R("twice|duplicate|repeat"))
case("grokking --update foo", grok({"--update": "foo"}), VALUE, "foo", R("nfa|fact|valid"))
case("grokking --update ''", grok({"--update": ""}), VALUE, "--update")
case("grokking --op pow", grok({"--op": "pow"}), VALUE, "pow", R("add|valid"))
case("grokking --kernel foo", grok({"--kernel": "foo"}), VALUE, "foo", R("laplace|gaussian|valid"))
case("grokking --normalize foo", grok({"--normalize": "foo"}), VALUE, "foo", R("max|trace|valid"))
case("parity --update fact,fact", parity({"--update": "fact,fact"}), VALUE, "--update", R("twice|duplicate|repeat"))
case("parity --k 3 --support 1,2", parity({"--k": "3", "--support": "1,2"}), VALUE, "--k", "--support")
case("parity --support 1,1", parity({"--support": "1,1", "--k": None}), VALUE, "--support",
     R("twice|duplicate|repeat|distinct"))
case("parity --support outside --d", parity({"--support": "1,99", "--k": None}), VALUE, "--support", "99")
case("parity --k above --d", parity({"--k": "11", "--support": "random"}), VALUE, "--k", R("--d|range|≤|at most"))
case("rfm --kernel foo", rfm({"--kernel": "foo"}), VALUE, "foo", R("laplace|valid"))
case("rfm --update foo", rfm({"--update": "foo"}), VALUE, "foo", R("nfa|valid"))
case("rfm --normalize foo", rfm({"--normalize": "foo"}), VALUE, "foo", R("max|trace|valid"))
case("tau --kernel laplace (not an inner-product kernel)", tau({"--kernel": "laplace"}), VALUE, "laplace",
     R("quadratic|inner"))
case("tabular --methods foo", tabular({"--methods": "foo"}), VALUE, "foo", R("laplace|nfa|valid"))
case("tabular --methods ''", tabular({"--methods": ""}), VALUE, "--methods")
case("tabular --data unknown", tabular({"--data": "nosuch"}), ERROR, "nosuch")
case("tabular without --uci or --data", tabular({"--data": None}), VALUE, "--uci", "--data")
case("tabular --uci missing", tabular({"--data": None, "--uci": "nosuch"}), ERROR, "nosuch",
     R("not a folder|no such|missing"))

# ---- dataset strings: kinds, keys, values -------------------------------------------------------------
for spec, phrases in [
        ("foo", ["unknown kind 'foo'"]), ("digit", ["'digit'"]), (":p=5", [R("empty kind|kind")]),
        ("iris:x=1", ["unknown key 'x'"]), ("iris:extra", ["iris", R("field|no fields")]),
        ("modular:q=5", ["unknown key 'q'"]), ("modular:5", [R("field|key=value")]),
        ("modular:p=5,p=7", ["twice"]), ("modular:=5", ["no key"]),
        ("modular:p=-1", ["p=-1", INTEGER]), ("modular:p=1", ["p=1", IN_RANGE]),
        ("modular:p=abc", ["p=abc", INTEGER]), ("modular:p=5.5", ["p=5.5", INTEGER]),
        ("modular:p=18446744073709551617", ["p=18446744073709551617", INTEGER]),
        ("modular:p=5,op=pow", ["op=pow"]), ("modular:p=5,frac=0", ["frac=0", FLOAT_RANGE]),
        ("modular:p=5,frac=nan", ["frac=nan", FINITE]), ("modular:p=5,frac=1.5", ["frac=1.5", FLOAT_RANGE]),
        ("modular:p=6,op=div", [R("prime|inverse")]),
        ("parity:d=0", ["d=0", IN_RANGE]), ("parity:d=5,k=0", ["k=0", IN_RANGE]),
        ("parity:d=5,k=6", ["k=6", IN_RANGE]), ("parity:d=5,n=0", ["n=0", IN_RANGE]),
        ("parity:d=5,n=-1", ["n=-1", INTEGER]), ("parity:d=5,support=1;5", ["support=1;5", R("0\\.\\.4|range")]),
        ("parity:d=5,support=1;1", ["support=1;1", R("twice|distinct")]),
        ("parity:d=5,support=", ["support", "empty"]), ("parity:d=5,support=a;b", ["support=a;b", INTEGER]),
        ("parity:d=5,k=3,support=1;2", ["k=3", "support"]), ("parity:d=5,pm=2", ["pm=2"]),
        ("parity:d=5,target=foo", ["target=foo"]),
        ("lowrank:d=5", ["d=5", IN_RANGE]), ("lowrank:n=0", ["n=0", IN_RANGE]),
        ("lowrank:n=abc", ["n=abc", INTEGER]), ("lowrank:noise=-1", ["noise=-1", FLOAT_RANGE]),
        ("lowrank:noise=nan", ["noise=nan", FINITE]), ("lowrank:noise=inf", ["noise=inf", FINITE]),
        ("lowrank:noise=1e309", ["noise=1e309", FINITE]),
        ("mixture:sep=nan", ["sep=nan", FINITE]), ("mixture:sep=inf", ["sep=inf", FINITE]),
        ("mixture:sep=-1", ["sep=-1", FLOAT_RANGE]), ("mixture:classes=0", ["classes=0", IN_RANGE]),
        ("mixture:d=0", ["d=0", IN_RANGE]), ("mixture:classes=100000", ["classes=100000", IN_RANGE])]:
    case("dataset %s" % spec, train({"--data": spec}), ERROR, *phrases)
# The same checks behind the other commands that take a dataset string.
case("rfm dataset lowrank:noise=nan", rfm({"--data": "lowrank:noise=nan,n=100"}), ERROR, "noise=nan", FINITE)
case("rfm dataset unknown kind", rfm({"--data": "nosuch:x=1"}), ERROR, "unknown kind 'nosuch'")
case("nfa-vs-fact dataset mixture:sep=nan", nvf({"--data": "mixture:sep=nan"}), ERROR, "sep=nan", FINITE)
case("analyze --model dataset modular:p=-1", analyze_model({"--data": "modular:p=-1"}), ERROR, "p=-1", INTEGER,
     fixture=True)

# ---- CSV ---------------------------------------------------------------------------------------------
CSV_OK = "1,2,0\n3,4,1\n5,6,0\n"
for name, content, phrases in [
        ("a first row with an empty cell (1,,0) is data, not a header", "1,,0\n1,2,0\n3,4,1\n",
         [":1:2", R("empty|''")]),
        ("a first row with nan is data", "1,nan,0\n1,2,0\n3,4,1\n", [":1:", R("nan|finite|number")]),
        ("a first row with 1e309 is data", "1,1e309,0\n1,2,0\n3,4,1\n", [":1:", R("1e309|finite|number")]),
        ("empty file", "", ["empty"]),
        ("only a header", "a,b,label\n", [R("only a header|no data rows")]),
        ("one field per row", "1\n2\n3\n", ["1 field"]),
        ("ragged row", "1,2,0\n3,4\n5,6,0\n", [":2:", "ragged"]),
        ("a cell that is not a number", "1,2,0\n3,abc,1\n", [":2:2", "abc"]),
        ("an empty cell on line 3", "1,2,0\n3,4,1\n5,,0\n", [":3:2", R("empty|''")]),
        ("an empty label", "1,2,0\n3,4,\n", [":2:3", R("empty")]),
        ("a nan label", "1,2,0\n3,4,nan\n", [":2:3", R("label"), R("nan|finite")]),
        ("an inf label", "1,2,0\n3,4,inf\n", [":2:3", R("label"), R("inf|finite")]),
        ("non-integer labels without task=", "1,2,0.5\n3,4,1.25\n5,6,2.75\n", ["task=regression"]),
        ("1e309 in a cell", "1,2,0\n3,1e309,1\n", [":2:2", R("1e309|finite")]),
        ("unterminated quote", '1,2,0\n"3,4,1\n', ["unterminated quote"]),
        ("UTF-16 with a byte-order mark", "\ufeff1,2,0\n3,4,1\n".encode("utf-16-le"), ["UTF-16"]),
        ("UTF-16 without a byte-order mark", "1,2,0\n3,4,1\n5,6,0\n".encode("utf-16-le"),
         [R("UTF-16|NUL|binary")]),
        ("CR-only line endings", "a,b,label\r1,2,0\r3,4,1\r", [R("CR|line endings")]),
        ("NUL bytes in a field", b"1,2,0\n3,\x004,1\n", [R("NUL|\\\\x00|binary|not a number")]),
        ("a control byte in a cell", b"1,2,0\n3,4\x01x,1\n", [":2:2", R(r"\\x01|\\u0001|not a number")]),
        ("non-UTF-8 bytes in a cell", b"1,2,0\n3,\xff\xfe,1\n", [":2:2", R(r"\\x|not a number")]),
        ("70000 classes", "".join("%d,%d\n" % (i, i) for i in range(70000)), [R("classes"), "65536"])]:
    case("csv: " + name, train({"--data": "csv:f.csv"}), ERROR, *phrases,
         files={"f.csv": content.encode() if isinstance(content, str) else content})
case("csv: a directory", train({"--data": "csv:somedir"}), ERROR, "somedir", "is a directory",
     files={"somedir": DIR})
case("csv: a missing file", train({"--data": "csv:nosuch.csv"}), ERROR, "nosuch.csv",
     R("cannot open|no such file"))
case("csv: label column 99", train({"--data": "csv:f.csv,label=99"}), ERROR, R("label|99"), R("column"),
     files={"f.csv": CSV_OK})
case("csv: label column named nosuch", train({"--data": "csv:f.csv,label=nosuch"}), ERROR, "nosuch",
     files={"f.csv": "a,b,label\n" + CSV_OK})
case("csv: task=foo", train({"--data": "csv:f.csv,task=foo"}), ERROR, "task=foo", files={"f.csv": CSV_OK})
case("csv: two paths", train({"--data": "csv:f.csv,g.csv"}), ERROR, R("1 field|a file path|expected"),
     files={"f.csv": CSV_OK, "g.csv": CSV_OK})
case("csv: no path", train({"--data": "csv:"}), ERROR, R("file path|expected|empty"))
case("csv: corrupt gzip", train({"--data": "csv:f.csv.gz"}), ERROR, "f.csv.gz", R("gzip"),
     files={"f.csv.gz": b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"garbage that is not deflate" * 3})
case("csv: truncated gzip", train({"--data": "csv:f.csv.gz"}), ERROR, "f.csv.gz", "truncated",
     files={"f.csv.gz": gz(CSV_OK * 50)[:-20]})
case("csv: gzip with trailing garbage", train({"--data": "csv:f.csv.gz"}), ERROR, "f.csv.gz", "trailing",
     files={"f.csv.gz": gz(CSV_OK) + b"this is not gzip"})
case("csv: a 100 MiB gzip bomb under --max-memory 0.1", train({"--data": "csv:bomb.csv.gz", "--max-memory": "0.1"}),
     ERROR, "bomb.csv.gz", R("decompress|memory|cap"), files={"bomb.csv.gz": lambda: zeros_csv_gz(100)})
case("rfm csv: a nan label", rfm({"--data": "csv:f.csv"}), ERROR, ":2:3", R("nan|finite"),
     files={"f.csv": "1,2,0\n3,4,nan\n"})

# ---- .npy --------------------------------------------------------------------------------------------
for name, files, phrases, spec in [
        ("a missing X", npy_pair(), ["nosuch.npy", R("cannot open|no such file")], "npy:nosuch.npy,y.npy"),
        ("X is a directory", {"xdir": DIR, "y.npy": npy(Y4, "<i8")}, ["xdir", "is a directory"], "npy:xdir,y.npy"),
        ("one path", npy_pair(), [R("X and Y|2 fields|expected")], "npy:x.npy"),
        ("task=foo", npy_pair(), ["task=foo"], "npy:x.npy,y.npy,task=foo"),
        ("bad magic", npy_pair(x=b"hello, not numpy"), ["x.npy", "magic"], None),
        ("format version 9.0", npy_pair(x=npy(X4, version=(9, 0))), ["x.npy", "version"], None),
        ("truncated in the header length", npy_pair(x=b"\x93NUMPY\x01\x00\x10"), ["x.npy", "truncated"], None),
        ("header length past the end", npy_pair(x=b"\x93NUMPY\x01\x00\xff\x7f{'descr'"), ["x.npy", R("past the end")],
         None),
        ("a header with an unexpected key",
         npy_pair(x=npy(X4, header="{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), 'bogus': 1, }")),
         ["x.npy", "bogus"], None),
        ("a header without shape", npy_pair(x=npy(X4, header="{'descr': '<f8', 'fortran_order': False, }")),
         ["x.npy", "shape"], None),
        ("a malformed header", npy_pair(x=npy(X4, header="{'descr': '<f8', 'fortran_order': Maybe, }")),
         ["x.npy", "malformed"], None),
        ("complex dtype", npy_pair(x=npy(X4, "<c16", data=bytes(64))), ["x.npy", "<c16"], None),
        ("fortran order", npy_pair(x=npy(X4, fortran=True)), ["x.npy", "fortran_order"], None),
        ("a 3-d array", npy_pair(x=npy([0.0] * 8, shape=(2, 2, 2))), ["x.npy", R("3-d|1-D or 2-D")], None),
        ("truncated data", npy_pair(x=npy(X4)[:-8]), ["x.npy", "truncated"], None),
        ("a shape whose size overflows", npy_pair(x=npy([], shape=(1 << 40, 1 << 40), data=b"")),
         ["x.npy", R("too large|overflow")], None),
        ("X and Y rows differ", npy_pair(y=npy([0, 1, 0], "<i8")), [R("rows")], None),
        ("NaN in X", npy_pair(x=npy([[0.1, float("nan")], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8]])),
         ["x.npy", R("nan|finite")], None),
        ("inf in X", npy_pair(x=npy([[0.1, 0.2], [0.3, float("inf")], [0.5, 0.6], [0.7, 0.8]])),
         ["x.npy", R("inf|finite")], None),
        ("NaN in a regression Y", npy_pair(y=npy([0.5, float("nan"), 1.5, 2.5])), ["y.npy", R("nan|finite")],
         "npy:x.npy,y.npy,task=regression"),
        ("non-integer labels", npy_pair(y=npy([0.5, 1.5, 0.25, 1.0])), ["y.npy", "task=regression"], None),
        ("a negative label", npy_pair(y=npy([0, -1, 0, 1], "<i8")), ["y.npy", R("non-negative|negative")], None),
        ("a huge label", npy_pair(y=npy([0, 100000000, 0, 1], "<i8")), ["y.npy", R("too large|classes")], None),
        ("Y rows that are not one-hot", npy_pair(y=npy([[1, 1], [0, 1], [1, 0], [0, 1]], "<i8")),
         ["y.npy", "one-hot"], None),
        ("Y with 0 columns", npy_pair(y=npy([], "<i8", shape=(4, 0), data=b"")), ["y.npy", "0 columns"], None)]:
    case("npy: " + name, train({"--data": spec or "npy:x.npy,y.npy"}), ERROR, *phrases, files=files)

# ---- IDX ---------------------------------------------------------------------------------------------
for name, files, phrases in [
        ("a missing images file", {"lab.idx": idx_labels(4)}, ["img.idx", R("cannot open|no such file")]),
        ("a labels file given as images", idx_pair(images=idx_labels(4)), ["img.idx", "magic"]),
        ("truncated header", idx_pair(images=struct.pack(">II", 0x803, 4)), ["img.idx", "truncated"]),
        ("fewer pixels than announced", idx_pair(images=idx_images(4, 2, 2)[:-3]), ["img.idx", "truncated"]),
        ("trailing bytes", idx_pair(images=idx_images(4, 2, 2) + b"xx"), ["img.idx", "trailing"]),
        ("a count that overflows", idx_pair(images=idx_images(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, body=b"")),
         ["img.idx", R("2\\^64|truncated")]),
        ("labels and images disagree", idx_pair(labels=idx_labels(3)), ["lab.idx", R("3 labels")]),
        ("0 images", idx_pair(images=idx_images(0, 2, 2), labels=idx_labels(0)), ["img.idx", "0 images"]),
        ("images of 0 pixels", idx_pair(images=idx_images(4, 0, 2)), ["img.idx", R("0x2|pixels")]),
        ("a corrupt gzip", {"img.idx": b"\x1f\x8b\x08\x00" + bytes(6) + b"not deflate data at all", "lab.idx":
                            idx_labels(4)}, ["img.idx", R("gzip")])]:
    case("idx: " + name, train({"--data": "idx:img.idx,lab.idx"}), ERROR, *phrases, files=files)
case("idx: one path", train({"--data": "idx:img.idx"}), ERROR, R("images and labels|2 fields|expected"),
     files=idx_pair())

# ---- CIFAR-10 ----------------------------------------------------------------------------------------
case("cifar: a missing folder", train({"--data": "cifar:nosuch"}), ERROR, "nosuch",
     R("cannot open|no such file|missing|not a folder"))
case("cifar: a folder without batches", train({"--data": "cifar:cdir"}), ERROR, "data_batch_1.bin",
     files={"cdir": DIR})
case("cifar: a batch of the wrong size", train({"--data": "cifar:b.bin"}), ERROR, "b.bin", "record size",
     files={"b.bin": cifar_batch([1, 2])[:-5]})
case("cifar: label 10 in a batch", train({"--data": "cifar:b.bin"}), ERROR, "b.bin", "label 10",
     files={"b.bin": cifar_batch([1, 10])})
case("cifar: a folder with a bad test batch", train({"--data": "cifar:cdir"}), ERROR, "test_batch.bin",
     "record size",
     files=dict({"cdir/data_batch_%d.bin" % i: cifar_batch([i]) for i in range(1, 6)},
                **{"cdir/test_batch.bin": b"short"}))
case("cifar: two paths", train({"--data": "cifar:a,b"}), ERROR, R("folder or batch file|1 field|expected"))

# ---- UCI ---------------------------------------------------------------------------------------------
for name, files, phrases in [
        ("not a folder", {}, ["uci/toy", "not a folder"]),
        ("no NAME.txt", uci_folder(txt=False), ["toy.txt", "missing"]),
        ("a line that is not key= value", uci_folder(txt="n_entradas= 2\nrubbish\n"), ["toy.txt:2", "key= value"]),
        ("n_entradas= abc", uci_folder(txt="n_entradas= abc\nn_clases= 2\nn_patrons1= 4\nfich1= toy_R.dat\n"),
         ["toy.txt", "n_entradas", "positive integer"]),
        ("more classes than rows", uci_folder(txt="n_entradas= 2\nn_clases= 9\nn_patrons1= 4\nfich1= toy_R.dat\n"),
         ["toy.txt", "more classes"]),
        ("a key given twice", uci_folder(txt="n_entradas= 2\nn_entradas= 3\n"), ["toy.txt", "given again"]),
        ("no data file", uci_folder(data=False), ["toy_R.dat", "missing"]),
        ("a row with 1 feature", uci_folder(data="h\n1\t0.1\t0\n2\t0.3\t0.4\t1\n3\t0.5\t0.6\t0\n4\t0.7\t0.8\t1\n"),
         ["toy_R.dat:2", R("features|label")]),
        ("a label out of range", uci_folder(data="h\n1\t0.1\t0.2\t0\n2\t0.3\t0.4\t7\n3\t0.5\t0.6\t0\n4\t0.7\t0.8\t1\n"),
         ["toy_R.dat:3", "label"]),
        ("a nan feature", uci_folder(data="h\n1\t0.1\tnan\t0\n2\t0.3\t0.4\t1\n3\t0.5\t0.6\t0\n4\t0.7\t0.8\t1\n"),
         ["toy_R.dat:2", "finite"]),
        ("an index out of range", uci_folder(split="0 1\n2 9\n"), ["conxuntos.dat:2", "index"])]:
    case("uci: " + name, train({"--data": "uci:uci/toy"}), ERROR, *phrases, files=files)

# ---- sizes: refused by estimate, naming memory and --max-memory -------------------------------------------
# Sizes beyond any machine (no flag) and realistic sizes under --max-memory 1 (GiB, as in experiment tabular).
case("train modular:p=100000", train({"--data": "modular:p=100000"}), ERROR, *MEMORY)
case("train modular:p=1000 --max-memory 1", train({"--data": "modular:p=1000", "--max-memory": "1"}), ERROR,
     *MEMORY)
case("train parity:d=1000,n=40000000000", train({"--data": "parity:d=1000,n=40000000000"}), ERROR, *MEMORY)
case("train parity:n=40000000 --max-memory 1", train({"--data": "parity:n=40000000", "--max-memory": "1"}),
     ERROR, *MEMORY)
case("train lowrank:n=100000000000", train({"--data": "lowrank:n=100000000000"}), ERROR, *MEMORY)
case("train lowrank:n=100000000 --max-memory 1", train({"--data": "lowrank:n=100000000", "--max-memory": "1"}),
     ERROR, *MEMORY)
case("train mixture:d=100000,classes=60000,n=100000000", train({"--data": "mixture:d=100000,classes=60000,n=100000000"}),
     ERROR, *MEMORY)
case("train --hidden 1000000,1000000", train({"--hidden": "1000000,1000000"}), ERROR, *MEMORY)
case("train --hidden 30000,30000 --max-memory 1", train({"--hidden": "30000,30000", "--max-memory": "1"}), ERROR,
     *MEMORY)
case("train --hidden 20000 on lowrank:d=20000 --max-memory 1",
     train({"--hidden": "20000", "--data": "lowrank:d=20000,n=200", "--max-memory": "1"}), ERROR, *MEMORY)
case("rfm lowrank:d=20,n=400000 (a 0.8 TB kernel matrix)", rfm({"--data": "lowrank:d=20,n=400000"}), ERROR, *MEMORY)
case("rfm lowrank:d=20,n=60000 --max-memory 1", rfm({"--data": "lowrank:d=20,n=60000", "--max-memory": "1"}),
     ERROR, *MEMORY)
# Data that fit but a model or kernel system that does not: refused before the data are generated.
case("train lowrank:n=10000000 --max-memory 2 (1.7 GB of data, 230 GB of training)",
     train({"--data": "lowrank:n=10000000", "--max-memory": "2"}), ERROR, *MEMORY, "training needs")
case("rfm lowrank:d=20,n=40000 --max-memory 4 (a 7.6 GiB kernel system)",
     rfm({"--data": "lowrank:d=20,n=40000", "--max-memory": "4"}), ERROR, *MEMORY, "rfm: n = 32000",
     "the kernel system needs")
case("nfa-vs-fact --hidden 1000000,1000000", nvf({"--hidden": "1000000,1000000"}), ERROR, *MEMORY)
case("grokking --p 2000", grok({"--p": "2000"}), ERROR, *MEMORY)
case("grokking --p 300 --max-memory 1", grok({"--p": "300", "--max-memory": "1"}), ERROR, *MEMORY)
case("parity --n 1000000000", parity({"--n": "1000000000"}), ERROR, *MEMORY)
case("parity --n 60000 --max-memory 1", parity({"--n": "60000", "--max-memory": "1"}), ERROR, *MEMORY)
case("tau --p 2000", tau({"--p": "2000"}), ERROR, *MEMORY)
case("analyze --model with modular:p=100000", analyze_model({"--data": "modular:p=100000"}), ERROR, *MEMORY,
     fixture=True)
case("train --max-memory -1", train({"--max-memory": "-1"}), VALUE, "--max-memory", FLOAT_RANGE)
case("train --max-memory nan", train({"--max-memory": "nan"}), VALUE, "--max-memory", FINITE)

# ---- --out: existing (refused, untouched) and unusable locations ----------------------------------------
USER_RUN = {"out/notes.txt": "the user's notes\n", "out/run.json": "{}\n"}
for label, argv in [("train", train()), ("rfm", rfm()), ("grokking", grok()), ("parity", parity()), ("tau", tau()),
                    ("tabular", tabular()), ("nfa-vs-fact", nvf()), ("demo", ["demo", "--out", "out", "--quiet"])]:
    case("%s into an existing --out" % label, argv, ERROR, R("already (exists|holds)"), "--out",
         files=dict(USER_RUN))
case("train --out . (the working directory)", train({"--out": "."}), ERROR, "already exists")
case("demo --out ..", ["demo", "--out", "sub/..", "--quiet"], ERROR, "already exists", files={"sub": DIR})
case("train --out under a regular file", train({"--out": "afile/run"}), ERROR, "afile", "Not a directory",
     files={"afile": "x\n"})
case("rfm --out under a regular file", rfm({"--out": "afile/run"}), ERROR, "afile", "Not a directory",
     files={"afile": "x\n"})
case("grokking --out in /proc", grok({"--out": "/proc/fact-bad-inputs"}), ERROR, "/proc/",
     outside="/proc/fact-bad-inputs")
case("parity --out in /proc", parity({"--out": "/proc/fact-bad-inputs"}), ERROR, "/proc/",
     outside="/proc/fact-bad-inputs")
case("tau --out a dangling symlink", tau({"--out": "dangling"}), ERROR, "already exists", "symbolic link",
     files={"dangling": ("symlink", "missing")})
case("nfa-vs-fact --out a dangling symlink", nvf({"--out": "dangling"}), ERROR, "already exists",
     files={"dangling": ("symlink", "missing")})
case("train --out a 250-character name", train({"--out": "n" * 250}), ERROR, "too long")
case("demo --out a 250-character name", ["demo", "--out", "n" * 250, "--quiet"], ERROR, "too long")
case("train --out a directory under a missing parent file", train({"--out": "afile/x/y"}), ERROR, "afile",
     files={"afile": "x\n"})

# ---- analyze: damaged run directories and checkpoints -------------------------------------------------
case("analyze --run missing", analyze({"--run": "nosuch"}), ERROR, "nosuch", R("run.json|run directory"))
case("analyze --run a regular file", analyze({"--run": "afile"}), ERROR, "afile", R("run.json|run directory"),
     files={"afile": "x\n"})
case("analyze run.json weight_decay \"abc\"", analyze(), ERROR, "run.json", "weight_decay", fixture=True,
     mutate=edit_json("R/run.json", set_key(["train", "weight_decay"], "abc")))
case("analyze run.json weight_decay 0", analyze(), ERROR, R("weight.decay|λ|lambda"), fixture=True,
     mutate=edit_json("R/run.json", set_key(["train", "weight_decay"], 0.0)))
case("analyze run.json weight_decay -1", analyze(), ERROR, R("weight.decay|λ|lambda"), fixture=True,
     mutate=edit_json("R/run.json", set_key(["train", "weight_decay"], -1.0)))
case("analyze run.json not JSON", analyze(), ERROR, "run.json", "JSON", fixture=True,
     mutate=write_file("R/run.json", "{ this is not json"))
case("analyze run.json without train", analyze(), ERROR, "run.json", "train", fixture=True,
     mutate=edit_json("R/run.json", lambda j: j.pop("train")))
case("analyze run.json seed \"x\"", analyze(), ERROR, "run.json", "seed", fixture=True,
     mutate=edit_json("R/run.json", set_key(["seed"], "x")))
case("analyze run.json with an unknown dataset", analyze(), ERROR, "unknown kind 'nosuch'", fixture=True,
     mutate=edit_json("R/run.json", set_key(["data"], "nosuch")))
case("analyze run.json architecture differs from model/", analyze(), ERROR, R("architecture|hidden"), fixture=True,
     mutate=edit_json("R/run.json", set_key(["architecture", "hidden"], [5])))
case("analyze model.json shape differs from the .npy", analyze(), ERROR, "layers.0.weight", "shape", fixture=True,
     mutate=edit_json("R/model/model.json", set_key(["parameters", "layers.0.weight"], [4, 5])))
case("analyze model.json hidden differs from the .npy", analyze(), ERROR, "layers.0.weight", "shape", fixture=True,
     mutate=edit_json("R/model/model.json", set_key(["architecture", "hidden"], [5])))
case("analyze a NaN weight", analyze(), ERROR, "layers.0.weight", R("nan|finite"), fixture=True, mutate=nan_weight)
case("analyze a missing weight file", analyze(), ERROR, "layers.0.weight", "missing", fixture=True,
     mutate=remove("R/model/layers.0.weight.npy"))
case("analyze a weight file that is not .npy", analyze(), ERROR, "layers.0.weight", "magic", fixture=True,
     mutate=write_file("R/model/layers.0.weight.npy", "not numpy"))
case("analyze model.json missing", analyze(), ERROR, "model.json", "missing", fixture=True,
     mutate=remove("R/model/model.json"))
case("analyze model.json version 99", analyze(), ERROR, "model.json", "version", fixture=True,
     mutate=edit_json("R/model/model.json", set_key(["version"], 99)))
case("analyze model.json dtype float16", analyze(), ERROR, "model.json", "dtype", fixture=True,
     mutate=edit_json("R/model/model.json", set_key(["dtype"], "float16")))
case("analyze --model on data of another width", analyze_model({"--data": "digits"}), ERROR,
     R("64|input|features|width"), fixture=True)
case("analyze --model a missing directory", analyze_model({"--model": "nosuch"}), ERROR, "nosuch", fixture=True)


# ======================================================================================================
# Running the table.
# ======================================================================================================

def create_files(d, files):
    for rel, content in files.items():
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if content is DIR:
            os.makedirs(p, exist_ok=True)
        elif isinstance(content, tuple) and content[0] == "symlink":
            os.symlink(content[1], p)
        else:
            if callable(content):
                content = content()
            with open(p, "wb") as f:
                f.write(content.encode() if isinstance(content, str) else content)


def snapshot(d):
    """Every entry under d: files with their checksum, directories, symbolic links with their target."""
    entries = {}
    for root, dirs, files in os.walk(d):
        for name in dirs + files:
            p = os.path.join(root, name)
            rel = os.path.relpath(p, d)
            if os.path.islink(p):
                entries[rel] = "symlink -> " + os.readlink(p)
            elif os.path.isdir(p):
                entries[rel] = "directory"
            else:
                try:
                    with open(p, "rb") as f:
                        entries[rel] = hashlib.sha256(f.read()).hexdigest()
                except OSError as e:
                    entries[rel] = "unreadable: %s" % e
    return entries


def describe_changes(before, after):
    new = sorted(k for k in after if k not in before)
    gone = sorted(k for k in before if k not in after)
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    out = []
    top_new = sorted({k.split(os.sep)[0] for k in new})
    if top_new:
        out.append("left behind: " + ", ".join(top_new[:5]))
    if gone:
        out.append("removed: " + ", ".join(gone[:5]))
    if changed:
        out.append("changed: " + ", ".join(changed[:5]))
    return "; ".join(out)


def run_process(fact, argv, cwd):
    if SANITIZED:
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), "hard_rss_limit_mb=6000"]))
        cmd = [fact] + argv
    else:
        env = None
        cmd = ["/bin/sh", "-c", 'ulimit -v %d && exec "$@"' % ADDRESS_SPACE_KIB, "sh", fact] + argv
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    timed_out = False
    try:
        out, err = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGTERM)   # the program removes its temporary directory on SIGTERM
        try:
            out, err = p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
    return p.returncode, out, err, time.monotonic() - t0, timed_out


def check_message(c, err):
    """Problems with the one line on stderr (empty list: fine)."""
    problems = []
    try:
        text = err.decode("utf-8")
    except UnicodeDecodeError:
        return ["stderr is not valid UTF-8 (unprintable bytes not escaped)"]
    if text.count("\n") != 1 or not text.endswith("\n"):
        problems.append("stderr has %d lines, expected 1" % len(text.splitlines()))
    elif not text.startswith("fact: "):
        problems.append("stderr does not begin with 'fact: '")
    if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text):
        problems.append("stderr holds control characters (unprintable bytes not escaped)")
    for phrase in c.phrases:
        pattern = phrase if isinstance(phrase, R) else re.escape(phrase)
        if not re.search(pattern, text, re.IGNORECASE):
            problems.append("%s not in the message" % (("/%s/" % phrase) if isinstance(phrase, R) else repr(phrase)))
    return problems


def run_case(fact, root, fixture_dir, fixture_error, index, c):
    d = os.path.join(root, "case%03d" % index)
    os.makedirs(d)
    with open(os.path.join(d, "notes.txt"), "w") as f:
        f.write("a file of the user's; every row must leave it alone\n")
    if c.fixture:
        if fixture_error:
            return ["fixture: %s" % fixture_error], ""
        shutil.copytree(fixture_dir, os.path.join(d, "R"), symlinks=True)
    create_files(d, c.files)
    if c.mutate:
        c.mutate(d)
    before = snapshot(d)
    rc, out, err, seconds, timed_out = run_process(fact, c.argv, d)
    shown = err.decode("utf-8", "replace").strip().replace("\n", " | ")
    if len(shown) > 400:
        shown = shown[:400] + "..."
    actual = "exit %d, %.1f s, stderr: %s" % (rc, seconds, shown or "(empty)")
    problems = []
    if timed_out:
        problems.append("still running after %.0f s (stopped)" % TIMEOUT)
    elif seconds > QUICK:
        problems.append("took %.1f s (more than %.0f s: not refused before the work)" % (seconds, QUICK))
    warned = c.warn_ok and rc == 0 and all(
        re.search(p if isinstance(p, R) else re.escape(p), err.decode("utf-8", "replace"), re.I) for p in c.phrases)
    if not warned:
        expected = c.code if isinstance(c.code, tuple) else (c.code,)
        if rc not in expected:
            problems.append("exit status %d, expected %s" % (rc, " or ".join(map(str, expected))))
        problems += check_message(c, err)
        after = snapshot(d)
        changes = describe_changes(before, after)
        if changes:
            problems.append(changes)
        if c.outside and os.path.lexists(c.outside):
            problems.append("%s exists afterwards" % c.outside)
    shutil.rmtree(d, ignore_errors=True)
    return problems, actual


def make_fixture(fact, root):
    """A real run directory of `fact train` with λ > 0, copied into the directory of every analyze row."""
    d = os.path.join(root, "fixture")
    os.makedirs(d)
    rc, out, err, _, _ = run_process(fact, ["train", "--data", "iris", "--hidden", "4", "--act", "tanh", "--wd",
                                            "0.01", "--epochs", "3", "--quiet", "--out", "run"], d)
    run = os.path.join(d, "run")
    if rc != 0 or not os.path.isfile(os.path.join(run, "model", "model.json")):
        return run, "fact train of the fixture failed: exit %d: %s" % (rc, err.decode("utf-8", "replace").strip())
    return run, None


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: check_bad_inputs.py PATH_TO_FACT [plain|sanitized]")
    fact = os.path.realpath(sys.argv[1])
    if not os.access(fact, os.X_OK):
        sys.exit("check_bad_inputs.py: %s is not an executable" % fact)
    names = [c.name for c in CASES]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        sys.exit("check_bad_inputs.py: rows named twice: %s" % ", ".join(duplicates))
    only = os.environ.get("BAD_INPUTS_ONLY")   # a regular expression: run only the rows it matches
    verbose = bool(os.environ.get("BAD_INPUTS_VERBOSE"))   # show the message of the rows that pass too
    cases = [(i, c) for i, c in enumerate(CASES) if not only or re.search(only, c.name)]

    root = tempfile.mkdtemp(prefix="fact-bad-inputs-")
    start = time.monotonic()
    failed = 0
    try:
        fixture_dir, fixture_error = make_fixture(fact, root)
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(run_case, fact, root, fixture_dir, fixture_error, i, c) for i, c in cases]
            for (i, c), future in zip(cases, futures):
                try:
                    problems, actual = future.result()
                except Exception as e:  # a bug of this script, reported as the row's failure
                    problems, actual = ["check_bad_inputs.py: %s: %s" % (type(e).__name__, e)], ""
                if problems:
                    failed += 1
                    print("FAIL: %s: %s [%s]" % (c.name, "; ".join(problems), actual), flush=True)
                else:
                    print("ok: %s%s" % (c.name, " [%s]" % actual if verbose else ""), flush=True)
    finally:
        subprocess.run(["chmod", "-R", "u+w", root], stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)
    print("bad_inputs: %d rows in %.0f s" % (len(cases), time.monotonic() - start))
    print("%d passed, %d failed" % (len(cases) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
