#!/usr/bin/env bash
# The one bench command. Full run: release build, then every figure beside its comparator.
# `--smoke` (used by CI): the debug build already made by the tests, small inputs, one pass each.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"   # wasm-opt 123 from npm binaryen
wasm_decide() {
  # Core's decide compiled to wasm and timed under node (the browser's engine).
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test -p portcullis-core --features bench --target wasm32-unknown-unknown --locked "$@" \
    --test bench_wasm -- --nocapture 2>&1 | grep -E '^wasm '
}
if [ "${1:-}" = "--smoke" ]; then
  cargo build -p portcullis-bench --features bench-comparators --bins --locked
  python3 scripts/bench.py --smoke --profile debug
  echo; echo "[decide] core beside cedar-policy and casbin (smoke: small tenant, figures not judged)"
  ./target/debug/bench-decide --smoke
  PORTCULLIS_BENCH_SMOKE=1 wasm_decide
  exit 0
fi
scripts/install-tools.sh
# wrk drives the REST benchmark; only the full run needs it (the smoke run skips that part).
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
scripts/build.sh
cargo build --release -p portcullis-bench --features bench-comparators --bins --locked
python3 scripts/bench.py --profile release
echo; echo "[decide] core beside cedar-policy and casbin (goals: >= 30x cedar, >= 200x casbin, 10x data <= 1.3x)"
./target/release/bench-decide
wasm_decide --release
