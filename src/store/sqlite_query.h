// Entity queries on a read connection: one SQL statement narrows the
// candidates with the index tables, then the predicates that SQL cannot
// decide exactly (idPattern, q, the exact geo relation) run in memory.
//
// The plan: every restriction (ids, types, attrs, each q index term, the
// geo search box) is a condition with an expected selectivity. The most
// selective one drives the scan (`e.rowid IN (subquery)`, or for a single
// type/attribute a walk of that index in entity order); the others are
// EXISTS probes per candidate. A near;maxDistance around a point also tests
// the rtree boxes against the circle, not only its bounding box. Rows come in rowid order (stable paging).
// Without in-memory predicates SQL does LIMIT/OFFSET and count(*) itself and
// only the returned documents are parsed. Otherwise each candidate is tested
// in memory: idPattern on the id column, the geo relation on the stored
// geometries (the rtree's geom column, no document parse), and q on the
// parsed document; counting goes on past the page only when asked.
//
// The q prefilter must never lose a match: text is compared by indexed
// prefix with non-strict bounds where needed, date-time literals also by
// instant (column tm), and terms that cannot be translated are skipped.
#pragma once

#include "store/sqlite_db.h"
#include "store/store.h"

namespace machi::store {

// Runs inside its own read transaction on db (a consistent snapshot).
QueryResult run_query(Db& db, const EntityQuery& query);

// Registers what run_query's SQL calls on a connection: the rtree query
// function machi_near(lon, lat, metres), which keeps the rtree boxes that
// come within that many metres of the point (ld::box_may_touch), so a near
// query skips the corners of its search box, whole rtree nodes at a time.
void register_query_functions(Db& db);

// The interned id of a name, read from terms; nullopt when never stored.
std::optional<int64_t> lookup_term(Db& db, const std::string& iri);

}  // namespace machi::store
