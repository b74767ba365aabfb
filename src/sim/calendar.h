// Civil dates in Japan: days since 1970-01-01, weekdays, and the national
// holidays (国民の祝日) that make a weekday a day off.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace machi::sim {

inline constexpr TimeMs kJstOffsetMs = 9 * 3600 * 1000;  // Japan has no daylight saving time
inline constexpr TimeMs kDayMs = 24 * 3600 * 1000;

struct Date {
  int year = 1970, month = 1, day = 1;
};

int64_t days_from_date(const Date& d);
Date date_from_days(int64_t days);
int weekday(int64_t days);  // 0 = Sunday ... 6 = Saturday
std::string format_date(int64_t days);                    // "2025-10-01"
std::optional<int64_t> parse_date(std::string_view text);  // "YYYY-MM-DD"

// 国民の祝日 under the rules in force since 2022 (the one-off moves of 2019-2021
// are not modelled), with 振替休日 (a holiday on a Sunday moves to the next
// free day) and 国民の休日 (a day between two holidays). The equinox days use
// the usual approximation, valid 1980-2099.
bool is_national_holiday(int64_t days);

enum class DayType { kWeekday, kSaturday, kSundayOrHoliday };
DayType day_type(int64_t days);

// The local (JST) day of an instant and the minutes since local midnight.
inline int64_t jst_day(TimeMs t) { return (t + kJstOffsetMs) / kDayMs; }
inline int jst_minute(TimeMs t) { return static_cast<int>(((t + kJstOffsetMs) % kDayMs) / 60000); }

}  // namespace machi::sim
