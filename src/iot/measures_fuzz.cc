// libFuzzer target for the southbound parsers: any topic and payload a
// device can publish, through topic parsing, payload parsing and the
// mapping, and the mapped update rendered as JSON (which must never throw
// for what the parser accepted).
#include <cstddef>
#include <cstdint>
#include <string>

#include "iot/measures.h"

using namespace machi;
using namespace machi::iot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  // "topic\npayload": the first line is the topic.
  size_t newline = input.find('\n');
  std::string topic = newline == std::string::npos ? "/k/d/attrs" : input.substr(0, newline);
  std::string payload = newline == std::string::npos ? input : input.substr(newline + 1);
  auto parsed_topic = parse_topic(topic);
  std::string object_id = parsed_topic ? parsed_topic->object_id : "";
  ParsedPayload parsed = parse_payload(payload, object_id);
  if (!parsed.error.empty()) return 0;
  DeviceConfig device;
  device.device_id = parsed_topic ? parsed_topic->device_id : "d";
  device.entity_type = "Thing";
  device.attributes = {{"t", "temperature", "Number", Json()}, {"", "TimeInstant", "DateTime", Json()}};
  for (const Json& measure : parsed.measures) {
    MappedMeasure mapped = map_measure(device, measure, 1767225600000);
    if (mapped.error.empty()) (void)mapped.body.dump();
    device.explicit_attrs = !device.explicit_attrs;
  }
  return 0;
}
