// Date-times as NGSI-LD uses them: ISO 8601 / RFC 3339 text in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace machi {

// Milliseconds since the Unix epoch, UTC.
using TimeMs = int64_t;

TimeMs now_ms();

// Parses "YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]" (a missing zone means UTC)
// and also a plain date "YYYY-MM-DD". Returns nullopt for anything else.
std::optional<TimeMs> parse_datetime(std::string_view text);

// Formats as "YYYY-MM-DDThh:mm:ss.fffZ".
std::string format_datetime(TimeMs ms);

// Calendar months in UTC, counted from year 0 (month = year * 12 + (m - 1)),
// for time partitions and calendar durations such as P1M.
int64_t month_of(TimeMs ms);
// The first millisecond of a month.
TimeMs month_start(int64_t month);
// The same day and time `months` later (the day clamped to the month's end).
TimeMs add_months(TimeMs ms, int64_t months);

}  // namespace machi
