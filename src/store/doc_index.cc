#include "store/doc_index.h"

namespace machi::store {
namespace {

const Json* member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_member(const Json& object, const char* key) {
  const Json* m = member(object, key);
  return m && m->is_string() ? m->get<std::string>() : std::string();
}

std::optional<TimeMs> time_member(const Json& object, const char* key) {
  const Json* m = member(object, key);
  if (!m || !m->is_string()) return std::nullopt;
  return parse_datetime(m->get_ref<const std::string&>());
}

// Instances of an attribute: an array in the stored form; a lone object is
// accepted too so that a malformed document still indexes sensibly.
template <class F>
void for_each_instance(const Json& doc, F&& f) {
  const Json* attrs = member(doc, "attrs");
  if (!attrs || !attrs->is_object()) return;
  for (const auto& [attr, instances] : attrs->items()) {
    if (instances.is_array()) {
      for (const Json& instance : instances) f(attr, instance);
    } else if (instances.is_object()) {
      f(attr, instances);
    }
  }
}

void add_scalar(const Json& v, std::vector<IndexedValue>& out) {
  IndexedValue row;
  if (v.is_number()) {
    row.num = v.get<double>();
  } else if (v.is_boolean()) {
    row.num = v.get<bool>() ? 1.0 : 0.0;
    row.str = v.get<bool>() ? "true" : "false";
  } else if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    row.str = indexed_text(s);
    row.tm = parse_datetime(s);
  } else {
    return;
  }
  out.push_back(std::move(row));
}

// A value as q sees it: a scalar, a JSON-LD value object {"@value": x}, or an
// array of those (q matches when any element does).
void add_value(const Json& v, std::vector<IndexedValue>& out) {
  if (v.is_array()) {
    for (const Json& element : v) {
      if (element.is_object()) {
        if (const Json* inner = member(element, "@value")) add_scalar(*inner, out);
      } else {
        add_scalar(element, out);
      }
    }
  } else if (v.is_object()) {
    if (const Json* inner = member(v, "@value")) add_scalar(*inner, out);
  } else {
    add_scalar(v, out);
  }
}

}  // namespace

std::string indexed_text(std::string_view text) {
  return std::string(text.substr(0, std::min(text.size(), kMaxIndexedText)));
}

void instance_values(const Json& instance, std::vector<IndexedValue>& out) {
  if (string_member(instance, "type") == "GeoProperty") return;  // geometries are in the geo index
  for (const char* key : {"value", "object", "vocab", "json", "valueList"}) {
    if (const Json* v = member(instance, key)) add_value(*v, out);
  }
  if (const Json* map = member(instance, "languageMap"); map && map->is_object()) {
    for (const auto& [lang, text] : map->items()) add_value(text, out);
  }
}

DocIndex index_doc(const Json& doc) {
  DocIndex index;
  if (const Json* types = member(doc, "type")) {
    if (types->is_string()) index.types.insert(types->get<std::string>());
    if (types->is_array()) {
      for (const Json& t : *types)
        if (t.is_string()) index.types.insert(t.get<std::string>());
    }
  }
  index.created_at = time_member(doc, "createdAt");
  index.modified_at = time_member(doc, "modifiedAt");
  if (const Json* attrs = member(doc, "attrs"); attrs && attrs->is_object()) {
    for (const auto& [attr, instances] : attrs->items()) index.attrs.insert(attr);
  }
  for_each_instance(doc, [&](const std::string& attr, const Json& instance) {
    std::string type = string_member(instance, "type");
    index.attr_types.emplace(attr, type);
    instance_values(instance, index.values[attr]);
    if (type == "GeoProperty") {
      if (const Json* value = member(instance, "value")) {
        index.geo.push_back({attr, ld::bbox_of(*value), value->dump()});
      }
    }
  });
  std::erase_if(index.values, [](const auto& entry) { return entry.second.empty(); });
  return index;
}

TimeMs instance_time(const Json& instance, TimeMs fallback) {
  if (auto t = time_member(instance, "observedAt")) return *t;
  if (auto t = time_member(instance, "modifiedAt")) return *t;
  return fallback;
}

namespace {

std::map<InstanceKey, const Json*> instances_of(const Json* doc) {
  std::map<InstanceKey, const Json*> out;
  if (!doc) return out;
  for_each_instance(*doc, [&](const std::string& attr, const Json& instance) {
    out.emplace(InstanceKey(attr, string_member(instance, "datasetId")), &instance);
  });
  return out;
}

}  // namespace

std::vector<HistoryChange> history_changes(const Json* old_doc, const Json* new_doc, TimeMs now) {
  auto before = instances_of(old_doc);
  auto after = instances_of(new_doc);
  // The new document's modifiedAt dates what this mutation did, removals
  // included; a deletion has no new document and is dated now.
  TimeMs fallback = now;
  if (new_doc) {
    if (auto t = time_member(*new_doc, "modifiedAt")) fallback = *t;
  }
  std::vector<HistoryChange> changes;
  for (const auto& [key, instance] : after) {
    auto it = before.find(key);
    if (it != before.end() && *it->second == *instance) continue;
    changes.push_back({key.first, key.second, instance_time(*instance, fallback), instance});
  }
  for (const auto& [key, instance] : before) {
    if (!after.contains(key)) changes.push_back({key.first, key.second, fallback, nullptr});
  }
  return changes;
}

}  // namespace machi::store
