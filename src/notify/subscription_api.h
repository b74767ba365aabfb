// The NGSI-LD subscription API (clause 5.8): /ngsi-ld/v1/subscriptions.
#pragma once

#include "broker/ld_request.h"
#include "http/router.h"
#include "notify/notifier.h"

namespace machi::notify {

// notifier may be null (e.g. only listing the routes).
void register_subscription_routes(http::Router& router, broker::BrokerDeps deps, Notifier* notifier);

}  // namespace machi::notify
