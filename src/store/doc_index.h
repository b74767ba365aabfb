// What the index tables hold for one stored entity, computed from its
// stored-form JSON alone (no SQL). The writer computes this for the old and
// the new document of a mutation and writes only the difference, so a
// typical update (one attribute's value) touches one or two index rows.
//
// The derivation must stay deterministic: the rows of the old document are
// recomputed from its JSON rather than read back. A change of these rules
// needs a schema migration that rebuilds the index tables.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "ld/geo.h"

namespace machi::store {

// Text values are indexed by their first kMaxIndexedText bytes only, so that
// a long description does not bloat the index. Queries compare prefixes (see
// sqlite_query.cc) and keep exact evaluation in memory.
inline constexpr size_t kMaxIndexedText = 128;
std::string indexed_text(std::string_view text);

// One scalar of an attribute, as a row of attr_values. Numbers go to num;
// text to str, and date-time text also to tm (as an instant), so that a q
// comparison with a date-time literal can be answered whatever the text's
// precision or zone; booleans to both num (0/1) and str ("true"/"false").
struct IndexedValue {
  std::optional<double> num;
  std::optional<std::string> str;
  std::optional<TimeMs> tm;
  bool operator==(const IndexedValue&) const = default;
};

struct GeoEntry {
  std::string attr;
  ld::BBox box;
  std::string geometry;  // the GeoJSON text
  bool operator==(const GeoEntry& o) const {
    return attr == o.attr && geometry == o.geometry;  // the box follows from the geometry
  }
};

struct DocIndex {
  std::set<std::string> types;
  std::set<std::string> attrs;
  std::set<std::pair<std::string, std::string>> attr_types;     // (attr, instance type)
  std::map<std::string, std::vector<IndexedValue>> values;      // attr -> scalars, in instance order
  std::vector<GeoEntry> geo;                                    // in attribute, instance order
  std::optional<TimeMs> created_at, modified_at;
};

// Index rows of a stored entity. Throws machi::Error when a GeoProperty value
// is not a valid geometry.
DocIndex index_doc(const Json& doc);

// The scalars of one instance that q may compare against.
void instance_values(const Json& instance, std::vector<IndexedValue>& out);

// The key of an attribute instance: (attribute IRI, datasetId or "").
using InstanceKey = std::pair<std::string, std::string>;

// One history row to append.
struct HistoryChange {
  std::string attr;
  std::string dataset_id;
  TimeMs time = 0;
  const Json* instance = nullptr;  // null: the instance was removed
};

// The instances that are new or changed in new_doc, and those of old_doc that
// are gone. Either document may be null (creation, deletion). An instance
// without observedAt/modifiedAt, and a removal, is dated by new_doc's
// modifiedAt, else by now.
std::vector<HistoryChange> history_changes(const Json* old_doc, const Json* new_doc, TimeMs now);

// The time of an instance for history: observedAt, else modifiedAt, else fallback.
TimeMs instance_time(const Json& instance, TimeMs fallback);

}  // namespace machi::store
