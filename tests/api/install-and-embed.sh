#!/usr/bin/env bash
# Installs the build into a temporary prefix, builds examples/embed (a C program) against the
# installed CMake package and with pkg-config, and runs both.
set -euo pipefail
build_dir=$1 src_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build_dir" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src_dir/examples/embed" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
libdir=$(dirname "$(find "$tmp/prefix" -name 'libsfc.so' | head -1)")
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/build/sfc_embed")
echo "cmake package: $out"
echo "$out" | grep -q "classes=10 top1="
# pkg-config: the shared library
PKG_CONFIG_PATH="$libdir/pkgconfig" cc "$src_dir/examples/embed/main.c" -o "$tmp/embed_pc" \
  $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs sfc)
out2=$(LD_LIBRARY_PATH="$libdir" "$tmp/embed_pc")
echo "pkg-config: $out2"
[ "$out" = "$out2" ]
