#include "store/retention.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace machi::store {
namespace {

using namespace testing;

constexpr TimeMs kNow = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr TimeMs kDay = 86400000;

HistoryPoint reading(const std::string& entity, TimeMs t) {
  Json i = {{"type", "Property"}, {"value", 1.0}, {"observedAt", format_datetime(t)}};
  return {entity, iri("level"), "", 0, i, std::nullopt, ""};
}

TEST(Retention, SweepDeletesOnlyOldPointsOfTypesWithASetting) {
  TempDir dir;
  auto store = open_sqlite_store({dir.path().string(), Durability::kFull});
  auto tenant = store->tenant("", false);
  expect_all_ok(tenant->write({put(entity("urn:a:1", "Gauge", {})), put(entity("urn:b:1", "Meter", {}))}));
  tenant->append_history({reading("urn:a:1", kNow - 40 * kDay), reading("urn:a:1", kNow - 5 * kDay),
                          reading("urn:b:1", kNow - 40 * kDay)});
  EXPECT_EQ(sweep_retention(*tenant, kNow), 0u);  // nothing is set: everything stays
  set_retention(*tenant, iri("Gauge"), 30);
  EXPECT_EQ(retention_settings(*tenant).at(iri("Gauge")), 30);
  EXPECT_EQ(sweep_retention(*tenant, kNow), 1u);
  EXPECT_EQ(tenant->history("urn:a:1", "", kMinTime, kMaxTime).size(), 1u);
  EXPECT_EQ(tenant->history("urn:b:1", "", kMinTime, kMaxTime).size(), 1u);
  set_retention(*tenant, iri("Gauge"), 0);
  EXPECT_TRUE(retention_settings(*tenant).empty());
  tenant.reset();
  store->close();
}

}  // namespace
}  // namespace machi::store
