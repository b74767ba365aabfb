#!/usr/bin/env bash
# Installs the web app's npm packages when package-lock.json changed since the
# last install, then builds web/dist. Used by tests/e2e/run.sh and `make demo`.
set -euo pipefail
cd "$(dirname "$0")"

# Vite 7 needs Node 20.19 or newer.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "web: Node $(node --version) is too old for Vite 7 (needs >= 20.19)" >&2
  exit 1
fi

stamp=node_modules/.machi-lock
if [[ ! -f $stamp ]] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
if [[ ${1:-} != --install-only ]]; then
  npm run build --silent
fi
