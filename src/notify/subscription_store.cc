#include "notify/subscription_store.h"

#include <cstdio>

#include "notify/delivery_status.h"

namespace machi::notify {
namespace {

Subscription bound(const std::string& text, ld::ContextResolver& contexts) {
  Subscription sub = Subscription::from_record(parse_json(text));
  auto ctx = sub.context.is_null() ? contexts.core() : contexts.resolve(sub.context);
  sub.bind(*ctx);
  return sub;
}

}  // namespace

std::optional<Subscription> load_subscription(store::TenantStore& tenant, ld::ContextResolver& contexts,
                                              const std::string& id) {
  auto text = tenant.record(kSubscriptionCollection, id);
  if (!text) return std::nullopt;
  return bound(*text, contexts);
}

std::vector<Subscription> load_subscriptions(store::TenantStore& tenant, ld::ContextResolver& contexts) {
  std::vector<Subscription> out;
  for (const auto& record : tenant.records(kSubscriptionCollection)) {
    try {
      out.push_back(bound(record.text, contexts));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "machi: subscription %s cannot be used: %s\n", record.key.c_str(), e.what());
    }
  }
  return out;
}

void save_subscription(store::TenantStore& tenant, const Subscription& sub) {
  tenant.put_records({{kSubscriptionCollection, sub.id, sub.to_record().dump()}});
}

void erase_subscription(store::TenantStore& tenant, const std::string& id) {
  tenant.put_records({}, {{kSubscriptionCollection, id}, {kStatusCollection, id}});
}

}  // namespace machi::notify
