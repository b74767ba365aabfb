// Internal to src/ld: what entity.cc (expansion) and entity_render.cc share.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"

namespace machi::ld::detail {

enum class AttrType {
  kProperty,
  kRelationship,
  kGeoProperty,
  kLanguageProperty,
  kVocabProperty,
  kJsonProperty,
  kListProperty,
  kListRelationship,
};

struct AttrTypeInfo {
  AttrType type;
  std::string_view name;    // the NGSI-LD "type" of the attribute
  std::string_view member;  // the member that holds its value
};

inline constexpr AttrTypeInfo kAttrTypes[] = {
    {AttrType::kProperty, "Property", "value"},
    {AttrType::kRelationship, "Relationship", "object"},
    {AttrType::kGeoProperty, "GeoProperty", "value"},
    {AttrType::kLanguageProperty, "LanguageProperty", "languageMap"},
    {AttrType::kVocabProperty, "VocabProperty", "vocab"},
    {AttrType::kJsonProperty, "JsonProperty", "json"},
    {AttrType::kListProperty, "ListProperty", "valueList"},
    {AttrType::kListRelationship, "ListRelationship", "objectList"},
};

// By short name ("Property"); nullptr when it is not an attribute type.
inline const AttrTypeInfo* attr_type_info(std::string_view name) {
  for (const auto& info : kAttrTypes) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

inline const AttrTypeInfo& attr_type_info(AttrType type) { return kAttrTypes[static_cast<int>(type)]; }

// The members whose presence alone says which attribute type a concise
// attribute is ("value" is shared by Property and GeoProperty).
inline constexpr std::string_view kValueMembers[] = {"value", "object",    "languageMap", "vocab",
                                                     "json",  "valueList", "objectList"};

inline bool is_value_member(std::string_view key) {
  for (auto m : kValueMembers) {
    if (m == key) return true;
  }
  return false;
}

// A GeoJSON geometry by shape: {"type": "Point"|..., "coordinates"|"geometries": ...}.
// Full validation is validate_geojson's job; this only decides what a
// concise attribute means.
inline bool looks_like_geometry(const Json& v) {
  if (!v.is_object()) return false;
  auto type = v.find("type");
  if (type == v.end() || !type->is_string()) return false;
  const auto& t = type->get_ref<const std::string&>();
  if (t == "GeometryCollection") return v.contains("geometries");
  return (t == "Point" || t == "MultiPoint" || t == "LineString" || t == "MultiLineString" || t == "Polygon" ||
          t == "MultiPolygon") &&
         v.contains("coordinates");
}

// Appends a member without the linear duplicate search of ordered_map's
// operator[]: for keys the caller knows to be new (the hot rendering path).
inline void append(Json& object, std::string key, Json value) {
  auto& members = static_cast<Json::object_t::Container&>(object.get_ref<Json::object_t&>());
  members.emplace_back(std::move(key), std::move(value));
}

// Room for n members, to be called before appending to a new object: a
// member (a pair with a const key) is not nothrow-movable, so each time the
// vector grows std::vector copies every member, values and all.
inline void reserve_members(Json& object, size_t n) { object.get_ref<Json::object_t&>().reserve(n); }

}  // namespace machi::ld::detail
