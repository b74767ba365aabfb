#include "sim/entity_json.h"

#include "ld/entity.h"
#include "sim/place_names.h"

namespace machi::sim {

Json property(Json value) { return {{"type", "Property"}, {"value", std::move(value)}}; }

Json property(Json value, const char* unit_code) {
  Json p = property(std::move(value));
  if (unit_code) p["unitCode"] = unit_code;
  return p;
}

Json observed(Json value, const std::string& observed_at, const char* unit_code) {
  Json p = {{"type", "Property"}, {"value", std::move(value)}, {"observedAt", observed_at}};
  if (unit_code) p["unitCode"] = unit_code;
  return p;
}

Json relationship(const std::string& object) { return {{"type", "Relationship"}, {"object", object}}; }

Json relationship(const std::vector<std::string>& objects) {
  return {{"type", "Relationship"}, {"object", objects}};
}

Json geo_property(Json geometry) { return {{"type", "GeoProperty"}, {"value", std::move(geometry)}}; }

Json address_property(const std::string& street_address) {
  return property({{"addressCountry", "JP"},
                   {"addressRegion", kPrefectureName},
                   {"addressLocality", kCityName},
                   {"streetAddress", street_address}});
}

// No persistence and no fetching: only the core context is ever used.
StoredForm::StoredForm() : resolver_(nullptr, nullptr, {}, "http://localhost"), core_(resolver_.core()) {}

Json StoredForm::expand(const Json& payload, TimeMs now) const {
  return ld::expand_entity(payload, *core_, ld::PayloadKind::kEntity, now);
}

std::string StoredForm::iri(const std::string& term) const { return core_->expand(term); }

}  // namespace machi::sim
