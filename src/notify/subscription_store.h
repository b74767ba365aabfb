// Subscriptions kept as records of their tenant (collection
// kSubscriptionCollection, key = the subscription id).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ld/context.h"
#include "notify/subscription.h"
#include "store/store.h"

namespace machi::notify {

inline constexpr const char* kSubscriptionCollection = "ngsi-ld.subscriptions";

std::optional<Subscription> load_subscription(store::TenantStore& tenant, ld::ContextResolver& contexts,
                                              const std::string& id);
// All of the tenant's subscriptions, bound; one that no longer binds (e.g.
// its remote context is gone) is left out with a log line.
std::vector<Subscription> load_subscriptions(store::TenantStore& tenant, ld::ContextResolver& contexts);
void save_subscription(store::TenantStore& tenant, const Subscription& sub);
void erase_subscription(store::TenantStore& tenant, const std::string& id);

}  // namespace machi::notify
