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
  return {entity, iri(attr), dataset_id, 0, observed(value, t, dataset_id), std::nullopt, ""};
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
  // Series order: the default instance before named datasets.
  EXPECT_EQ(points[0].dataset_id, "");
  EXPECT_EQ(points[1].dataset_id, "urn:ds:a");
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

// A bulk import in calls of 20k keeps every point (the demo city imports
// ~1.7M this way); the rate is printed for information only.
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
}


// Points land in the partition of their month, and a read of a range reads
// the partitions it overlaps.
TEST_F(HistoryImportTest, PointsArePartitionedByMonth) {
  constexpr TimeMs kDec = 1764547200000;  // 2025-12-01T00:00:00Z
  tenant_->append_history({point("urn:s:2", "t", 1, kDec - 1), point("urn:s:2", "t", 2, kDec),
                           point("urn:s:2", "t", 3, kT0 + 5)});
  Db db(dir_.path() / "machi.db", Db::Mode::kReadWrite);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM history_202511"), 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM history_202512"), 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM history_202601"), 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM history"), 3);
  auto points = tenant_->history("urn:s:2", iri("t"), kDec - 1, kT0 + 6);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(*points[0].number, 1);
  EXPECT_EQ(*points[2].number, 3);
  EXPECT_NE(points[0].key, points[1].key);
  EXPECT_EQ(tenant_->history("urn:s:2", iri("t"), kDec, kT0).size(), 1u);
}

TEST_F(HistoryImportTest, LastNKeepsTheLatestPointsOfEachSeries) {
  std::vector<HistoryPoint> points;
  for (int i = 0; i < 10; ++i) {
    points.push_back(point("urn:s:3", "t", i, kT0 + i * 86400000LL * 7));  // weekly: several partitions
    points.push_back(point("urn:s:3", "u", 100 + i, kT0 + i * 1000));
  }
  tenant_->append_history(points);
  HistoryRead read;
  read.entity_ids = {"urn:s:3", "urn:unknown"};
  read.last_n = 3;
  auto got = tenant_->history(read);
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0].attr, iri("t"));
  EXPECT_EQ(*got[0].number, 7);
  EXPECT_EQ(*got[2].number, 9);
  EXPECT_EQ(*got[3].number, 107);
  read.numbers_only = true;
  read.attrs = {iri("u")};
  got = tenant_->history(read);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].instance.is_null());
  EXPECT_EQ(*got[0].number, 107);
}

// The hourly summaries agree with the points they summarize, whether the
// points were imported or written as entity updates.
TEST_F(HistoryImportTest, HourlySummariesMatchThePoints) {
  std::vector<HistoryPoint> points;
  double sum = 0, sumsq = 0;
  for (int i = 0; i < 120; ++i) {  // two hours of minute data
    double v = (i * 37) % 11 - 3.5;
    points.push_back(point("urn:s:4", "t", v, kT0 + i * 60000LL));
    if (i < 60) sum += v, sumsq += v * v;
  }
  tenant_->append_history(points);
  // A text value counts as an instance but not as a number.
  Json text = {{"type", "Property"}, {"value", "offline"}, {"observedAt", format_datetime(kT0 + 30 * 60000)}};
  tenant_->append_history({{"urn:s:4", iri("t"), "", 0, text, std::nullopt, ""}});
  HistoryRead read;
  read.entity_ids = {"urn:s:4"};
  read.from = kT0 + 1;  // rounded outwards to the hour
  read.to = kT0 + 2 * 3600000LL;
  auto hours = tenant_->hourly_history(read);
  ASSERT_EQ(hours.size(), 2u);
  EXPECT_EQ(hours[0].hour, kT0);
  EXPECT_EQ(hours[0].count, 61);
  EXPECT_EQ(hours[0].numbers, 60);
  EXPECT_DOUBLE_EQ(hours[0].sum, sum);
  EXPECT_DOUBLE_EQ(hours[0].sumsq, sumsq);
  EXPECT_EQ(hours[0].min, -3.5);
  EXPECT_EQ(hours[0].max, 6.5);
  // Entity updates add to the summary of their hour.
  Json reading = property(100.0, kT0 + 3 * 3600000LL);
  reading["observedAt"] = format_datetime(kT0 + 3 * 3600000LL);
  expect_all_ok(tenant_->write({put(entity("urn:s:4", "Sensor", {{"t", reading}}))}));
  read.to = kMaxTime;
  hours = tenant_->hourly_history(read);
  ASSERT_EQ(hours.size(), 3u);
  EXPECT_EQ(hours[2].count, 1);
  EXPECT_EQ(hours[2].max, 100);
}

TEST_F(HistoryImportTest, ExpiryDeletesOldPointsAndDropsEmptyPartitions) {
  constexpr TimeMs kDec = 1764547200000;  // 2025-12-01T00:00:00Z
  tenant_->append_history({point("urn:s:5", "t", 1, kDec), point("urn:s:5", "t", 2, kT0),
                           point("urn:s:6", "t", 3, kDec)});
  EXPECT_EQ(tenant_->expire_history({"urn:s:5"}, kT0), 1u);
  EXPECT_EQ(tenant_->history("urn:s:5", "", kMinTime, kMaxTime).size(), 1u);
  EXPECT_EQ(tenant_->history("urn:s:6", "", kMinTime, kMaxTime).size(), 1u);  // another entity's points stay
  EXPECT_EQ(tenant_->expire_history({"urn:s:6"}, kT0), 1u);
  Db db(dir_.path() / "machi.db", Db::Mode::kReadWrite);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM history_partitions WHERE name = 'history_202512'"), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM history"), 1);
  HistoryRead read;
  read.entity_ids = {"urn:s:5", "urn:s:6"};
  EXPECT_EQ(tenant_->hourly_history(read).size(), 1u);
  EXPECT_EQ(tenant_->erase_history("urn:s:5", {}), 1u);
  EXPECT_EQ(tenant_->hourly_history(read).size(), 0u);
}

// The store adds up the hourly summaries of many entities per period, as
// the sum of the points would be.
TEST_F(HistoryImportTest, TotalsAddUpManyEntitiesPerPeriod) {
  std::vector<HistoryPoint> points;
  double sum[3] = {0, 0, 0};
  int64_t count[3] = {0, 0, 0};
  for (int s = 0; s < 5; ++s) {
    for (int i = 0; i < 6 * 60; i += 7) {  // six hours, every 7 minutes
      double v = s * 10 + i % 13;
      points.push_back(point("urn:t:" + std::to_string(s), "t", v, kT0 + i * 60000LL));
      int period = (i / 60 - 1) / 2;  // periods of 2 h from kT0 + 1 h
      if (i >= 60 && period < 3 && s != 4) sum[period] += v, count[period]++;
    }
  }
  tenant_->append_history(points);
  HistoryRead read;
  read.entity_ids = {"urn:t:0", "urn:t:1", "urn:t:2", "urn:t:3", "urn:none"};
  read.from = kT0 + 3600000;
  read.to = kT0 + 6 * 3600000;
  auto totals = tenant_->history_totals(read, kT0 + 3600000, 2 * 3600000);
  ASSERT_EQ(totals.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(totals[k].index, k);
    EXPECT_EQ(totals[k].count, count[k]) << k;
    EXPECT_DOUBLE_EQ(totals[k].sum, sum[k]) << k;
    EXPECT_EQ(totals[k].attr, iri("t"));
  }
}

}  // namespace
}  // namespace machi::store
