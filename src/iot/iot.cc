#include "iot/iot.h"

#include <stdexcept>

#include "core/version.h"
#include "iot/ingest.h"
#include "iot/mqtt_client.h"
#include "iot/registry.h"

namespace machi::iot {

void check_mqtt_url(const std::string& url) {
  if (!parse_broker_url(url)) throw std::invalid_argument("--iot-mqtt must be mqtt://host[:port], not " + url);
  if (!MqttClient::available()) throw std::invalid_argument("--iot-mqtt: machi was built without libmosquitto");
}

IotAgent::IotAgent(store::Store* store, ld::ContextResolver* contexts, IotOptions options)
    : options_(std::move(options)), registry_(std::make_unique<Registry>(store)) {
  IngestOptions ingest;
  ingest.ngsiv2_context = options_.ngsiv2_context;
  ingest.max_batch = options_.max_batch;
  ingestor_ = std::make_unique<Ingestor>(store, contexts, registry_.get(), ingest);
  if (!options_.mqtt_url.empty()) {
    auto broker = parse_broker_url(options_.mqtt_url);
    if (!broker) throw std::invalid_argument("bad MQTT broker URL " + options_.mqtt_url);
    Ingestor* ingestor = ingestor_.get();
    mqtt_ = std::make_unique<MqttClient>(*broker, options_.client_id.empty() ? "machi-iot" : options_.client_id,
                                         subscription_filters(), [ingestor](std::string topic, std::string payload) {
                                           ingestor->submit({std::move(topic), std::move(payload), now_ms()});
                                         });
  }
}

IotAgent::~IotAgent() { stop(); }

void IotAgent::start() {
  registry_->load();
  ingestor_->start();
  if (mqtt_) mqtt_->start();
}

void IotAgent::stop() {
  // The connection first: a message callback waiting for room in the
  // queue is let go by the ingestor, which then applies what is queued.
  if (mqtt_) mqtt_->stop();
  ingestor_->stop();
}

Registry& IotAgent::registry() { return *registry_; }

Json IotAgent::about(const std::string& tenant) const {
  Json out = {{"libVersion", "machi"}, {"version", kVersion}, {"port", nullptr}, {"baseRoot", "/"}};
  Json southbound = {{"transport", "MQTT"}, {"broker", options_.mqtt_url.empty() ? Json() : Json(options_.mqtt_url)}};
  southbound["connected"] = mqtt_ ? mqtt_->connected() : false;
  southbound["connections"] = mqtt_ ? mqtt_->connections() : 0;
  southbound["batches"] = ingestor_->batches();
  out["southbound"] = std::move(southbound);
  out["service"] = ingestor_->tenant_counters(tenant).to_json();
  // Messages no tenant can be charged with (and the totals) are the
  // operator's: shown to the default tenant only.
  if (tenant.empty()) out["all"] = ingestor_->total_counters().to_json();
  return out;
}

}  // namespace machi::iot
