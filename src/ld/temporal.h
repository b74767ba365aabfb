// The temporal side of NGSI-LD (ETSI GS CIM 009 clauses 4.5.19, 4.11):
// the time window of a temporal query (timerel, timeAt, endTimeAt, lastN),
// ISO 8601 durations, and the aggregation of attribute instances over
// periods (aggrMethods, aggrPeriodDuration). Pure functions over points, so
// that the broker, QoL evaluation and benchmarks compute the same thing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/time.h"

namespace machi::ld {

// An ISO 8601 duration, split into calendar months (Y, M) and fixed
// milliseconds (W, D, H, M, S; a day is 24 h, as in UTC).
struct Duration {
  int64_t months = 0;
  int64_t ms = 0;
  bool zero() const { return months == 0 && ms == 0; }
};

// Parses "P1Y2M3DT4H5M6.5S", "P2W", "PT0S"; nullopt when malformed.
std::optional<Duration> parse_duration(std::string_view text);
// time + n * duration.
TimeMs add_duration(TimeMs time, const Duration& duration, int64_t n = 1);

// The time window of a temporal query: [from, to). Unbounded ends are
// kMinTime / kMaxTime of the store (see store.h); here INT64 halves.
struct TimeWindow {
  TimeMs from = INT64_MIN / 2;
  TimeMs to = INT64_MAX / 2;
  bool bounded_from() const { return from != INT64_MIN / 2; }
  bool bounded_to() const { return to != INT64_MAX / 2; }
};

// Reads timerel, timeAt and endTimeAt (any may be absent: the whole
// history). "before" is [-inf, timeAt), "after" is [timeAt, +inf),
// "between" is [timeAt, endTimeAt). Throws Error(BadRequestData).
TimeWindow parse_time_window(const std::string* timerel, const std::string* time_at, const std::string* end_time_at);

enum class AggrMethod { kTotalCount, kDistinctCount, kSum, kSumsq, kMin, kMax, kAvg, kStddev };

// "totalCount,avg" -> methods in the order given; Error(BadRequestData) on
// an unknown name or an empty list.
std::vector<AggrMethod> parse_aggr_methods(std::string_view text);
const char* aggr_method_name(AggrMethod method);
// True when the method can be computed from counts, sums, minima and maxima
// (everything but distinctCount).
bool summable(AggrMethod method);

// What aggregation sees of one instance: its time, its numeric value, and
// its value as text (for distinctCount; empty when not needed).
struct AggrPoint {
  TimeMs time = 0;
  std::optional<double> number;
  std::string value_text;
};

// Running sums of one period.
struct PeriodSums {
  int64_t count = 0, numbers = 0;
  double sum = 0, sumsq = 0, min = 0, max = 0;
  std::vector<std::string> values;  // for distinctCount
  void add_point(const AggrPoint& point);
  void add_sums(int64_t count, int64_t numbers, double sum, double sumsq, double min, double max);
  // The method's value; null when it has none (e.g. avg of no number).
  Json value(AggrMethod method) const;
};

// The periods of one series. Periods start at origin and follow each other
// every `period` (the whole window as one period when period is zero), up
// to `to`; a period without instances is left out.
class PeriodAggregator {
 public:
  PeriodAggregator(TimeMs origin, TimeMs to, Duration period);
  // Adds an instance (times before origin or at/after to are ignored).
  void add(const AggrPoint& point);
  // Adds pre-summed instances dated `time`.
  void add_sums(TimeMs time, int64_t count, int64_t numbers, double sum, double sumsq, double min, double max);
  // [[value, start, end], ...] for one method, in time order.
  Json entries(AggrMethod method) const;

 private:
  PeriodSums& period_at(TimeMs time);

  TimeMs origin_, to_;
  Duration period_;
  std::vector<std::pair<int64_t, PeriodSums>> periods_;  // (index, sums), ascending
  TimeMs first_ = 0, last_ = 0;                           // for a whole-window period
  bool any_ = false;
};

// The origin of the periods for a window: its start when bounded, else the
// first instance's time rounded down to a multiple of the period since the
// Unix epoch (to the month for calendar periods), so that open-ended
// queries still give clock-aligned periods.
TimeMs period_origin(const TimeWindow& window, TimeMs first_point, const Duration& period);

}  // namespace machi::ld
