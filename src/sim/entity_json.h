// Building blocks of NGSI-LD normalized entities (what a client would POST),
// and their expansion into machi's stored form under the core @context.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "ld/context.h"

namespace machi::sim {

Json property(Json value);
Json property(Json value, const char* unit_code);
// A reading: the value with its observedAt (and UN/CEFACT unit code, if any).
Json observed(Json value, const std::string& observed_at, const char* unit_code = nullptr);
Json relationship(const std::string& object);
Json relationship(const std::vector<std::string>& objects);
Json geo_property(Json geometry);
// A schema.org PostalAddress in Japanese order, as Smart Data Models use it:
// {"addressCountry": "JP", "addressRegion": "千葉県", "addressLocality": "デモ市",
//  "streetAddress": "中央一丁目7番12号"}.
Json address_property(const std::string& street_address);

// Expands normalized payloads into stored form with the core context alone.
class StoredForm {
 public:
  StoredForm();
  // Throws machi::Error(BadRequestData) when the payload is not a valid entity.
  Json expand(const Json& payload, TimeMs now) const;
  // The expanded IRI of a term (attribute or type name).
  std::string iri(const std::string& term) const;

 private:
  ld::ContextResolver resolver_;
  ld::ContextPtr core_;
};

}  // namespace machi::sim
