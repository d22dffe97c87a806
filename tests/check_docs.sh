#!/usr/bin/env bash
# The API reference builds without one warning: docs/Doxyfile sets WARN_IF_UNDOCUMENTED, so a public
# class, function or member added without a Doxygen comment fails this test. Doxygen is optional (Debian
# package doxygen, used by ./run docs): without it the test is skipped (exit status 77).
# Usage: check_docs.sh SOURCE_ROOT
set -uo pipefail
root=$1
command -v doxygen >/dev/null 2>&1 || { echo "doxygen is not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root" || exit 1
{ cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $work"; echo "WARN_LOGFILE = $work/warnings.log"; } \
    | doxygen - >"$work/doxygen.out" 2>&1 || { cat "$work/doxygen.out"; echo "FAIL: doxygen failed"; exit 1; }
[ -s "$work/html/index.html" ] || { echo "FAIL: no html/index.html"; exit 1; }
if [ -s "$work/warnings.log" ]; then
    echo "FAIL: doxygen warned $(wc -l <"$work/warnings.log") times:"
    head -n 40 "$work/warnings.log"
    exit 1
fi
echo "ok: the API reference builds without warnings ($(ls "$work/html" | wc -l) files in html/)"
