// デモ市, the synthetic city `machi demo` serves: its plan (layout,
// residents, facilities, transport, hazards, sensors) and its generation
// into a tenant through the store's normal paths — every entity through
// TenantStore::write (stored form from ld::expand_entity under the core
// context), thirty days of sensor readings through append_history.
// Everything is deterministic for a seed and a generation time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/json.h"
#include "store/store.h"
#include "sim/city_layout.h"
#include "sim/environment.h"
#include "sim/readings.h"
#include "sim/residents.h"
#include "sim/sensors.h"

namespace machi::sim {

// The entity whose presence says the demo city is complete (written last).
inline constexpr const char* kDemoMarkerId = "urn:ngsi-ld:SyntheticDataset:demo-city";
inline constexpr int kDemoGeneratorVersion = 2;  // 2: residents name their data subject

struct DemoCityOptions {
  uint64_t seed = 1;
  size_t residents = 20000;
  // Days of past sensor readings imported as history, the latest ones
  // (0 .. kReadingDays). The readings themselves do not change: fewer days
  // only import less of the same 30 days (a shorter history for tests).
  int history_days = kReadingDays;
  TimeMs now = 0;                                      // 0: the current time
  std::function<void(const std::string&)> progress;    // one line per step; may be empty
};

struct DemoCityPlan {
  CityLayout layout;
  Population population;
  std::vector<Json> entities;  // normalized NGSI-LD, all but the sensors
  std::vector<Sensor> sensors;
};

DemoCityPlan plan_demo_city(uint64_t seed, size_t residents);

// A sensor's entity: its place, its static attributes, and as current
// values the last of its readings (with observedAt).
Json sensor_entity(const Sensor& sensor, const std::vector<Series>& readings, const Environment& env,
                   const CityLayout& layout);

struct DemoCityReport {
  std::map<std::string, size_t> entities;  // by type
  size_t history_points = 0;               // imported through append_history
  TimeMs generated_at = 0;
  double seconds = 0;
};

bool demo_city_present(store::TenantStore& tenant);

// Generates the city into tenant. Throws machi::Error if a write fails.
DemoCityReport generate_demo_city(store::TenantStore& tenant, const DemoCityOptions& options);

}  // namespace machi::sim
