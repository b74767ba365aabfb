-- wrk script: GET /health, the HTTP-layer reference (does not touch the store).
local common = dofile((os.getenv("MACHI_BENCH_LUA") or "bench/lua") .. "/common.lua")

wrk.method = "GET"
wrk.path = "/health"

done = common.done
