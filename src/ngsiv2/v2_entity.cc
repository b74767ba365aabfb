#include "ngsiv2/v2_entity.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/error.h"
#include "ld/geo.h"

namespace machi::ngsiv2 {
namespace {

[[noreturn]] void bad(const std::string& detail) { throw Error(ErrorType::kBadRequestData, detail); }

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// "lat, lon" (Orion's geo:point) -> [lon, lat]; nullopt when malformed.
std::optional<std::pair<double, double>> parse_point(const std::string& text) {
  size_t comma = text.find(',');
  if (comma == std::string::npos) return std::nullopt;
  auto number = [](std::string part) -> std::optional<double> {
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (part.empty() || part.size() > 40) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(part.c_str(), &end);
    if (end != part.c_str() + part.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  };
  auto lat = number(text.substr(0, comma));
  auto lon = number(text.substr(comma + 1));
  if (!lat || !lon || *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180) return std::nullopt;
  return std::make_pair(*lat, *lon);
}

std::string format_number(double v) {
  Json j = v;
  return j.dump();
}

Json typed_sub(const std::string& type, const std::string& now) {
  return Json{{"type", "Property"}, {"value", type}, {"createdAt", now}, {"modifiedAt", now}};
}

// One metadata item -> a sub-property (with its v2 type kept when not the default).
Json metadata_to_sub(const std::string& name, const Json& md, const std::string& now) {
  Json value = md.is_object() && md.contains("value") ? md["value"] : Json();
  std::string type = default_type_of(value);
  if (md.is_object() && md.contains("type")) {
    check_identifier("metadata type", md["type"]);
    type = md["type"].get<std::string>();
  }
  Json sub = {{"type", "Property"}, {"value", value}, {"createdAt", now}, {"modifiedAt", now}};
  if (type != default_type_of(value)) sub["attrs"] = Json{{kAttrTypeIri, typed_sub(type, now)}};
  return sub;
}

std::string sub_type_of(const Json& sub) {
  auto attrs = sub.find("attrs");
  if (attrs != sub.end() && attrs->is_object()) {
    auto t = attrs->find(kAttrTypeIri);
    if (t != attrs->end() && t->is_object() && t->contains("value") && (*t)["value"].is_string()) {
      return (*t)["value"].get<std::string>();
    }
  }
  if (sub.value("type", "") == "Relationship") return "Relationship";
  if (sub.value("type", "") == "GeoProperty") return "geo:json";
  auto v = sub.find("value");
  return default_type_of(v == sub.end() ? Json() : *v);
}

}  // namespace

bool valid_identifier(std::string_view text) {
  if (text.empty() || text.size() > 256) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u >= 0x7f || std::string_view("<>\"'=;()").find(c) != std::string_view::npos;
  });
}

void check_identifier(std::string_view what, const Json& value) {
  if (!value.is_string()) bad("Invalid JSON type for " + std::string(what) + ": not a string");
  const std::string& text = value.get_ref<const std::string&>();
  if (text.empty()) bad("Empty " + std::string(what));
  if (text.size() > 256) bad(std::string(what) + " length exceeds 256 characters");
  if (!valid_identifier(text)) bad("Invalid characters in " + std::string(what));
}

std::string default_type_of(const Json& value) {
  if (value.is_number()) return "Number";
  if (value.is_string()) return "Text";
  if (value.is_boolean()) return "Boolean";
  if (value.is_null()) return "None";
  return "StructuredValue";
}

Json attr_to_instance(const Json& attr, const ld::Context& ctx, bool key_values, TimeMs now_ms_) {
  std::string now = format_datetime(now_ms_);
  Json value;
  std::string type;
  const Json* metadata = nullptr;
  if (key_values) {
    value = attr;
    type = default_type_of(value);
  } else {
    if (!attr.is_object()) {
      bad("attribute must be a JSON object, unless keyValues option is used");
    }
    for (const auto& [key, v] : attr.items()) {
      if (key != "type" && key != "value" && key != "metadata") bad("unrecognized property for attribute: " + key);
    }
    value = attr.contains("value") ? attr["value"] : Json();
    if (attr.contains("type")) {
      check_identifier("attribute type", attr["type"]);
      type = attr["type"].get<std::string>();
    } else {
      type = default_type_of(value);
    }
    if (attr.contains("metadata")) {
      metadata = &attr["metadata"];
      if (!metadata->is_object()) bad("metadata must be a JSON object");
    }
  }
  Json out = Json::object();
  std::string default_type;
  if (type == "Relationship" && (value.is_string() || (value.is_array() && !value.empty() &&
                                                        std::all_of(value.begin(), value.end(),
                                                                    [](const Json& v) { return v.is_string(); })))) {
    out["type"] = "Relationship";
    out["object"] = value;
    default_type = "Relationship";
  } else if (type == "geo:json") {
    try {
      ld::validate_geojson(value);
    } catch (const Error& e) {
      bad(std::string("error parsing location attribute: ") + e.what());
    }
    out["type"] = "GeoProperty";
    out["value"] = value;
    default_type = "geo:json";
  } else if (type == "geo:point") {
    auto point = value.is_string() ? parse_point(value.get<std::string>()) : std::nullopt;
    if (!point) bad("error parsing location attribute: geo:point must be \"lat, lon\"");
    out["type"] = "GeoProperty";
    out["value"] = Json{{"type", "Point"}, {"coordinates", Json::array({point->second, point->first})}};
    default_type = "geo:json";
  } else {
    out["type"] = "Property";
    out["value"] = value;
    default_type = default_type_of(value);
  }
  Json subs = Json::object();
  if (type != default_type) {
    subs[kAttrTypeIri] = typed_sub(type, now);
  }
  bool explicit_observed = false;
  if (metadata) {
    for (const auto& [name, md] : metadata->items()) {
      check_identifier("metadata name", Json(name));
      if (!md.is_object()) bad("metadata " + name + " must be a JSON object");
      for (const auto& [key, v] : md.items()) {
        if (key != "type" && key != "value") bad("unrecognized property for metadata: " + key);
      }
      const Json mv = md.contains("value") ? md["value"] : Json();
      if (name == "dateCreated" || name == "dateModified" || name == "previousValue" || name == "actionType") {
        continue;  // builtin metadata: ignored on input, as Orion does
      }
      if (name == "unitCode" && mv.is_string()) {
        out["unitCode"] = mv;
      } else if (name == "observedAt" && mv.is_string() && parse_datetime(mv.get<std::string>())) {
        out["observedAt"] = format_datetime(*parse_datetime(mv.get<std::string>()));
        explicit_observed = true;
      } else {
        std::string iri = ctx.expand(name);
        if (iri.empty() || iri[0] == '@' || iri == kAttrTypeIri) bad("metadata name " + name + " is not allowed");
        subs[iri] = metadata_to_sub(name, md, now);
        if (name == "TimeInstant" && !explicit_observed && mv.is_string()) {
          if (auto t = parse_datetime(mv.get<std::string>())) out["observedAt"] = format_datetime(*t);
        }
      }
    }
  }
  out["createdAt"] = now;
  out["modifiedAt"] = now;
  if (!subs.empty()) out["attrs"] = std::move(subs);
  return out;
}

Json attrs_to_fragment(const Json& body, const ld::Context& ctx, bool key_values, TimeMs now) {
  if (!body.is_object()) bad("the body must be a JSON object");
  Json attrs = Json::object();
  for (const auto& [name, attr] : body.items()) {
    if (name == "id" || name == "type") continue;
    check_identifier("attribute name", Json(name));
    if (name == "dateCreated" || name == "dateModified" || name == "dateExpires" || name == "*") {
      bad("attribute name " + name + " is reserved");
    }
    std::string iri = ctx.expand(name);
    if (iri.empty() || iri[0] == '@') bad("attribute name " + name + " cannot be expanded");
    if (iri == kAttrTypeIri) bad("attribute name " + name + " is reserved");
    attrs[iri] = Json::array({attr_to_instance(attr, ctx, key_values, now)});
  }
  return Json{{"attrs", std::move(attrs)}};
}

Json normalized_attrs(const Json& body, bool key_values) {
  Json out = Json::object();
  if (!body.is_object()) return out;
  for (const auto& [name, attr] : body.items()) {
    if (name == "id" || name == "type") continue;
    out[name] = key_values ? Json{{"value", attr}} : attr;
  }
  return out;
}

Json entity_to_stored(const Json& body, const ld::Context& ctx, bool key_values, const std::string& service_path,
                      TimeMs now) {
  if (!body.is_object()) bad("the body must be a JSON object");
  if (!body.contains("id")) bad("entity id length: 0, min length supported: 1");
  check_identifier("entity id", body["id"]);
  std::string type = "Thing";  // Orion's default entity type
  if (body.contains("type")) {
    check_identifier("entity type", body["type"]);
    type = body["type"].get<std::string>();
  }
  std::string type_iri = ctx.expand(type);
  if (type_iri.empty() || type_iri[0] == '@') bad("entity type " + type + " cannot be expanded");
  Json fragment = attrs_to_fragment(body, ctx, key_values, now);
  std::string stamp = format_datetime(now);
  Json out = Json::object();
  out["id"] = body["id"];
  out["type"] = Json::array({type_iri});
  if (service_path != "/") out["scope"] = Json::array({service_path});
  out["createdAt"] = stamp;
  out["modifiedAt"] = stamp;
  out["attrs"] = std::move(fragment["attrs"]);
  return out;
}

std::string service_path_of(const Json& stored) {
  auto scope = stored.find("scope");
  if (scope == stored.end()) return "/";
  if (scope->is_string()) return scope->get<std::string>();
  if (scope->is_array() && !scope->empty() && scope->front().is_string()) return scope->front().get<std::string>();
  return "/";
}

void set_service_path(Json& stored, const std::string& service_path) {
  if (service_path == "/") {
    stored.erase("scope");
  } else {
    stored["scope"] = Json::array({service_path});
  }
}

std::string entity_type_of(const Json& stored, const ld::Context& ctx) {
  auto types = stored.find("type");
  if (types == stored.end()) return "";
  if (types->is_string()) return ctx.compact(types->get<std::string>());
  if (types->is_array() && !types->empty() && types->front().is_string()) {
    return ctx.compact(types->front().get<std::string>());
  }
  return "";
}

const Json* visible_instance(const Json& instances) {
  if (instances.is_object()) return &instances;
  if (!instances.is_array() || instances.empty()) return nullptr;
  for (const Json& instance : instances) {
    if (instance.is_object() && !instance.contains("datasetId")) return &instance;
  }
  return instances.front().is_object() ? &instances.front() : nullptr;
}

std::string attr_type_of(const Json& instance) {
  auto attrs = instance.find("attrs");
  if (attrs != instance.end() && attrs->is_object()) {
    auto t = attrs->find(kAttrTypeIri);
    if (t != attrs->end() && t->is_object() && t->contains("value") && (*t)["value"].is_string()) {
      return (*t)["value"].get<std::string>();
    }
  }
  std::string ld_type = instance.value("type", "Property");
  if (ld_type == "Relationship") return "Relationship";
  if (ld_type == "GeoProperty") return "geo:json";
  if (ld_type == "Property") {
    auto v = instance.find("value");
    return default_type_of(v == instance.end() ? Json() : *v);
  }
  return ld_type;  // LanguageProperty, VocabProperty, JsonProperty, ListProperty, ...
}

Json attr_value_of(const Json& instance, const ld::Context& ctx) {
  std::string ld_type = instance.value("type", "Property");
  if (ld_type == "Relationship") return instance.contains("object") ? instance["object"] : Json();
  if (ld_type == "GeoProperty") {
    // geo:point reads back as the "lat, lon" text it was written as.
    auto attrs = instance.find("attrs");
    if (attrs != instance.end() && attrs->is_object() && attrs->contains(kAttrTypeIri)) {
      const Json& t = (*attrs)[kAttrTypeIri];
      if (t.value("value", "") == "geo:point") {
        const Json& v = instance.contains("value") ? instance["value"] : Json();
        if (v.is_object() && v.value("type", "") == "Point" && v.contains("coordinates") &&
            v["coordinates"].is_array() && v["coordinates"].size() >= 2 && v["coordinates"][0].is_number() &&
            v["coordinates"][1].is_number()) {
          return format_number(v["coordinates"][1].get<double>()) + ", " +
                 format_number(v["coordinates"][0].get<double>());
        }
      }
    }
  }
  if (ld_type == "LanguageProperty") return instance.contains("languageMap") ? instance["languageMap"] : Json();
  if (ld_type == "VocabProperty") {
    if (!instance.contains("vocab")) return Json();
    const Json& v = instance["vocab"];
    if (v.is_string()) return ctx.compact(v.get<std::string>());
    return v;
  }
  if (ld_type == "JsonProperty") return instance.contains("json") ? instance["json"] : Json();
  if (ld_type == "ListProperty") return instance.contains("valueList") ? instance["valueList"] : Json();
  if (ld_type == "ListRelationship") return instance.contains("objectList") ? instance["objectList"] : Json();
  return instance.contains("value") ? instance["value"] : Json();
}

Json render_attr(const Json& instance, const ld::Context& ctx, const std::vector<std::string>& metadata) {
  Json out = Json::object();
  out["type"] = attr_type_of(instance);
  out["value"] = attr_value_of(instance, ctx);
  Json md = Json::object();
  bool all = metadata.empty() || contains(metadata, "*");
  auto wanted = [&](const std::string& name) { return all || contains(metadata, name); };
  std::string time_instant;
  if (auto attrs = instance.find("attrs"); attrs != instance.end() && attrs->is_object()) {
    for (const auto& [iri, sub] : attrs->items()) {
      if (iri == kAttrTypeIri || !sub.is_object()) continue;
      std::string name = ctx.compact(iri);
      if (name == "TimeInstant" && sub.contains("value") && sub["value"].is_string()) {
        if (auto t = parse_datetime(sub["value"].get<std::string>())) time_instant = format_datetime(*t);
      }
      if (!wanted(name)) continue;
      md[name] = Json{{"type", sub_type_of(sub)}, {"value", attr_value_of(sub, ctx)}};
    }
  }
  if (instance.contains("unitCode") && wanted("unitCode")) {
    md["unitCode"] = Json{{"type", "Text"}, {"value", instance["unitCode"]}};
  }
  if (instance.contains("observedAt") && wanted("observedAt") && instance["observedAt"] != time_instant) {
    md["observedAt"] = Json{{"type", "DateTime"}, {"value", instance["observedAt"]}};
  }
  for (const char* builtin : {"dateCreated", "dateModified"}) {
    if (!contains(metadata, builtin)) continue;
    const char* member = std::string_view(builtin) == "dateCreated" ? "createdAt" : "modifiedAt";
    if (instance.contains(member)) md[builtin] = Json{{"type", "DateTime"}, {"value", instance[member]}};
  }
  out["metadata"] = std::move(md);
  return out;
}

Json render_entity(const Json& stored, const ld::Context& ctx, const RenderOptions& options) {
  using Mode = RenderOptions::Mode;
  bool all = options.attrs.empty() || contains(options.attrs, "*");
  Json attrs_out = Json::object();  // v2 name -> rendered attribute (or value)
  auto render_one = [&](const Json& instance) -> Json {
    if (options.mode == Mode::kNormalized) return render_attr(instance, ctx, options.metadata);
    return attr_value_of(instance, ctx);
  };
  if (auto attrs = stored.find("attrs"); attrs != stored.end() && attrs->is_object()) {
    for (const auto& [iri, instances] : attrs->items()) {
      std::string name = ctx.compact(iri);
      if (!all && !contains(options.attrs, name)) continue;
      const Json* instance = visible_instance(instances);
      if (!instance) continue;
      attrs_out[name] = render_one(*instance);
    }
  }
  for (const char* builtin : {"dateCreated", "dateModified"}) {
    if (!contains(options.attrs, builtin)) continue;
    const char* member = std::string_view(builtin) == "dateCreated" ? "createdAt" : "modifiedAt";
    if (!stored.contains(member)) continue;
    const Json& when = stored[member];
    attrs_out[builtin] =
        options.mode == Mode::kNormalized ? Json{{"type", "DateTime"}, {"value", when}, {"metadata", Json::object()}}
                                          : when;
  }
  if (options.mode == Mode::kValues || options.mode == Mode::kUnique) {
    Json values = Json::array();
    auto push = [&](const Json& v) {
      if (options.mode == Mode::kUnique && std::find(values.begin(), values.end(), v) != values.end()) return;
      values.push_back(v);
    };
    if (all) {
      for (const auto& [name, v] : attrs_out.items()) push(v);
    } else {
      for (const auto& name : options.attrs) {
        if (attrs_out.contains(name)) push(attrs_out[name]);
      }
    }
    return values;
  }
  Json out = Json::object();
  out["id"] = stored.contains("id") ? stored["id"] : Json();
  out["type"] = entity_type_of(stored, ctx);
  for (auto& [name, v] : attrs_out.items()) out[name] = std::move(v);
  return out;
}

}  // namespace machi::ngsiv2
