// /v2/registrations: context provider registrations (Orion's CRUD), kept
// per tenant as records. Forwarding itself is in forwarding.cc.
#include <random>

#include "core/error.h"
#include "core/time.h"
#include "ngsiv2/forwarding.h"
#include "ngsiv2/ngsiv2.h"

namespace machi::ngsiv2 {
namespace {

std::string new_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08llx%016llx", static_cast<unsigned long long>(rng() & 0xffffffffULL),
                static_cast<unsigned long long>(rng()));
  return buf;
}

const Json& member(const Json& object, const char* key) {
  static const Json null;
  if (!object.is_object()) return null;
  auto it = object.find(key);
  return it == object.end() ? null : *it;
}

void check_string(const Json& value, const char* what) {
  if (!value.is_string()) bad_request(std::string(what) + " must be a string");
}

// Validates a registration body (all fields for a create, given ones for a patch).
void validate(const Json& body, bool create) {
  if (!body.is_object()) bad_request("the body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (key != "description" && key != "dataProvided" && key != "provider" && key != "status" && key != "expires") {
      bad_request("Invalid JSON payload: unrecognized field /" + key + "/");
    }
  }
  if (!member(body, "description").is_null()) check_string(body["description"], "description");
  if (!member(body, "status").is_null()) {
    check_string(body["status"], "status");
    if (body["status"] != "active" && body["status"] != "inactive") bad_request("status must be active or inactive");
  }
  if (!member(body, "expires").is_null()) {
    check_string(body["expires"], "expires");
    if (!parse_datetime(body["expires"].get<std::string>())) bad_request("expires is not a valid date-time");
  }
  const Json& data = member(body, "dataProvided");
  if (create || !data.is_null()) {
    if (!data.is_object()) bad_request("dataProvided is missing or not an object");
    const Json& entities = member(data, "entities");
    if (!entities.is_array() || entities.empty()) bad_request("dataProvided.entities must be a non-empty array");
    for (const Json& selector : entities) {
      if (!selector.is_object()) bad_request("each dataProvided.entities item must be an object");
      bool has_id = false;
      for (const auto& [key, value] : selector.items()) {
        if (key == "id" || key == "type") {
          check_identifier(key == "id" ? "entity id" : "entity type", value);
        } else if (key == "idPattern" || key == "typePattern") {
          check_string(value, key.c_str());
        } else {
          bad_request("unrecognized field in dataProvided.entities: " + key);
        }
        has_id = has_id || key == "id" || key == "idPattern";
      }
      if (!has_id) bad_request("dataProvided.entities items need id or idPattern");
    }
    const Json& attrs = member(data, "attrs");
    if (!attrs.is_null()) {
      if (!attrs.is_array()) bad_request("dataProvided.attrs must be an array");
      for (const Json& attr : attrs) check_identifier("attribute name", attr);
    }
  }
  const Json& provider = member(body, "provider");
  if (create || !provider.is_null()) {
    if (!provider.is_object()) bad_request("provider is missing or not an object");
    const Json& url = member(member(provider, "http"), "url");
    if (!url.is_string() || !url.get<std::string>().starts_with("http://")) {
      bad_request("provider.http.url must be an http:// URL");
    }
    const Json& headers = member(member(provider, "http"), "headers");
    if (!headers.is_null()) {
      if (!headers.is_object()) bad_request("provider.http.headers must be an object");
      for (const auto& [name, value] : headers.items()) check_string(value, "provider.http.headers values");
    }
    const Json& mode = member(provider, "supportedForwardingMode");
    if (!mode.is_null() && mode != "all" && mode != "none" && mode != "query" && mode != "update") {
      bad_request("supportedForwardingMode must be all, none, query or update");
    }
  }
}

// What GET shows: machi's provider.http.headers (credentials) stay hidden.
Json rendered(Json registration) {
  if (registration.contains("provider") && registration["provider"].contains("http")) {
    registration["provider"]["http"].erase("headers");
  }
  return registration;
}

Json stored(const std::string& id, const Json& body) {
  Json out = Json::object();
  out["id"] = id;
  if (body.contains("description")) out["description"] = body["description"];
  out["dataProvided"] = body["dataProvided"];
  out["provider"] = body["provider"];
  if (!out["provider"].contains("supportedForwardingMode")) out["provider"]["supportedForwardingMode"] = "all";
  out["provider"]["legacyForwarding"] = false;
  out["status"] = body.contains("status") ? body["status"] : Json("active");
  if (body.contains("expires")) out["expires"] = body["expires"];
  return out;
}

std::optional<Json> find(store::TenantStore& tenant, const std::string& id) {
  auto text = tenant.record(kRegistrationCollection, id);
  if (!text) return std::nullopt;
  return parse_json(*text);
}

[[noreturn]] void registration_not_found() {
  throw V2Error(404, "NotFound", "The requested registration has not been found. Check id");
}

http::Response list_registrations(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  size_t limit = parse_limit(r.param("limit"));
  size_t offset = parse_offset(r.param("offset"));
  auto tenant = r.tenant_for_read();
  std::vector<Json> all = tenant ? load_registrations(*tenant) : std::vector<Json>();
  Json page = Json::array();
  for (size_t i = offset; i < all.size() && page.size() < limit; ++i) page.push_back(rendered(all[i]));
  http::Response response = json_response(200, page);
  if (r.has_option("count")) response.set_header("Fiware-Total-Count", std::to_string(all.size()));
  return response;
}

http::Response create_registration(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, true);
  validate(r.body(), true);
  std::string id = new_id();
  Json registration = stored(id, r.body());
  r.tenant_for_write()->put_records({{kRegistrationCollection, id, registration.dump()}});
  http::Response response;
  response.status = 201;
  response.set_header("Location", "/v2/registrations/" + id);
  return response;
}

http::Response get_registration(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  auto tenant = r.tenant_for_read();
  std::optional<Json> registration = tenant ? find(*tenant, request.path_params["id"]) : std::nullopt;
  if (!registration) registration_not_found();
  return json_response(200, rendered(*registration));
}

http::Response patch_registration(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, true);
  validate(r.body(), false);
  auto tenant = r.tenant_for_write();
  const std::string& id = request.path_params["id"];
  std::optional<Json> registration = find(*tenant, id);
  if (!registration) registration_not_found();
  for (const auto& [key, value] : r.body().items()) (*registration)[key] = value;
  Json updated = stored(id, *registration);
  tenant->put_records({{kRegistrationCollection, id, updated.dump()}});
  return no_content();
}

http::Response delete_registration(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  auto tenant = r.tenant_for_read();
  const std::string& id = request.path_params["id"];
  if (!tenant || !find(*tenant, id)) registration_not_found();
  tenant->put_records({}, {{kRegistrationCollection, id}});
  return no_content();
}

}  // namespace

void register_registrations_routes(http::Router& router, std::shared_ptr<const V2Deps> deps) {
  router.add("GET", "/v2/registrations", bind_v2(list_registrations, deps));
  router.add("POST", "/v2/registrations", bind_v2(create_registration, deps));
  router.add("GET", "/v2/registrations/{id}", bind_v2(get_registration, deps));
  router.add("PATCH", "/v2/registrations/{id}", bind_v2(patch_registration, deps));
  router.add("DELETE", "/v2/registrations/{id}", bind_v2(delete_registration, deps));
}

}  // namespace machi::ngsiv2
