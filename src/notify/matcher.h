// Whether one entity change concerns a subscription (clause 5.11: entity
// selectors, watchedAttributes, q, geoQ, validity). Pure functions of the
// subscription, the change and the entity's current stored form.
#pragma once

#include <optional>

#include "core/json.h"
#include "notify/subscription.h"
#include "store/store.h"

namespace machi::notify {

// The entity (stored form) is selected by the subscription's entities.
bool selects_entity(const Subscription& sub, const Json& stored);
// The entity passes q and geoQ.
bool passes_filters(const Subscription& sub, const Json& stored);
// A change of the entity (current state `stored`, nullopt when deleted)
// triggers a change notification of the subscription at `now`: active, not
// periodic, the entity selected, a watched attribute changed (or none
// watched), q and geoQ hold. Throttling is the notifier's (see throttled).
bool triggers(const Subscription& sub, const store::EntityChange& change, const std::optional<Json>& stored, TimeMs now);
// True when a notification sent at last_sent (0 = never) keeps the
// subscription quiet at now.
bool throttled(const Subscription& sub, TimeMs last_sent, TimeMs now);

}  // namespace machi::notify
