-- wrk script: POST /ngsi-ld/v1/entityOperations/upsert with a batch of
-- MACHI_BENCH_BATCH existing ParkingSpots (a run of consecutive ids from a
-- random start, wrapping), each with a new status and observedAt.
local common = dofile((os.getenv("MACHI_BENCH_LUA") or "bench/lua") .. "/common.lua")

local headers = common.headers({ ["Content-Type"] = "application/json" })

function init(args)
  common.init_random()
end

function request()
  local start = common.random_id()
  local now = common.now_iso()
  local parts = {}
  for k = 0, common.batch - 1 do
    local id = (start + k) % common.entities
    parts[#parts + 1] = common.entity_json(id, common.random_status(), now)
  end
  return wrk.format("POST", "/ngsi-ld/v1/entityOperations/upsert", headers, "[" .. table.concat(parts, ",") .. "]")
end

done = common.done
