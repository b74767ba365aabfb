#include "sim/environment.h"

#include <algorithm>
#include <cmath>

#include "sim/geometry.h"
#include "sim/rng.h"

namespace machi::sim {
namespace {

constexpr TimeMs kHalfHourMs = 30 * 60 * 1000;
constexpr double kSlotHours = 5.0 / 60;

double day_of_year(int64_t day) {
  Date d = date_from_days(day);
  return static_cast<double>(day - days_from_date({d.year, 1, 1}));
}

}  // namespace

double bump(double x, double width) {
  if (x <= -width || x >= width) return 0;
  return (1 + cos_turn(x / (2 * width))) / 2;
}

Environment::Environment(TimeMs now, uint64_t seed) {
  end_ = now / kHalfHourMs * kHalfHourMs;
  start_ = end_ - kReadingDays * kDayMs;
  size_t n = static_cast<size_t>((end_ - start_) / kSlotMs) + 1;
  stamps_.reserve(n);
  for (size_t s = 0; s < n; ++s) {
    stamps_.push_back(format_datetime(time(s)));
    minute_.push_back(jst_minute(time(s)));
    day_type_.push_back(sim::day_type(jst_day(time(s))));
  }
  rain_.assign(n, 0);
  Rng rng(seed, "environment");
  add_rain(rng);
  add_weather(rng);
  add_river();
}

void Environment::add_rain(Rng& rng) {
  // The heavy rain: on the 20th day, peaking at 15:00, after a morning of
  // moderate rain; about 150 mm in all, 45 mm/h at its height.
  int64_t event_day = jst_day(start_) + 19;
  peak_ = event_day * kDayMs - kJstOffsetMs + 15 * 3600 * 1000;
  auto hours_from_peak = [&](size_t s) { return static_cast<double>(time(s) - peak_) / 3.6e6; };
  for (size_t s = 0; s < rain_.size(); ++s) {
    double x = hours_from_peak(s);
    double core = bump(x, 4.0);
    rain_[s] += 45 * core * core + 4 * bump(x + 7, 3.5) + 1.5 * bump(x - 5, 2.5);
  }
  // Four spells of light rain on other days.
  for (int k = 0; k < 4; ++k) {
    double day;
    do {
      day = rng.uniform(0.5, kReadingDays - 1.0);
    } while (day > 17.5 && day < 21.5);
    double hours = rng.uniform(3, 10), intensity = rng.uniform(0.6, 3.5);
    TimeMs centre = start_ + static_cast<TimeMs>(day * kDayMs);
    for (size_t s = 0; s < rain_.size(); ++s) {
      double x = static_cast<double>(time(s) - centre) / 3.6e6;
      rain_[s] += intensity * bump(x, hours / 2);
    }
  }
  // Rain comes in bursts: every 5 minutes varies around the smooth curve.
  for (double& r : rain_) r = r < 0.05 ? 0 : r * rng.uniform(0.6, 1.4);
  wet_.assign(rain_.size(), false);
  size_t window = 36;  // three hours
  for (size_t s = 0, last_rain = SIZE_MAX; s < rain_.size(); ++s) {
    if (rain_[s] > 0.2) last_rain = s;
    wet_[s] = last_rain != SIZE_MAX && s - last_rain <= window;
  }
}

void Environment::add_weather(Rng& rng) {
  // Passing weather systems: three slow waves with random phases.
  double period[3] = {3.1, 5.3, 8.7}, phase[3];
  for (double& p : phase) p = rng.uniform();
  size_t n = rain_.size();
  temperature_.resize(n);
  humidity_.resize(n);
  wind_.resize(n);
  pressure_.resize(n);
  for (size_t s = 0; s < n; ++s) {
    double days = static_cast<double>(time(s) - start_) / kDayMs;
    double synoptic = 0;
    for (int k = 0; k < 3; ++k) synoptic += cos_turn(days / period[k] + phase[k]) / 3;
    // Seasonal mean of north-west 千葉: about 5 deg C in January, 27 in August.
    double season = 16.2 - 10.8 * cos_turn((day_of_year(local_day(s)) - 22) / 365.25);
    double daily = cos_turn((minute_[s] - 840) / 1440.0);  // warmest at 14:00
    double storm = bump(static_cast<double>(time(s) - peak_) / 3.6e6, 12);
    temperature_[s] = season + 2.5 * synoptic + (wet_[s] ? 1.2 : 4.5) * daily - (wet_[s] ? 1.5 : 0);
    humidity_[s] = std::clamp(0.66 - 0.16 * daily - 0.06 * synoptic + (wet_[s] ? 0.26 : 0), 0.25, 0.99);
    wind_[s] = std::max(0.2, 2.0 + 1.2 * std::max(0.0, daily) + 0.8 * synoptic + 7 * std::min(1.0, rain_[s] / 30) + 3 * storm);
    pressure_[s] = 1014 + 7 * synoptic - 14 * storm;
  }
}

// Two linear reservoirs in series (a Nash cascade, k = 2 h each) turn rain
// into quick runoff; a slow reservoir (k = 2 days) gives the recession.
void Environment::add_river() {
  constexpr double kQuick = 2.0, kSlow = 48.0, kRunoffShare = 0.6, kSlowShare = 0.15;
  double s1 = 0, s2 = 0, slow = 0;
  runoff_.resize(rain_.size());
  for (size_t s = 0; s < rain_.size(); ++s) {
    double inflow = kRunoffShare * rain_[s];
    s1 += kSlotHours * ((1 - kSlowShare) * inflow - s1 / kQuick);
    s2 += kSlotHours * (s1 / kQuick - s2 / kQuick);
    slow += kSlotHours * (kSlowShare * inflow - slow / kSlow);
    runoff_[s] = s2 / kQuick + slow / kSlow;
  }
}

int Environment::sunrise(size_t slot) const {
  // Day length at 36 N: 14.4 h at the June solstice, 9.8 h in December;
  // solar noon at 139.9 E is about 11:40 JST.
  double hours = 12.1 + 2.3 * cos_turn((day_of_year(local_day(slot)) - 172) / 365.25);
  return static_cast<int>(700 - hours * 30);
}

int Environment::sunset(size_t slot) const {
  double hours = 12.1 + 2.3 * cos_turn((day_of_year(local_day(slot)) - 172) / 365.25);
  return static_cast<int>(700 + hours * 30);
}

}  // namespace machi::sim
