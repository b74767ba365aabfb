#!/usr/bin/env bash
# The temporal part of `make bench` (scenario "temporal" of bench/run.sh;
# also runs on its own: bash bench/temporal.sh BUILD_DIR RESULTS_DIR).
#
#   1. history ingestion through the store, beside raw SQLite inserting the
#      same rows (machi_bench_temporal: 500 sensors x 30 days every 10 min,
#      plus one sensor's minute data, 2.2M points; target >= 100,000/s);
#   2. history ingestion over HTTP: POST /temporal/entities/{id}/attrs with
#      10,000 instances per request;
#   3. on `machi serve` over that data, median and p95 of BENCH_TEMPORAL_RUNS
#      (30) requests each, beside GET /health timed the same way:
#        - hourly average over 30 days of the minute sensor (43,200 points;
#          target < 20 ms), from the hourly summaries;
#        - the same over a window that is not hour-aligned (from the points);
#        - hourly average per district over all 500 sensors for 30 days
#          (GET /machi/v1/series; target < 200 ms).
set -euo pipefail

BUILD=$(cd "${1:?usage: temporal.sh BUILD_DIR RESULTS_DIR}" && pwd)
RESULTS=$(mkdir -p "${2:?usage: temporal.sh BUILD_DIR RESULTS_DIR}" && cd "$2" && pwd)
RUNS=${BENCH_TEMPORAL_RUNS:-30}
WORK=$(mktemp -d "$BUILD/bench-temporal.XXXXXX")
SERVER_PID=""
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

log "temporal: history ingestion through the store (machi_bench_temporal)"
"$BUILD/machi_bench_temporal" --data "$WORK/data" --out "$RESULTS/temporal-ingest.json" >&2

PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
BASE=http://127.0.0.1:$PORT
PASSWORD=bench-temporal-$$
MACHI_ADMIN_PASSWORD=$PASSWORD "$BUILD/machi" serve --host 127.0.0.1 --port "$PORT" --data "$WORK/data" \
  --token-lifetime 86400 >"$WORK/machi.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/health" && break; sleep 0.1; done
TOKEN=$(curl -sf -X POST --data-urlencode grant_type=password --data-urlencode username=admin \
  --data-urlencode "password=$PASSWORD" "$BASE/machi/v1/auth/token" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).access_token))')
AUTH="Authorization: Bearer $TOKEN"

# Median and p95 in ms of RUNS requests (curl's own time_total), after one warm-up.
timing() {
  local url=$1 out=$WORK/times.txt
  curl -sf -o /dev/null -H "$AUTH" "$url" || { log "temporal: request failed: $url"; echo '{"ok":false}'; return; }
  : >"$out"
  for _ in $(seq 1 "$RUNS"); do curl -s -o /dev/null -w '%{time_total}\n' -H "$AUTH" "$url" >>"$out"; done
  sort -n "$out" | awk '{a[NR]=$1} END {printf "{\"ok\":true,\"median_ms\":%.2f,\"p95_ms\":%.2f,\"runs\":%d}\n", a[int((NR+1)/2)]*1000, a[int(NR*0.95+0.5)]*1000, NR}'
}

WINDOW="timerel=between&timeAt=2025-11-02T00:00:00Z&endTimeAt=2025-12-02T00:00:00Z"
SHIFTED="timerel=between&timeAt=2025-11-02T00:00:30Z&endTimeAt=2025-12-02T00:00:00Z"
MINUTE="$BASE/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:BenchSensor:minute?attrs=pm25&aggrMethods=avg&aggrPeriodDuration=PT1H"
log "temporal: timing queries, $RUNS runs each"
health=$(timing "$BASE/health")
sensor=$(timing "$MINUTE&$WINDOW")
sensor_points=$(timing "$MINUTE&$SHIFTED")
districts=$(timing "$BASE/machi/v1/series?type=BenchSensor&groupBy=refDistrict&attrs=pm25&aggrMethods=avg&aggrPeriodDuration=PT1H&$WINDOW")

log "temporal: history ingestion over HTTP (10,000 instances per request)"
node -e '
  const t0 = Date.parse("2025-12-02T00:00:00Z");
  for (let r = 0; r < 20; r++) {
    const pm25 = [];
    for (let i = 0; i < 10000; i++) pm25.push({ type: "Property", value: (i % 97) / 3, observedAt: new Date(t0 + (r * 10000 + i) * 1000).toISOString() });
    require("fs").writeFileSync(process.argv[1] + "/body" + r + ".json", JSON.stringify({ pm25 }));
  }' "$WORK"
start=$(date +%s.%N)
for r in $(seq 0 19); do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" -H 'Content-Type: application/json' \
    --data-binary "@$WORK/body$r.json" "$BASE/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:BenchSensor:0/attrs")
  [[ $status == 204 ]] || log "temporal: HTTP append answered $status"
done
http_rate=$(node -e "console.log(Math.round(200000 / ($(date +%s.%N) - $start)))")

printf '{"health":%s,"sensor_hourly_30d":%s,"sensor_hourly_30d_points":%s,"districts_hourly_30d":%s,"http_ingest_points_per_s":%s,"targets":{"sensor_ms":20,"districts_ms":200,"ingest_per_s":100000}}\n' \
  "$health" "$sensor" "$sensor_points" "$districts" "$http_rate" >"$RESULTS/temporal.json"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1] + "/temporal.json"));
  const i = JSON.parse(require("fs").readFileSync(process.argv[1] + "/temporal-ingest.json"));
  const h = r.health.median_ms;
  const line = (name, x, target) => console.error(`  ${name.padEnd(58)} median ${x.median_ms.toFixed(1)} ms, p95 ${x.p95_ms.toFixed(1)} ms (${(x.median_ms / h).toFixed(0)}x /health)${target ? `; target < ${target} ms` : ""}`);
  console.error(`temporal (${r.sensor_hourly_30d.runs} runs each; GET /health median ${h.toFixed(2)} ms):`);
  line("hourly avg, 1 sensor, 30 days of minute data (summaries)", r.sensor_hourly_30d, 20);
  line("same, window not hour-aligned (43,200 points read)", r.sensor_hourly_30d_points);
  line("hourly avg per district, 500 sensors, 30 days", r.districts_hourly_30d, 200);
  console.error(`  ingestion through the store: ${Math.round(i.store_points_per_s)} points/s, raw SQLite ${Math.round(i.raw_sqlite_points_per_s)} points/s (ratio ${i.ratio.toFixed(2)}); target >= 100,000/s`);
  console.error(`  ingestion over HTTP (10,000 instances per request): ${r.http_ingest_points_per_s} points/s`);
' "$RESULTS"
