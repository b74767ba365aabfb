#include "store/schema.h"

#include <string>

#include "store/history.h"
#include "store/sqlite_query.h"

namespace machi::store {
namespace {

// Version 1: the first layout. Partial indexes on attr_values keep each value
// row in exactly one value index (numbers in num, text in str, and date-time
// text additionally as an instant in tm).
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value TEXT
) WITHOUT ROWID;

CREATE TABLE terms(
  id INTEGER PRIMARY KEY,
  iri TEXT NOT NULL UNIQUE
);

CREATE TABLE entities(
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  doc TEXT NOT NULL,
  created_at INTEGER,
  modified_at INTEGER
);

CREATE TABLE entity_types(
  type INTEGER NOT NULL,
  entity INTEGER NOT NULL,
  PRIMARY KEY(type, entity)
) WITHOUT ROWID;

CREATE TABLE entity_attrs(
  attr INTEGER NOT NULL,
  entity INTEGER NOT NULL,
  PRIMARY KEY(attr, entity)
) WITHOUT ROWID;

CREATE TABLE attr_values(
  entity INTEGER NOT NULL,
  attr INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  num REAL,
  str TEXT,
  tm INTEGER,
  PRIMARY KEY(entity, attr, seq)
) WITHOUT ROWID;
CREATE INDEX attr_values_num ON attr_values(attr, num) WHERE num IS NOT NULL;
CREATE INDEX attr_values_str ON attr_values(attr, str) WHERE str IS NOT NULL;
CREATE INDEX attr_values_tm ON attr_values(attr, tm) WHERE tm IS NOT NULL;

CREATE VIRTUAL TABLE geo USING rtree(id, min_lon, max_lon, min_lat, max_lat, +attr INTEGER, +geom TEXT);

CREATE TABLE type_attrs(
  type INTEGER NOT NULL,
  attr INTEGER NOT NULL,
  attr_type INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(type, attr, attr_type)
) WITHOUT ROWID;

-- History rows name entities and attributes by small integers: entity ids
-- are interned in history_entities (kept after the entity is deleted),
-- attributes in terms. That makes a row and its index entry about 100 bytes
-- smaller than with the IRIs, and history is most of the bytes written.
CREATE TABLE history_entities(
  id INTEGER PRIMARY KEY,
  entity_id TEXT NOT NULL UNIQUE
);

CREATE TABLE history(
  entity INTEGER NOT NULL,
  attr INTEGER NOT NULL,
  dataset_id TEXT NOT NULL DEFAULT '',
  time INTEGER NOT NULL,
  instance TEXT
);
CREATE INDEX history_by_entity ON history(entity, attr, time);

CREATE TABLE jsonld_contexts(
  url TEXT PRIMARY KEY,
  document TEXT NOT NULL,
  saved_at INTEGER NOT NULL
);
)sql";

// Version 2: records of machi's domain modules (accounts, consents, grants).
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE records(
  collection TEXT NOT NULL,
  key TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY(collection, key)
) WITHOUT ROWID;
)sql";

// Version 4: the change feed. One row per committed entity change, written in
// the entity's own transaction, so that a reader that follows seq sees every
// change exactly in commit order, across restarts. kind: 1 created, 2
// updated, 3 deleted; attrs: the changed attribute IRIs as a JSON array.
// (Version 3 is reserved for another change.)
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE changes(
  seq INTEGER PRIMARY KEY,
  entity_id TEXT NOT NULL,
  kind INTEGER NOT NULL,
  attrs TEXT NOT NULL,
  time INTEGER NOT NULL
);
)sql";

void set_user_version(Db& db, int version) { db.exec("PRAGMA user_version = " + std::to_string(version)); }

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {
      {1, "entities, index tables, geo rtree, history, contexts", [](Db& db) { db.exec(kSchemaV1); }},
      {2, "records of domain modules", [](Db& db) { db.exec(kSchemaV2); }},
      {3, "history in monthly partitions, with hourly summaries", migrate_history_to_partitions},
      {4, "change feed", [](Db& db) { db.exec(kSchemaV4); }},
  };
  return steps;
}

int latest_schema_version() { return migrations().back().version; }

void migrate(Db& db, const std::vector<Migration>& steps) {
  int target = steps.empty() ? 0 : steps.back().version;
  // BEGIN IMMEDIATE before reading the version: two processes opening the
  // same new file must not both run step 1.
  Transaction txn(db);
  int current = static_cast<int>(db.scalar("PRAGMA user_version").value_or(0));
  if (current > target) {
    throw SqliteError(SQLITE_ERROR, "database schema version " + std::to_string(current) +
                                        " is newer than this machi supports (" + std::to_string(target) + ")");
  }
  if (current == target) return;  // the destructor ends the empty transaction
  for (const Migration& step : steps) {
    if (step.version <= current) continue;
    step.apply(db);
    set_user_version(db, step.version);
  }
  txn.commit();
}

namespace {

void set_common_pragmas(Db& db) {
  // Both WAL readers and the writer may meet a checkpoint or a second process;
  // waiting a little is better than failing a request at once.
  db.exec("PRAGMA busy_timeout = 10000; PRAGMA temp_store = MEMORY;");
  register_query_functions(db);
}

}  // namespace

Db open_writer(const std::filesystem::path& file, Durability durability) {
  Db db(file, Db::Mode::kReadWriteCreate);
  set_common_pragmas(db);
  db.exec("PRAGMA journal_mode = WAL");
  // FULL: the WAL is fsync'd at every commit, so a returned write survives a
  // power loss. NORMAL: fsync only at checkpoints; survives a process crash.
  db.exec(durability == Durability::kFull ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  // A large batch touches many index pages; keep them cached (32 MiB), and
  // keep the WAL file from staying huge after a burst.
  db.exec("PRAGMA cache_size = -32768; PRAGMA journal_size_limit = 67108864;");
  migrate(db, migrations());
  return db;
}

Db open_reader(const std::filesystem::path& file) {
  Db db(file, Db::Mode::kReadWrite);  // read-write open so that WAL's -shm can be mapped
  set_common_pragmas(db);
  // No mmap_size: while the writer grows the file, every mapped reader
  // remaps it (munmap and page faults took a third of a PATCH's time).
  db.exec("PRAGMA query_only = 1; PRAGMA cache_size = -8192;");
  return db;
}

}  // namespace machi::store
