#include "trust/personal_data.h"

#include "core/error.h"
#include "trust/purposes.h"

namespace machi::trust {
namespace {

[[noreturn]] void bad(const std::string& detail) { throw Error(ErrorType::kBadRequestData, detail); }

std::string iri_field(const Json& body, const char* key, std::string fallback) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_string() || it->get_ref<const std::string&>().find(':') == std::string::npos) {
    bad(std::string("personal type: \"") + key + "\" must be an expanded IRI");
  }
  return it->get<std::string>();
}

bool flag(const Json& body, const char* key, bool fallback) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) bad(std::string("personal type: \"") + key + "\" must be true or false");
  return it->get<bool>();
}

std::string category_iri(const Json& v) {
  if (!v.is_string()) bad("personal type: \"dataCategories\" must hold strings");
  std::string name = v.get<std::string>();
  for (std::string_view prefix : {"dpv-pd:", "pd:"}) {
    if (name.rfind(prefix, 0) == 0) return std::string(kDpvPdNamespace) + name.substr(prefix.size());
  }
  if (name.find(':') == std::string::npos) bad("personal type: data category must be an IRI: " + name);
  return name;
}

// The instance to read: the default one (no datasetId), else the first.
const Json* pick_instance(const Json& entity, std::string_view attribute) {
  auto attrs = entity.find("attrs");
  if (attrs == entity.end() || !attrs->is_object()) return nullptr;
  auto it = attrs->find(attribute);
  if (it == attrs->end()) return nullptr;
  const Json& instances = *it;
  if (instances.is_object()) return &instances;
  if (!instances.is_array() || instances.empty()) return nullptr;
  for (const auto& instance : instances) {
    if (instance.is_object() && !instance.contains("datasetId")) return &instance;
  }
  return &instances.front();
}

std::string instance_text(const Json* instance, bool relationship_segment) {
  if (!instance || !instance->is_object()) return "";
  if (auto v = instance->find("value"); v != instance->end() && v->is_string()) return v->get<std::string>();
  if (auto o = instance->find("object"); o != instance->end()) {
    const Json* obj = &*o;
    if (obj->is_array() && obj->size() == 1) obj = &obj->front();
    if (obj->is_string()) {
      const std::string& s = obj->get_ref<const std::string&>();
      return relationship_segment ? std::string(last_segment(s)) : s;
    }
  }
  return "";
}

}  // namespace

std::string_view last_segment(std::string_view id) {
  auto colon = id.rfind(':');
  return colon == std::string_view::npos ? id : id.substr(colon + 1);
}

PersonalType personal_type_from_json(const Json& body, const std::string& actor, TimeMs now) {
  if (!body.is_object()) bad("personal type: the body must be a JSON object");
  PersonalType t;
  t.type = iri_field(body, "type", "");
  if (t.type.empty()) bad("personal type: \"type\" is required");
  t.personal = flag(body, "personal", true);
  t.special_care = flag(body, "specialCare", false);
  if (t.special_care && !t.personal) bad("personal type: special-care data is personal data");
  t.subject_attribute = iri_field(body, "subjectAttribute", std::string(kDefaultSubjectAttribute));
  t.provider_attribute = iri_field(body, "providerAttribute", std::string(kDefaultProviderAttribute));
  if (auto it = body.find("dataCategories"); it != body.end() && !it->is_null()) {
    if (!it->is_array()) bad("personal type: \"dataCategories\" must be an array");
    for (const auto& v : *it) t.data_categories.push_back(category_iri(v));
  }
  t.changed_by = actor;
  t.changed_at = now;
  return t;
}

Json to_json(const PersonalType& t) {
  return {{"type", t.type},
          {"personal", t.personal},
          {"specialCare", t.special_care},
          {"subjectAttribute", t.subject_attribute},
          {"providerAttribute", t.provider_attribute},
          {"dataCategories", t.data_categories},
          {"changedBy", t.changed_by},
          {"changedAt", format_datetime(t.changed_at)}};
}

PersonalType personal_type_from_stored(const Json& stored) {
  try {
    PersonalType t = personal_type_from_json(stored, stored.at("changedBy").get<std::string>(), 0);
    t.changed_at = parse_datetime(stored.at("changedAt").get<std::string>()).value();
    return t;
  } catch (const std::exception& e) {
    throw Error(ErrorType::kInternalError, std::string("stored personal type is corrupt: ") + e.what());
  }
}

std::string read_subject(const Json& entity, std::string_view subject_attribute) {
  return instance_text(pick_instance(entity, subject_attribute), true);
}

std::string read_provider(const Json& entity, std::string_view provider_attribute) {
  return instance_text(pick_instance(entity, provider_attribute), false);
}

}  // namespace machi::trust
