// Broker URLs of --iot-mqtt. (The connection itself is tested against a
// real mosquitto in tests/api/iot.test.mjs.)
#include "iot/mqtt_client.h"

#include <gtest/gtest.h>

namespace machi::iot {
namespace {

TEST(BrokerUrl, HostAndPort) {
  auto plain = parse_broker_url("mqtt://localhost");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "localhost");
  EXPECT_EQ(plain->port, 1883);
  auto with_port = parse_broker_url("mqtt://127.0.0.1:1884/");
  ASSERT_TRUE(with_port);
  EXPECT_EQ(with_port->host, "127.0.0.1");
  EXPECT_EQ(with_port->port, 1884);
  for (const char* bad : {"", "mqtt://", "http://h:1883", "mqtt://h:0", "mqtt://h:70000", "mqtt://h:x", "mqtt://h/topic",
                          "mqtts://h:8883", "mqtt://:1883"}) {
    EXPECT_FALSE(parse_broker_url(bad)) << bad;
  }
}

}  // namespace
}  // namespace machi::iot
