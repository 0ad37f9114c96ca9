#!/usr/bin/env bash
# Builds the console and serves it with demo data on SQLite at http://127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
scripts/build.sh
export DATABASE_URL="${DATABASE_URL:-sqlite://portcullis-demo.db?mode=rwc}"
exec target/release/portcullis serve --demo "$@"
