#!/usr/bin/env bash
# Builds the web app and runs its unit tests (Vitest) and end-to-end tests:
# `machi demo` generates the demo city デモ市 and serves it with web/dist,
# Debian's Chromium drives the pages, axe-core checks them; screenshots go to
# tests/e2e/artifacts/. Used by `make test`; MACHI_BIN names the machi binary
# (default build/machi). The city is smaller than `make demo`'s so that the
# run stays short: MACHI_E2E_RESIDENTS (2000) residents and
# MACHI_E2E_HISTORY_DAYS (2) days of sensor history; MACHI_E2E_START_TIMEOUT_MS
# (180000) bounds its generation.
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
