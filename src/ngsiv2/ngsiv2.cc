#include "ngsiv2/ngsiv2.h"

namespace machi::ngsiv2 {
namespace {

// GET /v2: Orion's entry point, the resources served (/v2/subscriptions
// is registered by notify/v2_subscription_api.cc, on the notifier).
http::Response entry_point(http::Request&, const V2Deps&) {
  return json_response(200, Json{{"entities_url", "/v2/entities"},
                                 {"types_url", "/v2/types"},
                                 {"subscriptions_url", "/v2/subscriptions"},
                                 {"registrations_url", "/v2/registrations"}});
}

}  // namespace

void register_ngsiv2_routes(http::Router& router, V2Deps deps) {
  auto shared = std::make_shared<const V2Deps>(std::move(deps));
  router.add("GET", "/v2", bind_v2(entry_point, shared));
  register_entities_routes(router, shared);
  register_attrs_routes(router, shared);
  register_op_routes(router, shared);
  register_types_routes(router, shared);
  register_registrations_routes(router, shared);
}

}  // namespace machi::ngsiv2
