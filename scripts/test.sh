#!/usr/bin/env bash
# Installs what the tests need (skipping what is there) and runs every test:
# formatting, clippy (server and wasm), the expected values' generators, native tests, core's
# wasm tests, storage tests on SQLite and PostgreSQL (counted per backend at the end), the
# browser build, and Playwright in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }
mkdir -p target
LOG=target/test-run.log
exec > >(tee "$LOG") 2>&1

step "tools"
scripts/install-tools.sh

step "PostgreSQL for the storage tests"
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432 && command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"
    echo "storage tests run on SQLite and on $TEST_DATABASE_URL"
  else
    echo "no PostgreSQL on 127.0.0.1:5432: PostgreSQL storage tests will say they were skipped"
  fi
fi
# CI always has PostgreSQL: there a dual-backend test that cannot reach it fails, not skips.
if [ -n "${CI:-}" ]; then export PORTCULLIS_REQUIRE_POSTGRES=1; fi
# Each dual-backend test appends a line here per backend; summed up at the end.
export PORTCULLIS_BACKEND_LOG="$PWD/target/dual-backend-runs.log"
: > "$PORTCULLIS_BACKEND_LOG"
# A snapshot that differs fails the run instead of leaving a .snap.new to review.
export INSTA_UPDATE=no

step "cargo fmt --check"
cargo fmt --all -- --check

step "server layers: imports only downward, no import loops"
python3 scripts/layers.py

step "clippy: server, app (ssr), core, tests"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy: the browser build (wasm32, hydrate)"
cargo clippy -p portcullis-app -p portcullis-core --features portcullis-app/hydrate --target wasm32-unknown-unknown --locked -- -D warnings

step "expected values against the scripts that computed them"
python3 core/tests/vectors/generate.py
python3 server/tests/integration/fixtures/jwks.py

step "native tests (core vectors, server integration on both backends)"
cargo test --workspace --locked -- --skip boundary:: --skip fuzz_

step "the tenant boundary under random calls (prints its seed and count)"
cargo test -p portcullis-server --test integration --locked -- boundary:: --nocapture

step "fuzz smoke: every outside-input parser (prints inputs per target)"
FUZZ_CASES=${FUZZ_CASES:-2000} cargo test -p portcullis-core --test fuzz_parsers --locked -- --nocapture fuzz_

step "core's shared vectors as wasm under node"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p portcullis-core --target wasm32-unknown-unknown --locked

step "build the console: the bundle as released, the server as tested"
scripts/build.sh --test-server

step "bundle budgets: the first chunk and each page's chunk, as browsers receive them"
python3 scripts/bundle_budget.py

step "Playwright in Debian's Chromium"
(cd end2end && npx playwright test)

step "benchmarks, smoke mode"
scripts/bench.sh --smoke

count() { grep -c "^$1 " "$PORTCULLIS_BACKEND_LOG" || true; }
echo
echo "dual-backend tests: $(count sqlite) on SQLite, $(count postgres) on PostgreSQL, $(count postgres-skipped) skipped"

# One closing line over every runner: cargo's "test result" lines and Playwright's summary.
passed=$(grep -hoE '(test result: ok\. [0-9]+ passed|^ +[0-9]+ passed \()' "$LOG" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
echo
echo "all suites: ${passed} passed, 0 failed"
