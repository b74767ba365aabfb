#!/usr/bin/env bash
# Installs the Debian packages machi needs to build, test and benchmark.
# Idempotent: packages already present are skipped, and apt is not touched
# at all when everything is there.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates curl jq
  libboost-dev libboost-system-dev
  nlohmann-json3-dev
  libsqlite3-dev sqlite3
  libargon2-dev
  libgeos-dev
  mosquitto libmosquitto-dev
  libre2-dev
  libgoogle-perftools-dev
  libssl-dev
  libfmt-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  wrk
  chromium chromium-driver fonts-noto-cjk
  nodejs npm
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# node and npm may come from outside Debian's packages (e.g. a preinstalled
# toolchain); do not fight it when both commands already work.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for pkg in "${missing[@]}"; do
    [[ "$pkg" == nodejs || "$pkg" == npm ]] || filtered+=("$pkg")
  done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]} == 0)); then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
