// The NGSI-LD API (ETSI GS CIM 009) on machi's store: the routes under
// /ngsi-ld/v1 and the handlers behind them.
#pragma once

#include "broker/ld_request.h"
#include "http/router.h"

namespace machi::broker {

// Registers every NGSI-LD route on the router.
void register_ngsi_ld_routes(http::Router& router, BrokerDeps deps);

// The handler groups, one file each.
void register_entity_routes(http::Router& router, BrokerDeps deps);
void register_query_routes(http::Router& router, BrokerDeps deps);
void register_batch_routes(http::Router& router, BrokerDeps deps);
void register_discovery_routes(http::Router& router, BrokerDeps deps);
void register_context_routes(http::Router& router, BrokerDeps deps);
void register_temporal_routes(http::Router& router, BrokerDeps deps);

}  // namespace machi::broker
