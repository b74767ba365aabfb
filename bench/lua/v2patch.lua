-- wrk script: the NGSIv2 twin of patch.lua, on the same entities:
-- PATCH /v2/entities/{random id}/attrs with a new status and its
-- observedAt (as metadata), which machi stores exactly as the NGSI-LD
-- PATCH does (docs/ngsiv2.md).
local common = dofile((os.getenv("MACHI_BENCH_LUA") or "bench/lua") .. "/common.lua")

local headers = common.headers({ ["Content-Type"] = "application/json" })

function init(args)
  common.init_random()
end

function request()
  local path = "/v2/entities/" .. common.entity_id(common.random_id()) .. "/attrs"
  local body = string.format(
    '{"status":{"value":"%s","metadata":{"observedAt":{"type":"DateTime","value":"%s"}}}}',
    common.random_status(), common.now_iso())
  return wrk.format("PATCH", path, headers, body)
end

done = common.done
