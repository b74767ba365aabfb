// /machi/v1/history-retention: how long each entity type's history is
// kept (store/retention.h). Everyone signed in may read the settings (the
// retention of data is part of what residents are told); the administrator
// sets them, and a new setting is applied at once.
#include "api/api.h"
#include "api/json_io.h"
#include "broker/ld_request.h"
#include "core/error.h"
#include "store/retention.h"

namespace machi::api {
namespace {

constexpr int64_t kMaxDays = 365 * 100;

broker::LdRequest ld_request(const http::Request& request, ApiDeps deps) {
  return broker::LdRequest(request, {deps.store, deps.contexts, deps.trust}, false);
}

http::Response list_retention(http::Request& request, ApiDeps deps) {
  auto ld = ld_request(request, deps);
  auto tenant = deps.store->tenant(ld.tenant_name(), false);
  Json out = Json::array();
  if (tenant) {
    for (const auto& [type, days] : store::retention_settings(*tenant)) {
      out.push_back({{"type", ld.context().compact(type)}, {"days", days}});
    }
  }
  return json_response(200, out);
}

http::Response put_retention(http::Request& request, ApiDeps deps) {
  Json body = json_body(request);
  auto days = body.find("days");
  if (days == body.end() || !days->is_number_integer() || days->get<int64_t>() < 1 || days->get<int64_t>() > kMaxDays) {
    throw Error(ErrorType::kBadRequestData, "days must be an integer from 1 to " + std::to_string(kMaxDays));
  }
  auto ld = ld_request(request, deps);
  const std::string& name = request.path_params["type"];
  std::string type = ld.context().expand(name);
  auto tenant = ld.tenant_for_write();
  store::set_retention(*tenant, type, days->get<int64_t>());
  size_t deleted = store::sweep_retention(*tenant, now_ms());
  return json_response(200, Json{{"type", name}, {"days", days->get<int64_t>()}, {"deleted", deleted}});
}

http::Response delete_retention(http::Request& request, ApiDeps deps) {
  auto ld = ld_request(request, deps);
  std::string type = ld.context().expand(request.path_params["type"]);
  auto tenant = ld.tenant_for_read();
  if (!store::retention_settings(*tenant).count(type)) {
    throw Error(ErrorType::kResourceNotFound, "no retention is set for " + request.path_params["type"]);
  }
  store::set_retention(*tenant, type, 0);
  http::Response response;
  response.status = 204;
  return response;
}

}  // namespace

void register_retention_routes(http::Router& router, ApiDeps deps) {
  router.add("GET", "/machi/v1/history-retention", [deps](http::Request& r) { return list_retention(r, deps); });
  router.add("PUT", "/machi/v1/history-retention/{type}", [deps](http::Request& r) { return put_retention(r, deps); });
  router.add("DELETE", "/machi/v1/history-retention/{type}", [deps](http::Request& r) { return delete_retention(r, deps); });
}

}  // namespace machi::api
