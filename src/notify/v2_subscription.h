// NGSIv2 (FIWARE Orion) subscriptions on machi's notifier: Orion's document
// (subject, notification, expires, status, throttling) bound to the same
// Subscription the NGSI-LD API uses (Dialect::kV2), its read-back with
// Orion's status members, and the notifications in Orion's form
// ({"subscriptionId", "data": [entities as NGSIv2 per attrsFormat]}).
// See docs/ngsiv2.md, "Subscriptions".
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "ld/context.h"
#include "notify/delivery_status.h"
#include "notify/subscription.h"

namespace machi::notify {

inline constexpr const char* kV2NotifyAction = "NOTIFY /v2/subscriptions/{subscriptionId}";

// A new subscription id as Orion makes them: 24 lower-case hex digits.
std::string new_v2_subscription_id();
bool is_v2_subscription_id(const std::string& text);

// Read-only members of a read-back that a client may send back: removed
// from a body before it is validated.
void strip_v2_status_members(Json& body);

// Applies an Orion PATCH (the top-level members given replace the stored
// ones). Throws V2Error 400 on an empty or non-object body.
void merge_v2_patch(Json& document, const Json& fragment);

// The subscription as GET /v2/subscriptions answers it.
Json render_v2_subscription(const Subscription& sub, const DeliveryStatus& status, TimeMs now);

// One notification's body and the service path of its entities (the
// Fiware-ServicePath header of the POST).
struct V2Notification {
  std::string body;
  std::string service_path;
};

// The notifications of sub for these entities (stored form, already shaped
// by the enforcement point), at most max_entities each, one group per
// service path, in ctx's (the v2 @context's) names.
std::vector<V2Notification> render_v2_notifications(const Subscription& sub, const std::vector<Json>& entities,
                                                    const ld::Context& ctx, size_t max_entities);

// The headers and URL of a v2 notification's request.
struct V2Delivery {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
};
V2Delivery v2_notification_request(const Subscription& sub, const std::string& tenant, const std::string& service_path);

}  // namespace machi::notify
