#include "iot/mqtt_client.h"

#include <chrono>
#include <cstdio>
#include <mutex>

#ifdef MACHI_MQTT
#include <mosquitto.h>
#endif

namespace machi::iot {

std::optional<BrokerAddress> parse_broker_url(const std::string& url) {
  const std::string scheme = "mqtt://";
  if (url.compare(0, scheme.size(), scheme) != 0) return std::nullopt;
  std::string authority = url.substr(scheme.size());
  if (!authority.empty() && authority.back() == '/') authority.pop_back();
  if (authority.find('/') != std::string::npos) return std::nullopt;
  BrokerAddress out;
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos) {
    std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    out.port = std::stoi(port);
    authority.resize(colon);
  }
  if (authority.empty() || out.port <= 0 || out.port > 65535) return std::nullopt;
  out.host = authority;
  return out;
}

MqttClient::MqttClient(BrokerAddress broker, std::string client_id, std::vector<std::string> filters,
                       OnMessage on_message)
    : broker_(std::move(broker)),
      client_id_(std::move(client_id)),
      filters_(std::move(filters)),
      on_message_(std::move(on_message)) {}

MqttClient::~MqttClient() { stop(); }

#ifdef MACHI_MQTT

namespace {
std::once_flag g_init;
}

bool MqttClient::available() { return true; }

void MqttClient::start() {
  std::call_once(g_init, [] { mosquitto_lib_init(); });
  auto* client = mosquitto_new(client_id_.c_str(), /*clean_session=*/false, this);
  if (!client) throw std::runtime_error("mosquitto_new failed");
  client_ = client;
  mosquitto_int_option(client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set(client, [](mosquitto*, void* self, int rc) { static_cast<MqttClient*>(self)->on_connect(rc); });
  mosquitto_disconnect_callback_set(client,
                                    [](mosquitto*, void* self, int rc) { static_cast<MqttClient*>(self)->on_disconnect(rc); });
  mosquitto_message_callback_set(client, [](mosquitto*, void* self, const mosquitto_message* message) {
    auto* me = static_cast<MqttClient*>(self);
    std::string payload(static_cast<const char*>(message->payload), static_cast<size_t>(message->payloadlen));
    me->on_message_(message->topic ? message->topic : "", std::move(payload));
  });
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void MqttClient::on_connect(int rc) {
  if (rc != 0) {
    std::fprintf(stderr, "machi iot: the MQTT broker %s:%d refused the connection (%s)\n", broker_.host.c_str(),
                 broker_.port, mosquitto_connack_string(rc));
    return;
  }
  auto* client = static_cast<mosquitto*>(client_);
  for (const std::string& filter : filters_) mosquitto_subscribe(client, nullptr, filter.c_str(), 1);
  connected_ = true;
  backoff_ms_ = 100;
  ++connections_;
  std::fprintf(stderr, "machi iot: connected to mqtt://%s:%d, subscribed to the IoT Agent JSON topics\n",
               broker_.host.c_str(), broker_.port);
}

void MqttClient::on_disconnect(int rc) {
  bool was = connected_.exchange(false);
  if (was && !stopping_) {
    std::fprintf(stderr, "machi iot: lost the MQTT broker %s:%d (%s); reconnecting\n", broker_.host.c_str(),
                 broker_.port, mosquitto_strerror(rc));
  }
}

void MqttClient::run() {
  auto* client = static_cast<mosquitto*>(client_);
  bool attempted = false;
  bool logged_failure = false;
  while (!stopping_) {
    int rc = attempted ? mosquitto_reconnect(client) : mosquitto_connect(client, broker_.host.c_str(), broker_.port, 30);
    attempted = true;
    if (rc == MOSQ_ERR_SUCCESS) {
      logged_failure = false;
      while (!stopping_ && (rc = mosquitto_loop(client, 200, 1)) == MOSQ_ERR_SUCCESS) {
      }
      connected_ = false;
      if (stopping_) break;
    } else if (!logged_failure) {
      std::fprintf(stderr, "machi iot: cannot reach the MQTT broker %s:%d (%s); retrying\n", broker_.host.c_str(),
                   broker_.port, rc == MOSQ_ERR_ERRNO ? "connection failed" : mosquitto_strerror(rc));
      logged_failure = true;
    }
    // Back off before the next attempt, waking early to stop.
    int wait = backoff_ms_;
    backoff_ms_ = std::min(wait * 2, 5000);
    for (int waited = 0; waited < wait && !stopping_; waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

void MqttClient::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (client_) {
    auto* client = static_cast<mosquitto*>(client_);
    mosquitto_disconnect(client);
    mosquitto_destroy(client);
    client_ = nullptr;
  }
  connected_ = false;
}

#else

bool MqttClient::available() { return false; }
void MqttClient::start() { throw std::runtime_error("machi was built without libmosquitto: no MQTT ingestion"); }
void MqttClient::stop() {}
void MqttClient::run() {}
void MqttClient::on_connect(int) {}
void MqttClient::on_disconnect(int) {}

#endif

}  // namespace machi::iot
