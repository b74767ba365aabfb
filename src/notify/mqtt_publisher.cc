#include "notify/mqtt_publisher.h"

#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <cstdio>
#include <set>

#ifdef MACHI_MQTT
#include <mosquitto.h>
#endif

namespace machi::notify {

std::optional<MqttUrl> parse_mqtt_url(const std::string& url) {
  const std::string scheme = "mqtt://";
  if (url.compare(0, scheme.size(), scheme) != 0) return std::nullopt;
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string::npos || slash + 1 >= rest.size()) return std::nullopt;
  MqttUrl out;
  std::string authority = rest.substr(0, slash);
  out.topic = rest.substr(slash + 1);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos) {
    try {
      out.port = std::stoi(authority.substr(colon + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    authority = authority.substr(0, colon);
  }
  if (authority.empty() || out.port <= 0 || out.port > 65535) return std::nullopt;
  if (out.topic.find_first_of("#+") != std::string::npos) return std::nullopt;
  out.host = authority;
  return out;
}

#ifdef MACHI_MQTT

struct MqttPublisher::Connection {
  mosquitto* client = nullptr;
  std::mutex mutex;
  std::condition_variable cv;
  bool connected = false;
  bool failed = false;
  std::set<int> acknowledged;  // message ids the broker acknowledged

  ~Connection() {
    if (client) {
      mosquitto_disconnect(client);
      mosquitto_loop_stop(client, true);
      mosquitto_destroy(client);
    }
  }
};

namespace {
std::once_flag g_init;
}

MqttPublisher::MqttPublisher() { std::call_once(g_init, [] { mosquitto_lib_init(); }); }
MqttPublisher::~MqttPublisher() {
  std::lock_guard lock(mutex_);
  connections_.clear();
}
bool MqttPublisher::available() { return true; }

namespace {

// The address to connect to: the host itself without a policy, else the
// first address it resolves to that the policy allows ("" = none).
std::string broker_address(const MqttUrl& url, const http::AddressPolicy* policy) {
  if (!policy) return url.host;
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) return "";
  for (const auto& entry : endpoints) {
    if (policy->allows(entry.endpoint().address())) return entry.endpoint().address().to_string();
  }
  if (endpoints.begin() != endpoints.end()) {
    std::fprintf(stderr, "machi: not publishing to %s: %s\n", url.host.c_str(),
                 http::AddressPolicy::refusal(endpoints.begin()->endpoint().address()).c_str());
  }
  return "";
}

}  // namespace

std::shared_ptr<MqttPublisher::Connection> MqttPublisher::connection(const MqttUrl& url,
                                                                     std::chrono::milliseconds timeout,
                                                                     const http::AddressPolicy* policy) {
  std::string key = url.host + ":" + std::to_string(url.port);
  std::lock_guard lock(mutex_);
  if (auto it = connections_.find(key); it != connections_.end()) {
    std::lock_guard c(it->second->mutex);
    if (!it->second->failed) return it->second;
    connections_.erase(it);
  }
  std::string address = broker_address(url, policy);
  if (address.empty()) return nullptr;
  auto conn = std::make_shared<Connection>();
  conn->client = mosquitto_new(nullptr, true, conn.get());
  if (!conn->client) return nullptr;
  mosquitto_int_option(conn->client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set(conn->client, [](mosquitto*, void* self, int rc) {
    auto* c = static_cast<Connection*>(self);
    std::lock_guard l(c->mutex);
    if (rc == 0) c->connected = true; else c->failed = true;
    c->cv.notify_all();
  });
  mosquitto_disconnect_callback_set(conn->client, [](mosquitto*, void* self, int) {
    auto* c = static_cast<Connection*>(self);
    std::lock_guard l(c->mutex);
    c->failed = true;  // a new connection is made for the next message
    c->cv.notify_all();
  });
  mosquitto_publish_callback_set(conn->client, [](mosquitto*, void* self, int mid) {
    auto* c = static_cast<Connection*>(self);
    std::lock_guard l(c->mutex);
    c->acknowledged.insert(mid);
    c->cv.notify_all();
  });
  if (mosquitto_connect_async(conn->client, address.c_str(), url.port, 30) != MOSQ_ERR_SUCCESS) return nullptr;
  if (mosquitto_loop_start(conn->client) != MOSQ_ERR_SUCCESS) return nullptr;
  {
    std::unique_lock l(conn->mutex);
    if (!conn->cv.wait_for(l, timeout, [&] { return conn->connected || conn->failed; }) || conn->failed) {
      return nullptr;
    }
  }
  connections_[key] = conn;
  return conn;
}

bool MqttPublisher::publish(const std::string& url, const std::string& payload, int qos,
                            std::chrono::milliseconds timeout, const http::AddressPolicy* policy) {
  auto parsed = parse_mqtt_url(url);
  if (!parsed) return false;
  auto conn = connection(*parsed, timeout, policy);
  if (!conn) return false;
  int mid = 0;
  // The acknowledgement may come before the wait below: it is kept in
  // acknowledged until then.
  int rc = mosquitto_publish(conn->client, &mid, parsed->topic.c_str(), static_cast<int>(payload.size()),
                             payload.data(), qos, false);
  std::unique_lock l(conn->mutex);
  if (rc != MOSQ_ERR_SUCCESS) {
    conn->failed = true;
    return false;
  }
  bool ok = conn->cv.wait_for(l, timeout, [&] { return conn->acknowledged.count(mid) > 0 || conn->failed; }) &&
            conn->acknowledged.count(mid) > 0;
  conn->acknowledged.erase(mid);
  if (!ok) conn->failed = true;
  return ok;
}

#else

struct MqttPublisher::Connection {};
MqttPublisher::MqttPublisher() = default;
MqttPublisher::~MqttPublisher() = default;
bool MqttPublisher::available() { return false; }
std::shared_ptr<MqttPublisher::Connection> MqttPublisher::connection(const MqttUrl&, std::chrono::milliseconds,
                                                                     const http::AddressPolicy*) {
  return nullptr;
}
bool MqttPublisher::publish(const std::string&, const std::string&, int, std::chrono::milliseconds,
                            const http::AddressPolicy*) {
  return false;
}

#endif

}  // namespace machi::notify
