// Validation of service groups and devices, and how they merge.
#include "iot/provisioning.h"

#include <gtest/gtest.h>

namespace machi::iot {
namespace {

int status_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const ProvisioningError& e) {
    return e.status;
  }
  return 0;
}

TEST(Provisioning, AServiceGroupAsTheIotAgentTakesIt) {
  Json group = Json::parse(R"({"apikey": "k1", "resource": "/iot/json", "entity_type": "WeatherObserved",
    "cbroker": "http://orion:1026", "timezone": "Asia/Tokyo", "lazy": [], "commands": [],
    "attributes": [{"object_id": "t", "name": "temperature", "type": "Number"}],
    "static_attributes": [{"name": "district", "type": "Text", "value": "Noda"}]})");
  EXPECT_EQ(validate_group(group), group);
}

TEST(Provisioning, BadGroupsAreWrongSyntax) {
  for (const char* text : {R"({"resource": "/iot/json"})", R"({"apikey": "k1"})", R"({"apikey": "k/1", "resource": "/r"})",
                           R"({"apikey": "k+", "resource": "/r"})", R"({"apikey": "k1", "resource": "r"})",
                           R"({"apikey": "k1", "resource": "/r", "unknown": 1})",
                           R"({"apikey": "k1", "resource": "/r", "attributes": {}})",
                           R"({"apikey": "k1", "resource": "/r", "attributes": [{"name": "t"}]})",
                           R"({"apikey": "k1", "resource": "/r", "attributes": [{"name": "t", "type": "N", "expression": "x*2"}]})",
                           R"({"apikey": "k1", "resource": "/r", "static_attributes": [{"name": "a", "type": "Text"}]})",
                           R"({"apikey": "k1", "resource": "/r", "static_attributes": [{"name": "id", "type": "Text", "value": 1}]})",
                           R"({"apikey": "k1", "resource": "/r", "explicitAttrs": "yes"})",
                           R"({"apikey": "k1", "resource": "/r", "entity_type": "a b"})", R"([])"}) {
    EXPECT_EQ(status_of([&] { validate_group(Json::parse(text)); }), 400) << text;
  }
}

TEST(Provisioning, BadDevicesAreWrongSyntax) {
  for (const char* text : {R"({})", R"({"device_id": ""})", R"({"device_id": "a/b"})", R"({"device_id": "d", "entity_name": "x;y"})",
                           R"({"device_id": "d", "apikey": "#"})", R"({"device_id": 5})"}) {
    EXPECT_EQ(status_of([&] { validate_device(Json::parse(text)); }), 400) << text;
  }
  EXPECT_EQ(status_of([&] { validate_device(Json::parse(R"({"device_id": "d", "protocol": "IoTA-JSON", "transport": "MQTT"})")); }), 0);
}

TEST(Provisioning, UpdatesKeepTheIdentity) {
  Json group = Json::parse(R"({"apikey": "k1", "resource": "/iot/json"})");
  Json updated = update_group_doc(group, Json::parse(R"({"entity_type": "Room", "resource": "/iot/json"})"));
  EXPECT_EQ(updated["entity_type"], "Room");
  EXPECT_EQ(status_of([&] { update_group_doc(group, Json::parse(R"({"apikey": "k2"})")); }), 400);
  Json device = Json::parse(R"({"device_id": "d1"})");
  EXPECT_EQ(status_of([&] { update_device_doc(device, Json::parse(R"({"device_id": "d2"})")); }), 400);
  EXPECT_EQ(update_device_doc(device, Json::parse(R"({"entity_name": "Room1"})"))["entity_name"], "Room1");
}

TEST(Provisioning, TheDeviceWinsOverItsGroup) {
  Json group = Json::parse(R"({"apikey": "k1", "resource": "/iot/json", "entity_type": "Sensor", "explicitAttrs": true,
    "attributes": [{"object_id": "t", "name": "temperature", "type": "Number"}, {"object_id": "h", "name": "humidity", "type": "Number"}],
    "static_attributes": [{"name": "district", "type": "Text", "value": "Noda"}, {"name": "owner", "type": "Text", "value": "city"}]})");
  Json device = Json::parse(R"({"device_id": "d1", "entity_name": "Room1", "entity_type": "Room", "explicitAttrs": false,
    "attributes": [{"object_id": "t", "name": "airTemperature", "type": "Float"}],
    "static_attributes": [{"name": "owner", "type": "Text", "value": "school"}]})");
  DeviceConfig config = device_config("city_a", "/noda", &group, &device, "d1");
  EXPECT_EQ(config.tenant, "city_a");
  EXPECT_EQ(config.service_path, "/noda");
  EXPECT_EQ(config.apikey, "k1");
  EXPECT_EQ(config.entity_name, "Room1");
  EXPECT_EQ(config.entity_type, "Room");
  EXPECT_FALSE(config.explicit_attrs);
  ASSERT_EQ(config.attributes.size(), 3u);
  EXPECT_EQ(config.attributes[0].name, "airTemperature");  // the device's mapping of t comes first
  ASSERT_EQ(config.static_attributes.size(), 2u);
  EXPECT_EQ(config.static_attributes[1]["value"], "school");
  // an autoprovisioned device: the group's alone
  DeviceConfig bare = device_config("city_a", "/noda", &group, nullptr, "d9");
  EXPECT_EQ(bare.entity_type, "Sensor");
  EXPECT_EQ(entity_id_of(bare), "urn:ngsi-ld:Sensor:d9");
  EXPECT_TRUE(bare.explicit_attrs);
}

}  // namespace
}  // namespace machi::iot
