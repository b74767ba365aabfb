#include "ngsiv2/v2_write.h"

#include <algorithm>

#include "core/error.h"
#include "ngsiv2/v2_entity.h"

namespace machi::ngsiv2 {
namespace {

// Index of the default instance (no datasetId) in an attribute's array, or -1.
long default_index(const Json& instances) {
  if (!instances.is_array()) return -1;
  for (size_t i = 0; i < instances.size(); ++i) {
    if (instances[i].is_object() && !instances[i].contains("datasetId")) return static_cast<long>(i);
  }
  return -1;
}

// The new instance keeps the old one's creation time and, unless overridden,
// the metadata the request does not mention.
Json updated_instance(const Json& old_instance, Json fresh, bool override_metadata) {
  if (old_instance.contains("createdAt")) fresh["createdAt"] = old_instance["createdAt"];
  if (override_metadata) return fresh;
  for (const char* member : {"unitCode", "observedAt"}) {
    if (old_instance.contains(member) && !fresh.contains(member)) fresh[member] = old_instance[member];
  }
  auto old_subs = old_instance.find("attrs");
  if (old_subs != old_instance.end() && old_subs->is_object()) {
    Json subs = fresh.contains("attrs") ? fresh["attrs"] : Json::object();
    for (const auto& [iri, sub] : old_subs->items()) {
      if (iri == kAttrTypeIri) continue;  // the type is the request's
      if (!subs.contains(iri)) subs[iri] = sub;
    }
    if (!subs.empty()) fresh["attrs"] = std::move(subs);
  }
  return fresh;
}

void put_default(Json& attrs, const std::string& iri, Json instance) {
  if (!attrs.contains(iri) || !attrs[iri].is_array()) {
    attrs[iri] = Json::array({std::move(instance)});
    return;
  }
  long at = default_index(attrs[iri]);
  if (at < 0) {
    attrs[iri].push_back(std::move(instance));
  } else {
    attrs[iri][static_cast<size_t>(at)] = std::move(instance);
  }
}

}  // namespace

bool has_attr(const Json& entity, const std::string& iri) {
  auto attrs = entity.find("attrs");
  if (attrs == entity.end() || !attrs->is_object()) return false;
  auto it = attrs->find(iri);
  return it != attrs->end() && visible_instance(*it) != nullptr;
}

AttrChange apply_attrs(const Json& entity, const Json& fragment, AttrMode mode, bool override_metadata, TimeMs now) {
  AttrChange change;
  change.entity = entity;
  Json& result = change.entity;
  if (!result.contains("attrs") || !result["attrs"].is_object()) result["attrs"] = Json::object();
  Json& attrs = result["attrs"];
  const Json& incoming = fragment.contains("attrs") ? fragment["attrs"] : Json::object();
  if (mode == AttrMode::kReplace) {
    Json replaced = Json::object();
    for (const auto& [iri, instances] : incoming.items()) {
      Json fresh = instances.is_array() && !instances.empty() ? instances.front() : instances;
      if (attrs.contains(iri)) {
        const Json* old = visible_instance(attrs[iri]);
        if (old && old->contains("createdAt")) fresh["createdAt"] = (*old)["createdAt"];
      }
      replaced[iri] = Json::array({std::move(fresh)});
    }
    attrs = std::move(replaced);
  } else {
    for (const auto& [iri, instances] : incoming.items()) {
      bool exists = has_attr(result, iri);
      Json fresh = instances.is_array() && !instances.empty() ? instances.front() : instances;
      switch (mode) {
        case AttrMode::kAppendStrict:
          if (exists) change.existing.push_back(iri);
          [[fallthrough]];
        case AttrMode::kAppend:
          if (exists) fresh = updated_instance(*visible_instance(attrs[iri]), std::move(fresh), override_metadata);
          put_default(attrs, iri, std::move(fresh));
          break;
        case AttrMode::kUpdate:
          if (!exists) {
            change.missing.push_back(iri);
            break;
          }
          put_default(attrs, iri, updated_instance(*visible_instance(attrs[iri]), std::move(fresh), override_metadata));
          break;
        case AttrMode::kDelete: {
          if (!exists) {
            change.missing.push_back(iri);
            break;
          }
          long at = default_index(attrs[iri]);
          if (at < 0) {
            attrs.erase(iri);  // only dataset instances: v2 saw the first
          } else {
            attrs[iri].erase(static_cast<size_t>(at));
            if (attrs[iri].empty()) attrs.erase(iri);
          }
          break;
        }
        case AttrMode::kReplace:
          break;
      }
    }
    if (mode == AttrMode::kAppendStrict && !change.existing.empty()) change.entity = entity;
  }
  if (change.entity.contains("attrs") && change.entity["attrs"].empty() && !entity.contains("attrs")) {
    change.entity.erase("attrs");
  }
  change.entity["modifiedAt"] = format_datetime(now);
  return change;
}

Json set_attr_value(const Json& entity, const std::string& iri, const Json& value, TimeMs now) {
  if (!has_attr(entity, iri)) {
    throw Error(ErrorType::kResourceNotFound, "The entity does not have such an attribute");
  }
  Json result = entity;
  Json& instances = result["attrs"][iri];
  long at = default_index(instances);
  Json& instance = instances[at < 0 ? 0 : static_cast<size_t>(at)];
  std::string type = instance.value("type", "Property");
  std::string v2_type = attr_type_of(instance);
  if (type == "Relationship" && (value.is_string() || value.is_array())) {
    instance["object"] = value;
  } else if (type == "GeoProperty") {
    throw Error(ErrorType::kBadRequestData,
                "the value of a geo attribute is set with PUT /v2/entities/{id}/attrs/{attr}");
  } else {
    for (const char* key : {"object", "languageMap", "vocab", "json", "valueList", "objectList"}) instance.erase(key);
    instance["type"] = "Property";
    instance["value"] = value;
    // The kept v2 type is dropped when it is now the value's default.
    if (v2_type == default_type_of(value) && instance.contains("attrs")) {
      instance["attrs"].erase(kAttrTypeIri);
      if (instance["attrs"].empty()) instance.erase("attrs");
    } else if (v2_type != default_type_of(value)) {
      std::string stamp = format_datetime(now);
      instance["attrs"][kAttrTypeIri] =
          Json{{"type", "Property"}, {"value", v2_type}, {"createdAt", stamp}, {"modifiedAt", stamp}};
    }
  }
  instance["modifiedAt"] = format_datetime(now);
  result["modifiedAt"] = format_datetime(now);
  return result;
}

}  // namespace machi::ngsiv2
