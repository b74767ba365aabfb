// Topics, payloads and the mapping of a measure to an NGSIv2 entity update.
#include "iot/measures.h"

#include <gtest/gtest.h>

namespace machi::iot {
namespace {

constexpr TimeMs kReceived = 1767225600000;  // 2026-01-01T00:00:00Z

DeviceConfig sensor() {
  DeviceConfig device;
  device.tenant = "city_a";
  device.apikey = "k1";
  device.device_id = "sensor01";
  device.entity_type = "WeatherObserved";
  device.attributes = {{"t", "temperature", "Number", Json()}, {"h", "relativeHumidity", "Float", Json()},
                       {"", "status", "Text", Json()}};
  device.static_attributes = Json::array({{{"name", "location"}, {"type", "geo:point"}, {"value", "35.68, 139.76"}}});
  return device;
}

TEST(Topic, TheIotAgentJsonForms) {
  auto multi = parse_topic("/k1/sensor01/attrs");
  ASSERT_TRUE(multi);
  EXPECT_EQ(multi->apikey, "k1");
  EXPECT_EQ(multi->device_id, "sensor01");
  EXPECT_EQ(multi->object_id, "");
  auto json = parse_topic("/json/k1/sensor01/attrs");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->apikey, "k1");
  EXPECT_EQ(json->object_id, "");
  auto single = parse_topic("/k1/sensor01/attrs/t");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->object_id, "t");
  auto json_single = parse_topic("/json/k1/sensor01/attrs/t");
  ASSERT_TRUE(json_single);
  EXPECT_EQ(json_single->device_id, "sensor01");
  EXPECT_EQ(json_single->object_id, "t");
}

TEST(Topic, OthersAreRefused) {
  for (const char* topic : {"", "/", "k1/sensor01/attrs", "/k1/sensor01", "/k1/sensor01/cmd", "//sensor01/attrs",
                            "/k1//attrs", "/k1/sensor01/attrs/", "/k1/sensor01/attrs/t/x", "/json/k1/s/attrs/t/x",
                            "/k1/sensor01/configuration/commands"}) {
    EXPECT_FALSE(parse_topic(topic)) << topic;
  }
}

TEST(Payload, AnObjectIsOneMeasureAndAnArraySeveral) {
  auto one = parse_payload(R"({"t": 21.5, "h": 40})", "");
  ASSERT_EQ(one.error, "");
  ASSERT_EQ(one.measures.size(), 1u);
  EXPECT_EQ(one.measures[0]["t"], 21.5);
  auto many = parse_payload(R"([{"t": 21.5}, {"t": 22}])", "");
  ASSERT_EQ(many.error, "");
  ASSERT_EQ(many.measures.size(), 2u);
  EXPECT_EQ(many.measures[1]["t"], 22);
}

TEST(Payload, ASingleMeasureIsTheValueOrItsText) {
  auto number = parse_payload("23.5", "t");
  ASSERT_EQ(number.error, "");
  EXPECT_EQ(number.measures[0]["t"], 23.5);
  auto text = parse_payload("open", "status");
  ASSERT_EQ(text.error, "");
  EXPECT_EQ(text.measures[0]["status"], "open");
  auto object = parse_payload(R"({"a": 1})", "pos");
  EXPECT_EQ(object.measures[0]["pos"]["a"], 1);
}

TEST(Payload, BadPayloadsAreRefusedWithAReason) {
  for (const char* payload : {"", "not json", "42", "\"text\"", "[]", "[1, 2]", "{}", "[{\"t\": 1}, 3]", "null",
                              "{\"\": 1}"}) {
    auto parsed = parse_payload(payload, "");
    EXPECT_NE(parsed.error, "") << payload;
    EXPECT_TRUE(parsed.measures.empty()) << payload;
  }
  EXPECT_NE(parse_payload("\xff\xfe", "t").error, "");          // neither JSON nor UTF-8
  EXPECT_NE(parse_payload("\xc0\xaf", "t").error, "");          // an overlong encoding
  EXPECT_EQ(parse_payload("\xe6\xb8\xa9\xe5\xba\xa6", "t").error, "");  // 温度
  PayloadLimits small;
  small.max_bytes = 10;
  EXPECT_NE(parse_payload(R"({"t": 21.5, "h": 40})", "", small).error, "");
  std::string deep = std::string(40, '[') + std::string(40, ']');
  EXPECT_NE(parse_payload("{\"t\": " + deep + "}", "").error, "");
  small = {};
  small.max_measures = 2;
  EXPECT_NE(parse_payload(R"([{"t":1},{"t":2},{"t":3}])", "", small).error, "");
}

TEST(Mapping, ObjectIdsBecomeProvisionedNamesAndTypes) {
  auto mapped = map_measure(sensor(), Json::parse(R"({"t": 21.5, "h": 0.4, "status": "ok"})"), kReceived);
  ASSERT_EQ(mapped.error, "");
  const Json& body = mapped.body;
  EXPECT_EQ(body["id"], "urn:ngsi-ld:WeatherObserved:sensor01");
  EXPECT_EQ(body["type"], "WeatherObserved");
  EXPECT_EQ(body["temperature"]["type"], "Number");
  EXPECT_EQ(body["temperature"]["value"], 21.5);
  EXPECT_EQ(body["relativeHumidity"]["type"], "Float");
  EXPECT_EQ(body["status"]["value"], "ok");  // mapped by name (no object_id)
  EXPECT_FALSE(body.contains("t"));
  EXPECT_EQ(body["temperature"]["metadata"]["observedAt"]["value"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(mapped.observed_at, kReceived);
}

TEST(Mapping, UnmappedObjectIdsKeepTheirNameUnlessExplicitAttrs) {
  DeviceConfig device = sensor();
  auto mapped = map_measure(device, Json::parse(R"({"t": 1, "battery": 87, "note": "x", "on": true, "pos": {"a": 1}})"),
                            kReceived);
  ASSERT_EQ(mapped.error, "");
  EXPECT_EQ(mapped.body["battery"]["type"], "Number");
  EXPECT_EQ(mapped.body["note"]["type"], "Text");
  EXPECT_EQ(mapped.body["on"]["type"], "Boolean");
  EXPECT_EQ(mapped.body["pos"]["type"], "StructuredValue");
  device.explicit_attrs = true;
  mapped = map_measure(device, Json::parse(R"({"t": 1, "battery": 87})"), kReceived);
  ASSERT_EQ(mapped.error, "");
  EXPECT_TRUE(mapped.body.contains("temperature"));
  EXPECT_FALSE(mapped.body.contains("battery"));
  mapped = map_measure(device, Json::parse(R"({"battery": 87})"), kReceived);
  EXPECT_NE(mapped.error, "");  // nothing provisioned in it: nothing to write
}

TEST(Mapping, TimeInstantGivesObservedAt) {
  auto mapped = map_measure(sensor(), Json::parse(R"({"t": 20, "TimeInstant": "2026-03-04T05:06:07+09:00"})"), kReceived);
  ASSERT_EQ(mapped.error, "");
  EXPECT_EQ(mapped.body["temperature"]["metadata"]["observedAt"]["value"], "2026-03-03T20:06:07.000Z");
  EXPECT_EQ(mapped.body["TimeInstant"]["type"], "DateTime");
  EXPECT_EQ(mapped.observed_at, *parse_datetime("2026-03-03T20:06:07Z"));
  // a device attribute mapped to TimeInstant (the device's timestamp)
  DeviceConfig device = sensor();
  device.attributes.push_back({"ts", "TimeInstant", "DateTime", Json()});
  mapped = map_measure(device, Json::parse(R"({"t": 20, "ts": "2026-03-04T00:00:00Z"})"), kReceived);
  EXPECT_EQ(mapped.body["temperature"]["metadata"]["observedAt"]["value"], "2026-03-04T00:00:00.000Z");
  // under explicitAttrs an unprovisioned TimeInstant still dates the measure
  device = sensor();
  device.explicit_attrs = true;
  mapped = map_measure(device, Json::parse(R"({"t": 20, "TimeInstant": "2026-03-04T00:00:00Z"})"), kReceived);
  EXPECT_FALSE(mapped.body.contains("TimeInstant"));
  EXPECT_EQ(mapped.body["temperature"]["metadata"]["observedAt"]["value"], "2026-03-04T00:00:00.000Z");
  // not a date-time: the receive time
  mapped = map_measure(sensor(), Json::parse(R"({"t": 20, "TimeInstant": "yesterday"})"), kReceived);
  EXPECT_EQ(mapped.observed_at, kReceived);
}

TEST(Mapping, EntityNameAndReservedNames) {
  DeviceConfig device = sensor();
  device.entity_name = "Room1";
  EXPECT_EQ(map_measure(device, Json::parse(R"({"t": 1})"), kReceived).body["id"], "Room1");
  EXPECT_NE(map_measure(device, Json::parse(R"({"id": "other"})"), kReceived).error, "");
  EXPECT_NE(map_measure(device, Json::parse(R"({"type": "Car"})"), kReceived).error, "");
}

TEST(Mapping, StaticAttributes) {
  Json statics = static_attributes_body(sensor());
  EXPECT_EQ(statics["location"]["type"], "geo:point");
  EXPECT_EQ(statics["location"]["value"], "35.68, 139.76");
}

}  // namespace
}  // namespace machi::iot
