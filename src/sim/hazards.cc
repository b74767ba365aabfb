#include "sim/hazards.h"

#include <cmath>
#include <cstdio>

#include "sim/entity_json.h"
#include "sim/places.h"

namespace machi::sim {
namespace {

// The band |v - river_v(u)| <= width, from 1 cell west to 1 cell east of the
// lattice: the graph of a function thickened vertically, so always a simple
// polygon. Counter-clockwise: along the south edge eastwards, back along the
// north edge.
Ring flood_band(const CityLayout& layout, double width) {
  Ring ring;
  for (double u = -1; u <= kCells + 1 + 1e-9; u += 0.25) ring.push_back(layout.at({u, CityLayout::river_v(u) - width}));
  for (double u = kCells + 1; u >= -1 - 1e-9; u -= 0.25) ring.push_back(layout.at({u, CityLayout::river_v(u) + width}));
  ring.push_back(ring.front());
  return ring;
}

// A rounded blob of about radius r cells around c (a slope on a hill).
Ring blob(const CityLayout& layout, UV c, double r, Rng& rng) {
  Ring ring;
  constexpr int kSides = 16;
  for (int k = 0; k < kSides; ++k) {
    double rk = r * rng.uniform(0.8, 1.15), turn = static_cast<double>(k) / kSides;
    ring.push_back(layout.at({c.u + rk * cos_turn(turn), c.v + 0.8 * rk * sin_turn(turn)}));
  }
  ring.push_back(ring.front());
  return ring;
}

std::string serial_id(const CityLayout& layout, int n) {
  return "urn:ngsi-ld:HazardZone:" + layout.municipality_code() + "-" + serial_number(n);
}

}  // namespace

int flood_depth_class(UV p) {
  double d = std::abs(p.v - CityLayout::river_v(p.u));
  return d <= kDeepFloodBand ? 2 : d <= kFloodBand ? 1 : 0;
}

std::vector<Json> hazard_entities(const CityLayout& layout, uint64_t seed) {
  Rng rng(seed, "hazards");
  std::vector<Json> out;
  int n = 0;
  struct Band {
    double width;
    const char* depth;
    const char* name;
  };
  for (const Band& band : {Band{kFloodBand, "0.5-3.0m", "デモ川 洪水浸水想定区域（浸水深0.5m以上3.0m未満）"},
                           Band{kDeepFloodBand, "3.0m+", "デモ川 洪水浸水想定区域（浸水深3.0m以上）"}}) {
    out.push_back({{"id", serial_id(layout, ++n)},
                   {"type", "HazardZone"},
                   {"name", property(band.name)},
                   {"hazardType", property("flood")},
                   {"floodDepth", property(band.depth)},
                   {"scenario", property("想定最大規模降雨")},
                   {"location", geo_property(polygon_json(flood_band(layout, band.width)))},
                   {"refMunicipality", relationship(layout.municipality_id())}});
  }
  // Steep slopes on the hills of 緑が丘, 桜台 and 青葉台.
  struct Slope {
    UV centre;
    double radius;
    bool special;  // 特別警戒区域 (red zone) rather than 警戒区域 (yellow zone)
  };
  for (const Slope& s : {Slope{{1.3, 8.2}, 0.45, false}, Slope{{2.4, 8.5}, 0.35, true}, Slope{{3.8, 10.8}, 0.5, false},
                         Slope{{5.2, 11.2}, 0.4, true}, Slope{{6.8, 10.5}, 0.45, false}, Slope{{8.2, 11.1}, 0.4, false}}) {
    const Area* area = layout.area_at(s.centre);
    std::string zone = s.special ? "土砂災害特別警戒区域" : "土砂災害警戒区域";
    out.push_back({{"id", serial_id(layout, ++n)},
                   {"type", "HazardZone"},
                   {"name", property(zone + "（急傾斜地の崩壊）" + area->name)},
                   {"hazardType", property("landslide")},
                   {"zoneClass", property(s.special ? "specialWarning" : "warning")},
                   {"location", geo_property(polygon_json(blob(layout, s.centre, s.radius, rng)))},
                   {"refDistrict", relationship(layout.district_of(*area).id)},
                   {"refMunicipality", relationship(layout.municipality_id())}});
  }
  return out;
}

}  // namespace machi::sim
