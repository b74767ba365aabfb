#include "iot/measures.h"

#include "core/error.h"

namespace machi::iot {
namespace {

std::vector<std::string_view> split_levels(std::string_view topic) {
  std::vector<std::string_view> levels;
  size_t start = 0;
  for (;;) {
    size_t slash = topic.find('/', start);
    levels.push_back(topic.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return levels;
    start = slash + 1;
  }
}

// An apikey or device id: one non-empty topic level without wildcards.
bool valid_level(std::string_view level) {
  return !level.empty() && level.size() <= 256 && level.find_first_of("+#") == std::string_view::npos;
}

std::optional<Topic> topic_of(std::string_view apikey, std::string_view device, std::string_view object_id) {
  if (!valid_level(apikey) || !valid_level(device)) return std::nullopt;
  if (object_id.data() && object_id.empty()) return std::nullopt;
  return Topic{std::string(apikey), std::string(device), std::string(object_id)};
}

// Well-formed UTF-8 (no overlongs, no surrogates): the text of a
// single-measure payload that is not JSON becomes a JSON string, and
// machi's JSON writer refuses anything else.
bool valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

// Depth of nested objects and arrays, without recursion past the limit.
bool within_depth(const Json& value, int depth_left) {
  if (!value.is_structured()) return true;
  if (depth_left <= 0) return false;
  for (const Json& item : value) {
    if (!within_depth(item, depth_left - 1)) return false;
  }
  return true;
}

std::string check_measure(const Json& measure, const PayloadLimits& limits) {
  if (!measure.is_object()) return "a measure must be a JSON object of object_id -> value";
  if (measure.empty()) return "a measure without attributes";
  if (measure.size() > limits.max_attributes) return "a measure with more than " + std::to_string(limits.max_attributes) + " attributes";
  for (const auto& [key, value] : measure.items()) {
    if (key.empty()) return "an empty object_id";
    if (!within_depth(value, limits.max_depth)) return "the value of " + key + " is nested too deeply";
  }
  return "";
}

const AttributeMapping* mapping_for(const DeviceConfig& device, const std::string& object_id) {
  for (const auto& mapping : device.attributes) {
    const std::string& key = mapping.object_id.empty() ? mapping.name : mapping.object_id;
    if (key == object_id) return &mapping;
  }
  return nullptr;
}

// The NGSIv2 type a value gets without provisioning (Orion's defaults).
std::string inferred_type(const Json& value) {
  if (value.is_number()) return "Number";
  if (value.is_boolean()) return "Boolean";
  if (value.is_string()) return "Text";
  if (value.is_null()) return "None";
  return "StructuredValue";
}

constexpr const char* kTimeInstant = "TimeInstant";

}  // namespace

std::optional<Topic> parse_topic(std::string_view topic) {
  if (!valid_utf8(topic)) return std::nullopt;  // MQTT topics are UTF-8; brokers enforce it, machi too
  auto levels = split_levels(topic);
  if (levels.size() < 4 || !levels[0].empty()) return std::nullopt;
  // The /json/ prefix first: "/json/<k>/<d>/attrs[/<o>]".
  if (levels[1] == "json" && levels.size() >= 5 && levels[4] == "attrs") {
    if (levels.size() == 5) return topic_of(levels[2], levels[3], std::string_view());
    if (levels.size() == 6) return topic_of(levels[2], levels[3], levels[5]);
  }
  if (levels[3] != "attrs") return std::nullopt;
  if (levels.size() == 4) return topic_of(levels[1], levels[2], std::string_view());
  if (levels.size() == 5) return topic_of(levels[1], levels[2], levels[4]);
  return std::nullopt;
}

const std::vector<std::string>& subscription_filters() {
  static const std::vector<std::string> filters = {"/+/+/attrs", "/+/+/attrs/+", "/json/+/+/attrs",
                                                   "/json/+/+/attrs/+"};
  return filters;
}

ParsedPayload parse_payload(std::string_view payload, const std::string& object_id, const PayloadLimits& limits) {
  ParsedPayload out;
  if (payload.size() > limits.max_bytes) {
    out.error = "payload larger than " + std::to_string(limits.max_bytes) + " bytes";
    return out;
  }
  std::optional<Json> parsed;
  try {
    parsed = parse_json(payload);
  } catch (const std::exception&) {
    parsed.reset();
  }
  if (!object_id.empty()) {
    // Single measure: the payload is the value (JSON, or else plain text,
    // as the IoT Agent takes `mosquitto_pub -m 23.5` or `-m open`).
    if (!parsed) {
      if (!valid_utf8(payload)) {
        out.error = "the payload is neither JSON nor UTF-8 text";
        return out;
      }
      parsed = Json(std::string(payload));
    }
    Json measure = Json::object();
    measure[object_id] = std::move(*parsed);
    out.error = check_measure(measure, limits);
    if (out.error.empty()) out.measures.push_back(std::move(measure));
    return out;
  }
  if (!parsed) {
    out.error = "the payload is not JSON";
    return out;
  }
  if (parsed->is_array()) {
    if (parsed->empty()) out.error = "an empty array of measures";
    if (parsed->size() > limits.max_measures) out.error = "more than " + std::to_string(limits.max_measures) + " measures";
    for (const Json& item : *parsed) {
      if (!out.error.empty()) break;
      out.error = check_measure(item, limits);
    }
    if (out.error.empty()) out.measures.assign(parsed->begin(), parsed->end());
    return out;
  }
  out.error = check_measure(*parsed, limits);
  if (out.error.empty()) out.measures.push_back(std::move(*parsed));
  return out;
}

std::string entity_id_of(const DeviceConfig& device) {
  if (!device.entity_name.empty()) return device.entity_name;
  return "urn:ngsi-ld:" + device.entity_type + ":" + device.device_id;
}

MappedMeasure map_measure(const DeviceConfig& device, const Json& measure, TimeMs received) {
  MappedMeasure out;
  out.body = Json::object();
  out.body["id"] = entity_id_of(device);
  out.body["type"] = device.entity_type;
  Json attrs = Json::object();
  for (const auto& [object_id, value] : measure.items()) {
    const AttributeMapping* mapping = mapping_for(device, object_id);
    if (!mapping && device.explicit_attrs) continue;  // as the IoT Agent's explicitAttrs
    std::string name = mapping ? mapping->name : object_id;
    if (name == "id" || name == "type") {
      out.error = "a measure may not set the entity's " + name;
      return out;
    }
    std::string type = mapping && !mapping->type.empty() ? mapping->type
                       : name == kTimeInstant         ? "DateTime"
                                                      : inferred_type(value);
    Json attr = {{"type", type}, {"value", value}};
    if (mapping && mapping->metadata.is_object() && !mapping->metadata.empty()) attr["metadata"] = mapping->metadata;
    attrs[name] = std::move(attr);
  }
  if (attrs.empty()) {
    out.error = "no provisioned attribute in the measure";
    return out;
  }
  // The device's timestamp: the attribute mapped to TimeInstant, else the
  // measure's own TimeInstant (also when explicitAttrs leaves it out).
  out.observed_at = received;
  const Json* stamp = nullptr;
  if (auto it = attrs.find(kTimeInstant); it != attrs.end()) stamp = &(*it)["value"];
  if (auto it = measure.find(kTimeInstant); !stamp && it != measure.end()) stamp = &*it;
  if (stamp && stamp->is_string()) {
    if (auto t = parse_datetime(stamp->get<std::string>())) out.observed_at = *t;
  }
  Json observed = {{"type", "DateTime"}, {"value", format_datetime(out.observed_at)}};
  for (auto& [name, attr] : attrs.items()) {
    if (!attr.contains("metadata")) attr["metadata"] = Json::object();
    attr["metadata"]["observedAt"] = observed;
    out.body[name] = std::move(attr);
  }
  return out;
}

Json static_attributes_body(const DeviceConfig& device) {
  Json out = Json::object();
  for (const Json& item : device.static_attributes) {
    Json attr = {{"type", item.value("type", "Text")}, {"value", item.contains("value") ? item["value"] : Json()}};
    if (item.contains("metadata") && item["metadata"].is_object()) attr["metadata"] = item["metadata"];
    out[item.value("name", "")] = std::move(attr);
  }
  return out;
}

}  // namespace machi::iot
