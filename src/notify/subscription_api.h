// The NGSI-LD subscription API (clause 5.8): /ngsi-ld/v1/subscriptions.
#pragma once

#include "broker/ld_request.h"
#include "http/router.h"
#include "notify/notifier.h"
#include "trust/principal.h"
#include "trust/read_access.h"

namespace machi::notify {

// notifier may be null (e.g. only listing the routes).
void register_subscription_routes(http::Router& router, broker::BrokerDeps deps, Notifier* notifier);

// Shared with the NGSIv2 subscription API (v2_subscription_api.cc).
// The creator and the grant of the request (Machi-Grant, Machi-Purpose).
Owner owner_of(const trust::Principal& p, const http::Request& request);
// Subscriptions belong to their creator; an administrator sees all of the tenant's.
bool visible_to(const Subscription& sub, const trust::Principal& p);
bool is_owner(const Subscription& sub, const trust::Principal& caller);
// What a subscription's matching reads, for the enforcement point's check.
trust::ReadAccess::Selection selection_of(const Subscription& sub);
// Personal data may be subscribed to only under a grant (or by the data
// subject for their own data): sets sub.personal; 403 otherwise.
void check_personal(trust::ReadAccess& access, Subscription& sub);

}  // namespace machi::notify
