// TenantStore::append_history: bulk import of past attribute instances.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "store/sqlite_db.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace machi::store {
namespace {

using namespace testing;

constexpr TimeMs kT0 = 1767225600000;  // 2026-01-01T00:00:00.000Z

Json observed(double value, TimeMs t, const std::string& dataset_id = "") {
  Json i = {{"type", "Property"}, {"value", value}};
  if (!dataset_id.empty()) i["datasetId"] = dataset_id;
  i["observedAt"] = format_datetime(t);
  return i;
}

HistoryPoint point(const std::string& entity, const std::string& attr, double value, TimeMs t,
                   const std::string& dataset_id = "") {
  return {entity, iri(attr), dataset_id, 0, observed(value, t, dataset_id)};
}

class HistoryImportTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open() {
    store_ = open_sqlite_store({dir_.path().string(), Durability::kFull});
    tenant_ = store_->tenant("", false);
  }
  void reopen() {
    tenant_.reset();
    store_->close();
    store_.reset();
    open();
  }
  int64_t rows() {
    Db db(dir_.path() / "machi.db", Db::Mode::kReadWrite);
    return db.scalar("SELECT count(*) FROM history").value_or(-1);
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<TenantStore> tenant_;
};

TEST_F(HistoryImportTest, ImportedPointsAreReadBackInTimeOrderWithWrittenOnes) {
  // The entity's current value, written normally, is the latest reading.
  Json current = property(3.0, kT0 + 3 * 600000);
  current["observedAt"] = format_datetime(kT0 + 3 * 600000);
  expect_all_ok(tenant_->write({put(entity("urn:s:1", "WeatherObserved", {{"temperature", current}}))}));
  // Older readings, imported out of order, plus another attribute.
  tenant_->append_history({point("urn:s:1", "temperature", 2.0, kT0 + 2 * 600000),
                           point("urn:s:1", "temperature", 0.0, kT0),
                           point("urn:s:1", "temperature", 1.0, kT0 + 600000),
                           point("urn:s:1", "precipitation", 0.5, kT0)});
  auto points = tenant_->history("urn:s:1", iri("temperature"), 0, INT64_MAX);
  ASSERT_EQ(points.size(), 4u);
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].time, kT0 + static_cast<TimeMs>(i) * 600000);
    EXPECT_EQ(points[i].instance["value"], static_cast<double>(i));
    EXPECT_EQ(points[i].attr, iri("temperature"));
  }
  EXPECT_EQ(points[0].instance, observed(0.0, kT0));
  EXPECT_EQ(tenant_->history("urn:s:1", "", 0, INT64_MAX).size(), 5u);
  // The window is [from, to).
  EXPECT_EQ(tenant_->history("urn:s:1", iri("temperature"), kT0 + 600000, kT0 + 2 * 600000).size(), 1u);
  // Importing does not touch the entity.
  EXPECT_EQ(tenant_->get("urn:s:1")->at("attrs").size(), 1u);
}

TEST_F(HistoryImportTest, EntitiesNeedNotExistAndDatasetsAreKept) {
  tenant_->append_history({point("urn:gone", "level", 1.5, kT0, "urn:ds:a"), point("urn:gone", "level", 1.6, kT0)});
  auto points = tenant_->history("urn:gone", iri("level"), 0, INT64_MAX);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].dataset_id, "urn:ds:a");
  EXPECT_EQ(points[1].dataset_id, "");
  EXPECT_FALSE(tenant_->get("urn:gone"));
}

TEST_F(HistoryImportTest, ABadPointRejectsTheWholeCall) {
  auto expect_rejected = [&](HistoryPoint bad, const std::string& words) {
    try {
      tenant_->append_history({point("urn:s:1", "t", 1.0, kT0), bad});
      ADD_FAILURE() << "accepted: " << words;
    } catch (const Error& e) {
      EXPECT_EQ(e.type(), ErrorType::kBadRequestData);
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  HistoryPoint p = point("urn:s:1", "t", 2.0, kT0 + 1);
  HistoryPoint no_entity = p;
  no_entity.entity_id = "";
  expect_rejected(no_entity, "no entity id");
  HistoryPoint no_attr = p;
  no_attr.attr = "";
  expect_rejected(no_attr, "no attribute");
  HistoryPoint no_time = p;
  no_time.instance.erase("observedAt");
  expect_rejected(no_time, "observedAt");
  HistoryPoint bad_time = p;
  bad_time.instance["observedAt"] = "yesterday";
  expect_rejected(bad_time, "observedAt");
  HistoryPoint other_time = p;
  other_time.time = kT0 + 5;
  expect_rejected(other_time, "time differs");
  HistoryPoint deletion = p;
  deletion.instance = nullptr;
  expect_rejected(deletion, "must be an object");
  HistoryPoint untyped = p;
  untyped.instance.erase("type");
  expect_rejected(untyped, "attribute type");
  HistoryPoint dataset = p;
  dataset.dataset_id = "urn:ds:x";
  expect_rejected(dataset, "datasetId");
  EXPECT_EQ(rows(), 0);
}

TEST_F(HistoryImportTest, ImportIsDurableAcrossReopen) {
  std::vector<HistoryPoint> points;
  for (int i = 0; i < 1000; ++i) points.push_back(point("urn:s:" + std::to_string(i % 7), "t", i, kT0 + i * 1000));
  tenant_->append_history(points);
  reopen();
  EXPECT_EQ(rows(), 1000);
  EXPECT_EQ(tenant_->history("urn:s:3", iri("t"), 0, INT64_MAX).size(), 143u);
}

// ~1.7M points must import in well under a minute (the demo city's 30 days
// of sensor readings); this measures 200k in calls of 20k.
TEST_F(HistoryImportTest, BulkImportRate) {
  constexpr int kSensors = 50, kPerSensor = 4000, kPerCall = 20000;
  std::vector<HistoryPoint> batch;
  auto start = std::chrono::steady_clock::now();
  for (int s = 0; s < kSensors; ++s) {
    for (int i = 0; i < kPerSensor; ++i) {
      batch.push_back(point("urn:ngsi-ld:AirQualityObserved:" + std::to_string(s), "pm25", 10.0 + i % 17,
                            kT0 + static_cast<TimeMs>(i) * 600000));
    }
    if (batch.size() >= kPerCall) {
      tenant_->append_history(batch);
      batch.clear();
    }
  }
  tenant_->append_history(batch);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("imported %d history points in %.2f s (%.0f points/s)\n", kSensors * kPerSensor, seconds,
              kSensors * kPerSensor / seconds);
  EXPECT_EQ(rows(), kSensors * kPerSensor);
  EXPECT_LT(seconds, 20.0);
}

}  // namespace
}  // namespace machi::store
