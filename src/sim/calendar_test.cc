#include "sim/calendar.h"

#include <gtest/gtest.h>

namespace machi::sim {
namespace {

int64_t day(const char* text) { return *parse_date(text); }

TEST(CalendarTest, DatesRoundTrip) {
  EXPECT_EQ(day("1970-01-01"), 0);
  EXPECT_EQ(format_date(day("2025-10-01")), "2025-10-01");
  EXPECT_EQ(format_date(day("2024-02-29")), "2024-02-29");
  EXPECT_FALSE(parse_date("2025-02-29"));
  EXPECT_FALSE(parse_date("2025-13-01"));
  EXPECT_FALSE(parse_date("2025-1-01"));
  EXPECT_EQ(weekday(day("2025-10-01")), 3);  // a Wednesday
  EXPECT_EQ(weekday(day("2026-01-04")), 0);  // a Sunday
}

TEST(CalendarTest, NationalHolidays) {
  for (const char* d : {"2025-01-01", "2025-01-13", "2025-02-11", "2025-02-24" /* 振替 */, "2025-03-20",
                        "2025-04-29", "2025-05-06" /* 振替 */, "2025-07-21", "2025-08-11", "2025-09-15",
                        "2025-09-23", "2025-10-13", "2025-11-03", "2025-11-24" /* 振替 */, "2026-09-22" /* 国民の休日 */,
                        "2026-03-20", "2026-09-23"}) {
    EXPECT_TRUE(is_national_holiday(day(d))) << d;
  }
  for (const char* d : {"2025-10-01", "2025-10-14", "2025-12-31", "2026-09-24", "2025-02-25"}) {
    EXPECT_FALSE(is_national_holiday(day(d))) << d;
  }
  EXPECT_EQ(day_type(day("2025-10-13")), DayType::kSundayOrHoliday);
  EXPECT_EQ(day_type(day("2025-10-11")), DayType::kSaturday);
  EXPECT_EQ(day_type(day("2025-10-10")), DayType::kWeekday);
}

TEST(CalendarTest, JapanTime) {
  TimeMs t = *parse_datetime("2025-10-01T15:30:00Z");  // 00:30 on 10-02 in Japan
  EXPECT_EQ(format_date(jst_day(t)), "2025-10-02");
  EXPECT_EQ(jst_minute(t), 30);
}

}  // namespace
}  // namespace machi::sim
