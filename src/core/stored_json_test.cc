#include "core/stored_json.h"

#include <gtest/gtest.h>

#include <random>

#include "core/error.h"

namespace machi {
namespace {

// Same value, same member order, same number kinds, same text.
void expect_same_as_nlohmann(const std::string& text) {
  Json expected = Json::parse(text);
  Json got = parse_stored_json(text);
  EXPECT_EQ(got, expected) << text;
  EXPECT_EQ(got.dump(), expected.dump()) << text;
  EXPECT_EQ(got.type(), expected.type()) << text;
}

TEST(StoredJson, ReadsWhatNlohmannReads) {
  for (const char* text : {
           R"({})", R"([])", R"("")", "0", "-0", "1", "-1", "1.5", "-2.25e-3", "1E10", "1e400000000000000000000",
           "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
           "true", "false", "null", R"( { "b" : [ 1 , 2 ] , "a" : { } } )",
           R"({"s":"a\"b\\c\/d\b\f\n\r\t\u0001\u00e9\u20ac\ud83d\ude00"})", R"({"s":"三 ü 😀"})",
           R"({"id":"urn:x","type":["https://t"],"attrs":{"https://a":[{"type":"Property","value":[1,2.5,-3,"x",null,true]}]}})",
       }) {
    if (std::string_view(text) == "1e400000000000000000000") continue;  // nlohmann rejects it too
    expect_same_as_nlohmann(text);
  }
}

TEST(StoredJson, TypesOfNumbers) {
  EXPECT_TRUE(parse_stored_json("5").is_number_unsigned());
  EXPECT_TRUE(parse_stored_json("-5").is_number_integer() && !parse_stored_json("-5").is_number_unsigned());
  EXPECT_TRUE(parse_stored_json("5.0").is_number_float());
  EXPECT_TRUE(parse_stored_json("18446744073709551616").is_number_float());
}

TEST(StoredJson, RejectsMalformedText) {
  for (const char* text : {"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "-", "\"abc", "\"\\x\"", "tru",
                           "[1] 2", "\"\\ud800\"", "1e999", "\"a\nb\""}) {
    EXPECT_THROW(parse_stored_json(text), Error) << text;
  }
}

// Random documents round-trip exactly as through nlohmann.
Json random_value(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 4 ? 5 : 7);
  switch (kind(rng)) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<int64_t>(rng()) - static_cast<int64_t>(rng());
    case 3: return static_cast<uint64_t>(rng()) << 20;
    case 4: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    case 5: {
      std::string s;
      for (int i = rng() % 12; i > 0; --i) s.push_back(static_cast<char>(rng() % 0x7F + 1));
      return s + "é€";
    }
    case 6: {
      Json a = Json::array();
      for (int i = rng() % 5; i > 0; --i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      Json o = Json::object();
      for (int i = rng() % 5; i > 0; --i) o["k" + std::to_string(rng() % 100)] = random_value(rng, depth + 1);
      return o;
    }
  }
}

TEST(StoredJson, RandomDocuments) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) expect_same_as_nlohmann(random_value(rng, 0).dump());
}

}  // namespace
}  // namespace machi
