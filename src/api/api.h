// machi's own API under /machi/v1: authentication, tenants, accounts and
// the organization chart, personal data and consent, grants, and the
// access ledger. The handlers translate HTTP to the trust module and back;
// the rules live in the trust module.
#pragma once

#include "http/router.h"
#include "ld/context.h"
#include "store/store.h"
#include "trust/trust.h"

namespace machi::api {

struct ApiDeps {
  store::Store* store = nullptr;
  trust::Trust* trust = nullptr;
  ld::ContextResolver* contexts = nullptr;
};

// Registers every /machi/v1 route.
void register_machi_routes(http::Router& router, ApiDeps deps);

// The handler groups, one file each.
void register_auth_routes(http::Router& router, ApiDeps deps);
void register_account_routes(http::Router& router, ApiDeps deps);
void register_privacy_routes(http::Router& router, ApiDeps deps);
void register_ledger_routes(http::Router& router, ApiDeps deps);
void register_series_routes(http::Router& router, ApiDeps deps);
void register_retention_routes(http::Router& router, ApiDeps deps);

}  // namespace machi::api
