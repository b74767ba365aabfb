// Attribute history. All access to the history tables goes through these few
// functions, so that the writer and the readers know nothing of how points
// are laid out.
//
// Layout (schema v3): points live in one table per calendar month (UTC),
// history_YYYYMM, listed in history_partitions; a read touches only the
// months its time range overlaps, and expiring a month's points never
// rewrites the others. Each point keeps its numeric value (num) beside the
// instance text, so that aggregates need not parse JSON. history_hourly
// keeps, per attribute instance and hour, the count, sum, sum of squares,
// minimum and maximum of the points, updated in the same transaction as the
// points: hour-aligned aggregates over months of minute data read one row
// per hour instead of sixty points. A view named `history` unites the
// partitions for operators' ad hoc queries.
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

// Creates the partition catalog and the hourly summaries, and moves the
// points of the v1 `history` table into partitions (schema migration v3).
void migrate_history_to_partitions(Db& db);

// Appends the changes of one entity (inside the writer's transaction).
void append_history(Db& db, const std::string& entity_id, const std::vector<HistoryChange>& changes,
                    const TermIds& term);

// A point of a bulk import, checked and serialized before it reaches the
// writer thread so that the writer only inserts.
struct ImportedPoint {
  const HistoryPoint* point;   // entity_id, attr, dataset_id
  TimeMs time = 0;             // the instance's observedAt
  std::string text;            // the instance as JSON text
  std::optional<double> number;  // the instance's numeric value
};

// Checks points for import (see TenantStore::append_history) and serializes
// them; throws Error(BadRequestData) naming the first bad point.
std::vector<ImportedPoint> prepare_import(const std::vector<HistoryPoint>& points);

// Inserts prepared points (inside the writer's transaction), interning
// entity ids and attribute names once per distinct name.
void import_history(Db& db, const std::vector<ImportedPoint>& points);

// Points of the entities in read, in (entity, attr, dataset, time) order
// (ties in the order they were written). See HistoryRead.
std::vector<HistoryPoint> read_history(Db& db, const HistoryRead& read);

// Hourly summaries of the entities in read, in (entity, attr, dataset, hour)
// order; read.from and read.to are rounded outwards to whole hours.
std::vector<HourSummary> read_hourly(Db& db, const HistoryRead& read);

// The hourly summaries of all entities in read added up per (attr,
// datasetId, period index), in that order (see TenantStore::history_totals).
std::vector<PeriodTotal> read_totals(Db& db, const HistoryRead& read, TimeMs origin, TimeMs period);

// Deletes the points (and summaries) of these entities dated before
// `before`, and drops partitions left empty. Returns the points deleted.
size_t expire_history(Db& db, const std::vector<std::string>& entity_ids, TimeMs before);

// Deletes every point of these entities (and the given attributes, all when
// empty). Returns the points deleted.
size_t erase_history(Db& db, const std::string& entity_id, const std::vector<std::string>& attrs);

// The numeric value of an instance, for aggregates: a Property whose value
// is a JSON number.
std::optional<double> instance_number(const Json& instance);

}  // namespace machi::store
