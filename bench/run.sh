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
#   4. per scenario (health, get, query, patch, v2patch, upsert): a wrk warm-up, a
#      wrk throughput run with a fixed number of connections, then a
#      separate open-loop run at half that throughput with machi_loadgen for
#      the latency percentiles (no coordinated omission); v2patch (NGSIv2
#      PATCH /v2/entities/{id}/attrs on the same entities) has no latency run
#      and is printed beside the NGSI-LD patch rate with their ratio
#      (target: within 20 %);
#   5. the demo city (scenario "demo"), on a machi of its own once the first
#      one has stopped: a fresh `machi demo --web web/dist` as `make demo`
#      starts it, timed from process start until it serves the full city
#      (the demo-city marker entity answers; budget 120 s); the first page's
#      JavaScript (gzip -9, budget 300 KB) and its first contentful paint in
#      headless Chromium (bench/web_fcp.mjs, median of BENCH_DEMO_FCP_RUNS);
#      then the data explorer's API requests (bench/explorer_paths.mjs) at a
#      fixed rate with machi_loadgen, p50/p95/p99, beside GET /health at the
#      same rate on the same server as the reference;
#   6. prints a markdown table and writes BUILD_DIR/bench-results.json.
#
# Knobs (environment): BENCH_ENTITIES (100000), BENCH_BATCH (1000),
# BENCH_WARMUP (3 s), BENCH_DURATION (10 s), BENCH_LATENCY_DURATION (8 s),
# BENCH_CONNECTIONS (32), BENCH_UPSERT_CONNECTIONS (4),
# BENCH_LOAD_CONNECTIONS (4), BENCH_SCENARIOS ("health get query patch v2patch upsert demo ledger temporal";
# steps 1-4 run when any but demo and ledger is chosen), BENCH_DURABILITY (full),
# BENCH_SQLITE_ARGS (extra machi_bench_sqlite flags), BENCH_KEEP=1 keeps the
# data directory and logs, BENCH_PERF=1 records a perf profile of the server
# during each throughput run (implies keeping). The demo part:
# BENCH_DEMO_RESIDENTS (20000, the city of `make demo`), BENCH_DEMO_TIMEOUT
# (300 s to generate before giving up), BENCH_DEMO_RATE (50 req/s),
# BENCH_DEMO_DURATION (10 s), BENCH_DEMO_CONNECTIONS (8),
# BENCH_DEMO_FCP_RUNS (5). The ledger part ("ledger", bench/ledger_bench.cc):
# BENCH_LEDGER_ENTRIES (10000000, the tree size for the inclusion-proof p99).
# The notification part ("notify", bench/notify_bench.mjs, its own machi and
# a node receiver): BENCH_NOTIFY_DURATION (BENCH_DURATION),
# BENCH_NOTIFY_CONNECTIONS (16), BENCH_NOTIFY_BATCH (50 entities per
# POST /entityOperations/update; 1 = one PATCH per entity), BENCH_NOTIFY_RATE
# (5000 entity updates/s for the open-loop lag run), BENCH_NOTIFY_OUTAGE
# (30 s receiver down). "v2notify" runs "notify" and then the same load to an
# NGSIv2 subscriber (/v2/subscriptions), printed beside the NGSI-LD figure.
# The IoT ingestion part ("iot", bench/iot_bench.mjs,
# its own mosquitto and machi): BENCH_IOT_MESSAGES (50000 QoS 1 messages of
# one measure), BENCH_IOT_DEVICES (1000), beside the same messages to a
# plain MQTT subscriber and the same measures as HTTP /v2/op/update appends.
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
SCENARIOS=${BENCH_SCENARIOS:-"health get query patch v2patch upsert demo ledger notify temporal iot"}
DURABILITY=${BENCH_DURABILITY:-full}
DEMO_RESIDENTS=${BENCH_DEMO_RESIDENTS:-20000}
DEMO_TIMEOUT=${BENCH_DEMO_TIMEOUT:-300}
DEMO_BUDGET=120
DEMO_RATE=${BENCH_DEMO_RATE:-50}
DEMO_DURATION=${BENCH_DEMO_DURATION:-10}
DEMO_CONNECTIONS=${BENCH_DEMO_CONNECTIONS:-8}
DEMO_FCP_RUNS=${BENCH_DEMO_FCP_RUNS:-5}
ROOT=$(cd "$HERE/.." && pwd)
WEB_DIST=$ROOT/web/dist

# "demo" is the demo-city part (step 5); the others are the steps 1-4 server's.
MAIN_SCENARIOS=""
RUN_DEMO=0
RUN_LEDGER=0
RUN_TEMPORAL=0
RUN_NOTIFY=0
RUN_IOT=0
for scenario in $SCENARIOS; do
  case $scenario in
    demo) RUN_DEMO=1 ;;
    ledger) RUN_LEDGER=1 ;;
    temporal) RUN_TEMPORAL=1 ;;
    notify) RUN_NOTIFY=1 ;;
    iot) RUN_IOT=1 ;;
    v2notify) RUN_NOTIFY=1; NOTIFY_V2=1 ;;  # notify, then the same load to an NGSIv2 subscriber
    health | get | query | patch | v2patch | upsert) MAIN_SCENARIOS+="${MAIN_SCENARIOS:+ }$scenario" ;;
    *) echo "bench: unknown scenario '$scenario' (health get query patch v2patch upsert demo ledger notify v2notify temporal iot)" >&2; exit 2 ;;
  esac
done

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

# SIGTERM, up to 10 s to finish, then SIGKILL.
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

cleanup() {
  local status=$?
  stop_server
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
  # Without a server, /proc//stat would be the system-wide /proc/stat.
  if [[ -n "$SERVER_PID" && -r /proc/$SERVER_PID/stat ]]; then
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
  [[ -n "$SERVER_PID" ]] || return 0  # the standalone scenarios start their own server
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

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

rss_kb=0
du_kb=0
if [[ -n "$MAIN_SCENARIOS" ]]; then

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

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
log "starting machi on $BASE (data $DATA, durability $DURABILITY)"
BENCH_ADMIN_PASSWORD=bench-admin-password-$$
MACHI_ADMIN_PASSWORD=$BENCH_ADMIN_PASSWORD "$MACHI" serve --host 127.0.0.1 --port "$PORT" --data "$DATA" \
  --durability "$DURABILITY" --token-lifetime 86400 >"$WORK/machi.log" 2>&1 &
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

# Every request of the load generators carries the administrator's bearer
# token (MACHI_BENCH_TOKEN), as a real client's would.
MACHI_BENCH_TOKEN=$(curl -sf -X POST --data-urlencode grant_type=password --data-urlencode username=admin \
  --data-urlencode "password=$BENCH_ADMIN_PASSWORD" "$BASE/machi/v1/auth/token" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).access_token))')
export MACHI_BENCH_TOKEN
AUTH_HEADER="Authorization: Bearer $MACHI_BENCH_TOKEN"

# ------------------------------------------------------ 3. load the data

log "loading $ENTITIES ParkingSpots in batches of $BATCH over $LOAD_CONNECTIONS connections"
"$LOADGEN" --port "$PORT" --scenario load --entities "$ENTITIES" --batch "$BATCH" \
  --connections "$LOAD_CONNECTIONS" --duration 600 --drain 60 >"$RESULTS/load.json"
log "load: $(cat "$RESULTS/load.json")"

# Checks: the count, and one request per scenario with its status.
count=$(curl -s -H "$AUTH_HEADER" -D - -o /dev/null "$BASE/ngsi-ld/v1/entities?type=ParkingSpot&limit=0&count=true" |
  tr -d '\r' | awk -F': ' 'tolower($1) == "ngsild-results-count" { print $2 }' || true)
sample_id="urn:ngsi-ld:ParkingSpot:noda:$(printf '%06d' $((ENTITIES / 2)))"
get_status=$(curl -s -H "$AUTH_HEADER" -o /dev/null -w '%{http_code}' "$BASE/ngsi-ld/v1/entities/$sample_id" || true)
query_path="/ngsi-ld/v1/entities?type=ParkingSpot&q=status==%22free%22&georel=near;maxDistance==500&geometry=Point&coordinates=%5B139.94,35.88%5D"
query_status=$(curl -s -H "$AUTH_HEADER" -o "$WORK/query-sample.json" -w '%{http_code}' "$BASE$query_path" || true)
query_hits=$(node -e 'try{const b=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(Array.isArray(b)?b.length:-1)}catch(e){console.log(-1)}' "$WORK/query-sample.json")
patch_status=$(curl -s -H "$AUTH_HEADER" -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
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

for scenario in $MAIN_SCENARIOS; do
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
  if [[ $scenario == v2patch ]]; then
    # NGSIv2 beside NGSI-LD: the same update of the same entities.
    ld_rps=$(node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).wrk.rps || 0) } catch { console.log(0) }' "$RESULTS/patch.wrk.json")
    ratio=$(awk -v a="$rps" -v b="$ld_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '{"v2_rps":%s,"ld_rps":%s,"ratio":%s,"target_ratio":0.8}\n' "$rps" "$ld_rps" "$ratio" >"$RESULTS/v2patch.json"
    log "v2patch: NGSIv2 PATCH $(printf '%.0f' "$rps") req/s beside NGSI-LD PATCH $(printf '%.0f' "$ld_rps") req/s: ratio $ratio (target >= 0.80)"
    continue
  fi
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

# ------------------------------------- 4b. enforcement on and off (query)

# The same query, back to back on the same data: first with ParkingSpot not
# personal (no enforcement: the administrator's token), then with it
# registered as personal data and read by a consumer under an opt-out grant,
# so that every match passes the policy enforcement point and every request
# appends a durable ledger entry before it answers.
wrk_rps() {  # label, then env assignments for the Lua scripts
  local label=$1
  shift
  wait_idle
  env "$@" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 10s -s "$HERE/lua/query.lua" "$BASE" >/dev/null 2>&1 || true
  env "$@" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$HERE/lua/query.lua" "$BASE" \
    >"$WORK/$label.wrk.txt" 2>&1 || true
  local json
  json=$(sed -n 's/^WRK_JSON //p' "$WORK/$label.wrk.txt")
  [[ -z $json ]] && json='{}'
  echo "$json" >"$WORK/$label.wrk.json"
  node -e 'try{console.log(JSON.parse(process.argv[1]).rps||0)}catch(e){console.log(0)}' "$json"
}

api() {  # method path json-body
  curl -s -X "$1" -H "$AUTH_HEADER" -H 'Content-Type: application/json' --data "$3" "$BASE$2"
}

if [[ " $MAIN_SCENARIOS " == *" query "* ]]; then
  log "enforce: query with ParkingSpot not personal (enforcement off)"
  open_rps=$(wrk_rps query-open MACHI_BENCH_TOKEN="$MACHI_BENCH_TOKEN")
  api PUT /machi/v1/personal-types/ParkingSpot '{"personal":true,"dataCategories":["dpv-pd:Location"]}' >/dev/null
  consumer=$(api POST /machi/v1/accounts '{"username":"bench-consumer","password":"bench-consumer-password","roles":["consumer"]}' |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')
  api PUT /machi/v1/purpose-settings/dpv:ImprovePublicServices '{"mode":"opt_out"}' >/dev/null
  api POST /machi/v1/notices '{"purpose":"dpv:ImprovePublicServices","title":"bench notice","url":"https://bench.example/notice"}' >/dev/null
  grant=$(api POST /machi/v1/grants "{\"name\":\"bench\",\"recipient\":\"bench city\",\"consumer\":\"$consumer\",\"purposes\":[\"dpv:ImprovePublicServices\"],\"legalBasis\":\"opt_out\",\"entityTypes\":[\"ParkingSpot\"]}" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')
  consumer_token=$(curl -sf -X POST --data-urlencode grant_type=password --data-urlencode username=bench-consumer \
    --data-urlencode password=bench-consumer-password "$BASE/machi/v1/auth/token" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).access_token))')
  sample=$(curl -s -H "Authorization: Bearer $consumer_token" -H "Machi-Grant: $grant" "$BASE$query_path" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).length)}catch(e){console.log(-1)}})')
  ledger_before=$(curl -s "$BASE/machi/v1/ledger/head" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).size))')
  log "enforce: query as a consumer under grant $grant (opt-out basis; $sample hits at the centre)"
  enforced_rps=$(wrk_rps query-enforced MACHI_BENCH_TOKEN="$consumer_token" MACHI_BENCH_GRANT="$grant")
  ledger_after=$(curl -s "$BASE/machi/v1/ledger/head" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).size))')
  ratio=$(awk -v a="$enforced_rps" -v b="$open_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  printf '{"open_rps":%s,"enforced_rps":%s,"ratio":%s,"target_ratio":0.85,"hits_at_centre":%s,"ledger_entries_written":%s}\n' \
    "$open_rps" "$enforced_rps" "$ratio" "${sample:--1}" "$((ledger_after - ledger_before))" >"$RESULTS/enforce.json"
  log "enforce: off $(printf '%.0f' "$open_rps") req/s, on $(printf '%.0f' "$enforced_rps") req/s: ratio $ratio (target >= 0.85); $((ledger_after - ledger_before)) ledger entries written"
fi

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  log "machi died during the run:"
  tail -n 20 "$WORK/machi.log" >&2
fi
# Foreign load after the run, once machi idles.
wait_idle
BUSY_AFTER=$(busy_cores)
rss_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
du_kb=$(du -sk "$DATA" | cut -f1)
stop_server

fi  # steps 1-4

# ------------------------------------------------------ 5. the demo city

# Seconds since the epoch, with fractions.
now_s() { date +%s.%N; }

if [[ $RUN_DEMO == 1 ]]; then
  if [[ ! -f $WEB_DIST/index.html ]]; then
    log "demo: no $WEB_DIST/index.html; building the web app"
    bash "$ROOT/web/build.sh"
  fi
  DEMO_DATA=$WORK/demo-data
  mkdir -p "$DEMO_DATA"
  DEMO_PORT=$(free_port)
  DEMO_BASE=http://127.0.0.1:$DEMO_PORT
  marker="$DEMO_BASE/ngsi-ld/v1/entities/urn:ngsi-ld:SyntheticDataset:demo-city"
  residents_args=()
  [[ $DEMO_RESIDENTS != 20000 ]] && residents_args=(--residents "$DEMO_RESIDENTS")
  log "demo: first start of machi demo ($DEMO_RESIDENTS residents, fresh $DEMO_DATA) on $DEMO_BASE; budget ${DEMO_BUDGET} s"
  BUSY_DEMO=$(busy_cores)
  demo_started=$(now_s)
  "$MACHI" demo --host 127.0.0.1 --port "$DEMO_PORT" --data "$DEMO_DATA" --web "$WEB_DIST" "${residents_args[@]}" \
    >"$WORK/demo.log" 2>&1 &
  SERVER_PID=$!
  # /health answers once generation is done and serving began; the marker,
  # written last, says the whole city is there.
  demo_seconds=""
  demo_health=""
  while :; do
    if [[ -z $demo_health ]] && curl -sf -o /dev/null "$DEMO_BASE/health"; then
      demo_health=$(awk -v a="$demo_started" -v b="$(now_s)" 'BEGIN { printf "%.2f", b - a }')
    fi
    # The demo's administrator (admin / admin-demo) reads the marker.
    if [[ -n $demo_health && -z ${DEMO_TOKEN:-} ]]; then
      DEMO_TOKEN=$(curl -sf -X POST --data-urlencode grant_type=password --data-urlencode username=admin \
        --data-urlencode password=admin-demo "$DEMO_BASE/machi/v1/auth/token" |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).access_token)}catch(e){}})' || true)
    fi
    if [[ -n $demo_health ]] && curl -sf -H "Authorization: Bearer ${DEMO_TOKEN:-}" -o /dev/null "$marker"; then
      demo_seconds=$(awk -v a="$demo_started" -v b="$(now_s)" 'BEGIN { printf "%.2f", b - a }')
      break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      log "demo: machi demo exited at start:"
      tail -n 20 "$WORK/demo.log" >&2
      break
    fi
    if awk -v a="$demo_started" -v b="$(now_s)" -v t="$DEMO_TIMEOUT" 'BEGIN { exit !(b - a > t) }'; then
      log "demo: the city was not served within $DEMO_TIMEOUT s"
      break
    fi
    sleep 0.1
  done
  generator_seconds=$(sed -n 's/^machi demo: generated .* in \([0-9.]*\) s: .*/\1/p' "$WORK/demo.log" | head -n 1)
  entities=$(sed -n 's/^machi demo: generated .* s: \([0-9]*\) entities .*/\1/p' "$WORK/demo.log" | head -n 1)
  history_points=$(sed -n 's/^machi demo: generated .* and \([0-9]*\) history points$/\1/p' "$WORK/demo.log" | head -n 1)
  printf '{"seconds":%s,"health_seconds":%s,"generator_seconds":%s,"budget_s":%s,"residents":%s,"entities":%s,"history_points":%s,"busy_cores_before":%s}\n' \
    "${demo_seconds:-null}" "${demo_health:-null}" "${generator_seconds:-null}" "$DEMO_BUDGET" "$DEMO_RESIDENTS" \
    "${entities:-null}" "${history_points:-null}" "$BUSY_DEMO" >"$RESULTS/demo-start.json"
  log "demo: served after ${demo_seconds:-?} s (generation ${generator_seconds:-?} s: ${entities:-?} entities, ${history_points:-?} history points)"

  if [[ -n $demo_seconds ]]; then
    wait_idle
    log "demo: first page (JavaScript from $WEB_DIST, first contentful paint of / in Chromium, $DEMO_FCP_RUNS loads)"
    node "$HERE/web_fcp.mjs" --base "$DEMO_BASE" --runs "$DEMO_FCP_RUNS" --dist "$WEB_DIST" --out "$RESULTS/web-fcp.json" \
      >/dev/null 2>"$WORK/web-fcp.log" || { log "demo: web_fcp failed:"; tail -n 20 "$WORK/web-fcp.log" >&2; }
    [[ -s $RESULTS/web-fcp.json ]] && log "demo: $(node -e 'const r=require(process.argv[1]);console.log(`first page JS ${r.first_page_js.gzip_bytes} B gzip, first contentful paint ${r.fcp.median_ms} ms (median)`)' "$RESULTS/web-fcp.json")"

    node "$HERE/explorer_paths.mjs" "$DEMO_BASE" "$WORK/explorer-paths.txt" 2>"$WORK/explorer-paths.log" ||
      log "demo: explorer_paths failed: $(tail -n 5 "$WORK/explorer-paths.log")"
    log "demo: $(tail -n 1 "$WORK/explorer-paths.log")"
    for scenario in health paths; do
      [[ $scenario == paths && ! -s $WORK/explorer-paths.txt ]] && continue
      name=demo-health
      paths_args=()
      if [[ $scenario == paths ]]; then
        name=explorer
        paths_args=(--paths "$WORK/explorer-paths.txt")
      fi
      wait_idle
      log "demo: $name, open loop at $DEMO_RATE req/s for ${DEMO_DURATION}s over $DEMO_CONNECTIONS connections"
      MACHI_BENCH_TOKEN=${DEMO_TOKEN:-} "$LOADGEN" --port "$DEMO_PORT" --scenario "$scenario" "${paths_args[@]}" --rate "$DEMO_RATE" \
        --duration "$DEMO_DURATION" --warmup 1 --drain 15 --connections "$DEMO_CONNECTIONS" \
        >"$RESULTS/$name.latency.json" || log "demo: $name: loadgen failed"
      log "demo: $name: $(cat "$RESULTS/$name.latency.json" 2>/dev/null)"
    done
    demo_rss_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
    demo_du_kb=$(du -sk "$DEMO_DATA" | cut -f1)
    printf '{"server_peak_rss_kb":%s,"data_dir_kb":%s,"rate":%s,"duration_s":%s,"connections":%s,"fcp_runs":%s}\n' \
      "${demo_rss_kb:-0}" "$demo_du_kb" "$DEMO_RATE" "$DEMO_DURATION" "$DEMO_CONNECTIONS" "$DEMO_FCP_RUNS" >"$RESULTS/demo-run.json"
  fi
  stop_server
fi

# ------------------------------------------------- 5b. the access ledger

if [[ $RUN_LEDGER == 1 ]]; then
  LEDGER_BENCH=$BUILD/machi_bench_ledger
  LEDGER_ENTRIES=${BENCH_LEDGER_ENTRIES:-10000000}
  wait_idle
  log "ledger: durable appends and inclusion proofs at $LEDGER_ENTRIES entries (machi_bench_ledger)"
  MACHI_BENCH_DIR=$WORK "$LEDGER_BENCH" --entries "$LEDGER_ENTRIES" --out "$RESULTS/ledger.json" >&2 ||
    log "ledger: machi_bench_ledger failed"
fi

# ------------------------------------------------ 5d. history (temporal)

if [[ $RUN_TEMPORAL == 1 ]]; then
  wait_idle
  bash "$HERE/temporal.sh" "$BUILD" "$RESULTS" || log "temporal: bench/temporal.sh failed"
fi

# ------------------------------------------------- 5c. notifications

if [[ $RUN_NOTIFY == 1 ]]; then
  wait_idle
  log "notify: 1 subscription, entity updates (${BENCH_NOTIFY_BATCH:-50} per request) as fast as ${NOTIFY_CONNECTIONS:=${BENCH_NOTIFY_CONNECTIONS:-16}} clients go for ${BENCH_NOTIFY_DURATION:-$DURATION}s, then a receiver outage of ${BENCH_NOTIFY_OUTAGE:-30}s (bench/notify_bench.mjs)"
  node "$HERE/notify_bench.mjs" --machi "$MACHI" --duration "${BENCH_NOTIFY_DURATION:-$DURATION}" \
    --connections "$NOTIFY_CONNECTIONS" --batch "${BENCH_NOTIFY_BATCH:-50}" --outage "${BENCH_NOTIFY_OUTAGE:-30}" --durability "$DURABILITY" \
    --rate "${BENCH_NOTIFY_RATE:-5000}" --v2 "${NOTIFY_V2:-0}" --out "$RESULTS/notify.json" >/dev/null || log "notify: notify_bench failed"
fi

# ------------------------------------------------- 5e. IoT ingestion

if [[ $RUN_IOT == 1 ]]; then
  wait_idle
  log "iot: ${BENCH_IOT_MESSAGES:-50000} MQTT measures into machi beside the same messages to a plain subscriber (bench/iot_bench.mjs)"
  node "$HERE/iot_bench.mjs" --machi "$MACHI" --messages "${BENCH_IOT_MESSAGES:-50000}" --devices "${BENCH_IOT_DEVICES:-1000}" \
    --durability "$DURABILITY" --out "$RESULTS/iot.json" >/dev/null || log "iot: iot_bench failed"
fi

[[ -z "$MAIN_SCENARIOS" ]] && BUSY_AFTER=$(busy_cores)
printf '{"server_peak_rss_kb":%s,"data_dir_kb":%s,"durability":"%s","cores":%s,"entities":%s,"batch":%s,"warmup_s":%s,"duration_s":%s,"latency_duration_s":%s,"busy_cores_before":%s,"busy_cores_after":%s}\n' \
  "${rss_kb:-0}" "$du_kb" "$DURABILITY" "$(nproc)" "$ENTITIES" "$BATCH" "$WARMUP" "$DURATION" "$LAT_DURATION" \
  "$BUSY_BEFORE" "$BUSY_AFTER" >"$RESULTS/run.json"

# ------------------------------------------------------------ 6. report

node "$HERE/report.mjs" "$RESULTS" "$BUILD/bench-results.json"
