#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# FUZZ_TIME seconds, starting from the seed corpus in fuzz/seeds/<target>.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_TIME=${FUZZ_TIME:-60}
BUILD=build-fuzz
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S . -B $BUILD -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DMACHI_FUZZ=ON \
    -DMACHI_TESTS=OFF >/dev/null
fi
targets=$(cd src && ls */*_fuzz.cc | xargs -n1 basename | sed 's/\.cc$//')
cmake --build $BUILD -j "$(nproc)" --target $targets
status=0
for target in $targets; do
  corpus=$BUILD/corpus/$target
  mkdir -p "$corpus"
  seeds=()
  [[ -d fuzz/seeds/$target ]] && seeds=(fuzz/seeds/$target)
  echo "fuzz: $target for ${FUZZ_TIME}s"
  if ! ASAN_OPTIONS=detect_leaks=1 "$BUILD/$target" -max_total_time="$FUZZ_TIME" -max_len=4096 \
      -artifact_prefix="$BUILD/" "$corpus" "${seeds[@]}" >"$BUILD/$target.log" 2>&1; then
    echo "fuzz: $target FAILED, see $BUILD/$target.log"
    tail -40 "$BUILD/$target.log"
    status=1
  else
    grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$BUILD/$target.log" | tail -1 || true
  fi
done
exit $status
