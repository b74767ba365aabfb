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

}  // namespace machi
