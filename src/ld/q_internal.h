// The parsed form of a q expression (see q.h), shared by the parser
// (q_parse.cc) and the binding and evaluation (q.cc). Internal to the ld module.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace machi::ld::q_internal {

using re2::RE2;

enum class Op { kExists, kEq, kNe, kLt, kLe, kGt, kGe, kMatch, kNoMatch };

struct Literal {
  enum class Kind { kNumber, kString, kBool, kDateTime, kTime, kUri };
  Kind kind = Kind::kString;
  double number = 0;
  bool boolean = false;
  int64_t ms = 0;        // date-time: ms since the epoch; time: ms of the day
  std::string text;      // string or URI; a date-time as written
  std::string expanded;  // string or URI expanded at bind, for VocabProperty equality
};

struct Step {
  std::string name;                     // as written
  std::string iri;                      // expanded at bind
  const std::string* member = nullptr;  // an instance member (observedAt ...) instead of a sub-attribute
};

struct Term {
  enum class Shape { kSingle, kRange, kList };
  std::vector<Step> path;  // path[0] is the attribute, then sub-attributes or a member
  std::vector<std::string> keys;  // [key] steps into the compound value
  Op op = Op::kExists;
  Shape shape = Shape::kSingle;
  std::vector<Literal> values;  // one, two (range lo, hi) or a list
  std::shared_ptr<const RE2> regex;
};

struct Node {
  enum class Kind { kTerm, kAnd, kOr };
  Kind kind = Kind::kTerm;
  std::vector<Node> children;
  Term term;
};

// Parses q text; throws machi::Error(BadRequestData) on anything invalid.
Node parse_expression(std::string_view text);

// The instance member a sub-path name denotes (observedAt ...), as written or
// as the core IRI; nullptr for a sub-attribute.
const std::string* member_for(std::string_view name);

// "hh:mm:ss[.fff][Z]" -> ms of the day (the NGSI-LD Time type).
std::optional<int64_t> parse_time(std::string_view t);

}  // namespace machi::ld::q_internal
