// machi's storage interface. The store keeps entities in their stored form
// (see ld/entity.h) per tenant, with indexes for type, id, attribute values
// and geometry, and every attribute change as history. It knows nothing of
// HTTP or of JSON-LD wire formats.
//
// Durability contract: when write() returns, every applied mutation is on
// disk (fsync'd, unless Durability::kProcess was chosen). Concurrent writers
// are grouped into one commit (group commit).
#pragma once

#include <chrono>
#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/time.h"
#include "ld/context.h"
#include "ld/geo.h"
#include "ld/q.h"

namespace machi::store {

enum class Durability {
  kFull,     // fsync on every commit: survives power loss (default)
  kProcess,  // survives a crash of machi, not of the machine
};

struct StoreOptions {
  std::string data_dir;
  Durability durability = Durability::kFull;
  // Per tenant: the budget of the in-memory cache of entity documents that
  // GET by id reads through (0 turns it off).
  size_t entity_cache_bytes = size_t{256} << 20;
};

// What a query asks for. All names are expanded IRIs.
struct EntityQuery {
  std::vector<std::string> types;        // entity has any of these types; empty = any
  std::vector<std::string> ids;          // id is one of these; empty = any
  std::string id_pattern;                // RE2 full-match on id; empty = any
  std::vector<std::string> attrs;        // entity has any of these attributes; empty = any
  std::vector<std::string> scopes;       // (reserved for scopeQ)
  std::optional<ld::Query> q;            // bound q expression
  std::optional<ld::GeoQuery> geo;       // geoproperty already expanded
  size_t offset = 0;
  size_t limit = 20;                     // 0 = count only
  bool count = false;                    // compute the total number of matches
  // A last predicate on each match's stored form, applied before paging and
  // counting (so pages stay full and counts exact). The policy enforcement
  // point uses it to leave out what the caller may not see.
  std::function<bool(const Json& stored)> admit;
};

struct QueryResult {
  std::vector<Json> entities;            // stored form, in a stable order
  std::optional<size_t> total;           // when count was asked
};

// One mutation of one entity, run inside the store's write transaction so
// that read-modify-write is atomic. `current` is the entity's stored form or
// nullopt if it does not exist. Return the new stored form, or nullopt to
// delete the entity. Throw machi::Error to reject this mutation alone
// (nothing of it is applied; other mutations in the same commit go on).
// A mutator may run more than once, on the caller's thread or the writer's
// (the store computes changes ahead and recomputes them when the entity
// changed meanwhile): it must depend on `current` alone, and side effects
// must be overwritten by each run.
using Mutator = std::function<std::optional<Json>(const std::optional<Json>& current)>;

struct Mutation {
  std::string entity_id;
  Mutator apply;
};

struct MutationResult {
  std::string entity_id;
  bool ok = false;
  bool existed = false;                  // the entity existed before
  bool exists = false;                   // the entity exists after
  std::optional<Error> error;            // when !ok
};

// Summary rows for /types and /attributes.
struct TypeInfo {
  std::string type;                      // expanded
  size_t entity_count = 0;
  std::vector<std::string> attrs;        // expanded attribute names seen on this type
};

struct AttributeInfo {
  std::string attr;                      // expanded
  size_t entity_count = 0;
  std::vector<std::string> types;        // expanded
  std::vector<std::string> attribute_types;  // "Property", "Relationship", ...
};

// One stored attribute instance in the history.
struct HistoryPoint {
  std::string entity_id;
  std::string attr;                      // expanded
  std::string dataset_id;                // "" = default instance
  TimeMs time = 0;                       // observedAt, else modifiedAt
  Json instance;                         // the stored-form instance; null for a deletion
  // Filled by reads: the numeric value (a Property with a number value), and
  // the point's stable key in the store (for instanceId).
  std::optional<double> number;
  std::string key;
};

constexpr TimeMs kMinTime = INT64_MIN / 2;
constexpr TimeMs kMaxTime = INT64_MAX / 2;

// Which history to read.
struct HistoryRead {
  std::vector<std::string> entity_ids;   // the entities whose points to read
  std::vector<std::string> attrs;        // expanded; empty = every attribute
  TimeMs from = kMinTime;                // points with from <= time < to
  TimeMs to = kMaxTime;
  size_t last_n = 0;                     // > 0: only the last N points in range per attribute instance
  bool numbers_only = false;             // leave `instance` null and removals out (aggregates need `number` only)
};

// The points of one attribute instance in one hour [hour, hour + 1 h),
// summarized as they are written.
struct HourSummary {
  std::string entity_id;
  std::string attr;
  std::string dataset_id;
  TimeMs hour = 0;
  int64_t count = 0;                     // instances, whatever their value
  int64_t numbers = 0;                   // of which numeric
  double sum = 0, sumsq = 0, min = 0, max = 0;  // over the numeric ones
};

// The hourly summaries of many entities added up per attribute instance
// and period: period `index` covers [origin + index * period,
// origin + (index + 1) * period).
struct PeriodTotal {
  std::string attr;
  std::string dataset_id;
  int64_t index = 0;
  int64_t count = 0;
  int64_t numbers = 0;
  double sum = 0, sumsq = 0, min = 0, max = 0;
};

// One small document of machi's own domain modules (accounts, consent
// records, grants, settings), kept per tenant by collection and key. The
// store treats the text as opaque.
struct Record {
  std::string collection;
  std::string key;
  std::string text;
};

// One committed entity change in the tenant's change feed (in commit order).
enum class ChangeKind : int { kCreated = 1, kUpdated = 2, kDeleted = 3 };

struct EntityChange {
  int64_t seq = 0;                       // increasing in commit order
  std::string entity_id;
  ChangeKind kind = ChangeKind::kUpdated;
  std::vector<std::string> attrs;        // changed attribute IRIs (all of them on creation and deletion)
  TimeMs time = 0;                       // when the writer applied it
};

// One tenant's data set.
class TenantStore {
 public:
  virtual ~TenantStore() = default;
  virtual std::optional<Json> get(const std::string& entity_id) = 0;
  virtual QueryResult query(const EntityQuery& query) = 0;
  // Applies mutations in order, grouped into one durable commit with other
  // writers' mutations. Returns one result per mutation, in order.
  virtual std::vector<MutationResult> write(std::vector<Mutation> mutations) = 0;
  virtual std::vector<TypeInfo> types() = 0;
  virtual std::vector<AttributeInfo> attributes() = 0;
  // History of one entity's attributes (all attributes when attr is empty),
  // in time order, within [from, to).
  std::vector<HistoryPoint> history(const std::string& entity_id, const std::string& attr, TimeMs from, TimeMs to) {
    HistoryRead read;
    read.entity_ids = {entity_id};
    if (!attr.empty()) read.attrs = {attr};
    read.from = from;
    read.to = to;
    return history(read);
  }
  // Points in (entity, attr, datasetId, time) order; a read touches only
  // the time partitions its range overlaps.
  virtual std::vector<HistoryPoint> history(const HistoryRead& read) = 0;
  // Hourly summaries (from and to rounded outwards to whole hours), in
  // (entity, attr, datasetId, hour) order.
  virtual std::vector<HourSummary> hourly_history(const HistoryRead& read) = 0;
  // The hourly summaries of all the entities in read, added up per
  // (attr, datasetId, period) in the store (origin and period whole hours;
  // read.from and read.to rounded outwards to whole hours), in that order.
  virtual std::vector<PeriodTotal> history_totals(const HistoryRead& read, TimeMs origin, TimeMs period) = 0;
  // Deletes these entities' points dated before `before` (retention);
  // durable on return. Returns the number of points deleted.
  virtual size_t expire_history(const std::vector<std::string>& entity_ids, TimeMs before) = 0;
  // Deletes an entity's history (of some attributes, all when empty);
  // durable on return. Returns the number of points deleted.
  virtual size_t erase_history(const std::string& entity_id, const std::vector<std::string>& attrs) = 0;
  // Bulk import of past attribute instances, durable on return. Entity and
  // attribute (expanded) must be named; instance is a stored-form instance
  // with observedAt, which dates the point (time must be 0 or equal to it).
  // The entities need not exist and are not changed. One call is atomic,
  // within one commit: all points or none (Error(BadRequestData) names the
  // first bad point before anything is written). Keep calls to some
  // 10k-100k points so that other writers are not held up long.
  virtual void append_history(const std::vector<HistoryPoint>& points) = 0;

  // Inserts or replaces records and erases (collection, key) pairs, all in
  // one commit: durable on return, all or nothing.
  virtual void put_records(const std::vector<Record>& puts,
                           const std::vector<std::pair<std::string, std::string>>& erases = {}) = 0;
  virtual std::optional<std::string> record(const std::string& collection, const std::string& key) = 0;
  // A collection's records in key order, optionally only keys with a prefix.
  virtual std::vector<Record> records(const std::string& collection, const std::string& key_prefix = "") = 0;

  // The change feed: every committed entity change, written in the same
  // transaction as the entity, kept until pruned. A follower keeps its own
  // cursor (the last seq it handled) and reads on from it.
  // Changes with seq > after, in seq order, at most limit.
  virtual std::vector<EntityChange> changes_after(int64_t after, size_t limit) { return {}; }
  // The seq of the last committed change (0 when none yet).
  virtual int64_t last_change_seq() { return 0; }
  // Waits until a change with seq > after is committed, or the timeout
  // passes, or the store closes. Returns last_change_seq().
  virtual int64_t wait_for_changes(int64_t after, std::chrono::milliseconds timeout) { return last_change_seq(); }
  // Deletes the changes with seq < below (the row at `below` stays, so that
  // seq keeps increasing across restarts).
  virtual void prune_changes(int64_t below) {}
};

class Store : public ld::ContextPersistence {
 public:
  virtual ~Store() = default;
  // The tenant's data set; nullptr when it does not exist and create is false.
  // "" is the default tenant. Throws Error(BadRequestData) for an invalid name.
  virtual std::shared_ptr<TenantStore> tenant(const std::string& name, bool create) = 0;
  virtual std::vector<std::string> tenants() = 0;
  // Finishes queued writes and closes files.
  virtual void close() = 0;
};

// The embedded store: one SQLite database (WAL) per tenant under data_dir.
std::unique_ptr<Store> open_sqlite_store(const StoreOptions& options);

}  // namespace machi::store
