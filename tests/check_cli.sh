#!/usr/bin/env bash
# The `fact` program end to end: a small train + analyze writes what it promises; bad flags and unknown
# datasets give one line on stderr, a non-zero exit, and write nothing; every chart it draws labels its
# axes; `--tol` without `--epochs` trains until converged; `fact demo` shows FACT exact, then ReLU.
# Usage: check_cli.sh PATH_TO_FACT [plain|sanitized]
# Under sanitizers the demo is left out: its three trainings take over ten minutes with ASan + UBSan, and the
# library calls it makes (train, analyze, grokking) are checked under the sanitizers by the other checks here
# and by the unit tests; the plain suite runs it.
set -uo pipefail
fact=$(realpath "$1")   # the demo check runs in its own directory
mode=${2:-plain}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_error NAME ARGS...: exit non-zero, exactly one line on stderr starting with "fact:", no output dir
expect_error() {
    local name=$1; shift
    "$fact" "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    [ $rc -ne 0 ] || fail "$name: exit status 0"
    [ "$(wc -l <"$work/err")" -eq 1 ] || fail "$name: stderr has $(wc -l <"$work/err") lines: $(cat "$work/err")"
    grep -q '^fact: ' "$work/err" || fail "$name: stderr does not start with 'fact:': $(cat "$work/err")"
    [ -n "${keep_run:-}" ] || [ ! -e "$work/run" ] || fail "$name: $work/run was written"
    ls "$work" | grep -q 'tmp-' && fail "$name: a temporary directory was left behind"
    echo "ok: $name: $(cat "$work/err")"
}

expect_error "unknown flag" train --bogus --out "$work/run"
expect_error "unknown dataset" train --data mnist --out "$work/run"
expect_error "bad dataset key" train --data modular:q=3 --out "$work/run"
expect_error "bad activation" train --data iris --act swish --out "$work/run"
expect_error "bad width" train --data iris --hidden 8,x --out "$work/run"
expect_error "bad dtype" train --data iris --dtype f16 --out "$work/run"
expect_error "missing --out" train --data iris
expect_error "analyze without a run" analyze --run "$work/none"
expect_error "no subcommand"

# A small run: iris, tanh, L-BFGS with weight decay, tracked every 10 iterations.
"$fact" train --data iris --hidden 8 --act tanh --loss ce --opt lbfgs --wd 1e-2 --epochs 60 --tol 1e-9 \
    --track-every 10 --eval-every 10 --out "$work/run" --quiet 2>"$work/err" || fail "train failed: $(cat "$work/err")"
for f in run.json history.csv curves.svg correlations_layer0.svg model/model.json model/layers.0.weight.npy; do
    [ -s "$work/run/$f" ] || fail "train did not write $f"
done
head -1 "$work/run/history.csv" | grep -q 'l0_fact,l0_fact_sqrt,l0_nfa_sqrt,l0_nfa' || fail "history.csv lacks tracking columns"
grep -q '"weight_decay_coupled": true' "$work/run/run.json" || fail "run.json does not record the decay convention"
# One truth about L-BFGS's learning rate: it has none (history.csv: empty lr cells; run.json: null).
python3 - "$work/run" <<'PY' || fail "L-BFGS run records a learning rate"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/history.csv")))
assert rows and all(r["lr"] == "" for r in rows), [r["lr"] for r in rows[:3]]
assert all(r["grad_ratio"] != "" for r in rows)
assert json.load(open(sys.argv[1] + "/run.json"))["train"]["lr"] is None
PY
before=$(find "$work/run" -type f | sort | xargs md5sum | md5sum)
keep_run=1 expect_error "out exists" train --data iris --out "$work/run"
[ "$(find "$work/run" -type f | sort | xargs md5sum | md5sum)" = "$before" ] || fail "out exists: the run was changed"

"$fact" analyze --run "$work/run" --quiet >"$work/table" 2>"$work/err" || fail "analyze failed: $(cat "$work/err")"
grep -q 'FACT_sqrt' "$work/table" || fail "analyze printed no table"
grep -q '† last layer (linear output): Jᵢ = W, so AGOP = WᵀW' "$work/table" || fail "analyze: no footnote on the last layer's AGOP"
grep -q "convergence diagnostic" "$work/table" || fail "analyze: relerr not explained as the convergence diagnostic"
[ "$(grep -c '†' "$work/table")" -eq 2 ] || fail "analyze: the † is not on the last layer's row only: $(cat "$work/table")"
grep '^ *1 ' "$work/table" | grep -q '†' || fail "analyze: the last layer's AGOP cells are not marked †"
for f in report.json layer0/NFM.npy layer0/FACT.npy layer0/FACT_sqrt.npy layer0/bFACT.npy layer0/AGOP.npy \
         layer0/AGOP_sqrt.npy layer0/heatmaps.svg layer1/NFM.npy; do
    [ -s "$work/run/analysis/$f" ] || fail "analyze did not write analysis/$f"
done
# The same model through --model/--data/--wd: the same numbers (the loss comes from the checkpoint's record).
"$fact" analyze --model "$work/run/model" --data iris --wd 1e-2 --out "$work/by-model" --quiet >/dev/null 2>"$work/err" \
    || fail "analyze --model failed: $(cat "$work/err")"
cmp -s <(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['layers'][0]['pearson'])" "$work/run/analysis/report.json") \
       <(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['layers'][0]['pearson'])" "$work/by-model/analysis/report.json") \
    || fail "analyze --model gives other numbers than analyze --run"
python3 - "$work/run/analysis/report.json" <<'PY' || fail "report.json lacks documented keys"
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("lambda", "grad_norm_rel", "n", "exact_expected", "layers"):
    assert k in r, k
l = r["layers"][0]
for k in ("fact", "fact_sym", "fact_sqrt", "bfact", "nfa_sqrt", "nfa", "enfa"):
    assert k in l["pearson"], k
assert "fact" in l["relerr"] and "bfact" in l["relerr"]
assert l["index"] == 0 and l["shape"] == [8, 4]
PY
"$fact" datasets | grep -q 'modular:p=61' || fail "datasets does not list the dataset strings"
[ ! -e "$work/run/analysis/layer0/diagonals.svg" ] || fail "analyze drew diagonal images for iris (not image data)"

# --tol without --epochs: until converged (not the 100 epochs of the default), with a safety cap recorded.
"$fact" train --data iris --hidden 8 --act tanh --loss ce --opt lbfgs --wd 1e-2 --tol 1e-9 --test-frac 0.2 \
    --out "$work/conv" --quiet 2>"$work/err" || fail "train --tol failed: $(cat "$work/err")"
python3 - "$work/conv/run.json" <<'PY' || fail "--tol without --epochs did not train until converged"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["until_converged"] is True and r["train"]["epochs"] == 100000, (r["until_converged"], r["train"]["epochs"])
assert r["result"]["stop"] == "converged" and r["result"]["epochs"] > 100, r["result"]
assert r["result"]["grad_norm_rel"] < 1e-9
PY
[ "$(tail -1 "$work/conv/history.csv" | cut -d, -f1)" = "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['result']['epochs'])" "$work/conv/run.json")" ] \
    || fail "history.csv does not end at the converged iteration"
"$fact" train --data iris --hidden 8 --act tanh --opt lbfgs --wd 1e-2 --tol 1e-9 --epochs 7 --out "$work/capped" --quiet \
    2>/dev/null || fail "train --tol --epochs failed"
grep -q '"epochs": 7,' "$work/capped/run.json" || fail "--epochs with --tol is not the maximum"
grep -q '"until_converged": false' "$work/capped/run.json" || fail "--epochs with --tol: run.json says until_converged"

# Image data: the first layer's diagonals as 8×8 images, one panel per matrix, each on its own scale.
"$fact" train --data digits --hidden 8 --act tanh --opt lbfgs --wd 1e-2 --epochs 5 --out "$work/digits" --quiet \
    2>"$work/err" || fail "digits train failed: $(cat "$work/err")"
"$fact" analyze --run "$work/digits" --quiet >/dev/null 2>"$work/err" || fail "digits analyze failed: $(cat "$work/err")"
[ ! -e "$work/digits/analysis/layer1/diagonals.svg" ] || fail "diagonals.svg beyond the first layer"

# Every chart the program drew: both axes labelled; every heatmap figure: panels on their own colour scale
# (layer heatmaps and diagonals), said in a caption; curves.svg: loss, ‖∇L_λ‖/‖θ‖ on a log axis, accuracy,
# test curves with a test split.
check_svgs() {
    python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
def texts(e, cls):
    return ["".join(t.itertext()).strip() for t in e.iter(ns + "text") if t.get("class") == cls]
bad = []
for path in sys.argv[1:]:
    root = ET.parse(path).getroot()
    axes = [g for g in root.iter(ns + "rect") if g.get("class") == "axes"]
    if axes:  # a line chart or a figure of them: one x and one y label per chart, none empty
        xs, ys = texts(root, "x-label"), texts(root, "y-label")
        if len(xs) != len(axes) or len(ys) != len(axes) or not all(xs) or not all(ys):
            bad.append(f"{path}: {len(axes)} charts, x labels {xs}, y labels {ys}")
    if any(g.get("class") == "cells" for g in root.iter(ns + "g")):
        cap = " ".join("".join(t.itertext()) for g in root.iter(ns + "g") if g.get("class") == "caption" for t in g)
        if "scale" not in cap:
            bad.append(f"{path}: heatmaps without a caption saying the colour scale")
    if not axes and not any(g.get("class") == "cells" for g in root.iter(ns + "g")):
        bad.append(f"{path}: neither a chart nor heatmaps")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}
python3 - "$work/digits/analysis/layer0/diagonals.svg" "$work/digits/analysis/layer0/heatmaps.svg" <<'PY' \
    || fail "digits: diagonals.svg is not three 8×8 images on their own scales"
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
diag, heat = (ET.parse(p).getroot() for p in sys.argv[1:])
cells = [g for g in diag.iter(ns + "g") if g.get("class") == "cells"]
assert len(cells) == 3 and all(len(list(g)) == 64 for g in cells), [len(list(g)) for g in cells]
assert all(max(int(r.get("x")) for r in g) == 7 and max(int(r.get("y")) for r in g) == 7 for g in cells)
titles = ["".join(t.itertext()) for t in diag.iter(ns + "text")]
assert any("diag(FACT)" in t for t in titles) and any("diag(AGOP" in t for t in titles), titles
for root in (diag, heat):
    bars = [r for r in root.iter(ns + "rect") if r.get("class") == "colorbar"]
    panels = [g for g in root.iter(ns + "g") if g.get("class") == "panel"]
    assert len(bars) == len(panels) >= 3, (len(bars), len(panels))
PY
python3 - "$work/conv/curves.svg" <<'PY' || fail "curves.svg lacks the loss, gradient-ratio or accuracy panel"
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
charts = [g for g in root.iter(ns + "g") if g.get("class") == "chart"]
assert len(charts) == 3, len(charts)
ylabels = ["".join(t.itertext()) for c in charts for t in c.iter(ns + "text") if t.get("class") == "y-label"]
assert "log scale" in ylabels[0] and "‖∇L_λ‖ / ‖θ‖ (log scale)" == ylabels[1] and "accuracy" in ylabels[2], ylabels
legend = lambda c: ["".join(t.itertext()) for g in c.iter(ns + "g") if g.get("class") == "legend" for t in g.iter(ns + "text")]
assert legend(charts[0]) == ["train", "test"] and legend(charts[2]) == ["train", "test"], (legend(charts[0]), legend(charts[2]))
assert legend(charts[1])[1] == "tolerance 1e-09", legend(charts[1])
PY

# E1 in miniature: two seeds on iris.
"$fact" experiment nfa-vs-fact --data iris --seeds 2 --hidden 8,8 --epochs 30 --out "$work/e1" --quiet \
    >"$work/e1.txt" 2>"$work/err" || fail "experiment failed: $(cat "$work/err")"
for f in table.md summary.json pearson_by_layer.svg seed0/run.json seed1/analysis/report.json; do
    [ -s "$work/e1/$f" ] || fail "experiment did not write $f"
done
grep -q '| layer | FACT |' "$work/e1.txt" || fail "experiment printed no table"
keep_run=1 expect_error "experiment without --out" experiment nfa-vs-fact --data iris

# fact rfm: the run directory it promises; bad kernel / update / normalisation and an existing --out fail cleanly.
rm -rf "$work/run"    # the checks below must not write it
"$fact" rfm --data lowrank:d=8,n=300 --update fact --iters 2 --out "$work/rfm" --quiet >"$work/rfm.txt" 2>"$work/err" \
    || fail "rfm failed: $(cat "$work/err")"
for f in history.csv M.npy run.json curves.svg loss.svg M.svg; do
    [ -s "$work/rfm/$f" ] || fail "rfm did not write $f"
done
head -1 "$work/rfm/history.csv" | grep -q '^iter,train_loss,test_loss,train_acc,test_acc,seconds' \
    || fail "rfm history.csv header: $(head -1 "$work/rfm/history.csv")"
[ "$(wc -l <"$work/rfm/history.csv")" -eq 4 ] || fail "rfm history.csv should have a header and iterations 0..2"
grep -q '"normalize": "max"' "$work/rfm/run.json" || fail "rfm run.json does not record the fact update's normalisation"
grep -q '| 2 |' "$work/rfm.txt" || fail "rfm printed no table"
expect_error "rfm bad kernel" rfm --data iris --kernel cosine --out "$work/run"
expect_error "rfm bad update" rfm --data iris --update agop --out "$work/run"
expect_error "rfm bad normalisation" rfm --data iris --normalize l2 --out "$work/run"
expect_error "rfm negative ridge" rfm --data iris --ridge -1 --out "$work/run"
keep_run=1 expect_error "rfm existing --out" rfm --data iris --out "$work/rfm"

# E5 in miniature: both updates side by side with the progress measures.
"$fact" experiment grokking --p 7 --frac 0.8 --iters 3 --out "$work/grok" --quiet >"$work/grok.txt" 2>"$work/err" \
    || fail "grokking failed: $(cat "$work/err")"
for f in nfa/history.csv nfa/M.npy nfa/heatmaps.svg fact/history.csv curves.svg loss.svg progress.svg summary.json; do
    [ -s "$work/grok/$f" ] || fail "grokking did not write $f"
done
head -1 "$work/grok/fact/history.csv" | grep -q ',circ_dev,alignment$' || fail "grokking history lacks circ_dev,alignment"
grep -q '| fact | max |' "$work/grok.txt" || fail "grokking printed no table"
expect_error "grokking bad op" experiment grokking --p 7 --op pow --out "$work/run"

# E4 in miniature (two updates side by side, then a sample-size sweep) and E6 (τ against K′).
"$fact" experiment parity --d 20 --k 3 --support 3,11,17 --n 300 --test-n 300 --iters 2 --out "$work/e4" --quiet \
    >"$work/e4.txt" 2>"$work/err" || fail "parity failed: $(cat "$work/err")"
for f in nfa/history.csv nfa/M.npy fact/history.csv fact/M.npy accuracy.svg support_fraction.svg heatmaps.svg \
         summary.json table.md; do
    [ -s "$work/e4/$f" ] || fail "parity did not write $f"
done
head -1 "$work/e4/fact/history.csv" | grep -q 'support_fraction,pearson_nfa,pearson_offdiag_nfa' \
    || fail "parity history lacks its columns: $(head -1 "$work/e4/fact/history.csv")"
grep -q '| iter | NFA-RFM test acc' "$work/e4.txt" || fail "parity printed no table"
"$fact" experiment parity --d 12 --k 2 --support 2,9 --sweep 100,200 --test-n 100 --iters 1 --update fact \
    --out "$work/e4s" --quiet >/dev/null 2>"$work/err" || fail "parity sweep failed: $(cat "$work/err")"
for f in sweep.csv accuracy_vs_n.svg summary.json n100/fact/history.csv n200/fact/M.npy; do
    [ -s "$work/e4s/$f" ] || fail "parity sweep did not write $f"
done
"$fact" experiment tau --p 7 --iters 2 --out "$work/e6" --quiet >/dev/null 2>"$work/err" || fail "tau failed: $(cat "$work/err")"
for f in tau.json scatter.svg history.csv M.npy; do [ -s "$work/e6/$f" ] || fail "tau did not write $f"; done
grep -q '"r2"' "$work/e6/tau.json" || fail "tau.json has no r2"
head -1 "$work/e6/history.csv" | grep -q 'tau_r2' || fail "tau history lacks tau_r2"
expect_error "parity bad update" experiment parity --update nfa,bogus --out "$work/run"
expect_error "parity bad support" experiment parity --support 3,x --out "$work/run"
expect_error "parity support out of range" experiment parity --d 10 --n 50 --out "$work/run"
expect_error "parity k disagrees with support" experiment parity --k 3 --support 1,2 --out "$work/run"
expect_error "parity bad sweep" experiment parity --sweep 100,0 --out "$work/run"
expect_error "tau distance kernel" experiment tau --kernel laplace --out "$work/run"
expect_error "tau bad op" experiment tau --op pow --out "$work/run"
keep_run=1 expect_error "parity without --out" experiment parity --d 10

# E3 in miniature on a shipped dataset: the summary row by row, the paper's numbers, --resume.
"$fact" experiment tabular --help | grep -q 'Example: fact experiment tabular' || fail "tabular --help has no example"
expect_error "tabular without a source" experiment tabular --out "$work/run"
expect_error "tabular with two sources" experiment tabular --uci "$work" --data iris --out "$work/tab"
expect_error "tabular --datasets without --uci" experiment tabular --data iris --datasets iris --out "$work/tab"
expect_error "tabular unknown method" experiment tabular --data iris --methods nfa,rfm --out "$work/tab"
expect_error "tabular unknown dataset" experiment tabular --data iris,nope --out "$work/tab"
expect_error "tabular unknown uci folder" experiment tabular --uci "$work" --datasets nope --out "$work/tab"
[ ! -e "$work/tab" ] || fail "a failed tabular command wrote $work/tab"
"$fact" experiment tabular --data iris --methods laplace,nfa --out "$work/tab" --quiet >"$work/table" 2>"$work/err" \
    || fail "tabular failed: $(cat "$work/err")"
[ "$(wc -l <"$work/tab/summary.csv")" -eq 3 ] || fail "tabular: summary.csv has not 1 + 2 rows"
head -1 "$work/tab/summary.csv" | grep -q '^dataset,n,d,classes,method,ridge,row_norm,best_iter,val_acc,fold_acc,fold1,fold2,fold3,fold4,seconds,status$' \
    || fail "tabular: summary.csv header"
grep -q '"center": false' "$work/tab/run.json" || fail "tabular: run.json does not record the centring"
grep -q '85.10' "$work/table" || fail "tabular: no table with the paper's numbers on stdout"
cmp -s "$work/table" "$work/tab/table.md" || fail "tabular: stdout and table.md differ"
before=$(md5sum <"$work/tab/summary.csv")
keep_run=1 expect_error "tabular out exists without --resume" experiment tabular --data iris --out "$work/tab"
"$fact" experiment tabular --data iris --methods laplace,nfa --out "$work/tab" --resume --quiet >/dev/null 2>"$work/err" \
    || fail "tabular --resume failed: $(cat "$work/err")"
[ "$(md5sum <"$work/tab/summary.csv")" = "$before" ] || fail "tabular --resume recomputed finished rows"

# Axis labels and colour-scale captions in every figure the checks above wrote.
svgs=$(find "$work" -name '*.svg' | sort)
[ "$(echo "$svgs" | wc -l)" -ge 30 ] || fail "fewer SVG files than expected: $svgs"
check_svgs $svgs || fail "figures without axis labels or colour-scale captions (above)"

# fact demo: FACT exact in every layer of the tanh network (relerr < 1e-6, Pearson 1.0000 above AGOP^½ in the
# hidden layers), then ReLU with its caveat, then grokking. Run twice with the default --out, as `./run demo`
# does: the second demo goes to runs/demo-2 and says so, the first is kept.
if [ "$mode" = sanitized ]; then
    echo "skipped: fact demo (sanitized build; the plain suite runs it)"
else
for pass in 1 2; do
    (cd "$work" && "$fact" demo --quiet) >"$work/demo.txt" 2>"$work/err" || fail "demo (pass $pass) failed: $(cat "$work/err")"
done
grep -q '^(runs/demo exists: this demo writes to runs/demo-2/)' "$work/demo.txt" || fail "demo: no note on runs/demo-2"
[ -s "$work/runs/demo/smooth/run.json" ] && [ -s "$work/runs/demo-2/smooth/run.json" ] || fail "demo: runs/demo or runs/demo-2 missing"
python3 - "$work/demo.txt" <<'PY' || fail "demo tables: $(cat "$work/demo.txt")"
import re, sys
text = open(sys.argv[1]).read()
parts = text.split("== ")
smooth, relu = parts[1], parts[2]
def rows(part):
    return [l.split() for l in part.splitlines() if re.match(r"^ +\d+ +\d+x\d+ ", l)]
s = rows(smooth)
assert len(s) == 3, s
for r in s:
    relerr = float(r[7])  # columns: layer shape FACT FACT_sqrt AGOP^½ AGOP eNFA* relerr relerr_bFACT
    assert r[2] == "1.0000" and relerr < 1e-6, r
for r in s[:-1]:
    assert float(r[2]) > float(r[4]), r  # FACT above AGOP^½ in the hidden layers
assert s[-1][4].endswith("†") and s[-1][5] == "1.0000†", s[-1]  # the last layer's AGOP, marked trivial
assert "result" in smooth and "FACT is exact" in smooth
r = rows(relu)
assert len(r) == 3 and max(float(x[7]) for x in r) > 1e-4, r  # ReLU: far from a critical point
assert "caveat" in relu and "not exact" in relu
assert "| nfa |" in parts[3] and "| fact |" in parts[3]
PY
for f in smooth/curves.svg smooth/analysis/layer0/diagonals.svg smooth/analysis/layer2/heatmaps.svg relu/run.json \
         grokking/progress.svg; do
    [ -s "$work/runs/demo-2/$f" ] || fail "demo did not write $f"
done
fi

if [ $failures -eq 0 ]; then echo "cli: all checks passed"; else echo "cli: $failures checks failed"; exit 1; fi
