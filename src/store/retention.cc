#include "store/retention.h"

#include <charconv>

namespace machi::store {
namespace {

constexpr TimeMs kDayMs = 86400000;
// Entity ids are read in pages so that a sweep of a large type holds no
// read transaction for long and no more than a page of documents in memory.
constexpr size_t kPage = 1000;

}  // namespace

std::map<std::string, int64_t> retention_settings(TenantStore& tenant) {
  std::map<std::string, int64_t> out;
  for (const Record& r : tenant.records(kRetentionCollection)) {
    int64_t days = 0;
    auto [end, error] = std::from_chars(r.text.data(), r.text.data() + r.text.size(), days);
    if (error == std::errc() && days > 0) out[r.key] = days;
  }
  return out;
}

void set_retention(TenantStore& tenant, const std::string& type, int64_t days) {
  if (days > 0) {
    tenant.put_records({{kRetentionCollection, type, std::to_string(days)}});
  } else {
    tenant.put_records({}, {{kRetentionCollection, type}});
  }
}

size_t sweep_retention(TenantStore& tenant, TimeMs now) {
  size_t deleted = 0;
  for (const auto& [type, days] : retention_settings(tenant)) {
    EntityQuery query;
    query.types = {type};
    query.limit = kPage;
    for (query.offset = 0;; query.offset += kPage) {
      QueryResult page = tenant.query(query);
      std::vector<std::string> ids;
      for (const Json& e : page.entities) ids.push_back(e.at("id").get<std::string>());
      if (!ids.empty()) deleted += tenant.expire_history(ids, now - days * kDayMs);
      if (page.entities.size() < kPage) break;
    }
  }
  return deleted;
}

}  // namespace machi::store
