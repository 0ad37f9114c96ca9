#!/usr/bin/env bash
# The one bench command. Full run: release build, then every figure beside its comparator.
# `--smoke` (used by CI): the debug build already made by the tests, one start each.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"   # wasm-opt 123 from npm binaryen
if [ "${1:-}" = "--smoke" ]; then
  cargo build -p portcullis-server --features bench-comparators --bins --locked
  exec python3 scripts/bench.py --smoke --profile debug
fi
scripts/install-tools.sh
cargo leptos build --release
cargo build --release -p portcullis-server --features bench-comparators --bins --locked
exec python3 scripts/bench.py --profile release
