#include "core/json.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace machi {

ErrorType error_of(std::string_view text) {
  try {
    parse_json(text);
  } catch (const Error& e) {
    return e.type();
  }
  return ErrorType::kInternalError;  // parsed: not what these tests expect
}

TEST(ParseJson, AcceptsDocuments) {
  EXPECT_EQ(parse_json(R"({"a":[1,2,"三"]})")["a"][2], "三");
}

TEST(ParseJson, MalformedInputIsAnInvalidRequest) {
  EXPECT_EQ(error_of("{"), ErrorType::kInvalidRequest);
  EXPECT_EQ(error_of(""), ErrorType::kInvalidRequest);
  EXPECT_EQ(error_of("[1,]"), ErrorType::kInvalidRequest);
}

// Found by the geo fuzzer: nlohmann throws out_of_range, not parse_error.
TEST(ParseJson, HugeNumberIsAnInvalidRequest) { EXPECT_EQ(error_of("[1e999]"), ErrorType::kInvalidRequest); }

TEST(ParseJson, DeepNestingIsRejectedWithoutCrashing) {
  std::string deep(100000, '[');
  EXPECT_EQ(error_of(deep), ErrorType::kInvalidRequest);
}

}  // namespace machi
