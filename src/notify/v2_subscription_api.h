// The NGSIv2 subscription API of FIWARE Orion: /v2/subscriptions, on the
// same notifier as NGSI-LD's (see docs/ngsiv2.md, "Subscriptions").
#pragma once

#include "http/router.h"
#include "ngsiv2/v2_request.h"
#include "notify/notifier.h"

namespace machi::notify {

// notifier may be null (e.g. only listing the routes).
void register_v2_subscription_routes(http::Router& router, ngsiv2::V2Deps deps, Notifier* notifier);

}  // namespace machi::notify
