// How machi's SQLite databases are laid out and opened.
//
// The schema is versioned with PRAGMA user_version. migrations() lists the
// steps in order; migrate() applies those above the file's version in one
// transaction, so a file is either fully at the new version or untouched.
// A file written by a newer machi (version above ours) is refused rather than
// guessed at.
//
// Tables (v1). Names (types, attribute IRIs, attribute types) are interned in
// `terms` so that the index tables hold small integers instead of long IRIs.
//   meta(key, value)                    tenant name, ...
//   terms(id, iri)
//   entities(rowid, id, doc, created_at, modified_at)   doc = stored-form JSON
//   entity_types(type, entity)          one row per type of an entity
//   entity_attrs(attr, entity)          one row per top-level attribute
//   attr_values(entity, attr, seq, num, str, tm)   scalar values, for q
//   geo: rtree(id, box, +attr, +geom)   one row per GeoProperty instance,
//                                       id = entity rowid << 16 | k
//   type_attrs(type, attr, attr_type, n)  summary for /types, /attributes
//   history_entities(id, entity_id)      entity ids seen by the history
//   history(entity, attr, dataset_id, time, instance)   (v1; see v3)
//   v3: history_partitions(month, name), history_YYYYMM(entity, attr,
//       dataset_id, time, num, instance), history_hourly(...), and a view
//       `history` over the partitions (see store/history.h)
//   jsonld_contexts(url, document, saved_at)  (used in the default tenant)
#pragma once

#include <filesystem>
#include <functional>
#include <vector>

#include "store/sqlite_db.h"
#include "store/store.h"

namespace machi::store {

struct Migration {
  int version;                         // user_version after this step
  const char* description;
  std::function<void(Db&)> apply;      // runs inside the migration transaction
};

// machi's own steps, in order.
const std::vector<Migration>& migrations();
int latest_schema_version();

// Brings db to the last version in steps. Throws SqliteError when the file's
// version is above the last step's, or when a step fails (nothing changed).
void migrate(Db& db, const std::vector<Migration>& steps);

// The connection that writes (one per tenant): WAL, synchronous per
// durability, migrated to the latest schema.
Db open_writer(const std::filesystem::path& file, Durability durability);
// A read connection (query_only) on a file that the writer already opened.
Db open_reader(const std::filesystem::path& file);

}  // namespace machi::store
