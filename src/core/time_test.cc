#include "core/time.h"

#include <gtest/gtest.h>

namespace machi {

TEST(Time, ParsesUtcAndOffsets) {
  EXPECT_EQ(parse_datetime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_datetime("1970-01-01T09:00:00+09:00"), 0);
  EXPECT_EQ(parse_datetime("2024-02-29T12:30:15.250Z"), *parse_datetime("2024-02-29T12:30:15Z") + 250);
  EXPECT_EQ(parse_datetime("2020-01-01"), *parse_datetime("2020-01-01T00:00:00Z"));
}

TEST(Time, RejectsBadText) {
  EXPECT_FALSE(parse_datetime("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_datetime("2023-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_datetime("yesterday"));
  EXPECT_FALSE(parse_datetime("2023-01-01T25:00:00Z"));
  EXPECT_FALSE(parse_datetime("2023-01-01T10:00:00Zjunk"));
}

TEST(Time, FormatRoundTrips) {
  TimeMs t = *parse_datetime("2026-11-25T03:18:58.123Z");
  EXPECT_EQ(format_datetime(t), "2026-11-25T03:18:58.123Z");
  EXPECT_EQ(format_datetime(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Time, MonthsCountFromYearZeroInUtc) {
  TimeMs t = *parse_datetime("2026-11-15T10:00:00Z");
  EXPECT_EQ(month_of(t), 2026 * 12 + 10);
  EXPECT_EQ(month_start(month_of(t)), *parse_datetime("2026-11-01T00:00:00Z"));
  EXPECT_EQ(month_of(*parse_datetime("2026-11-30T23:59:59.999Z")), 2026 * 12 + 10);
  EXPECT_EQ(month_of(*parse_datetime("2026-12-01T00:00:00Z")), 2026 * 12 + 11);
  EXPECT_EQ(month_of(*parse_datetime("1969-12-31T23:59:59Z")), 1969 * 12 + 11);
  EXPECT_EQ(month_start(1969 * 12 + 11), *parse_datetime("1969-12-01T00:00:00Z"));
}

TEST(Time, AddMonthsClampsTheDayToTheMonthsEnd) {
  EXPECT_EQ(add_months(*parse_datetime("2026-01-31T09:30:00Z"), 1), *parse_datetime("2026-02-28T09:30:00Z"));
  EXPECT_EQ(add_months(*parse_datetime("2024-01-31T00:00:00Z"), 1), *parse_datetime("2024-02-29T00:00:00Z"));
  EXPECT_EQ(add_months(*parse_datetime("2026-11-01T00:00:00Z"), 2), *parse_datetime("2027-01-01T00:00:00Z"));
  EXPECT_EQ(add_months(*parse_datetime("2026-03-01T00:00:00Z"), -12), *parse_datetime("2025-03-01T00:00:00Z"));
}

}  // namespace machi
