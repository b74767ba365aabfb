// Client payload -> stored form (see entity.h): validation and expansion of
// entities and attributes, in the normalized and the concise representation.
// Rendering back is in entity_render.cc.
//
// How a concise attribute is read (clause 4.5, "concise representation"):
//   bare JSON value (not an object)           -> Property
//   bare GeoJSON geometry {"type":"Point",..}  -> GeoProperty
//   {"value": <GeoJSON geometry>} without type -> GeoProperty (this is how the
//       concise form writes a GeoProperty with sub-attributes, so reading it
//       back as a Property would lose the type)
//   {"value": ..} without type                 -> Property
//   {"object"|"languageMap"|"vocab"|"json"|"valueList"|"objectList": ..}
//                                              -> Relationship | LanguageProperty | VocabProperty
//                                                 | JsonProperty | ListProperty | ListRelationship
//   an object with none of these members and no "type" -> a Property whose
//       value is that object (a structured value such as an address), unless
//       it has attribute members (observedAt, ...) and thus lacks a value
//   an array whose elements are all attribute objects -> several instances
//       (multi-attribute, distinct datasetIds); any other array -> a Property value
#include "ld/entity.h"

#include <algorithm>
#include <unordered_set>

#include "core/error.h"
#include "ld/context_builder.h"
#include "ld/entity_internal.h"
#include "ld/geo.h"

namespace machi::ld {
namespace {

// Bounds on identifiers, far above real use: an id ends up in URLs, headers
// (Location) and index keys, where megabytes of it would do harm.
constexpr size_t kMaxIdLength = 2048;
constexpr size_t kMaxNameLength = 1024;

using detail::append;
using detail::AttrType;
using detail::AttrTypeInfo;

// A client's text quoted in an error detail, cut short if huge.
std::string shown(std::string_view text) {
  constexpr size_t kMax = 80;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "...";
}

// Where in the payload we are, for error messages; built only on error.
struct Path {
  const Path* parent;
  std::string_view name;
  std::string str() const { return parent ? parent->str() + "." + shown(name) : "attribute '" + shown(name); }
};

[[noreturn]] void bad(const std::string& detail) { throw Error(ErrorType::kBadRequestData, detail); }
[[noreturn]] void bad(const Path& path, const std::string& detail) { bad(path.str() + "': " + detail); }

bool is_space_or_control(unsigned char c) { return c <= 0x20 || c == 0x7f; }

// An absolute URI: scheme ":" something, with no characters a URI cannot hold.
bool is_absolute_uri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon + 1 >= s.size() || !is_uri_scheme(s.substr(0, colon))) return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    return is_space_or_control(static_cast<unsigned char>(c)) ||
           std::string_view("<>\"{}|\\^`").find(c) != std::string_view::npos;
  });
}

// "/a/b": non-empty segments without whitespace, controls, forbidden
// characters or the scopeQ operators # + , ;
bool is_valid_scope(std::string_view s) {
  if (s.size() < 2 || s[0] != '/' || s.back() == '/' || s.find("//") != std::string_view::npos) return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    return is_space_or_control(static_cast<unsigned char>(c)) ||
           std::string_view("<>\"'=;()#+,").find(c) != std::string_view::npos;
  });
}

// BCP 47 in its common shape (en, ja-JP, zh-Hant-TW), or "@none".
bool is_language_tag(std::string_view s) {
  if (s == "@none") return true;
  size_t start = 0;
  bool first = true;
  while (start <= s.size()) {
    size_t end = s.find('-', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view part = s.substr(start, end - start);
    if (part.empty() || part.size() > 8) return false;
    for (char c : part) {
      bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!alpha && (first || c < '0' || c > '9')) return false;
    }
    first = false;
    start = end + 1;
  }
  return true;
}

bool is_attribute_object(const Json& v) {
  if (!v.is_object()) return false;
  if (auto t = v.find("type");
      t != v.end() && t->is_string() && detail::attr_type_info(t->get_ref<const std::string&>())) {
    return true;
  }
  return std::any_of(std::begin(detail::kValueMembers), std::end(detail::kValueMembers),
                     [&](std::string_view m) { return v.contains(m); });
}

bool is_multi_instance(const Json& v) {
  return v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), is_attribute_object);
}

// Expanded IRIs that cannot be attribute names because rendering compacts
// them to a member name of the entity (kTop) or of an instance (kSub).
enum class Level { kTop, kSub };
bool is_reserved_iri(const std::string& iri, Level level) {
  static const auto sets = [] {
    const Context& core = *core_context_data().context;
    std::pair<std::unordered_set<std::string>, std::unordered_set<std::string>> out;
    for (auto n : {"createdAt", "modifiedAt", "deletedAt", "scope"}) out.first.insert(core.expand(n));
    for (auto n : {"type", "value", "object", "languageMap", "vocab", "json", "valueList", "objectList", "objectType",
                   "datasetId", "observedAt", "unitCode", "createdAt", "modifiedAt", "deletedAt", "instanceId"}) {
      out.second.insert(core.expand(n));
    }
    return out;
  }();
  return (level == Level::kTop ? sets.first : sets.second).count(iri) > 0;
}

class Expander {
 public:
  Expander(const Context& ctx, TimeMs now, bool partial) : ctx_(ctx), now_(format_datetime(now)), partial_(partial) {}

  // Adds the instances of one payload member to attrs[IRI] (an array at the
  // top level, a single instance below).
  void add_attribute(Json& attrs, const std::string& name, const Json& value, const Path* parent) {
    Path path{parent, name};
    Level level = parent ? Level::kSub : Level::kTop;
    std::string iri = attribute_iri(name, level, path);
    if (level == Level::kSub) {
      if (attrs.contains(iri)) bad(path, "given twice (after expansion with the @context)");
      if (is_multi_instance(value)) bad(path, "a sub-attribute cannot have several instances");
      append(attrs, std::move(iri), instance(value, path, level));
      return;
    }
    auto it = attrs.find(iri);
    if (it == attrs.end()) {
      append(attrs, iri, Json::array());
      it = attrs.find(iri);
    }
    if (is_multi_instance(value)) {
      for (const Json& element : value) add_instance(*it, instance(element, path, level), path);
    } else {
      add_instance(*it, instance(value, path, level), path);
    }
    check_geo_only(iri, *it, path);
  }

  Json instance(const Json& value, const Path& path, Level level) {
    if (value.is_null()) bad(path, "null is not a valid value");
    if (!value.is_object()) return simple(AttrType::kProperty, "value", value);
    const AttrTypeInfo* info = type_of(value, path);
    if (!info) {  // a bare GeoJSON geometry, a structured value or a partial instance
      if (detail::looks_like_geometry(value)) {
        validate_geometry(value, path);
        return simple(AttrType::kGeoProperty, "value", value);
      }
      if (partial_) return full_instance(nullptr, value, path, level);
      return simple(AttrType::kProperty, "value", value);
    }
    return full_instance(info, value, path, level);
  }

 private:
  std::string attribute_iri(const std::string& name, Level level, const Path& path) {
    if (!is_valid_name(name)) bad(path, "not a valid attribute name (empty, '@', whitespace or one of <>\"'=;())");
    if (name.size() > kMaxNameLength) bad(path, "names are limited to " + std::to_string(kMaxNameLength) + " bytes");
    std::string iri = ctx_.expand(name);
    if (iri.empty()) bad(path, "the @context maps this name to null");
    if (iri[0] == '@' || is_reserved_iri(iri, level)) bad(path, "this name is reserved by NGSI-LD");
    if (!is_valid_name(iri)) bad(path, "expands to '" + shown(iri) + "', which has characters not allowed in names");
    return iri;
  }

  // The declared or inferred attribute type; nullptr for a bare object that
  // is a value (geometry or structured value) or, in kPatch, a partial instance.
  const AttrTypeInfo* type_of(const Json& value, const Path& path) {
    if (auto t = value.find("type"); t != value.end()) {
      if (!t->is_string()) bad(path, "'type' must be a string");
      const std::string& name = t->get_ref<const std::string&>();
      if (const AttrTypeInfo* info = detail::attr_type_info(name)) return info;
      std::string iri = ctx_.expand(name);  // "ngsi-ld:Property" or the full IRI
      if (iri.starts_with(kNgsiLdPrefix)) {
        if (const AttrTypeInfo* info =
                detail::attr_type_info(std::string_view(iri).substr(std::string_view(kNgsiLdPrefix).size()))) {
          return info;
        }
      }
      if (detail::looks_like_geometry(value) && !value.contains("value")) return nullptr;
      bad(path, "unknown attribute type '" + shown(name) + "'");
    }
    const AttrTypeInfo* found = nullptr;
    for (const auto& info : detail::kAttrTypes) {
      if (info.type == AttrType::kGeoProperty || !value.contains(info.member)) continue;
      if (found)
        bad(path, "ambiguous: has both '" + std::string(found->member) + "' and '" + std::string(info.member) + "'");
      found = &info;
    }
    if (!found) {
      if (partial_) return nullptr;
      for (const auto& [key, member] : value.items()) {
        if (is_instance_member(key)) bad(path, "has no value (no 'value', 'object', 'languageMap', ...)");
      }
      return nullptr;
    }
    if (found->type == AttrType::kProperty && detail::looks_like_geometry(value.at("value"))) {
      return &detail::attr_type_info(AttrType::kGeoProperty);
    }
    return found;
  }

  Json simple(AttrType type, std::string_view member, const Json& value) {
    Json out = Json::object();
    append(out, "type", std::string(detail::attr_type_info(type).name));
    append(out, std::string(member), value);
    append(out, "createdAt", now_);
    append(out, "modifiedAt", now_);
    return out;
  }

  // info == nullptr: a partial instance without type (kPatch only).
  Json full_instance(const AttrTypeInfo* info, const Json& value, const Path& path, Level level) {
    std::string_view main_member = info ? info->member : std::string_view();
    Json out = Json::object();
    if (info) {
      append(out, "type", std::string(info->name));
      auto main = value.find(info->member);
      if (main != value.end()) {
        append(out, std::string(info->member), main_value(*info, *main, path));
      } else if (!partial_) {
        bad(path, std::string(info->name) + " without '" + std::string(info->member) + "'");
      }
    }
    Json dataset_id, observed_at, unit_code, object_type;
    Json subs = Json::object();
    std::string_view type_name = info ? info->name : "a partial attribute";
    for (const auto& [key, member] : value.items()) {
      if (key == "type" || (info && key == main_member)) continue;
      if (detail::is_value_member(key)) bad(path, std::string(type_name) + " cannot have '" + key + "'");
      if (key == "datasetId") {
        if (level == Level::kSub) bad(path, "a sub-attribute cannot have a datasetId");
        if (!member.is_string() || !is_absolute_uri(member.get_ref<const std::string&>()))
          bad(path, "datasetId must be a URI");
        dataset_id = member;
      } else if (key == "observedAt") {
        observed_at = datetime(member, path);
      } else if (key == "unitCode") {
        if (!member.is_string() || member.get_ref<const std::string&>().empty())
          bad(path, "unitCode must be a non-empty string");
        unit_code = member;
      } else if (key == "objectType") {
        if (!info || (info->type != AttrType::kRelationship && info->type != AttrType::kListRelationship)) {
          bad(path, "objectType is only for relationships");
        }
        object_type = names(member, path, "objectType");
      } else if (key == "createdAt" || key == "modifiedAt" || key == "deletedAt" || key == "instanceId") {
        // system-generated: what a client sends is ignored
      } else if (!key.empty() && key[0] == '@') {
        bad(path, "JSON-LD keyword '" + key + "' is not allowed in an attribute");
      } else {
        add_attribute(subs, key, member, &path);
      }
    }
    if (!dataset_id.is_null()) append(out, "datasetId", std::move(dataset_id));
    if (!observed_at.is_null()) append(out, "observedAt", std::move(observed_at));
    if (!unit_code.is_null()) append(out, "unitCode", std::move(unit_code));
    if (!object_type.is_null()) append(out, "objectType", std::move(object_type));
    append(out, "createdAt", now_);
    append(out, "modifiedAt", now_);
    if (!subs.empty()) append(out, "attrs", std::move(subs));
    return out;
  }

  Json main_value(const AttrTypeInfo& info, const Json& v, const Path& path) {
    if (v.is_null()) bad(path, "'" + std::string(info.member) + "' cannot be null");
    switch (info.type) {
      case AttrType::kProperty:
      case AttrType::kJsonProperty:
        return v;
      case AttrType::kGeoProperty:
        validate_geometry(v, path);
        return v;
      case AttrType::kRelationship:
        check_objects(v, path);
        return v;
      case AttrType::kLanguageProperty:
        check_language_map(v, path);
        return v;
      case AttrType::kVocabProperty:
        return names(v, path, "vocab");
      case AttrType::kListProperty:
        if (!v.is_array()) bad(path, "valueList must be an array");
        return v;
      case AttrType::kListRelationship:
        check_object_list(v, path);
        return v;
    }
    return v;
  }

  void validate_geometry(const Json& v, const Path& path) {
    try {
      validate_geojson(v);
    } catch (const Error& e) {
      bad(path, std::string("not a valid GeoJSON geometry: ") + e.what());
    }
  }

  static void check_objects(const Json& v, const Path& path) {
    auto is_uri = [](const Json& o) { return o.is_string() && is_absolute_uri(o.get_ref<const std::string&>()); };
    if (is_uri(v)) return;
    if (v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), is_uri)) return;
    bad(path, "'object' must be a URI or a non-empty array of URIs");
  }

  static void check_object_list(const Json& v, const Path& path) {
    if (!v.is_array()) bad(path, "objectList must be an array");
    for (const Json& item : v) {
      const Json* uri = item.is_object() && item.contains("object") ? &item.at("object") : &item;
      if (!uri->is_string() || !is_absolute_uri(uri->get_ref<const std::string&>())) {
        bad(path, "objectList must hold URIs or {\"object\": URI} objects");
      }
    }
  }

  static void check_language_map(const Json& v, const Path& path) {
    if (!v.is_object() || v.empty()) bad(path, "languageMap must be a non-empty object");
    for (const auto& [tag, text] : v.items()) {
      if (!is_language_tag(tag)) bad(path, "'" + tag + "' is not a language tag");
      bool ok = text.is_string() ||
                (text.is_array() && std::all_of(text.begin(), text.end(), [](const Json& s) { return s.is_string(); }));
      if (!ok) bad(path, "languageMap values must be strings or arrays of strings");
    }
  }

  static Json datetime(const Json& v, const Path& path) {
    std::optional<TimeMs> t;
    if (v.is_string()) t = parse_datetime(v.get_ref<const std::string&>());
    if (!t) bad(path, "observedAt must be an ISO 8601 date-time");
    return format_datetime(*t);  // one format, so that stored times compare as text
  }

  // vocab / objectType: a name or an array of names, expanded.
  Json names(const Json& v, const Path& path, const char* what) {
    auto one = [&](const Json& n) {
      if (!n.is_string() || !is_valid_name(n.get_ref<const std::string&>()))
        bad(path, std::string(what) + " must hold names");
      std::string iri = ctx_.expand(n.get_ref<const std::string&>());
      if (!is_valid_name(iri))
        bad(path, std::string(what) + " '" + shown(n.get_ref<const std::string&>()) + "' cannot be expanded");
      return Json(std::move(iri));
    };
    if (!v.is_array()) return one(v);
    if (v.empty()) bad(path, std::string(what) + " cannot be an empty array");
    Json out = Json::array();
    for (const Json& n : v) out.push_back(one(n));
    return out;
  }

  static void add_instance(Json& list, Json instance, const Path& path) {
    auto dataset = [](const Json& i) -> std::string_view {
      auto it = i.find("datasetId");
      return it == i.end() ? std::string_view() : std::string_view(it->get_ref<const std::string&>());
    };
    std::string_view id = dataset(instance);
    for (const Json& existing : list) {
      if (dataset(existing) == id) {
        bad(path, id.empty() ? "two instances without datasetId" : "datasetId '" + std::string(id) + "' given twice");
      }
    }
    list.push_back(std::move(instance));
  }

  // location, observationSpace and operationSpace are GeoProperties by definition.
  static void check_geo_only(const std::string& iri, const Json& list, const Path& path) {
    static const std::unordered_set<std::string> geo = {std::string(kNgsiLdPrefix) + "location",
                                                        std::string(kNgsiLdPrefix) + "observationSpace",
                                                        std::string(kNgsiLdPrefix) + "operationSpace"};
    if (!geo.count(iri)) return;
    for (const Json& i : list) {
      auto type = i.find("type");  // a partial instance may have none
      if (type != i.end() && *type != "GeoProperty") bad(path, "must be a GeoProperty");
    }
  }

  const Context& ctx_;
  std::string now_;
  bool partial_;  // kPatch: values may be left out
};

Json entity_id(const Json& v) {
  if (!v.is_string()) bad("entity id must be a string");
  if (v.get_ref<const std::string&>().size() > kMaxIdLength) {
    bad("entity id is longer than " + std::to_string(kMaxIdLength) + " bytes");
  }
  if (!is_absolute_uri(v.get_ref<const std::string&>()))
    bad("entity id '" + shown(v.get_ref<const std::string&>()) + "' is not a URI");
  return v;
}

Json entity_types(const Json& v, const Context& ctx) {
  if (!v.is_string() && !(v.is_array() && !v.empty()))
    bad("entity type must be a string or a non-empty array of strings");
  Json out = Json::array();
  auto add = [&](const Json& t) {
    if (!t.is_string() || !is_valid_name(t.get_ref<const std::string&>())) {
      bad("entity type " + shown(t.dump(-1, ' ', false, Json::error_handler_t::replace)) + " is not a valid type name");
    }
    const std::string& name = t.get_ref<const std::string&>();
    if (name.size() > kMaxNameLength)
      bad("entity type names are limited to " + std::to_string(kMaxNameLength) + " bytes");
    std::string iri = ctx.expand(name);
    if (!is_valid_name(iri)) bad("entity type '" + shown(name) + "' cannot be expanded to a valid IRI");
    if (std::find(out.begin(), out.end(), iri) == out.end()) out.push_back(std::move(iri));
  };
  if (v.is_string()) {
    add(v);
  } else {
    for (const Json& t : v) add(t);
  }
  return out;
}

Json entity_scope(const Json& v) {
  Json out = Json::array();
  auto add = [&](const Json& s) {
    if (!s.is_string() || !is_valid_scope(s.get_ref<const std::string&>())) {
      bad("scope " + shown(s.dump(-1, ' ', false, Json::error_handler_t::replace)) +
          " is not valid (e.g. \"/Tokyo/Chiyoda\")");
    }
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  if (v.is_array()) {
    for (const Json& s : v) add(s);
  } else {
    add(v);
  }
  return out;
}

}  // namespace

bool is_instance_member(std::string_view key) {
  static constexpr std::string_view kMembers[] = {
      "type",      "value",     "object",     "objectList", "objectType", "languageMap", "vocab",     "json",
      "valueList", "datasetId", "observedAt", "unitCode",   "createdAt",  "modifiedAt",  "deletedAt", "instanceId"};
  return std::find(std::begin(kMembers), std::end(kMembers), key) != std::end(kMembers);
}

Json expand_entity(const Json& payload, const Context& ctx, PayloadKind kind, TimeMs now) {
  if (!payload.is_object()) bad("an entity must be a JSON object");
  Expander expander(ctx, now, kind == PayloadKind::kPatch);
  Json id, types, scope;
  Json attrs = Json::object();
  for (const auto& [key, value] : payload.items()) {
    if (key == "id") {
      id = entity_id(value);
    } else if (key == "type") {
      types = entity_types(value, ctx);
    } else if (key == "scope") {
      scope = entity_scope(value);
    } else if (key == "@context" || key == "createdAt" || key == "modifiedAt" || key == "deletedAt") {
      // @context was resolved by the API layer; the times are the broker's
    } else if (!key.empty() && key[0] == '@') {
      bad("JSON-LD keyword '" + key + "' is not supported in an entity");
    } else {
      expander.add_attribute(attrs, key, value, nullptr);
    }
  }
  if (kind == PayloadKind::kEntity) {
    if (id.is_null()) bad("entity id is missing");
    if (types.is_null()) bad("entity type is missing");
  }
  Json out = Json::object();
  if (!id.is_null()) append(out, "id", std::move(id));
  if (!types.is_null()) append(out, "type", std::move(types));
  if (!scope.is_null()) append(out, "scope", std::move(scope));
  std::string stamp = format_datetime(now);
  append(out, "createdAt", stamp);
  append(out, "modifiedAt", std::move(stamp));
  append(out, "attrs", std::move(attrs));
  return out;
}

Json expand_attribute(const Json& payload, const Context& ctx, TimeMs now, bool partial) {
  Path path{nullptr, "(payload)"};
  if (is_multi_instance(payload)) bad(path, "expected one attribute instance, not an array of them");
  return Expander(ctx, now, partial).instance(payload, path, Level::kTop);
}

}  // namespace machi::ld
