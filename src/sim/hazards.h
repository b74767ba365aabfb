// Hazard zones: the flood zones of デモ川 (洪水浸水想定区域, two depth
// classes) along the river in the south, and landslide warning zones
// (土砂災害警戒区域) on the hills in the north west.
#pragma once

#include <cstdint>
#include <vector>

#include "core/json.h"
#include "sim/city_layout.h"

namespace machi::sim {

// Half-widths of the flood bands either side of the river, in cells.
inline constexpr double kFloodBand = 1.3;      // expected depth 0.5-3.0 m
inline constexpr double kDeepFloodBand = 0.55; // expected depth 3.0 m and more

// 0 outside the flood zones, 1 in the shallow band, 2 in the deep band.
int flood_depth_class(UV p);

// HazardZone entities (normalized NGSI-LD).
std::vector<Json> hazard_entities(const CityLayout& layout, uint64_t seed);

}  // namespace machi::sim
