#include "sim/municipality_code.h"

#include <cstdio>
#include <stdexcept>

namespace machi::sim {

int municipality_check_digit(std::string_view five) {
  if (five.size() != 5) throw std::invalid_argument("a municipality code has 5 digits before its check digit");
  int sum = 0;
  for (size_t i = 0; i < 5; ++i) {
    if (five[i] < '0' || five[i] > '9') throw std::invalid_argument("a municipality code is digits only");
    sum += (five[i] - '0') * static_cast<int>(6 - i);
  }
  return (11 - sum % 11) % 10;
}

std::string municipality_code(int prefecture, int number) {
  if (prefecture < 1 || prefecture > 47 || number < 0 || number > 999)
    throw std::invalid_argument("prefecture 1-47 and municipality number 0-999");
  char five[6];
  std::snprintf(five, sizeof five, "%02d%03d", prefecture, number);
  return std::string(five) + std::to_string(municipality_check_digit(five));
}

bool is_valid_municipality_code(std::string_view code) {
  if (code.size() != 6 || code[5] < '0' || code[5] > '9') return false;
  try {
    return municipality_check_digit(code.substr(0, 5)) == code[5] - '0';
  } catch (const std::invalid_argument&) {
    return false;
  }
}

}  // namespace machi::sim
