#!/usr/bin/env bash
# Builds the web app and runs its unit tests (Vitest) and end-to-end tests
# (machi serving web/dist, Debian's Chromium, axe-core). Used by `make test`;
# MACHI_BIN names the machi binary (default build/machi).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

if [[ ! -x ${CHROMIUM_BIN:-/usr/bin/chromium} ]]; then
  echo "e2e: Chromium not found at ${CHROMIUM_BIN:-/usr/bin/chromium} (apt-get install chromium fonts-noto-cjk)" >&2
  exit 1
fi

bash web/build.sh --install-only
(cd web && npm test --silent)
bash web/build.sh

export MACHI_BIN=${MACHI_BIN:-$ROOT/build/machi}
node --test --test-concurrency=1 tests/e2e/
