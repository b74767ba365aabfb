// The southbound MQTT connection (libmosquitto): subscribes to the IoT
// Agent JSON topics with QoS 1 and hands every message to a callback.
// One thread runs the client loop; when the broker goes away it reconnects
// with a backoff (0.1 s doubling up to 5 s) and subscribes again. The
// session is persistent (clean session off, a fixed client id), so that
// QoS 1 messages published while machi was disconnected are delivered
// when it is back, as far as the broker keeps them.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace machi::iot {

struct BrokerAddress {
  std::string host;
  int port = 1883;
};
// "mqtt://host[:port]" (a trailing "/" allowed); nullopt otherwise.
std::optional<BrokerAddress> parse_broker_url(const std::string& url);

class MqttClient {
 public:
  using OnMessage = std::function<void(std::string topic, std::string payload)>;
  MqttClient(BrokerAddress broker, std::string client_id, std::vector<std::string> filters, OnMessage on_message);
  ~MqttClient();
  // False when machi was built without libmosquitto.
  static bool available();
  void start();
  void stop();
  bool connected() const { return connected_; }
  uint64_t connections() const { return connections_; }

 private:
  void run();
  void on_connect(int rc);
  void on_disconnect(int rc);

  BrokerAddress broker_;
  std::string client_id_;
  std::vector<std::string> filters_;
  OnMessage on_message_;
  void* client_ = nullptr;  // mosquitto*
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> connections_{0};
  std::atomic<int> backoff_ms_{100};
  std::thread thread_;
};

}  // namespace machi::iot
