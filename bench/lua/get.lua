-- wrk script: GET /ngsi-ld/v1/entities/{random id}.
local common = dofile((os.getenv("MACHI_BENCH_LUA") or "bench/lua") .. "/common.lua")

function init(args)
  common.init_random()
end

function request()
  return wrk.format("GET", "/ngsi-ld/v1/entities/" .. common.entity_id(common.random_id()), common.headers())
end

done = common.done
