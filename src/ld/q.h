// The NGSI-LD query language (ETSI GS CIM 009, clause 4.9): parsing,
// binding attribute names to IRIs, and evaluation against stored entities.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "ld/context.h"

namespace machi::ld {

// A parsed q expression. Immutable; safe to share between threads.
class QueryExpression;

// A comparison that a store can answer from an attribute-value index: the
// top-level attribute `attr` (expanded IRI, no sub-path) compared with a
// literal. Only produced for comparisons that every match must satisfy (the
// AND-spine of the expression), so a store may intersect them safely; the
// full expression is still evaluated on each candidate.
struct IndexTerm {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kRange };
  std::string attr;
  Op op = Op::kEq;
  // Exactly one of these literal kinds is set (for kRange both lo and hi).
  std::optional<double> number, number_hi;
  std::optional<std::string> text, text_hi;   // strings and date-times
  std::vector<Json> any_of;                   // value list for kEq ("a","b")
};

class Query {
 public:
  // Parses q text; throws machi::Error(BadRequestData... InvalidRequest) with
  // a detail naming the position on a syntax error.
  static Query parse(std::string_view text);

  // Expands the attribute names of the expression with ctx. Must be called
  // before matches(). Returns *this for chaining.
  Query& bind(const Context& ctx);

  // True when the stored-form entity satisfies the expression.
  bool matches(const Json& stored_entity) const;

  std::vector<IndexTerm> index_terms() const;

 private:
  std::shared_ptr<QueryExpression> root_;
};

}  // namespace machi::ld
