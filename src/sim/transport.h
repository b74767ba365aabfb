// The transport skeleton: roads along the lattice lines (trunk, primary,
// secondary, residential), a railway with three stations, and community bus
// routes from デモ中央駅 with their stops.
#pragma once

#include <vector>

#include "core/json.h"
#include "sim/places.h"

namespace machi::sim {

struct RoadInfo {
  std::string id, name, road_class;
  std::vector<UV> path;       // lattice nodes, west to east or south to north
};

struct Transport {
  std::vector<Json> lines;    // Road, RailLine and BusRoute entities (normalized)
  std::vector<Place> stops;   // Station and BusStop places
  std::vector<RoadInfo> roads;
};

Transport make_transport(const CityLayout& layout, PlaceMaker& maker);

}  // namespace machi::sim
