// The NGSI-LD query language (ETSI GS CIM 009, clause 4.9): parsing,
// binding attribute names to IRIs, and evaluation against stored entities.
//
// Syntax (no whitespace anywhere; ";" = AND binds tighter than "|" = OR):
//   temperature>20;(status=="open"|refParking==urn:ngsi-ld:Parking:1)
//   temperature.observedAt>=2018-12-04T12:00:00Z    address[postalCode]=="100-0001"
//   speed==50..80    status=="open","closed"    name~=(?i)station    name~="a|b"
// Attribute paths: "." separates sub-attributes (observedAt, unitCode,
// datasetId, createdAt and modifiedAt name the instance's own members) and
// "[key]" steps into a compound JSON value. A path segment that contains ':'
// is a full or compact IRI and is taken whole, dots included, up to "[" or the
// operator: "https://ex.org/v1.2/temp" is one name, and so is "ex:temp.observedAt"
// (use a context term to reach sub-attributes of an IRI-named attribute).
// Unquoted values are numbers, true/false, date-times and dates (compared as
// instants), times (hh:mm:ss[.fff][Z]) and URIs; other strings need "...".
// An unquoted pattern runs to the next ";" or "|" outside its own parentheses
// (so "a|b" must be written "(a|b)" or quoted); RE2 syntax, partial match.
//
// Evaluation: a term holds when ANY instance (datasetId) of the attribute, and
// any element of an array value, satisfies it; for "!=" and "!~=" an instance
// satisfies it when it has a value of the literal's type and none is equal /
// matches. Values of another type than the literal never match. A missing
// attribute (or sub-attribute, member or key) fails every term, "!=" included.
#pragma once

#include <functional>
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
// A literal compares with the values matches() selects: Property/GeoProperty
// "value", Relationship "object", LanguageProperty strings, VocabProperty
// "vocab", JsonProperty "json", ListProperty elements, array elements.
// Date-times come as format_datetime() text. For equality a string literal is
// listed in any_of both as written and expanded by the context when the two
// differ (VocabProperty values are stored expanded).
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
  // Parses q text; throws machi::Error(BadRequestData) with a detail naming
  // the 0-based byte position on a syntax error. Rejects texts over 8 KiB,
  // parentheses nested deeper than 32 and more than 32 patterns.
  static Query parse(std::string_view text);

  // Expands the attribute names (and, for VocabProperty equality, the string
  // literals) of the expression with ctx. Must be called before matches() and
  // index_terms(). Binds a private copy, so copies of this Query are untouched.
  Query& bind(const Context& ctx) {
    return bind([&ctx](std::string_view term) { return ctx.expand(term); });
  }
  // The same with any term expander (tests, tools).
  Query& bind(const std::function<std::string(std::string_view)>& expand);

  // True when the stored-form entity satisfies the expression. Does not
  // allocate. Throws Error(InternalError) when the query is not bound.
  bool matches(const Json& stored_entity) const;

  // The indexable comparisons of the top-level AND spine (see IndexTerm):
  // plain attributes (no "." or "[ ]") compared by ==, <, <=, >, >= with a
  // number, string, URI or date-time, a range or a value list.
  std::vector<IndexTerm> index_terms() const;

  // The (expanded) top-level attributes the expression reads, each once, in
  // order of appearance. The enforcement point checks them against a grant.
  std::vector<std::string> attributes() const;

 private:
  std::shared_ptr<QueryExpression> root_;
};

}  // namespace machi::ld
