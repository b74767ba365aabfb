#include "sim/boundaries.h"

#include <cmath>

#include "sim/entity_json.h"
#include "sim/mesh.h"
#include "sim/place_names.h"

namespace machi::sim {
namespace {

struct Counts {
  int population = 0, households = 0, aged = 0;  // aged: 65 and over
};

double area_km2(const Ring& ring) { return std::round(ring_area_m2(ring) / 1e4) / 100; }

double share(int part, int whole) { return whole ? std::round(1000.0 * part / whole) / 1000 : 0.0; }

}  // namespace

std::vector<Json> boundary_entities(const CityLayout& layout, const Population& population) {
  std::vector<Counts> areas(layout.areas().size()), districts(layout.districts().size());
  Counts city;
  for (const Resident& r : population.residents) {
    int a = population.area_of(r);
    int d = layout.areas()[a].district;
    bool aged = r.age_band >= 13;
    for (Counts* c : {&areas[a], &districts[d], &city}) {
      c->population++;
      c->aged += aged;
    }
  }
  for (const Household& h : population.households) {
    areas[h.area].households++;
    districts[layout.areas()[h.area].district].households++;
    city.households++;
  }
  std::vector<Json> out;
  out.push_back({{"id", layout.municipality_id()},
                 {"type", "Municipality"},
                 {"name", property(kCityName)},
                 {"municipalityCode", property(layout.municipality_code())},
                 {"prefecture", property(kPrefectureName)},
                 {"population", property(city.population)},
                 {"households", property(city.households)},
                 {"agingRate", property(share(city.aged, city.population))},
                 {"areaSize", property(area_km2(layout.outline()), "KMK")},
                 {"location", geo_property(polygon_json(layout.outline()))},
                 {"description", property("machi のデモ用に生成した架空の市。住民・データはすべて合成データです。")}});
  for (const District& d : layout.districts()) {
    const Counts& c = districts[d.index];
    LonLat centre = ring_centroid(d.ring);
    out.push_back({{"id", d.id},
                   {"type", "District"},
                   {"name", property(d.name)},
                   {"districtType", property("小学校区")},
                   {"districtCode", property(d.code)},
                   {"population", property(c.population)},
                   {"households", property(c.households)},
                   {"agingRate", property(share(c.aged, c.population))},
                   {"areaSize", property(area_km2(d.ring), "KMK")},
                   {"meshCode", property(mesh_code(centre.lat, centre.lon, 3))},
                   {"location", geo_property(polygon_json(d.ring))},
                   {"refMunicipality", relationship(layout.municipality_id())}});
  }
  for (const Area& a : layout.areas()) {
    const Counts& c = areas[a.index];
    out.push_back({{"id", a.id},
                   {"type", "TownArea"},
                   {"name", property(a.name)},
                   {"townName", property(a.town)},
                   {"chome", property(a.chome)},
                   {"population", property(c.population)},
                   {"households", property(c.households)},
                   {"agingRate", property(share(c.aged, c.population))},
                   {"meshCode", property(mesh_code(a.centroid.lat, a.centroid.lon, 3))},
                   {"location", geo_property(polygon_json(a.ring))},
                   {"refDistrict", relationship(layout.district_of(a).id)},
                   {"refMunicipality", relationship(layout.municipality_id())}});
  }
  return out;
}

}  // namespace machi::sim
