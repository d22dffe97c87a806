#!/usr/bin/env bash
# Install the build into a scratch folder, then compile and run the README's example against the
# installed headers and library found through pkg-config, as another project would.
# Usage: check_install.sh BUILD_DIR EXAMPLE_CPP
set -euo pipefail
build=$1 example=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --no-rebuild --destdir "$dest" >/dev/null
pcdir=$(dirname "$(find "$dest" -name fact-autodiff.pc | head -n 1)")
[ -n "$pcdir" ] || { echo "fact-autodiff.pc was not installed"; exit 1; }
export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$pcdir
flags=$(pkg-config --cflags --libs fact-autodiff)
echo "pkg-config: $flags"
c++ -std=c++17 "$example" -o "$dest/consumer" $flags
libdir=$(dirname "$(find "$dest" -name 'libfact_autodiff.so*' | head -n 1)")
LD_LIBRARY_PATH=$libdir "$dest/consumer"
echo "installed library OK"
