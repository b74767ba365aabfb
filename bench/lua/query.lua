-- wrk script: free ParkingSpots within 500 m of a random point in the area
-- (default limit 20).
local common = dofile((os.getenv("MACHI_BENCH_LUA") or "bench/lua") .. "/common.lua")

function init(args)
  common.init_random()
end

function request()
  local lon, lat = common.random_point()
  local path = string.format(
    "/ngsi-ld/v1/entities?type=ParkingSpot&q=status==%%22free%%22" ..
    "&georel=near;maxDistance==500&geometry=Point&coordinates=%%5B%.6f,%.6f%%5D", lon, lat)
  return wrk.format("GET", path, common.headers())
end

done = common.done
