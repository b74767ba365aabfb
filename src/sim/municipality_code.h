// 全国地方公共団体コード (local government codes), 6 digits:
//   2 digits  prefecture (JIS X 0401: 01 北海道 ... 12 千葉県 ... 47 沖縄県)
//   3 digits  the municipality within it (総務省: 100 designated cities,
//             2xx cities, 3xx-7xx towns and villages by 郡, 000 the prefecture)
//   1 digit   check digit (検査数字), computed by the rule the ministry
//             publishes for these codes:
//               S = 6*d1 + 5*d2 + 4*d3 + 3*d4 + 2*d5
//               check = the last digit of (11 - S mod 11)
//             i.e. 11 - r for remainders 2..10, 0 for r = 1 (11 - 1 = 10),
//             1 for r = 0 (11 - 0 = 11).
//   Examples: 東京都 13000 -> 130001, 千代田区 13101 -> 131016,
//   神戸市 28100 -> 281000, 札幌市中央区 01101 -> 011011.
#pragma once

#include <string>
#include <string_view>

namespace machi::sim {

// The check digit of a 5-digit code; throws std::invalid_argument otherwise.
int municipality_check_digit(std::string_view five_digits);

// The 6-digit code of prefecture (1-47) and municipality number (0-999).
std::string municipality_code(int prefecture, int number);

// True for 6 digits whose last is the check digit of the first five.
bool is_valid_municipality_code(std::string_view code);

}  // namespace machi::sim
