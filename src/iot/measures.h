// The southbound data path of the IoT Agent JSON protocol, as pure
// functions: MQTT topic -> (apikey, device, object_id), payload -> measures,
// and a measure + the device's provisioning -> the NGSIv2 entity update
// that an IoT Agent would send to Orion (POST /v2/op/update, append).
// Nothing here touches the network or the store, so that the fuzz target
// and the unit tests exercise exactly what the ingestor runs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/time.h"

namespace machi::iot {

// "/<apikey>/<device_id>/attrs", "/json/<apikey>/<device_id>/attrs" and the
// single-measure forms ".../attrs/<object_id>".
struct Topic {
  std::string apikey;
  std::string device_id;
  std::string object_id;  // "" = a multi-measure payload
};
std::optional<Topic> parse_topic(std::string_view topic);

// The MQTT subscriptions that cover every topic parse_topic accepts.
const std::vector<std::string>& subscription_filters();

struct PayloadLimits {
  size_t max_bytes = 1 << 20;   // a message larger than this is refused unread
  size_t max_measures = 1000;   // objects in an array payload
  size_t max_attributes = 256;  // members of one measure
  int max_depth = 16;           // nesting of a value (objects and arrays)
};

// A payload's measures: each an object of object_id -> value. A
// multi-measure payload is an object or a non-empty array of objects; a
// single-measure payload is the value itself (JSON, else its UTF-8 text).
struct ParsedPayload {
  std::vector<Json> measures;
  std::string error;  // non-empty: the payload is refused, measures is empty
};
ParsedPayload parse_payload(std::string_view payload, const std::string& object_id,
                            const PayloadLimits& limits = {});

// An "attributes" item of the provisioning: measure object_id -> attribute.
struct AttributeMapping {
  std::string object_id;  // "" = same as name
  std::string name;
  std::string type;       // NGSIv2 attribute type; "" = inferred from the value
  Json metadata;          // NGSIv2 metadata object or null
};

// A device's provisioning merged with its service group's, as applied to
// each measure.
struct DeviceConfig {
  std::string tenant;
  std::string service_path = "/";
  std::string apikey;
  std::string device_id;
  std::string entity_name;   // "" = urn:ngsi-ld:<entity_type>:<device_id>
  std::string entity_type = "Thing";
  std::vector<AttributeMapping> attributes;
  Json static_attributes = Json::array();  // [{name, type, value, metadata?}]
  bool explicit_attrs = false;  // only provisioned attributes are kept
};

std::string entity_id_of(const DeviceConfig& device);

// One measure as an NGSIv2 entity body: {"id", "type", <name>: {"type",
// "value", "metadata": {"observedAt": ...}}}. observedAt is the measure's
// TimeInstant (after mapping) when it is a date-time, else `received`.
// Static attributes are not included (see static_attributes_body).
struct MappedMeasure {
  Json body;
  TimeMs observed_at = 0;
  std::string error;  // non-empty: nothing to write (see measures.cc)
};
MappedMeasure map_measure(const DeviceConfig& device, const Json& measure, TimeMs received);

// The device's static attributes as an NGSIv2 attributes object.
Json static_attributes_body(const DeviceConfig& device);

}  // namespace machi::iot
