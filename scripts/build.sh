#!/usr/bin/env bash
# Builds the console: the browser bundle as it is released, then the server.
#
# The bundle: wasm optimised for size and split into a first chunk plus one per area (`--split`),
# every file named after its contents (`hash-files` in Cargo.toml) and stored beside brotli and
# gzip copies (`--precompress`), which the server sends to browsers that accept them.
# `--test-server` builds the server in the debug profile the tests already compiled, instead of
# release: CI judges the bundle the browser really gets without a second server build.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"   # wasm-opt 123 from npm binaryen
# Panic messages in the bundle name their source files; without the crate registry's long
# prefix those names cost 2 KB less. These flags replace the workspace's for wasm only, so they
# repeat its `erase_components`.
wasm_flags="--cfg erase_components"
for registry in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  wasm_flags+=" --remap-path-prefix=$registry="
done
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$wasm_flags"
cargo leptos build --release --precompress --split --frontend-only
if [ "${1:-}" = "--test-server" ]; then
  cargo leptos build --server-only
else
  cargo leptos build --release --server-only
fi
