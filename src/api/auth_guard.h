// The router's guard: authenticates the caller (a bearer token, or nobody),
// checks the tenant and the endpoint policy, and attaches the Principal to
// the request for the handlers and the policy enforcement point.
#pragma once

#include <functional>
#include <string>

#include "http/router.h"
#include "store/store.h"
#include "trust/principal.h"

namespace machi::api {

// Turns a bearer token into a principal of the tenant; throws
// Error(kUnauthorized), or Error(kForbidden) for another tenant's token.
using Authenticator = std::function<trust::Principal(std::string_view token, const std::string& tenant)>;

struct GuardDeps {
  Authenticator authenticate;
  store::Store* store = nullptr;
};

http::Guard make_auth_guard(GuardDeps deps);

// The principal the guard attached (anonymous when none).
const trust::Principal& principal_of(const http::Request& request);

// The tenant a request addresses (the NGSILD-Tenant header; "" = default;
// under /v2/ and /iot/ Fiware-Service, lower-cased, first).
std::string request_tenant(const http::Request& request);

}  // namespace machi::api
