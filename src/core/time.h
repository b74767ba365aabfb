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

}  // namespace machi
