// The IoT Agent provisioning API: /iot/services (service groups),
// /iot/devices and /iot/about. Fiware-Service selects the tenant exactly
// as for /v2 (the auth guard's request_tenant), Fiware-ServicePath the
// service path. Errors leave in the IoT Agent's form {"name", "message"}.
#include <algorithm>

#include "api/auth_guard.h"
#include "api/json_io.h"
#include "core/error.h"
#include "iot/iot.h"
#include "iot/provisioning.h"
#include "iot/registry.h"
#include "ngsiv2/v2_request.h"

namespace machi::iot {
namespace {

constexpr size_t kMaxItems = 1000;  // services or devices in one POST

http::Response error_response(int status, const std::string& name, const std::string& message) {
  return api::json_response(status, Json{{"name", name}, {"message", message}});
}

using Handler = http::Response (*)(http::Request&, IotAgent&);

// Runs a handler and answers its errors as the IoT Agent does. Errors of
// the platform itself (a store that is shutting down) keep machi's
// problem details.
http::Handler bind(Handler handler, IotAgent* agent) {
  return [handler, agent](http::Request& request) -> http::Response {
    try {
      if (!agent) throw Error(ErrorType::kServiceUnavailable, "IoT ingestion is not running");
      return handler(request, *agent);
    } catch (const ProvisioningError& e) {
      return error_response(e.status, e.name, e.what());
    } catch (const Error& e) {
      switch (e.type()) {
        case ErrorType::kInvalidRequest:
        case ErrorType::kBadRequestData:
          return error_response(400, "WRONG_SYNTAX", e.what());
        case ErrorType::kUnsupportedMediaType:
          return error_response(415, "UNSUPPORTED_CONTENT_TYPE", e.what());
        default:
          throw;
      }
    }
  };
}

std::string tenant_of(const http::Request& request) { return api::request_tenant(request); }

// The one service path a write or a single item addresses ("/" by default).
std::string write_path(const http::Request& request) {
  std::string path(request.header("Fiware-ServicePath"));
  if (path.empty()) return "/";
  ngsiv2::check_service_path(path, false);
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// Listings: no header, "/*" or "/#" = every service path.
PathFilter read_paths(const http::Request& request) {
  std::string path(request.header("Fiware-ServicePath"));
  if (path.empty() || path == "/*" || path == "/#") return std::nullopt;
  return write_path(request);
}

size_t number_param(const http::Request& request, const char* name, size_t fallback, size_t max) {
  const std::string* text = request.param(name);
  if (!text) return fallback;
  if (text->empty() || text->size() > 9 || text->find_first_not_of("0123456789") != std::string::npos) {
    wrong_syntax(std::string(name) + " must be a non-negative integer");
  }
  size_t value = std::stoul(*text);
  if (value > max) wrong_syntax(std::string(name) + " must be at most " + std::to_string(max));
  return value;
}

Page page_of(const http::Request& request) {
  return {number_param(request, "limit", 20, 1000), number_param(request, "offset", 0, 1000000000)};
}

std::vector<Json> items_of(const Json& body, const char* member) {
  auto it = body.find(member);
  if (it == body.end() || !it->is_array() || it->empty()) {
    wrong_syntax(std::string("the body needs a non-empty array ") + member);
  }
  if (it->size() > kMaxItems) wrong_syntax("at most " + std::to_string(kMaxItems) + " " + member + " per request");
  return {it->begin(), it->end()};
}

std::string required_param(const http::Request& request, const char* name) {
  const std::string* value = request.param(name);
  if (!value || value->empty()) wrong_syntax(std::string("the query parameters resource and apikey are required"));
  return *value;
}

http::Response created() {
  http::Response response;
  response.status = 201;
  return response;
}

http::Response no_content() {
  http::Response response;
  response.status = 204;
  return response;
}

http::Response listing(const Listing& listing, const char* member) {
  Json items = Json::array();
  for (const Json& item : listing.items) items.push_back(item);
  return api::json_response(200, Json{{"count", listing.count}, {member, std::move(items)}});
}

// --------------------------------------------------------------- services

http::Response create_services(http::Request& request, IotAgent& agent) {
  Json body = api::json_body(request);
  std::vector<Json> groups;
  for (const Json& item : items_of(body, "services")) groups.push_back(validate_group(item));
  agent.registry().add_groups(tenant_of(request), write_path(request), groups);
  return created();
}

http::Response list_services(http::Request& request, IotAgent& agent) {
  return listing(agent.registry().groups(tenant_of(request), read_paths(request), page_of(request)), "services");
}

http::Response update_service(http::Request& request, IotAgent& agent) {
  Json body = api::json_body(request);
  agent.registry().update_group(tenant_of(request), write_path(request), required_param(request, "resource"),
                                required_param(request, "apikey"), body);
  return no_content();
}

http::Response delete_service(http::Request& request, IotAgent& agent) {
  agent.registry().remove_group(tenant_of(request), write_path(request), required_param(request, "resource"),
                                required_param(request, "apikey"));
  return no_content();
}

// ---------------------------------------------------------------- devices

http::Response create_devices(http::Request& request, IotAgent& agent) {
  Json body = api::json_body(request);
  std::vector<Json> devices;
  for (const Json& item : items_of(body, "devices")) devices.push_back(validate_device(item));
  agent.registry().add_devices(tenant_of(request), write_path(request), devices);
  return created();
}

http::Response list_devices(http::Request& request, IotAgent& agent) {
  return listing(agent.registry().devices(tenant_of(request), read_paths(request), page_of(request)), "devices");
}

http::Response get_device(http::Request& request, IotAgent& agent) {
  return api::json_response(200, agent.registry().device(tenant_of(request), write_path(request),
                                                         request.path_params["id"]));
}

http::Response update_device(http::Request& request, IotAgent& agent) {
  Json body = api::json_body(request);
  agent.registry().update_device(tenant_of(request), write_path(request), request.path_params["id"], body);
  return no_content();
}

http::Response delete_device(http::Request& request, IotAgent& agent) {
  agent.registry().remove_device(tenant_of(request), write_path(request), request.path_params["id"]);
  return no_content();
}

http::Response about(http::Request& request, IotAgent& agent) {
  return api::json_response(200, agent.about(tenant_of(request)));
}

}  // namespace

void register_iot_routes(http::Router& router, IotAgent* agent) {
  router.add("GET", "/iot/about", bind(about, agent));
  router.add("POST", "/iot/services", bind(create_services, agent));
  router.add("GET", "/iot/services", bind(list_services, agent));
  router.add("PUT", "/iot/services", bind(update_service, agent));
  router.add("DELETE", "/iot/services", bind(delete_service, agent));
  router.add("POST", "/iot/devices", bind(create_devices, agent));
  router.add("GET", "/iot/devices", bind(list_devices, agent));
  router.add("GET", "/iot/devices/{id}", bind(get_device, agent));
  router.add("PUT", "/iot/devices/{id}", bind(update_device, agent));
  router.add("DELETE", "/iot/devices/{id}", bind(delete_device, agent));
}

}  // namespace machi::iot
