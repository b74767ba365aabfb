// Orion's Simple Query Language (NGSIv2 "q" and "mq"), evaluated on machi's
// stored form (ld/entity.h) as an NGSIv2 client sees it (v2_entity.h).
//
//   q:   temperature>20;status==open,closed;!broken;humidity==40..60
//        name~=^Tok;address.city=='Tokyo';dateModified>2026-01-01T00:00:00Z
//   mq:  temperature.accuracy<0.5;temperature.unitCode==CEL
//
// Statements are separated by ';' (AND). A statement is "path" (the
// attribute exists), "!path" (it does not), or "path OP value" with OP one of
// ==, !=, >, <, >=, <=, ~= (RE2 pattern, partial match). For == and
// != the value may be a list "a,b,c" (any of) or a range "a..b" (inclusive).
// Path segments are separated by '.'; a segment in single quotes may contain
// dots. In q the first segment is the attribute (dateCreated and
// dateModified name the entity's own dates) and further segments step into a
// compound value; in mq the second segment is the metadata (unitCode,
// observedAt, dateCreated, dateModified or a sub-property) and further ones
// step into its value.
// Values: an unquoted number compares with numbers, and with == / != also
// with the text of a string; true/false with booleans; a date-time with
// string values that are date-times, as instants; anything else, and every
// value in single quotes, as text (>, < compare text lexicographically).
// An array value matches when any element does ("!=": when none is equal).
// Values of other types never match, except that "!=" holds for them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "ld/context.h"

namespace machi::ngsiv2 {

struct V2Term;

class V2Query {
 public:
  enum class Kind { kQ, kMq };
  // Throws Error(BadRequestData) with a precise detail. Rejects texts over
  // 8 KiB and more than 64 statements.
  static V2Query parse(std::string_view text, Kind kind);

  // Expands attribute (and metadata) names with ctx. Needed before matches().
  V2Query& bind(const ld::Context& ctx);

  bool matches(const Json& stored_entity) const;

  // The (expanded) attributes read, for the enforcement point.
  std::vector<std::string> attributes() const;

  // An NGSI-LD q text (ld/q.h) that every match of this q also satisfies,
  // for the store's attribute-value index: the numeric comparisons and
  // numeric ranges on plain attribute names. "" when there is none. The full
  // v2 expression must still be evaluated on what it selects.
  std::string ld_prefilter() const;

 private:
  Kind kind_ = Kind::kQ;
  std::shared_ptr<std::vector<V2Term>> terms_;
};

}  // namespace machi::ngsiv2
