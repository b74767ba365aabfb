// Messages through the ingestor into a real SQLite store: entities created
// and updated with observedAt, history, the change feed, and rejections.
#include "iot/ingest.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace machi::iot {
namespace {

constexpr TimeMs kReceived = 1767225600000;  // 2026-01-01T00:00:00Z
const std::string kVocab = "https://uri.etsi.org/ngsi-ld/default-context/";

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::open_sqlite_store({dir_.path().string(), store::Durability::kProcess});
    contexts_ = std::make_unique<ld::ContextResolver>(nullptr, nullptr, std::vector<std::string>{}, "http://machi.local");
    registry_ = std::make_unique<Registry>(store_.get());
    ingestor_ = std::make_unique<Ingestor>(store_.get(), contexts_.get(), registry_.get(), IngestOptions{});
    store_->tenant("city_a", true);
    registry_->add_groups("city_a", "/noda", {Json::parse(R"({"apikey": "k1", "resource": "/iot/json",
      "entity_type": "WeatherObserved", "attributes": [{"object_id": "t", "name": "temperature", "type": "Number"}],
      "static_attributes": [{"name": "district", "type": "Text", "value": "Noda"}]})")});
    registry_->add_devices("city_a", "/noda", {Json{{"device_id", "s1"}}});
  }

  void apply(std::vector<Message> batch) { ingestor_->process(batch); }
  std::optional<Json> entity(const std::string& id) { return store_->tenant("city_a", false)->get(id); }
  uint64_t rejected(const char* reason) {
    auto counters = ingestor_->tenant_counters("city_a");
    return counters.rejected.contains(reason) ? counters.rejected[reason] : 0;
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ld::ContextResolver> contexts_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<Ingestor> ingestor_;
};

TEST_F(IngestTest, TheFirstMeasureCreatesTheEntityAndLaterOnesUpdateIt) {
  apply({{"/k1/s1/attrs", R"({"t": 21.5, "battery": 90})", kReceived}});
  auto created = entity("urn:ngsi-ld:WeatherObserved:s1");
  ASSERT_TRUE(created);
  EXPECT_EQ((*created)["type"][0], kVocab + "WeatherObserved");
  EXPECT_EQ((*created)["scope"][0], "/noda");
  const Json& temperature = (*created)["attrs"][kVocab + "temperature"][0];
  EXPECT_EQ(temperature["value"], 21.5);
  EXPECT_EQ(temperature["observedAt"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ((*created)["attrs"][kVocab + "district"][0]["value"], "Noda");
  EXPECT_TRUE((*created)["attrs"].contains(kVocab + "battery"));

  apply({{"/json/k1/s1/attrs", R"([{"t": 22, "TimeInstant": "2026-01-01T00:01:00Z"}, {"t": 23, "TimeInstant": "2026-01-01T00:02:00Z"}])",
          kReceived + 5000},
         {"/k1/s1/attrs/t", "24", kReceived + 180000}});
  auto updated = entity("urn:ngsi-ld:WeatherObserved:s1");
  EXPECT_EQ((*updated)["attrs"][kVocab + "temperature"][0]["value"], 24);
  EXPECT_EQ((*updated)["attrs"][kVocab + "temperature"][0]["observedAt"], "2026-01-01T00:03:00.000Z");
  EXPECT_EQ((*updated)["attrs"][kVocab + "battery"][0]["value"], 90);  // kept
  auto history = store_->tenant("city_a", false)->history("urn:ngsi-ld:WeatherObserved:s1", kVocab + "temperature",
                                                          store::kMinTime, store::kMaxTime);
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[1].time, kReceived + 60000);
  EXPECT_EQ(history[2].time, kReceived + 120000);
  // the static attribute was written once, not with every measure
  auto statics = store_->tenant("city_a", false)->history("urn:ngsi-ld:WeatherObserved:s1", kVocab + "district",
                                                          store::kMinTime, store::kMaxTime);
  EXPECT_EQ(statics.size(), 1u);
  EXPECT_GE(store_->tenant("city_a", false)->last_change_seq(), 3);
  auto counters = ingestor_->tenant_counters("city_a");
  EXPECT_EQ(counters.messages_received, 3u);
  EXPECT_EQ(counters.measures_applied, 4u);
}

TEST_F(IngestTest, WhatCannotBeAppliedIsDroppedAndCounted) {
  apply({{"/k1/s1/attrs", "{not json", kReceived},
         {"/k1/s1/attrs", R"({"t": 1, "bad name": 2})", kReceived},
         {"/k1/unknown/attrs", R"({"t": 1})", kReceived},
         {"/nokey/s1/attrs", R"({"t": 1})", kReceived},
         {"/k1/s1/cmd", R"({"t": 1})", kReceived},
         {"/k1/s1/attrs", R"({"id": "urn:other"})", kReceived}});
  EXPECT_FALSE(entity("urn:ngsi-ld:WeatherObserved:s1"));
  EXPECT_EQ(rejected("bad_payload"), 1u);
  EXPECT_EQ(rejected("invalid_measure"), 2u);
  EXPECT_EQ(rejected("unknown_device"), 1u);
  auto totals = ingestor_->total_counters();
  EXPECT_EQ(totals.messages_received, 6u);
  EXPECT_EQ(totals.rejected["unknown_apikey"], 1u);
  EXPECT_EQ(totals.rejected["bad_topic"], 1u);
  EXPECT_EQ(totals.measures_applied, 0u);
}

TEST_F(IngestTest, AnIdHeldByAnotherTypeIsRefusedAndTheOthersGoOn) {
  auto tenant = store_->tenant("city_a", false);
  registry_->add_devices("city_a", "/noda", {Json{{"device_id", "s2"}, {"entity_name", "Taken"}}});
  tenant->write({{"Taken", [](const std::optional<Json>&) -> std::optional<Json> {
                    return Json{{"id", "Taken"}, {"type", Json::array({kVocab + "Car"})}, {"attrs", Json::object()}};
                  }}});
  apply({{"/k1/s2/attrs", R"({"t": 1})", kReceived}, {"/k1/s1/attrs", R"({"t": 2})", kReceived}});
  EXPECT_EQ((*entity("Taken"))["type"][0], kVocab + "Car");
  EXPECT_FALSE((*entity("Taken"))["attrs"].contains(kVocab + "temperature"));
  EXPECT_TRUE(entity("urn:ngsi-ld:WeatherObserved:s1"));
  EXPECT_EQ(rejected("write_failed"), 1u);
}

TEST_F(IngestTest, TheWorkerAppliesWhatIsSubmitted) {
  ingestor_->start();
  for (int i = 0; i < 100; ++i) ingestor_->submit({"/k1/s1/attrs", "{\"t\": " + std::to_string(i) + "}", kReceived + i});
  ingestor_->stop();
  EXPECT_EQ(ingestor_->tenant_counters("city_a").measures_applied, 100u);
  EXPECT_EQ((*entity("urn:ngsi-ld:WeatherObserved:s1"))["attrs"][kVocab + "temperature"][0]["value"], 99);
  EXPECT_LE(ingestor_->batches(), 100u);
}

}  // namespace
}  // namespace machi::iot
