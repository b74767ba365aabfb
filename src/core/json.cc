#include "core/json.h"

#include "core/error.h"

namespace machi {

Json parse_json(std::string_view text) {
  // Depth is bounded by nlohmann's recursive parser only by the stack; the
  // HTTP layer's body limit keeps inputs small, and this callback rejects
  // pathological nesting before it can exhaust the stack.
  constexpr int kMaxDepth = 64;
  auto limit_depth = [](int depth, Json::parse_event_t, Json&) {
    if (depth > kMaxDepth) throw Error(ErrorType::kInvalidRequest, "JSON nesting deeper than 64 levels");
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), limit_depth);
  } catch (const Json::parse_error& e) {
    throw Error(ErrorType::kInvalidRequest, std::string("malformed JSON: ") + e.what());
  } catch (const Json::exception& e) {
    // e.g. out_of_range for a number such as 1e999: still the client's input.
    throw Error(ErrorType::kInvalidRequest, std::string("unacceptable JSON: ") + e.what());
  }
}

}  // namespace machi
