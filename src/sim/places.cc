#include "sim/places.h"

#include <stdexcept>

#include "sim/entity_json.h"
#include "sim/mesh.h"

namespace machi::sim {

Place PlaceMaker::make(const std::string& type, const std::string& name, UV at) {
  Place p;
  p.area = layout_.area_at(at);
  if (!p.area) throw std::logic_error("a " + type + " (" + name + ") outside the city");
  p.id = "urn:ngsi-ld:" + type + ":" + layout_.municipality_code() + "-" + serial_number(++serials_[type]);
  p.type = type;
  p.name = name;
  p.at = at;
  p.point = layout_.at(at);
  p.street_address = layout_.street_address(at, rng_);
  p.mesh_code = mesh_code(p.point.lat, p.point.lon, 3);
  return p;
}

UV PlaceMaker::spot(const Area& a) { return CityLayout::in_area(a, rng_.uniform(0.15, 0.85), rng_.uniform(0.15, 0.85)); }

std::string serial_number(int n) {
  std::string digits = std::to_string(n);
  return std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0') + digits;
}

Json place_entity(const Place& place, const CityLayout& layout) {
  Json e = {{"id", place.id},
            {"type", place.type},
            {"name", property(place.name)},
            {"location", geo_property(point_json(place.point))},
            {"address", address_property(place.street_address)},
            {"refDistrict", relationship(layout.district_of(*place.area).id)},
            {"meshCode", property(place.mesh_code)}};
  for (const auto& [key, value] : place.attrs.items()) e[key] = value;
  return e;
}

}  // namespace machi::sim
