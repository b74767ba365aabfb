-- wrk script: PATCH /ngsi-ld/v1/entities/{random id}/attrs with a new
-- status and observedAt.
local common = dofile((os.getenv("MACHI_BENCH_LUA") or "bench/lua") .. "/common.lua")

local headers = common.headers({ ["Content-Type"] = "application/json" })

function init(args)
  common.init_random()
end

function request()
  local path = "/ngsi-ld/v1/entities/" .. common.entity_id(common.random_id()) .. "/attrs"
  local body = string.format('{"status":{"type":"Property","value":"%s","observedAt":"%s"}}',
                             common.random_status(), common.now_iso())
  return wrk.format("PATCH", path, headers, body)
end

done = common.done
