#include "api/auth_guard.h"

#include <cctype>
#include <memory>

#include "api/endpoint_policy.h"
#include "core/error.h"

namespace machi::api {
namespace {

bool is_bearer(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  }
  return true;
}

// "Bearer <token>" (RFC 6750 section 2.1; the scheme is case-insensitive).
std::string_view bearer_token(std::string_view header) {
  if (!is_bearer(header)) throw Error(ErrorType::kUnauthorized, "Authorization must be 'Bearer <token>'");
  std::string_view token = header.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) throw Error(ErrorType::kUnauthorized, "empty bearer token");
  return token;
}

// An unknown tenant is reported as such (the NGSI-LD error), before the
// credentials are compared, so that a typo is not mistaken for a denial.
void check_tenant_exists(const std::string& tenant, store::Store* store) {
  if (!tenant.empty() && store && !store->tenant(tenant, false)) {
    throw Error(ErrorType::kNonexistentTenant, "tenant '" + tenant + "' does not exist");
  }
}

}  // namespace

std::string request_tenant(const http::Request& request) {
  // NGSIv2 (Orion) names the tenant with Fiware-Service, lower-cased as
  // Orion does, else NGSILD-Tenant; src/ngsiv2/v2_request.cc reads it the
  // same way (the handler must address the tenant the guard checked).
  // The IoT Agent provisioning API (/iot/, src/iot) names it the same way.
  if (request.path.starts_with("/v2/") || request.path.starts_with("/iot/")) {
    std::string tenant(request.header("Fiware-Service"));
    if (tenant.empty()) return std::string(request.header("NGSILD-Tenant"));
    for (char& c : tenant) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return tenant;
  }
  return std::string(request.header("NGSILD-Tenant"));
}

const trust::Principal& principal_of(const http::Request& request) { return trust::principal_in(request.auth); }

http::Guard make_auth_guard(GuardDeps deps) {
  return [deps](http::Request& request, const http::RouteInfo& route) {
    auto access = endpoint_access(route.method, route.pattern);
    if (!access) throw Error(ErrorType::kForbidden, "no access policy covers this endpoint");
    trust::Principal principal;
    std::string tenant = request_tenant(request);
    std::string_view authorization = request.header("Authorization");
    if (access->public_access) {
      // Credentials are optional here; another tenant's token just counts
      // for nothing, a bad token is still refused (RFC 6750).
      // (Other schemes, such as Basic client authentication at the token
      // endpoint, are the handler's business.)
      if (is_bearer(authorization)) {
        try {
          principal = deps.authenticate(bearer_token(authorization), tenant);
        } catch (const Error& e) {
          if (e.type() != ErrorType::kForbidden) throw;
          principal = trust::Principal();
        }
      }
    } else {
      if (authorization.empty()) throw Error(ErrorType::kUnauthorized, "this endpoint needs a bearer token");
      std::string_view token = bearer_token(authorization);
      check_tenant_exists(tenant, deps.store);
      principal = deps.authenticate(token, tenant);
      if (!endpoint_allows(*access, principal)) {
        throw Error(ErrorType::kForbidden, "the roles " + (principal.roles.empty() ? std::string("(none)")
                                                                                    : principal.roles.to_string()) +
                                               " may not " + std::string(route.method) + " " +
                                               std::string(route.pattern));
      }
    }
    request.auth = trust::principal_slot(std::move(principal));
  };
}

}  // namespace machi::api
