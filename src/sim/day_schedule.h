// One person's day as contiguous episodes from 00:00 to 24:00 on a 5-minute
// grid: sleep until waking, a sequence of activities shaped by the person's
// role and the kind of day, sleep from bedtime to midnight.
//
// A plan is a list of activities with nominal durations; some are fixed
// (school hours, work, commuting), the rest flexible. The flexible ones are
// stretched or squeezed to fill the waking hours exactly; if the fixed ones
// leave too little room, bedtime moves later (never past midnight).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/activities.h"
#include "sim/calendar.h"
#include "sim/person_profile.h"
#include "sim/rng.h"

namespace machi::sim {

struct Episode {
  Activity activity;
  int16_t start, end;  // minutes since 00:00, end <= 1440
};

class DayPlanner {
 public:
  // Replaces out with the day's episodes; reuses its storage.
  void plan(const PersonProfile& person, DayType day, Rng& rng, std::vector<Episode>& out);

 private:
  struct Item {
    Activity activity;
    double minutes;
    bool fixed;
  };

  // Adds an activity of about `nominal` minutes (varying by a quarter).
  void add(Activity a, double nominal, bool fixed = false);
  void maybe(double p, Activity a, double nominal, bool fixed = false);

  void child_day(const PersonProfile& p, bool school_day);
  void pupil_day(const PersonProfile& p, bool school_day);
  void student_day(const PersonProfile& p, bool school_day);
  void work_day(const PersonProfile& p);
  void home_day(const PersonProfile& p, bool weekday);
  void weekend_day(const PersonProfile& p);
  void evening(const PersonProfile& p);

  void fill(int wake, int bed, std::vector<Episode>& out) const;

  Rng* rng_ = nullptr;
  std::array<Item, 48> items_{};
  size_t count_ = 0;
};

}  // namespace machi::sim
