// The weather and the river over the 30 days of sensor readings, on a
// 5-minute grid (the common grid of the 10- and 15-minute readings):
// temperature with its season, daily cycle and passing weather systems;
// a few days of light rain and one heavy-rain event (a 線状降水帯 of some
// 150 mm in an afternoon, on day 20); and the river's runoff, which follows
// the rain through two linear reservoirs so that river levels peak some
// hours after the rain does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"
#include "sim/calendar.h"
#include "sim/rng.h"

namespace machi::sim {

inline constexpr TimeMs kSlotMs = 5 * 60 * 1000;
inline constexpr int kReadingDays = 30;

class Environment {
 public:
  // The readings end at `now` rounded down to a half hour.
  Environment(TimeMs now, uint64_t seed);

  TimeMs start() const { return start_; }
  TimeMs end() const { return end_; }
  size_t slots() const { return rain_.size(); }  // start .. end inclusive
  TimeMs time(size_t slot) const { return start_ + static_cast<TimeMs>(slot) * kSlotMs; }
  const std::string& stamp(size_t slot) const { return stamps_[slot]; }  // observedAt text

  int minute(size_t slot) const { return minute_[slot]; }  // minutes since local midnight
  DayType day_type(size_t slot) const { return day_type_[slot]; }
  int64_t local_day(size_t slot) const { return jst_day(time(slot)); }
  int weekday(size_t slot) const { return sim::weekday(local_day(slot)); }

  double rain(size_t slot) const { return rain_[slot]; }  // mm/h, city average
  bool wet(size_t slot) const { return wet_[slot]; }      // rain within the last three hours
  double temperature(size_t slot) const { return temperature_[slot]; }  // deg C
  double humidity(size_t slot) const { return humidity_[slot]; }        // 0-1
  double wind(size_t slot) const { return wind_[slot]; }                // m/s
  double pressure(size_t slot) const { return pressure_[slot]; }        // hPa
  // River runoff at a point `lag` slots downstream of the top gauge, mm/h.
  double runoff(size_t slot, size_t lag) const { return runoff_[slot >= lag ? slot - lag : 0]; }
  // Local sunrise and sunset (minutes since midnight) on the slot's day.
  int sunrise(size_t slot) const;
  int sunset(size_t slot) const;

  TimeMs heavy_rain_peak() const { return peak_; }

 private:
  void add_rain(Rng& rng);
  void add_weather(Rng& rng);
  void add_river();

  TimeMs start_ = 0, end_ = 0, peak_ = 0;
  std::vector<std::string> stamps_;
  std::vector<int> minute_;
  std::vector<DayType> day_type_;
  std::vector<double> rain_, temperature_, humidity_, wind_, pressure_, runoff_;
  std::vector<bool> wet_;
};

// A smooth bump: 1 at x = 0 falling to 0 at |x| = width (a raised cosine).
double bump(double x, double width);

}  // namespace machi::sim
