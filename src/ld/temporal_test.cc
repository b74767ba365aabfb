#include "ld/temporal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "core/error.h"

namespace machi::ld {
namespace {

TimeMs at(const char* text) { return *parse_datetime(text); }

TEST(Duration, ParsesIso8601) {
  EXPECT_EQ(parse_duration("PT1H")->ms, 3600000);
  EXPECT_EQ(parse_duration("PT0S")->zero(), true);
  EXPECT_EQ(parse_duration("P1D")->ms, 86400000);
  EXPECT_EQ(parse_duration("P2W")->ms, 14 * 86400000LL);
  EXPECT_EQ(parse_duration("PT1.5S")->ms, 1500);
  auto d = parse_duration("P1Y2M3DT4H5M6S");
  EXPECT_EQ(d->months, 14);
  EXPECT_EQ(d->ms, 3 * 86400000LL + 4 * 3600000LL + 5 * 60000LL + 6000);
  for (const char* bad : {"", "P", "PT", "1H", "PT1", "P1H", "PT1D", "P1.5M", "PT1H1", "P1DT", "PT1..5S", "PTH"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

TEST(Duration, CalendarMonthsFollowTheCalendar) {
  auto month = *parse_duration("P1M");
  EXPECT_EQ(add_duration(at("2026-01-01T00:00:00Z"), month, 2), at("2026-03-01T00:00:00Z"));
}

TEST(TimeWindow, FollowsTimerel) {
  std::string before = "before", after = "after", between = "between", t = "2026-01-01T00:00:00Z",
              e = "2026-01-02T00:00:00Z", junk = "yesterday";
  EXPECT_EQ(parse_time_window(&before, &t, nullptr).to, at("2026-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_time_window(&before, &t, nullptr).bounded_from());
  EXPECT_EQ(parse_time_window(&after, &t, nullptr).from, at("2026-01-01T00:00:00Z"));
  auto w = parse_time_window(&between, &t, &e);
  EXPECT_EQ(w.to - w.from, 86400000);
  EXPECT_FALSE(parse_time_window(nullptr, nullptr, nullptr).bounded_to());
  EXPECT_THROW(parse_time_window(&between, &t, nullptr), Error);
  EXPECT_THROW(parse_time_window(&between, &e, &t), Error);
  EXPECT_THROW(parse_time_window(&junk, &t, nullptr), Error);
  EXPECT_THROW(parse_time_window(&after, &junk, nullptr), Error);
  EXPECT_THROW(parse_time_window(nullptr, &t, nullptr), Error);
}

TEST(AggrMethods, ParsesAListAndRejectsUnknownNames) {
  auto m = parse_aggr_methods("avg,totalCount,avg");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0], AggrMethod::kAvg);
  EXPECT_THROW(parse_aggr_methods("median"), Error);
  EXPECT_THROW(parse_aggr_methods(","), Error);
}

// Every method over random points and periods, against a brute-force
// computation of each period from the points that fall in it.
TEST(PeriodAggregator, AgreesWithBruteForce) {
  std::mt19937_64 rng(7);
  TimeMs origin = at("2026-11-01T00:00:00Z");
  TimeMs to = origin + 5 * 3600000LL + 1800000;  // the last period is cut short
  std::vector<AggrPoint> points;
  for (int i = 0; i < 2000; ++i) {
    AggrPoint p;
    p.time = origin - 3600000 + static_cast<TimeMs>(rng() % (7 * 3600000ULL));
    if (rng() % 10) p.number = static_cast<double>(rng() % 1000) / 10.0 - 20;
    p.value_text = p.number ? std::to_string(*p.number) : "\"text\"";
    points.push_back(p);
  }
  Duration period = *parse_duration("PT1H");
  PeriodAggregator agg(origin, to, period);
  for (const auto& p : points) agg.add(p);
  for (AggrMethod m : parse_aggr_methods("totalCount,distinctCount,sum,sumsq,min,max,avg,stddev")) {
    Json entries = agg.entries(m);
    ASSERT_EQ(entries.size(), 6u) << aggr_method_name(m);
    for (const Json& e : entries) {
      TimeMs start = *parse_datetime(e[1].get<std::string>()), end = *parse_datetime(e[2].get<std::string>());
      std::vector<double> nums;
      std::map<std::string, int> distinct;
      int64_t count = 0;
      for (const auto& p : points) {
        if (p.time < start || p.time >= end) continue;
        ++count;
        distinct[p.value_text]++;
        if (p.number) nums.push_back(*p.number);
      }
      double sum = 0, sumsq = 0, lo = 1e9, hi = -1e9;
      for (double v : nums) sum += v, sumsq += v * v, lo = std::min(lo, v), hi = std::max(hi, v);
      double mean = sum / nums.size(), var = 0;
      for (double v : nums) var += (v - mean) * (v - mean);
      double expect = 0;
      switch (m) {
        case AggrMethod::kTotalCount: expect = count; break;
        case AggrMethod::kDistinctCount: expect = distinct.size(); break;
        case AggrMethod::kSum: expect = sum; break;
        case AggrMethod::kSumsq: expect = sumsq; break;
        case AggrMethod::kMin: expect = lo; break;
        case AggrMethod::kMax: expect = hi; break;
        case AggrMethod::kAvg: expect = mean; break;
        case AggrMethod::kStddev: expect = std::sqrt(var / nums.size()); break;
      }
      EXPECT_NEAR(e[0].get<double>(), expect, 1e-6 * std::max(1.0, std::abs(expect))) << aggr_method_name(m);
    }
    // The last period ends at the window's end.
    EXPECT_EQ(*parse_datetime(entries.back()[2].get<std::string>()), to);
  }
}

TEST(PeriodAggregator, WholeWindowAndCalendarPeriods) {
  PeriodAggregator whole(INT64_MIN / 2, INT64_MAX / 2, Duration{});
  whole.add({at("2026-01-05T00:00:00Z"), 1.0, ""});
  whole.add({at("2026-03-05T00:00:00Z"), 3.0, ""});
  Json e = whole.entries(AggrMethod::kAvg);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0][0], 2.0);
  EXPECT_EQ(e[0][1], "2026-01-05T00:00:00.000Z");
  PeriodAggregator monthly(at("2026-01-01T00:00:00Z"), INT64_MAX / 2, *parse_duration("P1M"));
  monthly.add({at("2026-01-31T23:00:00Z"), 1.0, ""});
  monthly.add({at("2026-02-01T00:00:00Z"), 5.0, ""});
  monthly.add({at("2026-03-31T00:00:00Z"), 7.0, ""});
  e = monthly.entries(AggrMethod::kSum);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[1][1], "2026-02-01T00:00:00.000Z");
  EXPECT_EQ(e[1][2], "2026-03-01T00:00:00.000Z");
  EXPECT_EQ(e[2][0], 7.0);
}

TEST(PeriodAggregator, OriginOfOpenWindowsIsClockAligned) {
  TimeWindow open;
  EXPECT_EQ(period_origin(open, at("2026-01-05T10:20:00Z"), *parse_duration("PT1H")), at("2026-01-05T10:00:00Z"));
  EXPECT_EQ(period_origin(open, at("2026-01-05T10:20:00Z"), *parse_duration("P1M")), at("2026-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace machi::ld
