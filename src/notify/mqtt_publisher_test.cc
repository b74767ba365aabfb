#include "notify/mqtt_publisher.h"

#include <gtest/gtest.h>

namespace machi::notify {
namespace {

TEST(MqttUrl, HostPortAndTopic) {
  auto u = parse_mqtt_url("mqtt://broker.local:1884/city/rooms");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "broker.local");
  EXPECT_EQ(u->port, 1884);
  EXPECT_EQ(u->topic, "city/rooms");
  auto d = parse_mqtt_url("mqtt://127.0.0.1/t");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, 1883);
}

TEST(MqttUrl, RejectsWhatCannotBePublishedTo) {
  for (const char* bad : {"http://a/t", "mqtt://a", "mqtt://a/", "mqtt://:1883/t", "mqtt://a:x/t", "mqtt://a:70000/t",
                          "mqtt://a/t/#", "mqtt://a/+/t"}) {
    EXPECT_FALSE(parse_mqtt_url(bad)) << bad;
  }
}

}  // namespace
}  // namespace machi::notify
