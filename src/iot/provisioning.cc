#include "iot/provisioning.h"

#include <algorithm>
#include <set>

#include "ngsiv2/v2_entity.h"

namespace machi::iot {
namespace {

using Members = std::set<std::string, std::less<>>;

// Members the IoT Agent defines that machi stores and returns but does not
// act on (commands, lazy attributes and polling need a northbound
// connection to the device; expressions are not implemented).
const Members kKeptGroupMembers = {"cbroker", "trust", "description", "timezone", "timestamp", "lazy",
                                   "commands", "internal_attributes", "protocol", "transport",
                                   "expressionLanguage", "payloadType", "ngsiVersion",
                                   "defaultEntityNameConjunction", "useCBflowControl", "storeLastMeasure"};
const Members kKeptDeviceMembers = {"lazy", "commands", "internal_attributes", "protocol", "transport", "timezone",
                                    "timestamp", "endpoint", "polling", "ngsiVersion", "payloadType",
                                    "useCBflowControl", "storeLastMeasure"};

void check_members(const Json& item, const Members& used, const Members& kept, const char* what) {
  if (!item.is_object()) wrong_syntax(std::string(what) + " must be a JSON object");
  for (const auto& [key, value] : item.items()) {
    if (!used.contains(key) && !kept.contains(key)) {
      wrong_syntax(std::string("unknown member '") + key + "' in " + what);
    }
  }
}

std::string required_text(const Json& item, const char* name, const char* what) {
  auto it = item.find(name);
  if (it == item.end() || !it->is_string() || it->get<std::string>().empty()) {
    wrong_syntax(std::string(what) + " needs a non-empty string " + name);
  }
  return it->get<std::string>();
}

void check_identifier_member(const Json& item, const char* name) {
  auto it = item.find(name);
  if (it == item.end()) return;
  if (!it->is_string() || !ngsiv2::valid_identifier(it->get<std::string>())) {
    wrong_syntax(std::string(name) + " must be 1..256 printable characters without <>\"'=;() or spaces");
  }
}

// An apikey or device_id is one MQTT topic level.
void check_topic_level(const Json& item, const char* name) {
  check_identifier_member(item, name);
  auto it = item.find(name);
  if (it != item.end() && it->get<std::string>().find_first_of("/+#") != std::string::npos) {
    wrong_syntax(std::string(name) + " may not contain '/', '+' or '#' (it is an MQTT topic level)");
  }
}

void check_bool_member(const Json& item, const char* name) {
  auto it = item.find(name);
  if (it != item.end() && !it->is_boolean()) wrong_syntax(std::string(name) + " must be a boolean");
}

void check_metadata(const Json& attr) {
  auto it = attr.find("metadata");
  if (it == attr.end()) return;
  if (!it->is_object()) wrong_syntax("metadata must be a JSON object");
  for (const auto& [name, md] : it->items()) {
    if (!ngsiv2::valid_identifier(name) || !md.is_object()) wrong_syntax("metadata " + name + " must be an object");
  }
}

void check_attributes(const Json& item) {
  auto it = item.find("attributes");
  if (it == item.end()) return;
  if (!it->is_array()) wrong_syntax("attributes must be an array");
  static const Members kUsed = {"object_id", "name", "type", "metadata"};
  for (const Json& attr : *it) {
    if (attr.is_object() && (attr.contains("expression") || attr.contains("reverse") || attr.contains("entity_name"))) {
      wrong_syntax("attribute expressions and multi-entity mappings are not supported");
    }
    check_members(attr, kUsed, {}, "an attribute");
    required_text(attr, "name", "an attribute");
    check_identifier_member(attr, "name");
    required_text(attr, "type", "an attribute");
    check_identifier_member(attr, "type");
    if (attr.contains("object_id")) required_text(attr, "object_id", "an attribute's object_id");
    check_metadata(attr);
  }
}

void check_static_attributes(const Json& item) {
  auto it = item.find("static_attributes");
  if (it == item.end()) return;
  if (!it->is_array()) wrong_syntax("static_attributes must be an array");
  static const Members kUsed = {"name", "type", "value", "metadata"};
  for (const Json& attr : *it) {
    check_members(attr, kUsed, {}, "a static attribute");
    required_text(attr, "name", "a static attribute");
    check_identifier_member(attr, "name");
    required_text(attr, "type", "a static attribute");
    check_identifier_member(attr, "type");
    if (!attr.contains("value")) wrong_syntax("a static attribute needs a value");
    check_metadata(attr);
    std::string name = attr["name"];
    if (name == "id" || name == "type") wrong_syntax("a static attribute may not be named " + name);
  }
}

void check_resource(const Json& item) {
  std::string resource = required_text(item, "resource", "a service");
  bool printable = std::all_of(resource.begin(), resource.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  if (resource[0] != '/' || resource.size() > 256 || !printable) {
    wrong_syntax("resource must be a path starting with '/', without spaces or control characters");
  }
}

std::vector<AttributeMapping> mappings_of(const Json* doc) {
  std::vector<AttributeMapping> out;
  if (!doc || !doc->contains("attributes")) return out;
  for (const Json& attr : (*doc)["attributes"]) {
    out.push_back({attr.value("object_id", ""), attr.value("name", ""), attr.value("type", ""),
                   attr.contains("metadata") ? attr["metadata"] : Json()});
  }
  return out;
}

std::string text_of(const Json* doc, const char* name) {
  if (!doc) return "";
  auto it = doc->find(name);
  return it != doc->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

[[noreturn]] void wrong_syntax(const std::string& message) { throw ProvisioningError(400, "WRONG_SYNTAX", message); }

Json validate_group(const Json& item) {
  static const Members kUsed = {"apikey", "resource", "entity_type", "attributes", "static_attributes",
                                "explicitAttrs", "autoprovision"};
  check_members(item, kUsed, kKeptGroupMembers, "a service");
  required_text(item, "apikey", "a service");
  check_topic_level(item, "apikey");
  check_resource(item);
  check_identifier_member(item, "entity_type");
  check_attributes(item);
  check_static_attributes(item);
  check_bool_member(item, "explicitAttrs");
  check_bool_member(item, "autoprovision");
  return item;
}

Json update_group_doc(const Json& group, const Json& changes) {
  if (!changes.is_object()) wrong_syntax("the body must be a JSON object");
  Json out = group;
  for (const auto& [key, value] : changes.items()) {
    if ((key == "apikey" || key == "resource") && value != group[key]) {
      wrong_syntax(key + " identifies the service and cannot be changed");
    }
    out[key] = value;
  }
  return validate_group(out);
}

Json validate_device(const Json& item) {
  static const Members kUsed = {"device_id", "entity_name", "entity_type", "attributes", "static_attributes",
                                "explicitAttrs", "apikey"};
  check_members(item, kUsed, kKeptDeviceMembers, "a device");
  required_text(item, "device_id", "a device");
  check_topic_level(item, "device_id");
  check_topic_level(item, "apikey");
  check_identifier_member(item, "entity_name");
  check_identifier_member(item, "entity_type");
  check_attributes(item);
  check_static_attributes(item);
  check_bool_member(item, "explicitAttrs");
  return item;
}

Json update_device_doc(const Json& device, const Json& changes) {
  if (!changes.is_object()) wrong_syntax("the body must be a JSON object");
  Json out = device;
  for (const auto& [key, value] : changes.items()) {
    if (key == "device_id" && value != device["device_id"]) wrong_syntax("device_id cannot be changed");
    out[key] = value;
  }
  return validate_device(out);
}

std::string default_entity_name(const std::string& entity_type, const std::string& device_id) {
  return "urn:ngsi-ld:" + entity_type + ":" + device_id;
}

DeviceConfig device_config(const std::string& tenant, const std::string& service_path, const Json* group,
                           const Json* device, const std::string& device_id) {
  DeviceConfig out;
  out.tenant = tenant;
  out.service_path = service_path;
  out.device_id = device_id;
  out.apikey = text_of(device, "apikey");
  if (out.apikey.empty()) out.apikey = text_of(group, "apikey");
  std::string type = text_of(device, "entity_type");
  if (type.empty()) type = text_of(group, "entity_type");
  if (!type.empty()) out.entity_type = type;
  out.entity_name = text_of(device, "entity_name");
  // The device's mappings win over the group's for the same object_id.
  out.attributes = mappings_of(device);
  for (auto& mapping : mappings_of(group)) out.attributes.push_back(std::move(mapping));
  // Static attributes: the group's, then the device's (which replace a
  // group's of the same name).
  Json statics = Json::object();
  for (const Json* doc : {group, device}) {
    if (!doc || !doc->contains("static_attributes")) continue;
    for (const Json& attr : (*doc)["static_attributes"]) statics[attr["name"].get<std::string>()] = attr;
  }
  for (auto& [name, attr] : statics.items()) out.static_attributes.push_back(attr);
  for (const Json* doc : {group, device}) {
    if (doc && doc->contains("explicitAttrs")) out.explicit_attrs = (*doc)["explicitAttrs"].get<bool>();
  }
  return out;
}

}  // namespace machi::iot
