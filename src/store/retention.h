// How long the history of each entity type is kept. The setting is kept
// per tenant in the records collection "history-retention" (key: the
// expanded type, text: the number of days); a sweep deletes the points of
// every entity of that type older than that. Types without a setting keep
// their history for ever.
#pragma once

#include <map>
#include <string>

#include "store/store.h"

namespace machi::store {

inline constexpr const char* kRetentionCollection = "history-retention";

// type (expanded) -> days.
std::map<std::string, int64_t> retention_settings(TenantStore& tenant);
// Sets (days > 0) or removes (days == 0) a type's retention; durable on return.
void set_retention(TenantStore& tenant, const std::string& type, int64_t days);

// Deletes the history older than its type's retention, for every type
// with a setting. Returns the number of points deleted.
size_t sweep_retention(TenantStore& tenant, TimeMs now);

}  // namespace machi::store
