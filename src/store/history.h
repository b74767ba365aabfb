// Attribute history. All access to the history tables goes through these few
// functions so that their storage (one table today) can later become time
// partitions with retention without touching the writer or the readers.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "store/doc_index.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace machi::store {

// The interned id of an attribute IRI (the writer's cached terms).
using TermIds = std::function<int64_t(const std::string& iri)>;

// Appends the changes of one entity (inside the writer's transaction).
void append_history(Db& db, const std::string& entity_id, const std::vector<HistoryChange>& changes,
                    const TermIds& term);

// A point of a bulk import, checked and serialized before it reaches the
// writer thread so that the writer only inserts.
struct ImportedPoint {
  const HistoryPoint* point;   // entity_id, attr, dataset_id
  TimeMs time = 0;             // the instance's observedAt
  std::string text;            // the instance as JSON text
};

// Checks points for import (see TenantStore::append_history) and serializes
// them; throws Error(BadRequestData) naming the first bad point.
std::vector<ImportedPoint> prepare_import(const std::vector<HistoryPoint>& points);

// Inserts prepared points (inside the writer's transaction), interning
// entity ids and attribute names once per distinct name.
void import_history(Db& db, const std::vector<ImportedPoint>& points);

// Points of one entity (one attribute, or all when attr is empty) with
// from <= time < to, in time order (ties in the order they were written).
std::vector<HistoryPoint> read_history(Db& db, const std::string& entity_id, const std::string& attr, TimeMs from,
                                       TimeMs to);

}  // namespace machi::store
