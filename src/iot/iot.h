// IoT ingestion in the manner of the FIWARE IoT Agent JSON: devices publish
// JSON measures to per-device MQTT topics, and machi turns each measure
// into an entity update (created on the first measure) with observedAt on
// every attribute, through the same write as the NGSIv2 API, so that
// history, the change feed and subscriptions follow (docs/iot.md).
//
// What this module offers:
//   - IotAgent: the provisioning registry, the ingestor (batched store
//     writes) and, given a broker URL, the MQTT southbound connection;
//   - register_iot_routes: the IoT Agent provisioning API (/iot/services,
//     /iot/devices) and its status (/iot/about).
#pragma once

#include <memory>
#include <string>

#include "core/json.h"
#include "http/router.h"
#include "ld/context.h"
#include "store/store.h"

namespace machi::iot {

class Registry;
class Ingestor;
class MqttClient;

struct IotOptions {
  std::string mqtt_url;         // "mqtt://host[:port]"; "" = no southbound (provisioning only)
  std::string client_id;        // MQTT client id of the persistent session; "" = "machi-iot"
  std::string ngsiv2_context;   // as `machi serve --ngsiv2-context`
  size_t max_batch = 4096;      // messages per store write
};

// Throws std::invalid_argument unless url is "mqtt://host[:port]" and
// machi has MQTT support.
void check_mqtt_url(const std::string& url);

class IotAgent {
 public:
  IotAgent(store::Store* store, ld::ContextResolver* contexts, IotOptions options);
  ~IotAgent();
  // Loads the provisioning and starts the ingestor and the MQTT connection.
  void start();
  // Stops taking messages, applies those received, and ends.
  void stop();

  Registry& registry();
  // GET /iot/about: the IoT Agent's fields, the connection, and the
  // counters of the tenant (with the totals for the default tenant).
  Json about(const std::string& tenant) const;

 private:
  IotOptions options_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<Ingestor> ingestor_;
  std::unique_ptr<MqttClient> mqtt_;
};

// The provisioning API and /iot/about. agent may be null when only the
// routes are listed (`machi routes`).
void register_iot_routes(http::Router& router, IotAgent* agent);

}  // namespace machi::iot
