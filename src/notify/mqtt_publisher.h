// MQTT notifications (NGSI-LD clause 7.x MQTT binding): publishes to
// mqtt://host[:port]/topic through libmosquitto, one kept connection per
// broker, and waits for the broker's acknowledgement (QoS 1: PUBACK; QoS 2:
// PUBCOMP) so that the outbox entry is erased only once the broker has it.
// Built only when libmosquitto is present (MACHI_MQTT); otherwise
// available() is false and mqtt:// endpoints are refused.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/address_policy.h"

namespace machi::notify {

struct MqttUrl {
  std::string host;
  int port = 1883;
  std::string topic;
};
// nullopt unless "mqtt://host[:port]/topic" with a non-empty topic.
std::optional<MqttUrl> parse_mqtt_url(const std::string& url);

class MqttPublisher {
 public:
  MqttPublisher();
  ~MqttPublisher();
  static bool available();
  // True once the broker acknowledged the message (for QoS 0: once it was
  // written), false on any failure or after the timeout.
  // With a policy, the broker's host must resolve to an address it allows.
  bool publish(const std::string& url, const std::string& payload, int qos, std::chrono::milliseconds timeout,
               const http::AddressPolicy* policy = nullptr);

 private:
  struct Connection;
  std::shared_ptr<Connection> connection(const MqttUrl& url, std::chrono::milliseconds timeout,
                                         const http::AddressPolicy* policy);
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Connection>> connections_;
};

}  // namespace machi::notify
