// Sensor readings over the 30 days before generation: weather, air and
// water every 10 minutes, everything else every 15 minutes, with daily and
// weekly rhythms and the heavy-rain event of environment.h.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"
#include "sim/environment.h"
#include "sim/sensors.h"

namespace machi::sim {

// One attribute's readings, oldest first; the last is at Environment::end().
struct Series {
  std::string attr;           // the Smart Data Model attribute name
  const char* unit = nullptr; // UN/CEFACT code, if any
  size_t step = 2;            // in 5-minute slots: 2 (10 min) or 3 (15 min)
  std::vector<Json> values;
  // The environment slot of reading k.
  size_t slot(const Environment& env, size_t k) const { return env.slots() - 1 - (values.size() - 1 - k) * step; }
};

// The readings of one sensor; the same for the same seed.
std::vector<Series> sensor_readings(const Sensor& sensor, const Environment& env, uint64_t seed);

}  // namespace machi::sim
