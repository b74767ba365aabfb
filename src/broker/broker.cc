#include "broker/broker.h"

namespace machi::broker {

void register_ngsi_ld_routes(http::Router& router, BrokerDeps deps) {
  register_entity_routes(router, deps);
  register_query_routes(router, deps);
  register_batch_routes(router, deps);
  register_discovery_routes(router, deps);
  register_context_routes(router, deps);
  register_temporal_routes(router, deps);
}

}  // namespace machi::broker
