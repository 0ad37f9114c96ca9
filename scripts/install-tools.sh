#!/usr/bin/env bash
# Installs every tool the build and the tests need, skipping what is already present.
# Idempotent: safe to run on every CI run and on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[install-tools] %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! command -v cargo-leptos >/dev/null || ! cargo-leptos --version 2>/dev/null | grep -q '0.3.10'; then
  log "installing cargo-leptos 0.3.10 (about 10 minutes, once)"
  cargo install cargo-leptos --version 0.3.10 --locked --features no_downloads
fi

if ! command -v wasm-bindgen >/dev/null || ! wasm-bindgen --version | grep -q '0.2.130'; then
  log "installing wasm-bindgen-cli 0.2.130"
  cargo install wasm-bindgen-cli --version 0.2.130
fi

# Debian packages: chromium for Playwright; sqlite3 and curl for the activity-export benchmark
# (sqlite3 -csv is its comparator, curl its client).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v curl >/dev/null || missing+=(curl)
# node and npm run Playwright and bring binaryen's wasm-opt.
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages: Playwright, axe-core for its accessibility checks, and binaryen (wasm-opt 123;
# Debian's 108 emits wasm that never hydrates).
if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/binaryen ] || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
  log "installing end2end npm packages"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi
log "tools ready"
