// Who may call which endpoint: the first of the two authorization checks
// (the second, for personal data, is the policy enforcement point). The
// policy is one table keyed by the route pattern as registered; a route
// missing from the table is denied to everyone (default deny), and a unit
// test checks that every registered route has a row.
#pragma once

#include <optional>
#include <string_view>

#include "trust/principal.h"

namespace machi::api {

struct EndpointAccess {
  bool public_access = false;  // anyone, without credentials
  trust::RoleSet roles;        // otherwise: callers holding any of these
};

// The row for a route, or nullopt when the route has none.
std::optional<EndpointAccess> endpoint_access(std::string_view method, std::string_view pattern);

// True when the principal may call the route (tenant checks are separate).
bool endpoint_allows(const EndpointAccess& access, const trust::Principal& principal);

}  // namespace machi::api
