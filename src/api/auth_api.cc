// Authentication: POST /auth/token (OAuth 2.0, RFC 6749), the public keys of
// machi's tokens, who am I, logout; and tenants.
#include "api/api.h"
#include "api/auth_guard.h"
#include "api/json_io.h"
#include "core/error.h"

namespace machi::api {
namespace {

const std::string kBase = "/machi/v1";

// application/x-www-form-urlencoded: '+' is a space there (unlike in
// NGSI-LD query strings, where machi keeps it for time zones).
trust::FormParams parse_form(std::string body) {
  for (char& c : body) {
    if (c == '+') c = ' ';
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!http::parse_query_string(body, pairs)) {
    throw trust::OAuthError(ErrorType::kBadRequestData, "invalid_request", "malformed form body");
  }
  return pairs;
}

http::Response oauth_error(const trust::OAuthError& error) {
  http::Response response = json_response(error.status(), {{"error", error.code()}, {"error_description", error.what()}});
  response.set_header("Pragma", "no-cache");
  if (error.retry_after_s() > 0) response.set_header("Retry-After", std::to_string(error.retry_after_s()));
  if (error.status() == 401) response.set_header("WWW-Authenticate", "Basic realm=\"machi\"");
  return response;
}

http::Response token(http::Request& request, ApiDeps deps) {
  try {
    std::string_view type = request.header("Content-Type");
    if (type.substr(0, type.find(';')) != "application/x-www-form-urlencoded") {
      throw trust::OAuthError(ErrorType::kBadRequestData, "invalid_request",
                              "the body must be application/x-www-form-urlencoded");
    }
    std::string tenant = request_tenant(request);
    if (!tenant.empty() && !deps.store->tenant(tenant, false)) {
      throw trust::OAuthError(ErrorType::kBadRequestData, "invalid_request", "unknown tenant");
    }
    auto issued = deps.trust->tokens().token_request(tenant, parse_form(request.body), now_ms());
    http::Response response = json_response(200, issued.to_json());
    response.set_header("Pragma", "no-cache");
    return response;
  } catch (const trust::OAuthError& error) {
    return oauth_error(error);
  }
}

http::Response me(http::Request& request) { return json_response(200, principal_json(principal_of(request))); }

http::Response revoke(http::Request& request, ApiDeps deps) {
  std::string_view header = request.header("Authorization");
  deps.trust->tokens().revoke(header.substr(header.find(' ') + 1), now_ms());
  http::Response response;
  response.status = 204;
  return response;
}

http::Response create_tenant(http::Request& request, ApiDeps deps) {
  const auto& principal = principal_of(request);
  // Tenants are separate cities: only the platform's own administrator
  // (of the default tenant) creates them.
  if (!principal.tenant.empty()) {
    throw Error(ErrorType::kForbidden, "only an administrator of the default tenant creates tenants");
  }
  Json body = json_body(request);
  std::string name = required_string(body, "name");
  auto admin = body.find("admin");
  if (admin == body.end() || !admin->is_object()) {
    throw Error(ErrorType::kBadRequestData, "admin {username, password} is required");
  }
  deps.trust->create_tenant(name, required_string(*admin, "username"), required_string(*admin, "password"), now_ms());
  return json_response(201, {{"name", name}});
}

}  // namespace

void register_auth_routes(http::Router& router, ApiDeps deps) {
  router.add("POST", kBase + "/auth/token", [deps](http::Request& r) { return token(r, deps); });
  router.add("GET", kBase + "/auth/jwks",
             [deps](http::Request&) { return json_response(200, deps.trust->tokens().jwks()); });
  router.add("GET", kBase + "/auth/me", me);
  router.add("POST", kBase + "/auth/revoke", [deps](http::Request& r) { return revoke(r, deps); });
  router.add("POST", kBase + "/tenants", [deps](http::Request& r) { return create_tenant(r, deps); });
}

void register_machi_routes(http::Router& router, ApiDeps deps) {
  register_auth_routes(router, deps);
  register_account_routes(router, deps);
  register_privacy_routes(router, deps);
  register_ledger_routes(router, deps);
  register_series_routes(router, deps);
  register_retention_routes(router, deps);
}

}  // namespace machi::api
