#include "ngsiv2/ngsiv2.h"

namespace machi::ngsiv2 {

void register_ngsiv2_routes(http::Router& router, V2Deps deps) {
  auto shared = std::make_shared<const V2Deps>(std::move(deps));
  register_entities_routes(router, shared);
  register_attrs_routes(router, shared);
  register_op_routes(router, shared);
  register_types_routes(router, shared);
  register_registrations_routes(router, shared);
}

}  // namespace machi::ngsiv2
