// Point features of the city (facilities, stops, sensors): where they are,
// what they are called, and their common NGSI-LD attributes — location,
// Japanese address, refDistrict and the 3rd-order mesh code (地域メッシュ)
// by which aggregates over them can be cut.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/json.h"
#include "sim/city_layout.h"
#include "sim/rng.h"

namespace machi::sim {

struct Place {
  std::string id;       // urn:ngsi-ld:<type>:<municipality code>-<serial>
  std::string type;     // School, Clinic, AirQualityObserved ...
  std::string name;     // Japanese
  UV at;
  LonLat point;
  const Area* area = nullptr;
  std::string street_address;  // 中央一丁目7番12号
  std::string mesh_code;       // 3rd order, 8 digits
  Json attrs = Json::object(); // further normalized attributes
};

// Makes places with serial ids per type. Every place must lie in the city.
class PlaceMaker {
 public:
  PlaceMaker(const CityLayout& layout, Rng& rng) : layout_(layout), rng_(rng) {}
  // Throws std::logic_error when at is outside the city.
  Place make(const std::string& type, const std::string& name, UV at);
  // A random spot well inside area a (away from its edges).
  UV spot(const Area& a);

 private:
  const CityLayout& layout_;
  Rng& rng_;
  std::map<std::string, int> serials_;
};

// "001", "002" ... (at least three digits), for entity ids.
std::string serial_number(int n);

// The normalized NGSI-LD entity of a place.
Json place_entity(const Place& place, const CityLayout& layout);

}  // namespace machi::sim
