// The generated city through a real store in a temporary directory.
#include "sim/demo_city.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>

#include "sim/entity_json.h"

namespace machi::sim {
namespace {

constexpr TimeMs kNow = 1764558000000;  // 2025-12-01T03:00:00Z, 12:00 in Japan

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "machi-sim-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::map<std::string, size_t> types_of(const DemoCityPlan& plan) {
  std::map<std::string, size_t> n;
  for (const Json& e : plan.entities) n[e["type"].get<std::string>()]++;
  for (const Sensor& s : plan.sensors) n[s.place.type]++;
  return n;
}

TEST(DemoCityPlanTest, TheSameSeedGivesTheSameCity) {
  DemoCityPlan a = plan_demo_city(5, 1500), b = plan_demo_city(5, 1500), c = plan_demo_city(6, 1500);
  EXPECT_EQ(a.entities, b.entities);
  EXPECT_NE(a.entities, c.entities);
  Environment env(kNow, 5);
  for (size_t k = 0; k < a.sensors.size(); k += 37) {
    ASSERT_EQ(a.sensors[k].place.id, b.sensors[k].place.id);
    auto ra = sensor_readings(a.sensors[k], env, 5), rb = sensor_readings(b.sensors[k], env, 5);
    ASSERT_EQ(ra.size(), rb.size());
    for (size_t s = 0; s < ra.size(); ++s) EXPECT_EQ(ra[s].values, rb[s].values) << a.sensors[k].place.id;
  }
  Environment other(kNow, 6);
  bool differs = false;
  for (size_t s = 0; s < env.slots(); ++s) differs = differs || env.temperature(s) != other.temperature(s);
  EXPECT_TRUE(differs);
}

TEST(DemoCityPlanTest, WhatTheCityHolds) {
  DemoCityPlan plan = plan_demo_city(1, 20000);
  auto n = types_of(plan);
  EXPECT_EQ(n["Municipality"], 1u);
  EXPECT_EQ(n["District"], 12u);
  EXPECT_EQ(n["TownArea"], 108u);
  EXPECT_EQ(n["Resident"], 20000u);
  EXPECT_EQ(n["Station"], 3u);
  EXPECT_EQ(n["RailLine"], 1u);
  EXPECT_GE(n["BusRoute"], 3u);
  EXPECT_GE(n["BusStop"], 30u);
  EXPECT_GE(n["Road"], 20u);
  EXPECT_EQ(n["School"], 16u);
  EXPECT_GE(n["EvacuationShelter"], 20u);
  for (const char* t : {"Clinic", "CareFacility", "Park", "Shop", "HazardZone"}) EXPECT_GE(n[t], 5u) << t;
  EXPECT_GE(plan.sensors.size(), 450u);
  EXPECT_LE(plan.sensors.size(), 550u);
  for (const char* t : {"AirQualityObserved", "NoiseLevelObserved", "WeatherObserved", "WaterObserved", "FloodMonitoring",
                        "ParkingSpot", "TrafficFlowObserved", "CrowdFlowObserved", "BikeHireDockingStation",
                        "EVChargingStation", "Streetlight", "WasteContainer"}) {
    EXPECT_GE(n[t], 5u) << t;
  }
  // District populations add up to the city's.
  int population = 0;
  for (const Json& e : plan.entities)
    if (e["type"] == "District") population += e["population"]["value"].get<int>();
  EXPECT_EQ(population, 20000);
  // The shelters are named after their schools.
  bool found = false;
  for (const Json& e : plan.entities) found = found || e["name"]["value"] == "デモ市立中央小学校 体育館";
  EXPECT_TRUE(found);
}

// Generating takes some seconds, so one test generates once and checks
// everything (ctest runs each TEST in a process of its own).
class DemoCityStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::open_sqlite_store({dir_.path().string(), store::Durability::kProcess});
    DemoCityOptions options;
    options.seed = 3;
    options.residents = 2000;
    options.now = kNow;
    report_ = generate_demo_city(*store_->tenant("", true), options);
  }
  void TearDown() override { store_->close(); }
  std::shared_ptr<store::TenantStore> tenant() { return store_->tenant("", false); }
  std::string iri(const std::string& term) { return stored_.iri(term); }

  void the_store_holds_exactly_the_plan();
  void sensors_have_thirty_days_of_history();
  void heavy_rain_then_the_river_rises();
  void facilities_are_found_by_geo_query_in_their_district();

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  DemoCityReport report_;
  StoredForm stored_;
};

TEST_F(DemoCityStoreTest, GeneratedIntoARealStore) {
  the_store_holds_exactly_the_plan();
  sensors_have_thirty_days_of_history();
  heavy_rain_then_the_river_rises();
  facilities_are_found_by_geo_query_in_their_district();
}

void DemoCityStoreTest::the_store_holds_exactly_the_plan() {
  EXPECT_TRUE(demo_city_present(*tenant()));
  DemoCityPlan plan = plan_demo_city(3, 2000);
  auto expected = types_of(plan);
  EXPECT_EQ(report_.entities, expected);
  std::map<std::string, size_t> stored;
  for (const auto& info : tenant()->types()) stored[info.type] = info.entity_count;
  for (const auto& [type, count] : expected) EXPECT_EQ(stored[iri(type)], count) << type;
  // Entities are stored exactly as expand_entity makes them from the plan.
  for (size_t k = 0; k < plan.entities.size(); k += 97) {
    const Json& e = plan.entities[k];
    EXPECT_EQ(tenant()->get(e["id"]), stored_.expand(e, kNow)) << e["id"];
  }
  EXPECT_GT(report_.history_points, 1'500'000u);
}

void DemoCityStoreTest::sensors_have_thirty_days_of_history() {
  DemoCityPlan plan = plan_demo_city(3, 10);
  const Sensor* weather = nullptr;
  const Sensor* parking = nullptr;
  for (const Sensor& s : plan.sensors) {
    if (!weather && s.kind == SensorKind::kWeather) weather = &s;
    if (!parking && s.kind == SensorKind::kParking) parking = &s;
  }
  ASSERT_TRUE(weather && parking);
  // Every 10 minutes for 30 days: 4319 imported, the latest by the entity's write.
  auto temperature = tenant()->history(weather->place.id, iri("temperature"), 0, INT64_MAX);
  ASSERT_EQ(temperature.size(), 4320u);
  EXPECT_EQ(temperature.back().time, kNow - kNow % (30 * 60 * 1000));
  EXPECT_EQ(temperature.back().time - temperature.front().time, TimeMs{4320 - 1} * 600000);
  for (size_t k = 1; k < temperature.size(); ++k) ASSERT_EQ(temperature[k].time - temperature[k - 1].time, 600000);
  auto entity = tenant()->get(weather->place.id);
  ASSERT_TRUE(entity);
  EXPECT_EQ((*entity)["attrs"][iri("temperature")][0]["value"], temperature.back().instance["value"]);
  EXPECT_EQ(tenant()->history(parking->place.id, iri("status"), 0, INT64_MAX).size(), 2880u);
}

void DemoCityStoreTest::heavy_rain_then_the_river_rises() {
  DemoCityPlan plan = plan_demo_city(3, 10);
  Environment env(kNow, 3);
  auto peak_of = [&](const std::string& id, const std::string& attr) {
    auto points = tenant()->history(id, iri(attr), 0, INT64_MAX);
    const store::HistoryPoint* best = &points.front();
    for (const auto& p : points)
      if (p.instance["value"].get<double>() > best->instance["value"].get<double>()) best = &p;
    return std::pair{best->time, best->instance["value"].get<double>()};
  };
  for (const Sensor& s : plan.sensors) {
    if (s.kind == SensorKind::kRainGauge) {
      auto [time, mm] = peak_of(s.place.id, "precipitation");
      EXPECT_NEAR(static_cast<double>(time - env.heavy_rain_peak()), 0, 2 * 3.6e6) << s.place.name;
      EXPECT_GT(mm, 5.0);  // over 30 mm/h
    }
    if (s.kind == SensorKind::kFloodGauge) {
      auto [time, level] = peak_of(s.place.id, "currentLevel");
      double lag_hours = static_cast<double>(time - env.heavy_rain_peak()) / 3.6e6;
      EXPECT_GT(lag_hours, 1) << s.place.name;
      EXPECT_LT(lag_hours, 12) << s.place.name;
      EXPECT_GT(level, 4.0) << s.place.name;  // above 氾濫注意水位
    }
  }
}

void DemoCityStoreTest::facilities_are_found_by_geo_query_in_their_district() {
  // The elementary schools within their district, through the store's geo index.
  DemoCityPlan plan = plan_demo_city(3, 10);
  for (const District& d : plan.layout.districts()) {
    store::EntityQuery q;
    q.types = {iri("School")};
    q.geo = ld::GeoQuery::parse("within", "Polygon", polygon_json(d.ring)["coordinates"]);
    q.geo->set_geoproperty(iri("location"));
    q.limit = 100;
    auto result = tenant()->query(q);
    bool found = false;
    for (const Json& school : result.entities) {
      EXPECT_EQ(school["attrs"][iri("refDistrict")][0]["object"], d.id);
      found = found || school["attrs"][iri("name")][0]["value"] == "デモ市立" + d.school + "小学校";
    }
    EXPECT_TRUE(found) << d.name;
  }
}

TEST(DemoCityHistoryDaysTest, FewerDaysImportOnlyTheLatestReadings) {
  TempDir dir;
  auto store = store::open_sqlite_store({dir.path().string(), store::Durability::kProcess});
  DemoCityOptions options;
  options.seed = 3;
  options.residents = 10;
  options.now = kNow;
  options.history_days = 1;
  DemoCityReport report = generate_demo_city(*store->tenant("", true), options);
  auto tenant = store->tenant("", false);
  EXPECT_TRUE(demo_city_present(*tenant));
  DemoCityPlan plan = plan_demo_city(3, 10);
  const Sensor* weather = nullptr;
  for (const Sensor& s : plan.sensors) {
    if (!weather && s.kind == SensorKind::kWeather) weather = &s;
  }
  ASSERT_TRUE(weather);
  // Every 10 minutes over the last day: 144 imported, the latest by the entity's write.
  StoredForm stored;
  auto temperature = tenant->history(weather->place.id, stored.iri("temperature"), 0, INT64_MAX);
  ASSERT_EQ(temperature.size(), 145u);
  EXPECT_EQ(temperature.back().time, kNow - kNow % (30 * 60 * 1000));
  EXPECT_EQ(temperature.back().time - temperature.front().time, kDayMs);
  // The same readings as with the full 30 days: only fewer of them.
  Environment env(kNow, 3);
  auto readings = sensor_readings(*weather, env, 3);
  for (const Series& s : readings) {
    if (s.attr != "temperature") continue;
    EXPECT_EQ(temperature.front().instance["value"], s.values[s.values.size() - 145]);
  }
  EXPECT_LT(report.history_points, 100'000u);
  tenant.reset();
  store->close();
}

}  // namespace
}  // namespace machi::sim
