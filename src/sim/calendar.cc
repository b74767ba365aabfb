#include "sim/calendar.h"

#include <cstdio>

namespace machi::sim {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t civil_to_days(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int nth_monday(int year, int month, int n) {
  int first = weekday(civil_to_days(year, month, 1));
  int first_monday = 1 + (8 - first) % 7;
  return first_monday + 7 * (n - 1);
}

int equinox_day(int year, double base) {
  // floor(base + 0.242194 (y - 1980) - floor((y - 1980) / 4)), 1980-2099.
  int k = year - 1980;
  return static_cast<int>(base + 0.242194 * k) - k / 4;
}

bool is_fixed_holiday(const Date& d) {
  int y = d.year, m = d.month, day = d.day;
  switch (m) {
    case 1: return day == 1 || day == nth_monday(y, 1, 2);                   // 元日, 成人の日
    case 2: return day == 11 || day == 23;                                   // 建国記念の日, 天皇誕生日
    case 3: return day == equinox_day(y, 20.8431);                           // 春分の日
    case 4: return day == 29;                                                // 昭和の日
    case 5: return day >= 3 && day <= 5;                                     // 憲法記念日, みどりの日, こどもの日
    case 7: return day == nth_monday(y, 7, 3);                               // 海の日
    case 8: return day == 11;                                                // 山の日
    case 9: return day == nth_monday(y, 9, 3) || day == equinox_day(y, 23.2488);  // 敬老の日, 秋分の日
    case 10: return day == nth_monday(y, 10, 2);                             // スポーツの日
    case 11: return day == 3 || day == 23;                                   // 文化の日, 勤労感謝の日
    default: return false;
  }
}

bool is_named_holiday(int64_t days) { return is_fixed_holiday(date_from_days(days)); }

}  // namespace

int64_t days_from_date(const Date& d) { return civil_to_days(d.year, d.month, d.day); }

Date date_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

int weekday(int64_t days) { return static_cast<int>(((days % 7) + 11) % 7); }  // 1970-01-01 was a Thursday

std::string format_date(int64_t days) {
  Date d = date_from_days(days);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buffer;
}

std::optional<int64_t> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](size_t at, size_t n) -> int {
    int v = 0;
    for (size_t k = at; k < at + n; ++k) {
      if (text[k] < '0' || text[k] > '9') return -1;
      v = v * 10 + (text[k] - '0');
    }
    return v;
  };
  Date d{number(0, 4), number(5, 2), number(8, 2)};
  if (d.year < 1900 || d.month < 1 || d.month > 12 || d.day < 1) return std::nullopt;
  int64_t days = days_from_date(d);
  Date back = date_from_days(days);
  if (back.month != d.month || back.day != d.day) return std::nullopt;  // e.g. 02-30
  return days;
}

bool is_national_holiday(int64_t days) {
  if (is_named_holiday(days)) return true;
  // 振替休日: the first non-holiday after a run of holidays that includes a Sunday.
  for (int64_t k = days - 1; is_named_holiday(k); --k) {
    if (weekday(k) == 0) return true;
  }
  // 国民の休日: a weekday squeezed between two holidays.
  return weekday(days) != 0 && is_named_holiday(days - 1) && is_named_holiday(days + 1);
}

DayType day_type(int64_t days) {
  int w = weekday(days);
  if (w == 0 || is_national_holiday(days)) return DayType::kSundayOrHoliday;
  if (w == 6) return DayType::kSaturday;
  return DayType::kWeekday;
}

}  // namespace machi::sim
