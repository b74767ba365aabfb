#include "ld/entity_ops.h"

#include "core/error.h"

namespace machi::ld {
namespace {

constexpr const char* kNullValue = "urn:ngsi-ld:null";

std::string dataset_of(const Json& instance) {
  auto it = instance.find("datasetId");
  return it != instance.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Index of the instance with this datasetId in an attribute's array, or -1.
long find_instance(const Json& instances, const std::string& dataset_id) {
  for (size_t i = 0; i < instances.size(); ++i) {
    if (dataset_of(instances[i]) == dataset_id) return static_cast<long>(i);
  }
  return -1;
}

Json& attrs_of(Json& entity) {
  if (!entity.contains("attrs") || !entity["attrs"].is_object()) entity["attrs"] = Json::object();
  return entity["attrs"];
}

// The replacement keeps the original creation time of what it replaces.
Json replacing(const Json& old_instance, Json replacement) {
  if (old_instance.contains("createdAt")) replacement["createdAt"] = old_instance["createdAt"];
  return replacement;
}

void touch(Json& entity, TimeMs now) { entity["modifiedAt"] = format_datetime(now); }

bool is_null_marker(const Json& instance) {
  for (const char* key : {"value", "object", "vocab", "json"}) {
    auto it = instance.find(key);
    if (it != instance.end() && it->is_string() && *it == kNullValue) return true;
  }
  return false;
}

// Merges a patch instance into an existing one: members replace, sub-attributes merge.
Json merge_instance(const Json& old_instance, const Json& patch, TimeMs now) {
  Json merged = old_instance;
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it.key() == "attrs" || it.key() == "createdAt") continue;
    merged[it.key()] = it.value();
  }
  // A type change (e.g. Property to Relationship) drops the old payload member.
  if (patch.contains("type") && old_instance.value("type", "") != patch["type"]) {
    for (const char* key : {"value", "object", "languageMap", "vocab", "json", "valueList", "objectList"}) {
      if (!patch.contains(key)) merged.erase(key);
    }
  }
  if (patch.contains("attrs")) {
    Json& subs = merged["attrs"];
    if (!subs.is_object()) subs = Json::object();
    for (auto it = patch["attrs"].begin(); it != patch["attrs"].end(); ++it) {
      if (is_null_marker(it.value())) {
        subs.erase(it.key());
      } else if (subs.contains(it.key())) {
        subs[it.key()] = merge_instance(subs[it.key()], it.value(), now);
      } else {
        subs[it.key()] = it.value();
      }
    }
    if (subs.empty()) merged.erase("attrs");
  }
  merged["modifiedAt"] = format_datetime(now);
  return merged;
}

}  // namespace

Json append_attributes(const Json& entity, const Json& fragment, bool no_overwrite, TimeMs now,
                       std::vector<NotUpdated>& not_updated) {
  Json result = entity;
  Json& attrs = attrs_of(result);
  for (auto it = fragment["attrs"].begin(); it != fragment["attrs"].end(); ++it) {
    Json& instances = attrs[it.key()];
    if (!instances.is_array()) instances = Json::array();
    for (const Json& instance : it.value()) {
      long at = find_instance(instances, dataset_of(instance));
      if (at < 0) {
        instances.push_back(instance);
      } else if (no_overwrite) {
        not_updated.push_back({it.key(), "attribute exists and options=noOverwrite"});
      } else {
        instances[at] = replacing(instances[at], instance);
      }
    }
  }
  touch(result, now);
  return result;
}

Json update_attributes(const Json& entity, const Json& fragment, TimeMs now, std::vector<NotUpdated>& not_updated) {
  Json result = entity;
  Json& attrs = attrs_of(result);
  for (auto it = fragment["attrs"].begin(); it != fragment["attrs"].end(); ++it) {
    auto existing = attrs.find(it.key());
    for (const Json& instance : it.value()) {
      long at = existing == attrs.end() ? -1 : find_instance(*existing, dataset_of(instance));
      if (at < 0) {
        not_updated.push_back({it.key(), dataset_of(instance).empty()
                                             ? "attribute does not exist"
                                             : "no instance with datasetId " + dataset_of(instance)});
        continue;
      }
      (*existing)[at] = replacing((*existing)[at], instance);
    }
  }
  touch(result, now);
  return result;
}

// Rewrites the instance of `attr` with the datasetId of `given` through
// `change`; ResourceNotFound when the entity has no such instance.
template <typename Change>
Json change_instance(const Json& entity, const std::string& attr, const Json& given, TimeMs now, Change change) {
  Json result = entity;
  Json& attrs = attrs_of(result);
  auto existing = attrs.find(attr);
  long at = existing == attrs.end() ? -1 : find_instance(*existing, dataset_of(given));
  if (at < 0) throw Error(ErrorType::kResourceNotFound, "the entity has no such attribute instance");
  (*existing)[at] = change((*existing)[at]);
  touch(result, now);
  return result;
}

Json patch_attribute(const Json& entity, const std::string& attr, const Json& patch, TimeMs now) {
  return change_instance(entity, attr, patch, now,
                         [&](const Json& old_instance) { return merge_instance(old_instance, patch, now); });
}

Json replace_attribute(const Json& entity, const std::string& attr, const Json& instance, TimeMs now) {
  return change_instance(entity, attr, instance, now,
                         [&](const Json& old_instance) { return replacing(old_instance, instance); });
}

Json merge_entity(const Json& entity, const Json& fragment, TimeMs now) {
  Json result = entity;
  if (fragment.contains("type")) {
    for (const Json& type : fragment["type"]) {
      bool present = false;
      for (const Json& have : result["type"]) present = present || have == type;
      if (!present) result["type"].push_back(type);
    }
  }
  if (fragment.contains("scope")) result["scope"] = fragment["scope"];
  Json& attrs = attrs_of(result);
  for (auto it = fragment["attrs"].begin(); it != fragment["attrs"].end(); ++it) {
    Json& instances = attrs[it.key()];
    if (!instances.is_array()) instances = Json::array();
    for (const Json& instance : it.value()) {
      long at = find_instance(instances, dataset_of(instance));
      if (is_null_marker(instance)) {
        if (at >= 0) instances.erase(instances.begin() + at);
      } else if (at < 0) {
        instances.push_back(instance);
      } else {
        instances[at] = merge_instance(instances[at], instance, now);
      }
    }
    if (instances.empty()) attrs.erase(it.key());
  }
  touch(result, now);
  return result;
}

Json replace_entity(const Json& entity, const Json& replacement, TimeMs now) {
  Json result = replacement;
  result["createdAt"] = entity.value("createdAt", format_datetime(now));
  touch(result, now);
  return result;
}

Json delete_attribute(const Json& entity, const std::string& attr, const std::string& dataset_id, bool delete_all,
                      TimeMs now) {
  Json result = entity;
  Json& attrs = attrs_of(result);
  auto existing = attrs.find(attr);
  if (existing == attrs.end()) throw Error(ErrorType::kResourceNotFound, "the entity has no such attribute");
  if (delete_all) {
    attrs.erase(existing);
  } else {
    long at = find_instance(*existing, dataset_id);
    if (at < 0) throw Error(ErrorType::kResourceNotFound, "the attribute has no instance with that datasetId");
    existing->erase(existing->begin() + at);
    if (existing->empty()) attrs.erase(existing);
  }
  touch(result, now);
  return result;
}

}  // namespace machi::ld
