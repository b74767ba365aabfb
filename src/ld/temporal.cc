#include "ld/temporal.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace machi::ld {
namespace {

constexpr TimeMs kMin = INT64_MIN / 2;
constexpr TimeMs kMax = INT64_MAX / 2;

[[noreturn]] void bad(const std::string& what) { throw Error(ErrorType::kBadRequestData, what); }

TimeMs floor_div(TimeMs a, TimeMs b) { return (a >= 0 ? a / b : (a - b + 1) / b); }

}  // namespace

std::optional<Duration> parse_duration(std::string_view s) {
  if (s.size() < 2 || s[0] != 'P') return std::nullopt;
  Duration d;
  bool in_time = false, any = false;
  size_t i = 1;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ',')) ++i;
    if (i == start || i == s.size() || i - start > 15) return std::nullopt;
    std::string number(s.substr(start, i - start));
    std::replace(number.begin(), number.end(), ',', '.');
    if (std::count(number.begin(), number.end(), '.') > 1 || number.front() == '.' || number.back() == '.')
      return std::nullopt;
    double value = std::stod(number);
    bool fraction = number.find('.') != std::string::npos;
    char unit = s[i++];
    any = true;
    if (!in_time) {
      if (fraction && unit != 'D' && unit != 'W') return std::nullopt;
      switch (unit) {
        case 'Y': d.months += static_cast<int64_t>(value) * 12; break;
        case 'M': d.months += static_cast<int64_t>(value); break;
        case 'W': d.ms += static_cast<int64_t>(std::llround(value * 7 * 86400000)); break;
        case 'D': d.ms += static_cast<int64_t>(std::llround(value * 86400000)); break;
        default: return std::nullopt;
      }
    } else {
      switch (unit) {
        case 'H': d.ms += static_cast<int64_t>(std::llround(value * 3600000)); break;
        case 'M': d.ms += static_cast<int64_t>(std::llround(value * 60000)); break;
        case 'S': d.ms += static_cast<int64_t>(std::llround(value * 1000)); break;
        default: return std::nullopt;
      }
    }
  }
  if (!any) return std::nullopt;
  if (s.back() == 'T') return std::nullopt;
  return d;
}

TimeMs add_duration(TimeMs time, const Duration& d, int64_t n) {
  if (d.months) time = add_months(time, d.months * n);
  return time + d.ms * n;
}

TimeWindow parse_time_window(const std::string* timerel, const std::string* time_at, const std::string* end_time_at) {
  TimeWindow w;
  if (!timerel) {
    if (time_at || end_time_at) bad("timeAt and endTimeAt need timerel");
    return w;
  }
  if (!time_at) bad("timerel needs timeAt");
  auto at = parse_datetime(*time_at);
  if (!at) bad("timeAt is not a date-time: " + *time_at);
  if (*timerel == "before") {
    w.to = *at;
  } else if (*timerel == "after") {
    w.from = *at;
  } else if (*timerel == "between") {
    if (!end_time_at) bad("timerel=between needs endTimeAt");
    auto end = parse_datetime(*end_time_at);
    if (!end) bad("endTimeAt is not a date-time: " + *end_time_at);
    if (*end <= *at) bad("endTimeAt must be after timeAt");
    w.from = *at;
    w.to = *end;
  } else {
    bad("timerel must be before, after or between, not " + *timerel);
  }
  return w;
}

std::vector<AggrMethod> parse_aggr_methods(std::string_view text) {
  static const std::pair<const char*, AggrMethod> kNames[] = {
      {"totalCount", AggrMethod::kTotalCount}, {"distinctCount", AggrMethod::kDistinctCount},
      {"sum", AggrMethod::kSum}, {"sumsq", AggrMethod::kSumsq}, {"min", AggrMethod::kMin},
      {"max", AggrMethod::kMax}, {"avg", AggrMethod::kAvg}, {"stddev", AggrMethod::kStddev}};
  std::vector<AggrMethod> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string_view name = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (!name.empty()) {
      bool known = false;
      for (const auto& [n, m] : kNames) {
        if (name == n) {
          known = true;
          if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
        }
      }
      if (!known) bad("unknown aggregation method: " + std::string(name));
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (out.empty()) bad("aggrMethods names no method");
  return out;
}

const char* aggr_method_name(AggrMethod m) {
  switch (m) {
    case AggrMethod::kTotalCount: return "totalCount";
    case AggrMethod::kDistinctCount: return "distinctCount";
    case AggrMethod::kSum: return "sum";
    case AggrMethod::kSumsq: return "sumsq";
    case AggrMethod::kMin: return "min";
    case AggrMethod::kMax: return "max";
    case AggrMethod::kAvg: return "avg";
    case AggrMethod::kStddev: return "stddev";
  }
  return "";
}

bool summable(AggrMethod m) { return m != AggrMethod::kDistinctCount; }

void PeriodSums::add_point(const AggrPoint& p) {
  if (p.number) {
    add_sums(1, 1, *p.number, *p.number * *p.number, *p.number, *p.number);
  } else {
    add_sums(1, 0, 0, 0, 0, 0);
  }
  if (!p.value_text.empty()) values.push_back(p.value_text);
}

void PeriodSums::add_sums(int64_t c, int64_t n, double s, double sq, double lo, double hi) {
  count += c;
  if (n == 0) return;
  if (numbers == 0 || lo < min) min = lo;
  if (numbers == 0 || hi > max) max = hi;
  numbers += n;
  sum += s;
  sumsq += sq;
}

Json PeriodSums::value(AggrMethod m) const {
  switch (m) {
    case AggrMethod::kTotalCount: return count;
    case AggrMethod::kDistinctCount: {
      std::vector<std::string> sorted = values;
      std::sort(sorted.begin(), sorted.end());
      return static_cast<int64_t>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
    }
    default: break;
  }
  if (numbers == 0) return nullptr;
  switch (m) {
    case AggrMethod::kSum: return sum;
    case AggrMethod::kSumsq: return sumsq;
    case AggrMethod::kMin: return min;
    case AggrMethod::kMax: return max;
    case AggrMethod::kAvg: return sum / static_cast<double>(numbers);
    case AggrMethod::kStddev: {
      // Population standard deviation; clamped because rounding can make
      // the variance of equal values slightly negative.
      double mean = sum / static_cast<double>(numbers);
      return std::sqrt(std::max(0.0, sumsq / static_cast<double>(numbers) - mean * mean));
    }
    default: return nullptr;
  }
}

PeriodAggregator::PeriodAggregator(TimeMs origin, TimeMs to, Duration period)
    : origin_(origin), to_(to), period_(period) {}

PeriodSums& PeriodAggregator::period_at(TimeMs time) {
  int64_t index = 0;
  if (!period_.zero()) {
    if (period_.months == 0) {
      index = floor_div(time - origin_, period_.ms);
    } else {
      // Calendar periods: estimate from the months, then step to the period
      // that holds the time.
      int64_t months = month_of(time) - month_of(origin_);
      index = std::max<int64_t>(0, months / std::max<int64_t>(1, period_.months + (period_.ms > 0)));
      while (index > 0 && add_duration(origin_, period_, index) > time) --index;
      while (add_duration(origin_, period_, index + 1) <= time) ++index;
    }
  }
  if (periods_.empty() || periods_.back().first != index) {
    auto it = std::lower_bound(periods_.begin(), periods_.end(), index,
                               [](const auto& p, int64_t i) { return p.first < i; });
    if (it == periods_.end() || it->first != index) it = periods_.insert(it, {index, PeriodSums{}});
    return it->second;
  }
  return periods_.back().second;
}

void PeriodAggregator::add(const AggrPoint& point) {
  if (point.time < origin_ || point.time >= to_) return;
  if (!any_ || point.time < first_) first_ = point.time;
  if (!any_ || point.time > last_) last_ = point.time;
  any_ = true;
  period_at(point.time).add_point(point);
}

void PeriodAggregator::add_sums(TimeMs time, int64_t count, int64_t numbers, double sum, double sumsq, double min,
                                double max) {
  if (time < origin_ || time >= to_ || count == 0) return;
  if (!any_ || time < first_) first_ = time;
  if (!any_ || time > last_) last_ = time;
  any_ = true;
  period_at(time).add_sums(count, numbers, sum, sumsq, min, max);
}

Json PeriodAggregator::entries(AggrMethod method) const {
  Json out = Json::array();
  for (const auto& [index, sums] : periods_) {
    Json value = sums.value(method);
    if (value.is_null()) continue;
    TimeMs start, end;
    if (period_.zero()) {
      start = origin_ > kMin ? origin_ : first_;
      end = to_ < kMax ? to_ : last_;
    } else {
      start = add_duration(origin_, period_, index);
      end = std::min(add_duration(origin_, period_, index + 1), to_);
    }
    out.push_back(Json::array({std::move(value), format_datetime(start), format_datetime(end)}));
  }
  return out;
}

TimeMs period_origin(const TimeWindow& window, TimeMs first_point, const Duration& period) {
  if (window.bounded_from()) return window.from;
  if (period.zero()) return kMin;
  if (period.months == 0) return floor_div(first_point, period.ms) * period.ms;
  return month_start(month_of(first_point));
}

}  // namespace machi::ld
