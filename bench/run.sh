#!/usr/bin/env bash
# `make bench`: machi's performance check against the targets of the issue.
#
#   bash bench/run.sh BUILD_DIR
#
# BUILD_DIR holds machi, machi_loadgen and machi_bench_sqlite. The run:
#   1. raw SQLite upsert rate (machi_bench_sqlite, the storage reference);
#   2. starts machi on a fresh data directory (durability full) on 127.0.0.1;
#   3. loads 100,000 Smart Data Models ParkingSpots through
#      POST /ngsi-ld/v1/entityOperations/upsert in batches of 1,000;
#   4. per scenario (health, get, query, patch, upsert): a wrk warm-up, a
#      wrk throughput run with a fixed number of connections, then a
#      separate open-loop run at half that throughput with machi_loadgen for
#      the latency percentiles (no coordinated omission);
#   5. prints a markdown table and writes BUILD_DIR/bench-results.json.
#
# Knobs (environment): BENCH_ENTITIES (100000), BENCH_BATCH (1000),
# BENCH_WARMUP (3 s), BENCH_DURATION (10 s), BENCH_LATENCY_DURATION (8 s),
# BENCH_CONNECTIONS (32), BENCH_UPSERT_CONNECTIONS (4),
# BENCH_LOAD_CONNECTIONS (4), BENCH_SCENARIOS ("health get query patch upsert"),
# BENCH_DURABILITY (full), BENCH_SQLITE_ARGS (extra machi_bench_sqlite flags),
# BENCH_KEEP=1 keeps the data directory and logs, BENCH_PERF=1 records a
# perf profile of the server during each throughput run (implies keeping).
set -euo pipefail

BUILD=${1:-build}
if [[ ! -d "$BUILD" ]]; then
  echo "bench: build directory '$BUILD' does not exist" >&2
  exit 2
fi
BUILD=$(cd "$BUILD" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

MACHI=$BUILD/machi
LOADGEN=$BUILD/machi_loadgen
SQLITE_BENCH=$BUILD/machi_bench_sqlite

ENTITIES=${BENCH_ENTITIES:-100000}
BATCH=${BENCH_BATCH:-1000}
WARMUP=${BENCH_WARMUP:-3}
DURATION=${BENCH_DURATION:-10}
LAT_DURATION=${BENCH_LATENCY_DURATION:-8}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
UPSERT_CONNECTIONS=${BENCH_UPSERT_CONNECTIONS:-4}
LOAD_CONNECTIONS=${BENCH_LOAD_CONNECTIONS:-4}
SCENARIOS=${BENCH_SCENARIOS:-"health get query patch upsert"}
DURABILITY=${BENCH_DURABILITY:-full}

for tool in "$MACHI" "$LOADGEN"; do
  if [[ ! -x "$tool" ]]; then
    echo "bench: $tool is missing; build first (make build BUILD=$BUILD)" >&2
    exit 2
  fi
done
for cmd in wrk curl node; do
  if ! command -v "$cmd" >/dev/null; then
    echo "bench: '$cmd' is not installed (bash scripts/install-deps.sh)" >&2
    exit 2
  fi
done

# Work directory next to the build (on the build's disk, not a tmpfs: the
# durability=full figures must include real fsyncs).
WORK=$(mktemp -d "$BUILD/bench-run.XXXXXX")
RESULTS=$WORK/results
DATA=$WORK/data
mkdir -p "$RESULTS" "$DATA"
SERVER_PID=""

cleanup() {
  local status=$?
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ "${BENCH_KEEP:-0}" == 1 || "${BENCH_PERF:-0}" == 1 || $status -ne 0 ]]; then
    echo "bench: work directory kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Server CPU time in clock ticks (user + system), for the cores-used figure.
server_ticks() {
  if [[ -r /proc/$SERVER_PID/stat ]]; then
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$SERVER_PID/stat"
  else
    echo 0
  fi
}
CLK_TCK=$(getconf CLK_TCK)

# Waits until the server has finished the requests of the previous run: a
# thread-per-connection server goes on with requests whose client has gone,
# and that backlog must not eat into the next measurement. Idle = under 4%
# of a core over 0.25 s; gives up after BENCH_IDLE_WAIT seconds (60).
wait_idle() {
  local waited=0 before after
  local limit=$(( ${BENCH_IDLE_WAIT:-60} * 4 ))
  while (( waited < limit )); do
    before=$(server_ticks)
    sleep 0.25
    after=$(server_ticks)
    if (( after - before <= CLK_TCK / 100 )); then
      (( waited > 1 )) && log "server idle after $(awk -v w="$waited" 'BEGIN { print w / 4 }') s"
      return 0
    fi
    waited=$((waited + 1))
  done
  log "server still busy after ${BENCH_IDLE_WAIT:-60} s; measuring anyway"
}

# Other work on the machine skews every figure (the load generator and the
# server already share the cores): measure how busy the cores are before
# the run (in cores, over one second).
busy_cores() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)
  sleep 1
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)
  awk -v a="$a" -v b="$b" -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " ");
    t = y[2] - x[2]; printf "%.2f", (t > 0 ? n * (y[1] - x[1]) / t : 0) }'
}
BUSY_BEFORE=$(busy_cores)
if awk -v l="$BUSY_BEFORE" 'BEGIN { exit !(l > 0.25) }'; then
  log "warning: other processes keep $BUSY_BEFORE cores busy; the figures will be low"
fi

# ------------------------------------------------ 1. raw SQLite reference

if [[ -x "$SQLITE_BENCH" ]]; then
  log "raw SQLite upsert reference: $(basename "$SQLITE_BENCH")"
  mkdir -p "$WORK/sqlite-tmp"
  # shellcheck disable=SC2086
  if ! (cd "$WORK/sqlite-tmp" && TMPDIR="$WORK/sqlite-tmp" MACHI_BENCH_DIR="$WORK/sqlite-tmp" "$SQLITE_BENCH" --benchmark_format=json \
          ${BENCH_SQLITE_ARGS:-} >"$RESULTS/sqlite.json" 2>"$WORK/sqlite.log"); then
    log "machi_bench_sqlite failed (see $WORK/sqlite.log); continuing without the reference"
    rm -f "$RESULTS/sqlite.json"
  fi
  rm -rf "$WORK/sqlite-tmp"
else
  log "no $SQLITE_BENCH (needs libbenchmark-dev and bench/sqlite_upsert_bench.cc); no raw SQLite reference"
fi

# ------------------------------------------------------- 2. start machi

PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
BASE=http://127.0.0.1:$PORT
log "starting machi on $BASE (data $DATA, durability $DURABILITY)"
"$MACHI" serve --host 127.0.0.1 --port "$PORT" --data "$DATA" --durability "$DURABILITY" >"$WORK/machi.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 1 100); do
  if curl -sf -o /dev/null "$BASE/health"; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    log "machi exited at start:"
    tail -n 20 "$WORK/machi.log" >&2
    exit 1
  fi
  if [[ $i == 100 ]]; then
    log "machi did not answer /health within 10 s"
    exit 1
  fi
  sleep 0.1
done

# ------------------------------------------------------ 3. load the data

log "loading $ENTITIES ParkingSpots in batches of $BATCH over $LOAD_CONNECTIONS connections"
"$LOADGEN" --port "$PORT" --scenario load --entities "$ENTITIES" --batch "$BATCH" \
  --connections "$LOAD_CONNECTIONS" --duration 600 --drain 60 >"$RESULTS/load.json"
log "load: $(cat "$RESULTS/load.json")"

# Checks: the count, and one request per scenario with its status.
count=$(curl -s -D - -o /dev/null "$BASE/ngsi-ld/v1/entities?type=ParkingSpot&limit=0&count=true" |
  tr -d '\r' | awk -F': ' 'tolower($1) == "ngsild-results-count" { print $2 }' || true)
sample_id="urn:ngsi-ld:ParkingSpot:noda:$(printf '%06d' $((ENTITIES / 2)))"
get_status=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/ngsi-ld/v1/entities/$sample_id" || true)
query_path="/ngsi-ld/v1/entities?type=ParkingSpot&q=status==%22free%22&georel=near;maxDistance==500&geometry=Point&coordinates=%5B139.94,35.88%5D"
query_status=$(curl -s -o "$WORK/query-sample.json" -w '%{http_code}' "$BASE$query_path" || true)
query_hits=$(node -e 'try{const b=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(Array.isArray(b)?b.length:-1)}catch(e){console.log(-1)}' "$WORK/query-sample.json")
patch_status=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
  --data '{"status":{"type":"Property","value":"free","observedAt":"2024-01-01T00:00:00Z"}}' \
  "$BASE/ngsi-ld/v1/entities/$sample_id/attrs" || true)
cat >"$RESULTS/checks.json" <<EOF
{"entities_expected":$ENTITIES,"entities_counted":${count:-null},"get_status":$((10#${get_status:-0})),
 "query_status":$((10#${query_status:-0})),"query_hits_at_center":$query_hits,"patch_status":$((10#${patch_status:-0}))}
EOF
log "checks: count=${count:-?} GET=$get_status query=$query_status ($query_hits hits at the centre) PATCH=$patch_status"

# ---------------------------------------------------- 4. the scenarios

export MACHI_BENCH_LUA=$HERE/lua
export MACHI_BENCH_ENTITIES=$ENTITIES
export MACHI_BENCH_BATCH=$BATCH

for scenario in $SCENARIOS; do
  conns=$CONNECTIONS
  [[ $scenario == upsert ]] && conns=$UPSERT_CONNECTIONS
  script=$HERE/lua/$scenario.lua
  log "$scenario: warm-up ${WARMUP}s, then wrk -t1 -c$conns -d${DURATION}s"
  wait_idle
  wrk -t1 -c"$conns" -d"${WARMUP}s" --timeout 10s -s "$script" "$BASE" >/dev/null 2>&1 || true
  wait_idle
  ticks_before=$(server_ticks)
  perf_pid=""
  if [[ "${BENCH_PERF:-0}" == 1 ]]; then
    # System-wide: -p misses the connection threads created after it attaches.
    perf record -q -F 999 -g -a -o "$WORK/$scenario.perf.data" -- sleep "$DURATION" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  if ! wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 10s -s "$script" "$BASE" >"$WORK/$scenario.wrk.txt" 2>&1; then
    log "$scenario: wrk failed"
  fi
  ticks_after=$(server_ticks)
  if [[ -n "$perf_pid" ]]; then
    wait "$perf_pid" || true
    perf report -i "$WORK/$scenario.perf.data" --pid "$SERVER_PID" --stdio --no-children --percent-limit 1.5 \
      >"$WORK/$scenario.perf.txt" 2>/dev/null || true
    log "$scenario: perf profile in $WORK/$scenario.perf.txt"
  fi
  wrk_json=$(sed -n 's/^WRK_JSON //p' "$WORK/$scenario.wrk.txt")
  if [[ -z "$wrk_json" ]]; then
    log "$scenario: no wrk result:"
    cat "$WORK/$scenario.wrk.txt" >&2
    wrk_json='{"requests":0,"rps":0,"errors":0}'
  fi
  cpu=$(awk -v a="$ticks_before" -v b="$ticks_after" -v hz="$CLK_TCK" -v d="$DURATION" 'BEGIN { printf "%.2f", (b - a) / hz / d }')
  printf '{"connections":%s,"server_cores":%s,"wrk":%s}\n' "$conns" "$cpu" "$wrk_json" >"$RESULTS/$scenario.wrk.json"
  rps=$(node -e 'console.log(JSON.parse(process.argv[1]).rps || 0)' "$wrk_json")
  log "$scenario: $(printf '%.0f' "$rps") req/s (server used $cpu cores)"

  rate=$(awk -v r="$rps" 'BEGIN { printf "%.3f", r / 2 }')
  if awk -v r="$rate" 'BEGIN { exit !(r > 0) }'; then
    wait_idle
    log "$scenario: open-loop latency run at $rate req/s for ${LAT_DURATION}s over $conns connections"
    "$LOADGEN" --port "$PORT" --scenario "$scenario" --rate "$rate" --duration "$LAT_DURATION" --warmup 1 \
      --drain 15 --connections "$conns" --entities "$ENTITIES" --batch "$BATCH" >"$RESULTS/$scenario.latency.json" ||
      log "$scenario: loadgen failed"
    log "$scenario: $(cat "$RESULTS/$scenario.latency.json" 2>/dev/null)"
  else
    log "$scenario: no throughput, no latency run"
  fi
done

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  log "machi died during the run:"
  tail -n 20 "$WORK/machi.log" >&2
fi
# Foreign load after the run, once machi idles.
wait_idle
BUSY_AFTER=$(busy_cores)
rss_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
du_kb=$(du -sk "$DATA" | cut -f1)
printf '{"server_peak_rss_kb":%s,"data_dir_kb":%s,"durability":"%s","cores":%s,"entities":%s,"batch":%s,"warmup_s":%s,"duration_s":%s,"latency_duration_s":%s,"busy_cores_before":%s,"busy_cores_after":%s}\n' \
  "${rss_kb:-0}" "$du_kb" "$DURABILITY" "$(nproc)" "$ENTITIES" "$BATCH" "$WARMUP" "$DURATION" "$LAT_DURATION" \
  "$BUSY_BEFORE" "$BUSY_AFTER" >"$RESULTS/run.json"

# ------------------------------------------------------------ 5. report

node "$HERE/report.mjs" "$RESULTS" "$BUILD/bench-results.json"
