// Stored form -> the representation a client asked for (normalized, concise,
// keyValues, GeoJSON). This is the hot path of every GET: members are
// appended without ordered_map's duplicate search, and names are compacted
// through the Context's precomputed reverse map.
//
// Concise rules (clause 4.5, lossless: expand_entity reads the result back
// to the same stored form):
//   Property without sub-attributes or metadata -> its bare value, unless the
//       value is a JSON object (or an array holding one), which would be
//       read back as an attribute: then {"value": ...}
//   Property whose value looks like a GeoJSON geometry -> keeps "type": "Property"
//   GeoProperty without sub-attributes or metadata -> the bare geometry,
//       otherwise {"value": geometry, ...}
//   Relationship -> {"object": ...}, LanguageProperty -> {"languageMap": ...},
//       VocabProperty -> {"vocab": ...}, JsonProperty -> {"json": ...},
//       ListProperty -> {"valueList": ...}, ListRelationship -> {"objectList": ...}
//   several instances (datasetIds) -> an array of objects, never bare values,
//       so that the array is read back as instances and not as a value.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/json_writer.h"
#include "ld/entity.h"
#include "ld/entity_internal.h"

namespace machi::ld {
namespace {

using detail::append;
using detail::reserve_members;
using detail::AttrType;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// "ja,en;q=0.8,*" -> ["ja", "en", "*"], by decreasing q; q=0 ranges dropped.
std::vector<std::string> parse_lang(std::string_view text) {
  std::vector<std::pair<double, std::string>> ranges;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    size_t semi = item.find(';');
    double q = 1.0;
    if (semi != std::string_view::npos) {
      std::string_view param = trim(item.substr(semi + 1));
      if (param.starts_with("q=")) q = std::atof(std::string(param.substr(2)).c_str());
      item = trim(item.substr(0, semi));
    }
    if (!item.empty() && q > 0) ranges.emplace_back(q, std::string(item));
  }
  std::stable_sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (auto& r : ranges) out.push_back(std::move(r.second));
  return out;
}

const AttrType* type_of(const Json& instance) {
  auto t = instance.find("type");
  if (t == instance.end() || !t->is_string()) return nullptr;
  const auto* info = detail::attr_type_info(t->get_ref<const std::string&>());
  return info ? &info->type : nullptr;
}

bool holds_object(const Json& v) {
  return v.is_object() ||
         (v.is_array() && std::any_of(v.begin(), v.end(), [](const Json& e) { return e.is_object(); }));
}

// Builds the rendering as a JSON tree, for callers that change it further
// (GeoJSON features, notifications, NGSIv2). The stack holds the open
// containers; only the innermost one grows, so the pointers stay valid.
class TreeBuilder {
 public:
  Json take() { return std::move(root_); }

  void begin_object(size_t members) {
    open(Json::object());
    reserve_members(*open_.back(), members);
  }
  void end_object() { open_.pop_back(); }
  void begin_array() { open(Json::array()); }
  void end_array() { open_.pop_back(); }
  void key(std::string name) { key_ = std::move(name); }
  void string(std::string text) { place(Json(std::move(text))); }
  void value(const Json& v) { place(v); }

 private:
  Json* place(Json v) {
    if (open_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json& top = *open_.back();
    if (top.is_object()) {
      append(top, std::move(key_), std::move(v));
      return &static_cast<Json::object_t::Container&>(top.get_ref<Json::object_t&>()).back().second;
    }
    top.push_back(std::move(v));
    return &top.back();
  }
  void open(Json container) { open_.push_back(place(std::move(container))); }

  Json root_;
  std::vector<Json*> open_;
  std::string key_;
};

// Writes the rendering as text (the responses of GET and queries).
class TextWriter {
 public:
  explicit TextWriter(std::string& out) : writer_(out) {}

  void begin_object(size_t) { writer_.begin_object(); }
  void end_object() { writer_.end_object(); }
  void begin_array() { writer_.begin_array(); }
  void end_array() { writer_.end_array(); }
  void key(std::string_view name) { writer_.key(name); }
  void string(std::string_view text) { writer_.string(text); }
  void value(const Json& v) { writer_.value(v); }

 private:
  JsonWriter writer_;
};

// One set of rendering rules for both outputs: Out is a TreeBuilder or a
// TextWriter, and receives the members in order.
template <class Out>
class Renderer {
 public:
  Renderer(const Context& ctx, const RenderOptions& options, Out& out)
      : ctx_(ctx), options_(options), langs_(parse_lang(options.lang)), out_(out) {}

  // extra: one more member written last (the @context of a JSON-LD body).
  void entity(const Json& stored, const Json* extra_context = nullptr) {
    auto attrs = stored.find("attrs");
    out_.begin_object(6 + (attrs != stored.end() ? attrs->size() : 0));
    if (auto id = stored.find("id"); id != stored.end()) member("id", *id);
    if (auto types = stored.find("type"); types != stored.end()) {
      out_.key("type");
      names(*types);
    }
    if (auto scope = stored.find("scope"); scope != stored.end()) {
      member("scope", scope->is_array() && scope->size() == 1 ? scope->front() : *scope);
    }
    if (options_.sys_attrs) {
      for (const char* key : {"createdAt", "modifiedAt"}) {
        if (auto t = stored.find(key); t != stored.end()) member(key, *t);
      }
    }
    if (attrs != stored.end() && attrs->is_object()) {
      for (const auto& [iri, instances] : attrs->items()) {
        if (!wanted(iri)) continue;
        out_.key(ctx_.compact(iri));
        attribute(instances);
      }
    }
    if (extra_context) member("@context", *extra_context);
    out_.end_object();
  }

 private:
  void member(const std::string& key, const Json& v) {
    out_.key(key);
    out_.value(v);
  }

  bool wanted(const std::string& iri) const {
    return options_.attrs.empty() ||
           std::find(options_.attrs.begin(), options_.attrs.end(), iri) != options_.attrs.end();
  }

  // A type list: one compacted name as a string, several as an array.
  void names(const Json& iris) {
    if (iris.is_array() && iris.size() == 1 && iris.front().is_string()) return names(iris.front());
    names_keep_shape(iris);
  }

  // vocab/objectType: compacted, keeping string vs array as stored.
  void names_keep_shape(const Json& v) {
    if (v.is_string()) return out_.string(ctx_.compact(v.get_ref<const std::string&>()));
    if (!v.is_array()) return out_.value(v);
    out_.begin_array();
    for (const Json& n : v) {
      if (n.is_string()) {
        out_.string(ctx_.compact(n.get_ref<const std::string&>()));
      } else {
        out_.value(n);
      }
    }
    out_.end_array();
  }

  void attribute(const Json& instances) {
    if (!instances.is_array()) return one(instances, false);
    if (instances.size() == 1) return one(instances.front(), false);
    out_.begin_array();
    for (const Json& instance : instances) one(instance, true);
    out_.end_array();
  }

  void one(const Json& instance, bool in_array) {
    if (!instance.is_object()) return out_.value(instance);
    if (options_.format == Format::kKeyValues) return key_value(instance);
    const AttrType* type = type_of(instance);
    if (type && *type == AttrType::kLanguageProperty && !langs_.empty()) return language_as_property(instance);
    if (options_.format == Format::kConcise) {
      if (!in_array && type && bare_concise(instance, *type)) return out_.value(instance.at("value"));
      return members(instance, keeps_type_in_concise(instance, type));
    }
    members(instance, true);
  }

  // Concise: a Property/GeoProperty with nothing but its value.
  bool bare_concise(const Json& instance, AttrType type) const {
    if (type != AttrType::kProperty && type != AttrType::kGeoProperty) return false;
    for (const auto& [key, v] : instance.items()) {
      if (key == "type" || key == "value") continue;
      if (!options_.sys_attrs && (key == "createdAt" || key == "modifiedAt")) continue;
      return false;
    }
    auto value = instance.find("value");
    if (value == instance.end()) return false;
    if (type == AttrType::kGeoProperty) return detail::looks_like_geometry(*value);
    return !holds_object(*value);
  }

  // Concise: "type" stays only where the members alone would say otherwise.
  static bool keeps_type_in_concise(const Json& instance, const AttrType* type) {
    if (!type) return true;
    auto value = instance.find("value");
    if (*type == AttrType::kProperty) return value != instance.end() && detail::looks_like_geometry(*value);
    if (*type == AttrType::kGeoProperty) return value == instance.end() || !detail::looks_like_geometry(*value);
    return false;
  }

  void members(const Json& instance, bool with_type) {
    auto sub = instance.find("attrs");
    out_.begin_object(instance.size() + (sub != instance.end() ? sub->size() : 0));
    for (const auto& [key, v] : instance.items()) {
      if (key == "type") {
        if (with_type) member(key, v);
      } else if (key == "vocab" || key == "objectType") {
        out_.key(key);
        names_keep_shape(v);
      } else if (key == "createdAt" || key == "modifiedAt") {
        if (options_.sys_attrs) member(key, v);
      } else if (key == "attrs") {
        sub_attributes(v);
      } else {
        member(key, v);
      }
    }
    out_.end_object();
  }

  void sub_attributes(const Json& attrs) {
    if (!attrs.is_object()) return;
    for (const auto& [iri, sub] : attrs.items()) {
      out_.key(ctx_.compact(iri));
      one(sub, false);
    }
  }

  void key_value(const Json& instance) {
    const AttrType* type = type_of(instance);
    if (!type) {
      auto value = instance.find("value");
      return out_.value(value == instance.end() ? Json() : *value);
    }
    const auto& info = detail::attr_type_info(*type);
    auto main = instance.find(info.member);
    if (main == instance.end()) return out_.value(Json());
    if (*type == AttrType::kVocabProperty) return names_keep_shape(*main);
    if (*type == AttrType::kLanguageProperty && !langs_.empty()) return out_.value(*choose_language(*main).second);
    out_.value(*main);
  }

  // With a lang option a LanguageProperty is shown as a Property holding
  // the chosen string, and "lang" says which language it is (clause 4.15).
  void language_as_property(const Json& instance) {
    auto sub = instance.find("attrs");
    out_.begin_object(instance.size() + 1 + (sub != instance.end() ? sub->size() : 0));
    bool concise = options_.format == Format::kConcise;
    for (const auto& [key, v] : instance.items()) {
      if (key == "type") {
        if (!concise) {
          out_.key("type");
          out_.string("Property");
        }
      } else if (key == "languageMap") {
        auto [tag, text] = choose_language(v);
        member("value", *text);
        out_.key("lang");
        out_.string(tag);
      } else if (key == "createdAt" || key == "modifiedAt") {
        if (options_.sys_attrs) member(key, v);
      } else if (key == "attrs") {
        sub_attributes(v);
      } else {
        member(key, v);
      }
    }
    out_.end_object();
  }

  // The best entry of a languageMap for the requested ranges: an exact tag,
  // then a tag the range is a prefix of (en -> en-GB), then "*" = any;
  // without a match "@none", else the first entry. The text points into map.
  std::pair<std::string, const Json*> choose_language(const Json& map) const {
    static const Json kNull;
    if (!map.is_object() || map.empty()) return {"", &kNull};
    for (const std::string& range : langs_) {
      if (range == "*") return {map.begin().key(), &map.begin().value()};
      for (const auto& [tag, text] : map.items()) {
        if (iequals(tag, range)) return {tag, &text};
      }
      for (const auto& [tag, text] : map.items()) {
        if (tag.size() > range.size() && tag[range.size()] == '-' &&
            iequals(std::string_view(tag).substr(0, range.size()), range)) {
          return {tag, &text};
        }
      }
    }
    if (auto none = map.find("@none"); none != map.end()) return {"@none", &*none};
    return {map.begin().key(), &map.begin().value()};
  }

  const Context& ctx_;
  const RenderOptions& options_;
  std::vector<std::string> langs_;
  Out& out_;
};

// The value of the GeoProperty to use as a Feature's geometry: the default
// instance (no datasetId), else the first.
Json geometry_of(const Json& stored, const std::string& iri) {
  auto attrs = stored.find("attrs");
  if (attrs == stored.end() || !attrs->is_object()) return nullptr;
  auto instances = attrs->find(iri);
  if (instances == attrs->end() || !instances->is_array() || instances->empty()) return nullptr;
  const Json* chosen = &instances->front();
  for (const Json& instance : *instances) {
    if (instance.is_object() && !instance.contains("datasetId")) {
      chosen = &instance;
      break;
    }
  }
  if (!chosen->is_object() || chosen->value("type", "") != "GeoProperty") return nullptr;
  auto value = chosen->find("value");
  return value == chosen->end() ? Json() : *value;
}

}  // namespace

Json render_entity(const Json& stored, const Context& ctx, const RenderOptions& options) {
  if (!stored.is_object()) return Json::object();
  TreeBuilder tree;
  Renderer(ctx, options, tree).entity(stored);
  return tree.take();
}

void write_entity(const Json& stored, const Context& ctx, const RenderOptions& options, std::string& out,
                  const Json* context_member) {
  TextWriter text(out);
  static const Json kNoMembers = Json::object();
  Renderer(ctx, options, text).entity(stored.is_object() ? stored : kNoMembers, context_member);
}

Json render_geojson_feature(const Json& stored, const Context& ctx, const RenderOptions& options,
                            const std::string& geometry_attr) {
  Json entity = render_entity(stored, ctx, options);
  Json feature = Json::object();
  Json properties = Json::object();
  reserve_members(feature, 4);
  reserve_members(properties, entity.size());
  for (auto& [key, value] : entity.items()) {
    if (key == "id") {
      append(feature, "id", std::move(value));
    } else {
      append(properties, key, std::move(value));
    }
  }
  append(feature, "type", "Feature");
  std::string iri = geometry_attr.empty() ? std::string(kNgsiLdPrefix) + "location" : geometry_attr;
  append(feature, "geometry", geometry_of(stored, iri));
  append(feature, "properties", std::move(properties));
  return feature;
}

}  // namespace machi::ld
