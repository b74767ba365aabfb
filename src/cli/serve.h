// `machi serve`: assembles the store, the context resolver, the routes and
// the HTTP server, and runs until SIGTERM or SIGINT.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "notify/notifier.h"
#include "store/store.h"
#include "trust/trust.h"

namespace machi::cli {

struct ServeOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::string data_dir = "data";
  store::Durability durability = store::Durability::kFull;
  size_t entity_cache_bytes = store::StoreOptions{}.entity_cache_bytes;
  size_t max_body_bytes = 8 * 1024 * 1024;
  std::vector<std::string> context_allow_list;  // URL prefixes machi may fetch @contexts from
  int context_fetch_timeout_ms = 2000;
  std::string web_dir;                          // built web app to host at / ("" = none)
  std::string oidc_config;                      // JSON file of external OpenID Connect issuers
  int64_t token_lifetime_s = 3600;
  // The @context that maps NGSIv2 types and attribute names to IRIs ("" =
  // the NGSI-LD core context, see docs/ngsiv2.md).
  std::string ngsiv2_context;
  notify::NotifierOptions notify;               // subscriptions: delivery workers, backoff, outbox retention
  // Networks (CIDR) that notification endpoints and NGSIv2 context providers
  // may reach although loopback, private or link-local (http/address_policy.h).
  std::vector<std::string> outbound_allow;
  // IoT ingestion (docs/iot.md): the MQTT broker devices publish to
  // ("" = provisioning API only), and the client id of machi's session.
  std::string iot_mqtt;
  std::string iot_client_id;
  // Runs once the store and the trust services are up, before the first
  // administrator is made and the server listens (`machi demo` seeds its
  // accounts, consents and grants here).
  std::function<void(trust::Trust&)> prepare;
};

// Returns the process exit code.
int serve(const ServeOptions& options);

// Every route machi serves, "METHOD PATTERN" per line (for the
// authorization-matrix test).
int print_routes();

// Parses `serve` arguments; throws std::invalid_argument with a message.
ServeOptions parse_serve_args(const std::vector<std::string>& args);

}  // namespace machi::cli
