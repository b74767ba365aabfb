#include "cli/serve.h"


#include <signal.h>

#include <cstdio>
#include <stdexcept>
#include <thread>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "api/api.h"
#include "api/auth_guard.h"
#include "broker/broker.h"
#include "cli/retention_sweeper.h"
#include "core/version.h"
#include "http/client.h"
#include "http/server.h"
#include "http/static_files.h"
#include "iot/iot.h"
#include "ngsiv2/ngsiv2.h"
#include "notify/subscription_api.h"
#include "notify/v2_subscription_api.h"

namespace machi::cli {
namespace {

http::Response health(http::Request&) {
  http::Response response;
  response.set_header("Content-Type", "application/json");
  response.body = R"({"status":"ok"})";
  return response;
}

std::string need_value(const std::vector<std::string>& args, size_t& i) {
  if (i + 1 >= args.size()) throw std::invalid_argument(args[i] + " needs a value");
  return args[++i];
}

unsigned long parse_number(const std::string& flag, const std::string& text, unsigned long max) {
  size_t used = 0;
  unsigned long value = 0;
  try {
    value = std::stoul(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || value > max) throw std::invalid_argument(flag + ": bad number " + text);
  return value;
}

trust::TrustOptions trust_options(const ServeOptions& options) {
  trust::TrustOptions out;
  out.data_dir = options.data_dir;
  out.durability = options.durability;
  out.tokens.token_lifetime_s = options.token_lifetime_s;
  if (!options.oidc_config.empty()) {
    std::ifstream in(options.oidc_config);
    if (!in) throw std::invalid_argument("--oidc-config: cannot read " + options.oidc_config);
    std::stringstream text;
    text << in.rdbuf();
    out.oidc = trust::parse_oidc_config(parse_json(text.str()));
    int timeout_ms = options.context_fetch_timeout_ms;
    out.jwks_loader = [timeout_ms](const std::string& url) -> std::optional<std::string> {
      auto response = http::http_get(url, std::chrono::milliseconds(timeout_ms));
      if (!response || response->status != 200) return std::nullopt;
      return response->body;
    };
  }
  return out;
}

std::string admin_password_from_environment() {
  const char* password = std::getenv("MACHI_ADMIN_PASSWORD");
  return password ? password : "";
}

// The first administrator's password is shown once and kept in a file only
// root can read, so that an operator who missed the log can still log in.
void announce_first_admin(const std::string& data_dir, const std::string& password) {
  std::filesystem::path file = std::filesystem::path(data_dir) / "auth" / "initial-admin-password";
  std::filesystem::create_directories(file.parent_path());
  {
    std::ofstream out(file, std::ios::trunc);
    out << password << "\n";
  }
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  std::fprintf(stderr, "machi: created the administrator account 'admin'; its password is in %s\n",
               file.c_str());
}

void register_all_routes(http::Router& router, store::Store* store, ld::ContextResolver* contexts,
                         trust::Trust* trust, notify::Notifier* notifier, const std::string& ngsiv2_context = "",
                         std::shared_ptr<const http::AddressPolicy> outbound = nullptr) {
  router.add("GET", "/health", health);
  broker::register_ngsi_ld_routes(router, {store, contexts, trust});
  ngsiv2::V2Deps v2{store, contexts, trust, ngsiv2_context};
  v2.outbound = std::move(outbound);
  ngsiv2::register_ngsiv2_routes(router, v2);
  notify::register_subscription_routes(router, {store, contexts, trust}, notifier);
  notify::register_v2_subscription_routes(router, {store, contexts, trust, ngsiv2_context}, notifier);
  api::register_machi_routes(router, {store, trust, contexts});
  router.set_guard(api::make_auth_guard(
      {[trust](std::string_view token, const std::string& tenant) {
         return trust->tokens().authenticate(token, tenant, now_ms());
       },
       store}));
}

}  // namespace

int print_routes() {
  http::Router router;
  register_all_routes(router, nullptr, nullptr, nullptr, nullptr);
  iot::register_iot_routes(router, nullptr);
  for (const auto& route : router.routes()) std::printf("%.*s %.*s\n", static_cast<int>(route.method.size()),
                                                        route.method.data(), static_cast<int>(route.pattern.size()),
                                                        route.pattern.data());
  return 0;
}

ServeOptions parse_serve_args(const std::vector<std::string>& args) {
  ServeOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--port") {
      options.port = static_cast<unsigned short>(parse_number(a, need_value(args, i), 65535));
    } else if (a == "--host") {
      options.host = need_value(args, i);
    } else if (a == "--data") {
      options.data_dir = need_value(args, i);
    } else if (a == "--durability") {
      std::string v = need_value(args, i);
      if (v == "full") {
        options.durability = store::Durability::kFull;
      } else if (v == "process") {
        options.durability = store::Durability::kProcess;
      } else {
        throw std::invalid_argument("--durability must be full or process");
      }
    } else if (a == "--entity-cache-mb") {
      options.entity_cache_bytes = parse_number(a, need_value(args, i), 1UL << 20) << 20;
    } else if (a == "--max-body") {
      options.max_body_bytes = parse_number(a, need_value(args, i), 1UL << 30);
    } else if (a == "--context-allow") {
      options.context_allow_list.push_back(need_value(args, i));
    } else if (a == "--web") {
      options.web_dir = need_value(args, i);
    } else if (a == "--oidc-config") {
      options.oidc_config = need_value(args, i);
    } else if (a == "--token-lifetime") {
      options.token_lifetime_s = static_cast<int64_t>(parse_number(a, need_value(args, i), 86400 * 30));
    } else if (a == "--ngsiv2-context") {
      options.ngsiv2_context = need_value(args, i);
    } else if (a == "--context-timeout-ms") {
      options.context_fetch_timeout_ms = static_cast<int>(parse_number(a, need_value(args, i), 60000));
    } else if (a == "--notify-workers") {
      options.notify.delivery_threads = parse_number(a, need_value(args, i), 256);
    } else if (a == "--notify-initial-backoff-ms") {
      options.notify.retry.initial_backoff_ms = static_cast<int64_t>(parse_number(a, need_value(args, i), 3600000));
    } else if (a == "--notify-max-backoff-ms") {
      options.notify.retry.max_backoff_ms = static_cast<int64_t>(parse_number(a, need_value(args, i), 86400000));
    } else if (a == "--notify-max-pending") {
      options.notify.retry.max_pending = parse_number(a, need_value(args, i), 100000000);
    } else if (a == "--notify-max-age-s") {
      options.notify.retry.max_age_ms = static_cast<int64_t>(parse_number(a, need_value(args, i), 86400UL * 365)) * 1000;
    } else if (a == "--notify-timeout-ms") {
      options.notify.http_timeout = std::chrono::milliseconds(parse_number(a, need_value(args, i), 600000));
    } else if (a == "--outbound-allow") {
      std::string list = need_value(args, i);
      for (size_t start = 0; start <= list.size();) {
        size_t comma = std::min(list.find(',', start), list.size());
        if (comma > start) options.outbound_allow.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
      http::AddressPolicy check(options.outbound_allow);  // a malformed network fails here, before serving
    } else if (a == "--iot-mqtt") {
      options.iot_mqtt = need_value(args, i);
      iot::check_mqtt_url(options.iot_mqtt);
    } else if (a == "--iot-client-id") {
      options.iot_client_id = need_value(args, i);
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }
  return options;
}

int serve(const ServeOptions& options) {
  // Signals are taken by one thread with sigwait; every other thread,
  // including those the store and server start, inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto store = store::open_sqlite_store({options.data_dir, options.durability, options.entity_cache_bytes});
  std::string self = "http://" + options.host + ":" + std::to_string(options.port);
  int timeout_ms = options.context_fetch_timeout_ms;
  ld::ContextResolver contexts(
      store.get(),
      [timeout_ms](const std::string& url) -> std::optional<std::string> {
        auto response = http::http_get(url, std::chrono::milliseconds(timeout_ms));
        if (!response || response->status != 200) return std::nullopt;
        return response->body;
      },
      options.context_allow_list, self);

  trust::Trust trust(*store, trust_options(options));
  if (options.prepare) options.prepare(trust);
  if (auto password = trust.bootstrap_admin(admin_password_from_environment())) {
    announce_first_admin(options.data_dir, *password);
  }

  auto outbound = std::make_shared<const http::AddressPolicy>(options.outbound_allow);
  notify::NotifierOptions notify_options = options.notify;
  notify_options.endpoint_policy = outbound;
  notify::Notifier notifier(*store, contexts, &trust, notify_options);
  http::Router router;
  register_all_routes(router, store.get(), &contexts, &trust, &notifier, options.ngsiv2_context, outbound);
  iot::IotAgent iot(store.get(), &contexts,
                    {options.iot_mqtt, options.iot_client_id.empty() ? "machi-iot-" + std::to_string(options.port)
                                                                     : options.iot_client_id,
                     options.ngsiv2_context});
  iot::register_iot_routes(router, &iot);
  std::optional<http::StaticFiles> web;
  if (!options.web_dir.empty()) {
    web.emplace(options.web_dir, std::vector<std::string>{"/ngsi-ld/", "/machi/", "/v2/", "/iot/", "/health"});
    router.set_fallback([&web](http::Request& request) { return web->serve(request); });
  }

  http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.max_body_bytes = options.max_body_bytes;
  http::Server server(server_options, router);
  iot.start();
  server.listen();
  notifier.start();

  std::thread signal_thread([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    std::fprintf(stderr, "machi: signal %d, finishing in-flight requests\n", received);
    server.stop();
  });
  std::fprintf(stderr, "machi %s serving on http://%s:%u (data in %s)\n", kVersion, options.host.c_str(),
               static_cast<unsigned>(server.port()), options.data_dir.c_str());
  // History retention (store/retention.h), swept hourly.
  RetentionSweeper sweeper(*store, std::chrono::hours(1));
  server.run();
  sweeper.stop();
  iot.stop();
  notifier.stop();
  trust.close();
  store->close();
  std::fprintf(stderr, "machi: stopped\n");
  // The signal thread has returned when run() returns after a signal; if
  // run() ended otherwise, wake it so it can be joined.
  if (signal_thread.joinable()) {
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
  }
  return 0;
}

}  // namespace machi::cli
