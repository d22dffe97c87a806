#!/usr/bin/env bash
# The two ways docs/MESON.md gives a course to build against FACT, tried as another project would:
#   1. installed: `meson install` this build into a scratch folder, then through its pkg-config files
#      - the README's autodiff example, compiled by a bare c++ command line (pkg-config fact-autodiff);
#      - tests/consumer/autodiff (fact-autodiff) and tests/consumer/nn (fact-nn, fact-fact), built by Meson
#        with PKG_CONFIG_PATH pointing at the install and subproject fallbacks forbidden;
#   2. subproject: tests/consumer/autodiff with subprojects/fact a symlink to this source tree, which its
#      dependency() fallback configures autodiff-only: none of the other components' dependencies (zlib,
#      nlohmann_json, liblbfgs, LAPACK, CLI11, Boost, Google Benchmark) may even be looked up, and only
#      libfact_autodiff is built.
# Every program is run and must exit 0, and the copies of these projects in docs/MESON.md must be the files.
# Scratch files go to BUILD_DIR/check-install (fixed paths, so ccache serves a rerun) and are removed on
# success; after a failure they are left there to look at.
# Usage: check_install.sh BUILD_DIR SOURCE_DIR README_EXAMPLE_CPP
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) example=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
work=$build/check-install dest=$build/check-install/dest
start=$SECONDS
step() { printf '[%3ds] %s\n' $((SECONDS - start)) "$*"; }
fail() { echo "FAILED: $*"; echo "(scratch files left in $work)"; exit 1; }
rm -rf "$work"
mkdir -p "$work"

# --- 0. the page shows the projects as they are -----------------------------------------------------------
step "docs/MESON.md: every block marked <!-- file tests/consumer/... --> is that file"
python3 - "$src" <<'EOF' || fail "docs/MESON.md and tests/consumer/ differ"
import pathlib, re, sys
root = pathlib.Path(sys.argv[1])
text = (root / 'docs' / 'MESON.md').read_text(encoding='utf-8')
blocks = re.findall(r'^<!-- file (\S+) -->\n```[a-z]*\n(.*?)^```$', text, re.S | re.M)
stale = [path for path, body in blocks if (root / path).read_text(encoding='utf-8') != body]
for path in stale:
    print(f'docs/MESON.md: the copy of {path} differs from the file')
sys.exit(1 if stale or len(blocks) < 5 else 0)
EOF

# --- 1. installed -----------------------------------------------------------------------------------------
step "meson install --destdir $dest"
meson install -C "$build" --no-rebuild --destdir "$dest" >"$work/install.log"
pc=$(find "$dest" -name fact-autodiff.pc | head -n 1)
[ -n "$pc" ] || fail "fact-autodiff.pc was not installed"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
for name in fact-data fact-nn fact-fact; do
    [ -f "$pcdir/$name.pc" ] || fail "$name.pc was not installed beside fact-autodiff.pc"
done
# The install lives under $dest instead of its prefix: the sysroot variable makes pkg-config prefix every
# -I and -L path with $dest; the bare c++ program finds the libraries through LD_LIBRARY_PATH.
installed=(env PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$pcdir")
echo "pkg-config files in ${pcdir#"$dest"}; fact-autodiff built with simd=$("${installed[@]}" pkg-config --variable=simd fact-autodiff)"

step "README example: c++ \$(pkg-config --cflags --libs fact-autodiff)"
flags=$("${installed[@]}" pkg-config --cflags --libs fact-autodiff)
echo "pkg-config: $flags"
# shellcheck disable=SC2086  # the flags are words
c++ -std=c++17 "$example" -o "$work/readme_example" $flags
LD_LIBRARY_PATH=$libdir "$work/readme_example" >"$work/readme_example.out" || fail "the README example (log: $work/readme_example.out)"

for project in autodiff nn; do
    step "tests/consumer/$project through pkg-config: meson setup, ninja"
    "${installed[@]}" meson setup "$work/pc-$project" "$src/tests/consumer/$project" --wrap-mode=nofallback \
        >"$work/pc-$project.log" 2>&1 || { cat "$work/pc-$project.log"; fail "meson setup of tests/consumer/$project"; }
    ninja -C "$work/pc-$project" >>"$work/pc-$project.log" 2>&1 || { cat "$work/pc-$project.log"; fail "building tests/consumer/$project"; }
done
# No LD_LIBRARY_PATH: Meson gives programs in their build tree a runpath to the libraries' folder, and
# each installed library finds the others beside it (runpath $ORIGIN).
for program in pc-autodiff/fit_line pc-nn/train pc-nn/analyze; do
    step "run $program"
    "$work/$program" || fail "$program"
done

# --- 2. subproject ------------------------------------------------------------------------------------------
proj=$work/subproject
step "tests/consumer/autodiff with subprojects/fact -> $src: meson setup"
cp -r "$src/tests/consumer/autodiff" "$proj"
mkdir "$proj/subprojects"
ln -s "$src" "$proj/subprojects/fact"
# --force-fallback-for: the subproject even where a FACT is installed (in /usr/local, say).
meson setup "$proj/build" "$proj" --force-fallback-for=fact-autodiff >"$work/subproject-setup.log" 2>&1 \
    || { cat "$work/subproject-setup.log"; fail "meson setup of the subproject consumer"; }
sed -n '/^  Components/,/^    bench /p' "$work/subproject-setup.log"
log=$proj/build/meson-logs/meson-log.txt
looked_up=$(grep -E '^(Run-time dependency|Library) ' "$log" | grep -v ' skipped: ' \
    | grep -iE '^(Run-time dependency|Library) (zlib|nlohmann_json|lbfgs|lapacke|lapack|cli11|boost|benchmark|openblas|blas)\b' || true)
[ -z "$looked_up" ] || fail "the autodiff-only subproject looked up what only the other components need:
$looked_up"
for name in data nn fact cli; do
    grep -qE "^ +$name +: NO \(-D$name=disabled\)" "$work/subproject-setup.log" || fail "no summary line saying $name is disabled"
done

step "subproject: ninja"
ninja -C "$proj/build" >"$work/subproject-build.log" 2>&1 || { cat "$work/subproject-build.log"; fail "building the subproject consumer"; }
built=$(cd "$proj/build" && find subprojects -name 'libfact_*.so*' -type f ! -path '*.p/*' | sort)
echo "libraries built: $built"
[ -n "$built" ] && ! grep -qv '/libfact_autodiff\.so' <<<"$built" || fail "expected libfact_autodiff alone"
step "run subproject/build/fit_line"
"$proj/build/fit_line" || fail "fit_line built with the subproject"

rm -rf "$work"
step "installed library (pkg-config) and subproject fallback OK"
