// Residents' activity episodes (`machi sim episodes`): for each synthetic
// person and day, what they did from 00:00 to 24:00 in the 20 categories of
// the 社会生活基本調査, as CSV:
//
//   person_id,district,age_band,day,start,end,activity
//   3f9a2b1c4d5e6f70,01,40-44,2025-10-01,00:00,06:25,sleep
//
// person_id is the resident's pseudonym (the Resident entity of the demo
// city with the same seed and count is urn:ngsi-ld:Resident:<person_id>),
// district the District's code, day the ISO date, start and end clock
// times on a 5-minute grid (the last end is 24:00), activity the code from
// activities.h. Persons are drawn exactly as the demo city's residents are.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "sim/day_schedule.h"
#include "sim/residents.h"

namespace machi::sim {

struct EpisodeOptions {
  size_t persons = 1000;
  int days = 7;
  uint64_t seed = 1;
  int64_t start_day = 20362;  // 2025-10-01, so that a seed alone fixes the output
};

struct PersonDay {
  size_t person;                    // index in the population
  const Resident& resident;
  const District& district;
  const PersonProfile& profile;
  int64_t day;                      // days since 1970-01-01
  DayType day_type;
  const std::vector<Episode>& episodes;
};

// Calls on_day for every person and day, person by person, in order.
void generate_episodes(const EpisodeOptions& options, const std::function<void(const PersonDay&)>& on_day);

struct EpisodeStats {
  size_t persons = 0, person_days = 0, episodes = 0;
  uint64_t bytes = 0;
};

// Writes the CSV (header first) to out; throws std::runtime_error when
// writing fails.
EpisodeStats write_episodes_csv(const EpisodeOptions& options, std::FILE* out);

}  // namespace machi::sim
