#include "sim/readings.h"

#include <algorithm>
#include <cmath>

namespace machi::sim {
namespace {

double round_to(double x, double unit) { return std::round(x / unit) * unit; }
double r1(double x) { return std::round(x * 10) / 10; }
double r2(double x) { return std::round(x * 100) / 100; }

// Road traffic through the day, 0-1: rush hours on working days, a broad
// midday hump on days off.
double traffic(int minute, DayType day) {
  if (day == DayType::kWeekday) {
    return std::min(1.0, 0.12 + 0.85 * bump(minute - 480, 130) + 0.75 * bump(minute - 1080, 160) +
                             0.45 * bump(minute - 780, 330));
  }
  return std::min(1.0, 0.1 + 0.65 * bump(minute - 810, 400));
}

class SeriesMaker {
 public:
  SeriesMaker(const Sensor& sensor, const Environment& env, uint64_t seed)
      : sensor_(sensor), env_(env), rng_(Rng(seed, "readings").fork(hash_name(sensor.place.id))) {}

  std::vector<Series> make() {
    switch (sensor_.kind) {
      case SensorKind::kWeather: weather(true); break;
      case SensorKind::kRainGauge: weather(false); break;
      case SensorKind::kAirQuality: air(); break;
      case SensorKind::kRiverFlow:
      case SensorKind::kFloodGauge: river(); break;
      case SensorKind::kNoise: noise_level(); break;
      case SensorKind::kParking: parking(); break;
      case SensorKind::kTraffic: road_traffic(); break;
      case SensorKind::kCrowd: crowd(); break;
      case SensorKind::kBikeDock: bikes(); break;
      case SensorKind::kEvCharger: chargers(); break;
      case SensorKind::kStreetlight: streetlight(); break;
      case SensorKind::kWasteContainer: waste(); break;
    }
    return std::move(out_);
  }

 private:
  // Starts a series of readings every `step` slots; returns its index.
  size_t series(const char* attr, const char* unit, size_t step) {
    Series s;
    s.attr = attr;
    s.unit = unit;
    s.step = step;
    s.values.reserve(static_cast<size_t>(kReadingDays) * 288 / step);
    out_.push_back(std::move(s));
    return out_.size() - 1;
  }
  // Calls fn(slot) for each reading time, oldest first.
  template <class F>
  void each(size_t step, F&& fn) {
    size_t count = static_cast<size_t>(kReadingDays) * 288 / step;
    for (size_t k = 0; k < count; ++k) fn(env_.slots() - 1 - (count - 1 - k) * step);
  }
  void push(size_t series, Json value) { out_[series].values.push_back(std::move(value)); }
  double noise(double sd) { return rng_.bell(0, sd); }

  // Rain gauges see the city's rain with their own share and a few minutes'
  // offset: the rain band moves west to east across the city.
  double local_rain(size_t slot, double factor) {
    int shift = static_cast<int>(std::lround((sensor_.place.at.u - 6) / 4));
    size_t s = std::clamp<long>(static_cast<long>(slot) - shift, 0, static_cast<long>(env_.slots()) - 1);
    return env_.rain(s) * factor;
  }

  void weather(bool full) {
    double t_offset = rng_.bell(0, 0.4), rain_factor = rng_.uniform(0.85, 1.15), wind_factor = rng_.uniform(0.8, 1.2);
    size_t precipitation = series("precipitation", "MMT", 2);
    size_t temperature = 0, humidity = 0, wind = 0, pressure = 0;
    if (full) {
      temperature = series("temperature", "CEL", 2);
      humidity = series("relativeHumidity", nullptr, 2);
      wind = series("windSpeed", "MTS", 2);
      pressure = series("atmosphericPressure", "A97", 2);
    }
    each(2, [&](size_t s) {
      // The amount in the 10 minutes before the reading.
      double mm = (local_rain(s, rain_factor) + local_rain(s - 1, rain_factor)) / 2 * (10.0 / 60);
      push(precipitation, round_to(mm, 0.5));
      if (!full) return;
      push(temperature, r1(env_.temperature(s) + t_offset + noise(0.15)));
      push(humidity, r2(std::clamp(env_.humidity(s) + noise(0.015), 0.2, 1.0)));
      push(wind, r1(std::max(0.0, env_.wind(s) * wind_factor + noise(0.4))));
      push(pressure, r1(env_.pressure(s) + noise(0.2)));
    });
  }

  void air() {
    double roadside = sensor_.load;
    size_t pm25 = series("pm25", "GQ", 2), no2 = series("no2", "GQ", 2), o3 = series("o3", "GQ", 2);
    double background = rng_.uniform(7, 11);
    each(2, [&](size_t s) {
      int m = env_.minute(s);
      double t = traffic(m, env_.day_type(s));
      double washout = 1 - 0.6 * std::min(1.0, env_.rain(s) / 5);
      double sun = bump(m - 840, 330);  // ozone forms in the afternoon sun
      double no2_value = (10 + 28 * roadside * t + 6 * bump(m - 1320, 240)) * washout + noise(1.5);
      push(pm25, r1(std::max(1.0, (background + 7 * roadside * t) * washout + noise(1.2))));
      push(no2, r1(std::max(1.0, no2_value)));
      push(o3, r1(std::max(2.0, (28 + 55 * sun) * (env_.wet(s) ? 0.6 : 1.0) - 0.4 * no2_value + noise(3))));
    });
  }

  // Level and flow of デモ川: the runoff of the basin reaches each gauge
  // later the further downstream it is (about 12 minutes per 250 m).
  void river() {
    size_t lag = static_cast<size_t>(sensor_.river_position) * 2 + 6;
    double gain = 1 + 0.05 * sensor_.river_position;
    bool flood = sensor_.kind == SensorKind::kFloodGauge;
    size_t a = flood ? series("currentLevel", "MTR", 2) : series("height", "MTR", 2);
    size_t b = flood ? series("measuredDistance", "MTR", 2) : series("flow", "MQS", 2);
    size_t status = flood ? series("floodLevelStatus", nullptr, 2) : 0;
    each(2, [&](size_t s) {
      double flow = (6 + 9 * env_.runoff(s, lag)) * gain;
      double level = r2(0.9 + 0.42 * std::sqrt(flow) + noise(0.01));
      push(a, level);
      if (!flood) {
        push(b, r1(flow + noise(0.2)));
        return;
      }
      push(b, r2(10.0 - level));
      push(status, level >= 5.5 ? "Danger" : level >= 4.0 ? "Alert" : "Normal");
    });
  }

  void noise_level() {
    size_t laeq = series("LAeq", "2N", 3);
    double base = rng_.uniform(38, 44);
    each(3, [&](size_t s) {
      double t = traffic(env_.minute(s), env_.day_type(s));
      double life = bump(env_.minute(s) - 780, 540);  // voices, deliveries, school bells
      push(laeq, r1(base + 22 * sensor_.load * t + 8 * life + (env_.wet(s) ? 3 : 0) + noise(1.2)));
    });
  }

  // How likely a spot is taken at a time, by where it is.
  double occupancy(size_t s) {
    int m = env_.minute(s);
    bool workday = env_.day_type(s) == DayType::kWeekday;
    switch (sensor_.site) {
      case Site::kStation: return workday ? 0.25 + 0.7 * bump(m - 790, 560) : 0.2 + 0.4 * bump(m - 800, 420);
      case Site::kShop: return 0.08 + (workday ? 0.55 : 0.85) * bump(m - 930, 420);
      case Site::kPark: return 0.05 + (workday ? 0.3 : 0.8) * bump(m - 810, 330) * (env_.wet(s) ? 0.3 : 1);
      case Site::kCivic: return 0.05 + (workday ? 0.8 : 0.25) * bump(m - 780, 330);
      default: return 0.4;
    }
  }

  // A spot changes state with probabilities that hold it near occupancy().
  void parking() {
    size_t status = series("status", nullptr, 3);
    bool taken = rng_.chance(0.3);
    each(3, [&](size_t s) {
      double p = occupancy(s);
      taken = taken ? !rng_.chance(0.3 * (1 - p) + 0.02) : rng_.chance(0.3 * p + 0.01);
      push(status, taken ? "occupied" : "free");
    });
  }

  void road_traffic() {
    size_t intensity = series("intensity", nullptr, 3), speed = series("averageVehicleSpeed", "KMH", 3);
    double capacity = 260 * sensor_.load, free_speed = 30 + 15 * sensor_.load;
    each(3, [&](size_t s) {
      double t = traffic(env_.minute(s), env_.day_type(s));
      push(intensity, std::max(0L, std::lround(capacity * t * rng_.uniform(0.85, 1.15))));
      double slow = 1 - 0.45 * t * t - (env_.rain(s) > 5 ? 0.15 : 0);
      push(speed, r1(std::max(5.0, free_speed * slow + noise(2))));
    });
  }

  void crowd() {
    size_t people = series("peopleCount", nullptr, 3);
    each(3, [&](size_t s) {
      int m = env_.minute(s);
      bool workday = env_.day_type(s) == DayType::kWeekday;
      double n = 0;
      switch (sensor_.site) {
        case Site::kStation:
          n = workday ? 40 + 650 * bump(m - 465, 100) + 520 * bump(m - 1110, 150) + 120 * bump(m - 780, 300)
                      : 30 + 280 * bump(m - 810, 360);
          n *= sensor_.load;
          break;
        case Site::kShop: n = 10 + (workday ? 180 : 320) * bump(m - 900, 420) * (env_.wet(s) ? 0.6 : 1); break;
        case Site::kPark: n = 3 + (workday ? 60 : 220) * bump(m - 800, 330) * (env_.wet(s) ? 0.15 : 1); break;
        default: n = 20 + 80 * bump(m - 780, 400); break;
      }
      push(people, std::max(0L, std::lround(n * rng_.uniform(0.85, 1.15))));
    });
  }

  // Bikes gather at stations by day (commuters ride in) and at home at night.
  void bikes() {
    size_t available = series("availableBikeNumber", nullptr, 3);
    double c = sensor_.capacity;
    each(3, [&](size_t s) {
      int m = env_.minute(s);
      bool workday = env_.day_type(s) == DayType::kWeekday;
      double day = workday ? bump(m - 780, 560) : 0.4 * bump(m - 840, 360);
      double share = sensor_.site == Site::kResidential ? 0.75 - 0.6 * day : 0.25 + 0.6 * day;
      if (env_.wet(s)) share = 0.5 + (share - 0.5) * 0.4;  // few rides in the rain
      push(available, std::clamp(std::lround(c * share + noise(1)), 0L, static_cast<long>(c)));
    });
  }

  void chargers() {
    size_t available = series("availableCapacity", nullptr, 3), status = series("status", nullptr, 3);
    // One charger is out of service for a day in the second week.
    bool breaks = sensor_.place.id.back() == '3';
    int64_t broken_day = jst_day(env_.start()) + 9;
    each(3, [&](size_t s) {
      if (breaks && env_.local_day(s) == broken_day) {
        push(available, 0);
        push(status, "outOfService");
        return;
      }
      double use = 0.1 + 0.5 * bump(env_.minute(s) - 840, 420);
      int in_use = 0;
      for (int k = 0; k < sensor_.capacity; ++k) in_use += rng_.chance(use);
      int free = sensor_.capacity - in_use;
      push(available, free);
      push(status, free == 0 ? "full" : free == 1 && sensor_.capacity >= 3 ? "almostFull" : "working");
    });
  }

  // On from dusk to dawn; residential lights dim (low) from midnight to 04:30.
  void streetlight() {
    size_t power = series("powerState", nullptr, 3);
    bool broken = sensor_.place.attrs.at("status").at("value") == "defectiveLamp";
    each(3, [&](size_t s) {
      int m = env_.minute(s);
      bool dark = m < env_.sunrise(s) - 10 || m > env_.sunset(s) + 10;
      const char* state = !dark || broken ? "off" : sensor_.load == 0 && m < 270 ? "low" : "on";
      push(power, state);
    });
  }

  // Burnable waste: filled through the day, collected twice a week (Monday
  // and Thursday in half the city, Tuesday and Friday in the other) at about 9:00.
  void waste() {
    size_t filling = series("fillingLevel", nullptr, 3);
    int first = sensor_.place.area->district % 2 ? 1 : 2;
    double level = rng_.uniform(0.05, 0.5), pace = rng_.uniform(0.7, 1.3);
    int collected_day = -1;
    each(3, [&](size_t s) {
      int m = env_.minute(s), w = env_.weekday(s);
      bool collection_day = w == first || w == first + 3;
      if (collection_day && m >= 540 && collected_day != static_cast<int>(env_.local_day(s))) {
        level = rng_.uniform(0.0, 0.04);
        collected_day = static_cast<int>(env_.local_day(s));
      }
      // Most waste is put out in the morning of collection days.
      double rate = (m >= 390 && m < 540 && collection_day ? 0.045 : m >= 420 && m < 1320 ? 0.002 : 0.0005) * pace;
      level = std::min(1.0, level + rate * rng_.uniform(0.5, 1.5));
      push(filling, r2(level));
    });
  }

  const Sensor& sensor_;
  const Environment& env_;
  Rng rng_;
  std::vector<Series> out_;
};

}  // namespace

std::vector<Series> sensor_readings(const Sensor& sensor, const Environment& env, uint64_t seed) {
  return SeriesMaker(sensor, env, seed).make();
}

}  // namespace machi::sim
