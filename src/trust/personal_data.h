// Which entity types hold personal data, and whose. A tenant registers an
// entity type as personal (or explicitly not); a personal entity names its
// data subject (a resident's pseudonym) and its provider in two attributes.
// Types never registered are not personal.
//
// The subject attribute holds either a Property whose value is the
// pseudonym, or a Relationship whose object is "urn:...:<pseudonym>" (the
// last ':'-separated segment is the pseudonym). A personal entity without
// it has an unknown subject: the enforcer then denies it to every grant
// (only an admin repair, setting the subject, makes it readable again).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/time.h"

namespace machi::trust {

inline constexpr std::string_view kDefaultSubjectAttribute = "https://uri.etsi.org/ngsi-ld/default-context/dataSubject";
inline constexpr std::string_view kDefaultProviderAttribute =
    "https://uri.etsi.org/ngsi-ld/default-context/dataProvider";

struct PersonalType {
  std::string type;                        // expanded entity type IRI
  bool personal = true;
  bool special_care = false;               // 要配慮個人情報 (e.g. health): never under opt-out
  std::string subject_attribute = std::string(kDefaultSubjectAttribute);
  std::string provider_attribute = std::string(kDefaultProviderAttribute);
  std::vector<std::string> data_categories;  // DPV-PD IRIs, e.g. https://w3id.org/dpv/pd#Age
  std::string changed_by;
  TimeMs changed_at = 0;
};

// From an admin's JSON {"type", "personal", "specialCare", "subjectAttribute",
// "providerAttribute", "dataCategories"} (IRIs expanded; "dpv-pd:Age" is
// accepted for categories). Throws Error(BadRequestData).
PersonalType personal_type_from_json(const Json& body, const std::string& actor, TimeMs now);
Json to_json(const PersonalType& type);
PersonalType personal_type_from_stored(const Json& stored);

// The pseudonym in the entity's subject attribute (default instance
// first), or "" when there is none.
std::string read_subject(const Json& stored_entity, std::string_view subject_attribute);
// The provider: a Property's string value or a Relationship's object, or "".
std::string read_provider(const Json& stored_entity, std::string_view provider_attribute);

// The last ':'-separated segment of an id ("urn:ngsi-ld:Resident:ab12" -> "ab12").
std::string_view last_segment(std::string_view id);

}  // namespace machi::trust
