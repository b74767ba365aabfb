#include "sim/municipality_code.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace machi::sim {
namespace {

TEST(MunicipalityCodeTest, KnownCodes) {
  EXPECT_EQ(municipality_code(13, 0), "130001");    // 東京都 (remainder 10 -> 1)
  EXPECT_EQ(municipality_code(13, 101), "131016");  // 千代田区
  EXPECT_EQ(municipality_code(1, 100), "011002");   // 札幌市
  EXPECT_EQ(municipality_code(14, 100), "141003");  // 横浜市
  EXPECT_EQ(municipality_code(27, 100), "271004");  // 大阪市
  EXPECT_EQ(municipality_code(12, 0), "120006");    // 千葉県
  EXPECT_EQ(municipality_code(12, 100), "121002");  // 千葉市
  EXPECT_EQ(municipality_code(28, 100), "281000");  // 神戸市: remainder 1 -> 0
  EXPECT_EQ(municipality_code(1, 101), "011011");   // 札幌市中央区: remainder 0 -> 1
}

TEST(MunicipalityCodeTest, TheDemoCity) {
  // デモ市: 千葉県 (12) with city number 299, which no city uses.
  // 1*6 + 2*5 + 2*4 + 9*3 + 9*2 = 69; 69 mod 11 = 3; 11 - 3 = 8.
  EXPECT_EQ(municipality_code(12, 299), "122998");
  EXPECT_TRUE(is_valid_municipality_code("122998"));
}

TEST(MunicipalityCodeTest, Validation) {
  EXPECT_TRUE(is_valid_municipality_code("131016"));
  EXPECT_FALSE(is_valid_municipality_code("131017"));
  EXPECT_FALSE(is_valid_municipality_code("13101"));
  EXPECT_FALSE(is_valid_municipality_code("13a016"));
  EXPECT_THROW(municipality_check_digit("1310"), std::invalid_argument);
  EXPECT_THROW(municipality_code(48, 1), std::invalid_argument);
  // Every 5-digit prefix has exactly one valid check digit.
  for (int n : {0, 1, 101, 299, 999}) {
    std::string code = municipality_code(12, n);
    int valid = 0;
    for (char d = '0'; d <= '9'; ++d) valid += is_valid_municipality_code(code.substr(0, 5) + d);
    EXPECT_EQ(valid, 1);
  }
}

}  // namespace
}  // namespace machi::sim
