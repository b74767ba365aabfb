-- Shared by the wrk scripts in bench/lua: the benchmark's ParkingSpot data
-- set (the same ids, places and shapes as bench/loadgen.cc) and a done()
-- that prints one JSON line for bench/run.sh.
--
-- Environment: MACHI_BENCH_ENTITIES (id space, default 100000),
-- MACHI_BENCH_BATCH (entities per upsert batch, default 1000).

local M = {}

-- Every request carries the bearer token run.sh obtained (MACHI_BENCH_TOKEN).
local token = os.getenv("MACHI_BENCH_TOKEN")

-- The headers of a request: extra ones plus the Authorization header.
function M.headers(extra)
  local h = {}
  for k, v in pairs(extra or {}) do h[k] = v end
  if token and token ~= "" then h["Authorization"] = "Bearer " .. token end
  -- The grant a consumer reads under (the enforcement scenario).
  local grant = os.getenv("MACHI_BENCH_GRANT")
  if grant and grant ~= "" then h["Machi-Grant"] = grant end
  return h
end

M.entities = tonumber(os.getenv("MACHI_BENCH_ENTITIES") or "100000")
M.batch = tonumber(os.getenv("MACHI_BENCH_BATCH") or "1000")

local LON_MIN, LON_MAX = 139.84, 140.04
local LAT_MIN, LAT_MAX = 35.80, 35.96

function M.entity_id(i)
  return string.format("urn:ngsi-ld:ParkingSpot:noda:%06d", i)
end

function M.random_id()
  return math.random(0, M.entities - 1)
end

function M.random_point()
  return LON_MIN + math.random() * (LON_MAX - LON_MIN), LAT_MIN + math.random() * (LAT_MAX - LAT_MIN)
end

-- Spot i's place: a quasi-random (R2 sequence) point, as in loadgen.cc.
function M.spot_location(i)
  local x = (0.5 + i * 0.7548776662466927) % 1.0
  local y = (0.5 + i * 0.5698402909980532) % 1.0
  return LON_MIN + x * (LON_MAX - LON_MIN), LAT_MIN + y * (LAT_MAX - LAT_MIN)
end

function M.now_iso()
  return os.date("!%Y-%m-%dT%H:%M:%SZ")
end

function M.entity_json(i, status, observed_at)
  local lon, lat = M.spot_location(i)
  return string.format(
    '{"id":"%s","type":"ParkingSpot",' ..
    '"status":{"type":"Property","value":"%s","observedAt":"%s"},' ..
    '"category":{"type":"Property","value":["%s"]},' ..
    '"name":{"type":"Property","value":"Noda spot %d"},' ..
    '"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[%.6f,%.6f]}},' ..
    '"refParkingSite":{"type":"Relationship","object":"urn:ngsi-ld:ParkingSite:noda:%04d"},' ..
    '"dataSubject":{"type":"Property","value":"s%05d"}}',
    M.entity_id(i), status, observed_at, (i % 7 == 0) and "offStreet" or "onStreet", i, lon, lat,
    math.floor(i / 50), i % 20000)
end

function M.random_status()
  return (math.random(0, 1) == 0) and "free" or "occupied"
end

-- One JSON line for run.sh: throughput and wrk's (closed-loop) latencies.
function M.done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_s":%.3f,"rps":%.3f,"errors":%d,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"bytes":%d}\n',
    summary.requests, seconds, summary.requests / seconds, errors,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.bytes))
end

function M.init_random()
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  -- LuaJIT's first numbers after seeding are poorly spread; skip some.
  for _ = 1, 10 do math.random() end
end

return M
