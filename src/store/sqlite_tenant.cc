#include "store/sqlite_tenant.h"

#include <exception>
#include <map>
#include <set>

#include "core/stored_json.h"
#include "store/history.h"
#include "store/schema.h"
#include "store/sqlite_query.h"

namespace machi::store {

// Idle read connections kept per tenant. One per concurrent reader avoids
// reopening a connection (with a cold page cache) per request; the server
// runs one thread per HTTP connection, so this follows its usual fan-in.
constexpr size_t kMaxIdleReaders = 128;

// ---- read connections ----

namespace {

void end_read(Db& db) {
  if (!db.in_transaction()) return;
  try {
    db.cached("ROLLBACK").exec();
  } catch (const std::exception&) {
    sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace

ReaderPool::Lease ReaderPool::acquire() {
  Idle reader;
  {
    std::lock_guard lock(mutex_);
    if (closed_) throw Error(ErrorType::kServiceUnavailable, "the store is closed");
    if (!idle_.empty()) {
      reader = std::move(idle_.back());
      idle_.pop_back();
      if (reader.db->in_transaction() && kept_.load(std::memory_order_relaxed) > 0) {
        kept_.fetch_sub(1, std::memory_order_relaxed);
      }
    }
  }
  if (!reader.db) reader.db = std::make_unique<Db>(open_reader(file_));
  reader.db->trim_cache(128);
  if (commit_phase_) {
    // The version is read before BEGIN: the snapshot, taken at the first
    // read after it, holds at least every commit before it. A snapshot is
    // reused only while the version is the same even value, so no COMMIT
    // has become visible since it was taken.
    uint64_t now = version();
    if (!reader.db->in_transaction() || reader.version != now || now % 2 != 0) {
      end_read(*reader.db);
      reader.db->cached("BEGIN").exec();
      reader.version = now;
    }
  }
  return Lease(this, std::move(reader.db), reader.version);
}

void ReaderPool::release(std::unique_ptr<Db> db, uint64_t version) {
  // A read that failed half-way may leave its transaction open; a kept
  // snapshot stays only while it is still the newest.
  if (!commit_phase_ || version % 2 != 0 || version != this->version()) end_read(*db);
  std::lock_guard lock(mutex_);
  if (closed_ || idle_.size() >= max_idle_) return;
  if (db->in_transaction()) kept_.fetch_add(1, std::memory_order_relaxed);
  idle_.push_back({std::move(db), version});
}

void ReaderPool::end_snapshots() {
  epoch_.fetch_add(1, std::memory_order_release);
  if (kept_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mutex_);
  for (Idle& reader : idle_) end_read(*reader.db);
  kept_.store(0, std::memory_order_relaxed);
}

void ReaderPool::close() {
  std::vector<Idle> idle;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    idle.swap(idle_);
  }
}

// ---- writer jobs ----

namespace {

class EntityJob : public CommitJob {
 public:
  EntityJob(EntityWriter& writer, std::vector<Mutation> mutations)
      : writer_(writer), mutations_(std::move(mutations)), results_(mutations_.size()) {
    for (size_t i = 0; i < mutations_.size(); ++i) results_[i].entity_id = mutations_[i].entity_id;
  }
  size_t weight() const override { return mutations_.size(); }
  // On the caller's thread, before submitting (see EntityWriter::compute_ahead).
  void compute_ahead(Db& reader) {
    try {
      ReadSnapshot snapshot(reader);  // one snapshot for the whole job
      std::vector<EntityWriter::Change> ahead(mutations_.size());
      for (size_t i = 0; i < mutations_.size(); ++i) EntityWriter::compute_ahead(reader, mutations_[i], ahead[i]);
      ahead_ = std::move(ahead);  // moving the vector keeps the Changes in place
    } catch (const std::exception&) {
      ahead_.clear();  // e.g. a busy reader: the writer computes everything
    }
  }
  void run(Db& db) override {
    for (size_t i = 0; i < mutations_.size(); ++i) {
      writer_.apply(db, mutations_[i], ahead_.empty() ? nullptr : &ahead_[i], results_[i]);
    }
  }
  // Frees the precomputed documents on the caller's thread, not the writer's.
  void drop_ahead() { ahead_.clear(); }
  void finish(const Error* failure) override {
    if (!failure) return;
    for (MutationResult& r : results_) {
      r.ok = false;
      r.exists = r.existed;
      r.error = *failure;
    }
  }
  std::vector<MutationResult> take_results() { return std::move(results_); }

 private:
  EntityWriter& writer_;
  std::vector<Mutation> mutations_;
  std::vector<MutationResult> results_;
  std::vector<EntityWriter::Change> ahead_;  // empty, or one per mutation
};

class FunctionJob : public CommitJob {
 public:
  explicit FunctionJob(std::function<void(Db&)> fn) : fn_(std::move(fn)) {}
  size_t weight() const override { return 1; }
  void run(Db& db) override {
    db.cached("SAVEPOINT job").exec();
    try {
      fn_(db);
      db.cached("RELEASE job").exec();
    } catch (...) {
      if (!db.in_transaction()) throw;
      db.cached("ROLLBACK TO job").exec();
      db.cached("RELEASE job").exec();
      error_ = std::current_exception();
    }
  }
  void finish(const Error* failure) override {
    if (failure) error_ = std::make_exception_ptr(*failure);
  }
  void rethrow() {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::function<void(Db&)> fn_;
  std::exception_ptr error_;
};

}  // namespace

// ---- the tenant ----

SqliteTenant::SqliteTenant(std::string name, std::filesystem::path file, Durability durability,
                           size_t entity_cache_bytes)
    : name_(std::move(name)), file_(std::move(file)), readers_(file_, kMaxIdleReaders),
      cache_(entity_cache_bytes, [this] { return committer_->commit_phase(); }) {
  Db db = open_writer(file_, durability);
  db.prepare("INSERT INTO meta(key, value) VALUES('tenant', ?1) ON CONFLICT(key) DO NOTHING").exec(name_);
  last_seq_ = db.scalar("SELECT coalesce(max(seq), 0) FROM changes").value_or(0);
  entity_writer_.set_commit_listener([this](int64_t seq) {
    {
      std::lock_guard lock(change_mutex_);
      if (seq > last_seq_) last_seq_ = seq;
    }
    change_cv_.notify_all();
  });
  committer_ = std::make_unique<GroupCommitter>(std::move(db), &hooks_);
  readers_.keep_snapshots([committer = committer_.get()] { return committer->commit_phase(); });
}

SqliteTenant::~SqliteTenant() { close(); }

void SqliteTenant::close() {
  {
    std::lock_guard lock(change_mutex_);
    closing_ = true;
  }
  change_cv_.notify_all();
  committer_->stop();
  readers_.close();
}

std::vector<MutationResult> SqliteTenant::write(std::vector<Mutation> mutations) {
  if (mutations.empty()) return {};
  auto job = std::make_shared<EntityJob>(entity_writer_, std::move(mutations));
  read([&](Db& db) { job->compute_ahead(db); });
  committer_->submit(job);
  job->drop_ahead();
  return job->take_results();
}

void SqliteTenant::run_in_writer(std::function<void(Db&)> fn) {
  auto job = std::make_shared<FunctionJob>(std::move(fn));
  committer_->submit(job);
  job->rethrow();
}

std::optional<Json> SqliteTenant::get(const std::string& entity_id) {
  if (auto doc = cache_.find(entity_id)) return parse_stored_json(*doc);
  uint64_t ticket = cache_.fill_ticket();  // before the snapshot (entity_cache.h)
  return read([&](Db& db) -> std::optional<Json> {
    auto rows = select_rows(db.cached("SELECT doc FROM entities WHERE id = ?1"), entity_id);
    if (!rows.next()) return std::nullopt;
    std::string_view doc = rows->text(0);
    Json entity = parse_stored_json(doc);
    cache_.fill(entity_id, doc, ticket);  // only a document that parses
    return entity;
  });
}

QueryResult SqliteTenant::query(const EntityQuery& q) {
  return read([&](Db& db) { return run_query(db, q); });
}

std::vector<HistoryPoint> SqliteTenant::history(const HistoryRead& request) {
  return read([&](Db& db) { return read_history(db, request); });
}

std::vector<HourSummary> SqliteTenant::hourly_history(const HistoryRead& request) {
  return read([&](Db& db) { return read_hourly(db, request); });
}

std::vector<PeriodTotal> SqliteTenant::history_totals(const HistoryRead& request, TimeMs origin, TimeMs period) {
  return read([&](Db& db) { return read_totals(db, request, origin, period); });
}

size_t SqliteTenant::expire_history(const std::vector<std::string>& entity_ids, TimeMs before) {
  size_t deleted = 0;
  run_in_writer([&](Db& db) { deleted = store::expire_history(db, entity_ids, before); });
  return deleted;
}

size_t SqliteTenant::erase_history(const std::string& entity_id, const std::vector<std::string>& attrs) {
  size_t deleted = 0;
  run_in_writer([&](Db& db) { deleted = store::erase_history(db, entity_id, attrs); });
  return deleted;
}

void SqliteTenant::append_history(const std::vector<HistoryPoint>& points) {
  if (points.empty()) return;
  auto prepared = prepare_import(points);
  run_in_writer([&prepared](Db& db) { import_history(db, prepared); });
}

void SqliteTenant::put_records(const std::vector<Record>& puts,
                               const std::vector<std::pair<std::string, std::string>>& erases) {
  if (puts.empty() && erases.empty()) return;
  run_in_writer([&](Db& db) {
    Stmt& put = db.cached("INSERT OR REPLACE INTO records(collection, key, text) VALUES(?1, ?2, ?3)");
    for (const Record& r : puts) put.exec(r.collection, r.key, r.text);
    Stmt& erase = db.cached("DELETE FROM records WHERE collection = ?1 AND key = ?2");
    for (const auto& [collection, key] : erases) erase.exec(collection, key);
  });
}

std::optional<std::string> SqliteTenant::record(const std::string& collection, const std::string& key) {
  return read([&](Db& db) -> std::optional<std::string> {
    auto rows = select_rows(db.cached("SELECT text FROM records WHERE collection = ?1 AND key = ?2"), collection, key);
    if (!rows.next()) return std::nullopt;
    return rows->str(0);
  });
}

std::vector<Record> SqliteTenant::records(const std::string& collection, const std::string& key_prefix) {
  return read([&](Db& db) {
    // key >= prefix AND substr(key, 1, len) = prefix: a range on the primary
    // key, without LIKE's escaping rules.
    auto rows = select_rows(db.cached("SELECT key, text FROM records WHERE collection = ?1 AND key >= ?2 AND "
                                      "substr(key, 1, length(?2)) = ?2 ORDER BY key"),
                            collection, key_prefix);
    std::vector<Record> out;
    while (rows.next()) out.push_back({collection, rows->str(0), rows->str(1)});
    return out;
  });
}

namespace {

// Entity counts per interned name, from a (name, entity) index table. The
// count runs on the table's primary key alone (a covering scan).
std::map<std::string, size_t> count_by_name(Db& db, const char* sql) {
  std::map<std::string, size_t> out;
  auto rows = select_rows(db.cached(sql));
  while (rows.next()) out[rows->str(0)] = static_cast<size_t>(rows->int64(1));
  return out;
}

struct TypeAttrRow {
  std::string type, attr, attr_type;
};

std::vector<TypeAttrRow> type_attr_rows(Db& db) {
  std::vector<TypeAttrRow> out;
  auto rows = select_rows(db.cached(
      "SELECT t.iri, a.iri, k.iri FROM type_attrs x JOIN terms t ON t.id = x.type JOIN terms a ON a.id = x.attr "
      "JOIN terms k ON k.id = x.attr_type WHERE x.n > 0"));
  while (rows.next()) out.push_back({rows->str(0), rows->str(1), rows->str(2)});
  return out;
}

}  // namespace

std::vector<TypeInfo> SqliteTenant::types() {
  return read([&](Db& db) {
    ReadSnapshot snapshot(db);
    auto counts = count_by_name(
        db, "SELECT t.iri, x.n FROM (SELECT type, count(*) AS n FROM entity_types GROUP BY type) x "
            "JOIN terms t ON t.id = x.type");
    std::map<std::string, std::set<std::string>> attrs;
    for (const auto& row : type_attr_rows(db)) attrs[row.type].insert(row.attr);
    std::vector<TypeInfo> out;
    for (const auto& [type, n] : counts) {
      const auto& names = attrs[type];
      out.push_back({type, n, std::vector<std::string>(names.begin(), names.end())});
    }
    return out;
  });
}

std::vector<AttributeInfo> SqliteTenant::attributes() {
  return read([&](Db& db) {
    ReadSnapshot snapshot(db);
    auto counts = count_by_name(
        db, "SELECT t.iri, x.n FROM (SELECT attr, count(*) AS n FROM entity_attrs GROUP BY attr) x "
            "JOIN terms t ON t.id = x.attr");
    std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>> details;
    for (const auto& row : type_attr_rows(db)) {
      details[row.attr].first.insert(row.type);
      details[row.attr].second.insert(row.attr_type);
    }
    std::vector<AttributeInfo> out;
    for (const auto& [attr, n] : counts) {
      const auto& [types, kinds] = details[attr];
      out.push_back({attr, n, {types.begin(), types.end()}, {kinds.begin(), kinds.end()}});
    }
    return out;
  });
}

std::optional<std::string> read_tenant_name(const std::filesystem::path& file) {
  Db db(file, Db::Mode::kReadWrite);
  db.exec("PRAGMA query_only = 1; PRAGMA busy_timeout = 10000;");
  Stmt stmt = db.prepare("SELECT value FROM meta WHERE key = 'tenant'");
  if (!stmt.step()) return std::nullopt;
  return stmt.str(0);
}

std::vector<EntityChange> SqliteTenant::changes_after(int64_t after, size_t limit) {
  return read([&](Db& db) {
    auto rows = select_rows(
        db.cached("SELECT seq, entity_id, kind, attrs, time FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2"), after,
        static_cast<int64_t>(limit));
    std::vector<EntityChange> out;
    while (rows.next()) {
      EntityChange c;
      c.seq = rows->int64(0);
      c.entity_id = rows->str(1);
      c.kind = static_cast<ChangeKind>(rows->int64(2));
      Json attrs = parse_json(rows->str(3));
      for (const Json& a : attrs) c.attrs.push_back(a.get<std::string>());
      c.time = rows->int64(4);
      out.push_back(std::move(c));
    }
    return out;
  });
}

int64_t SqliteTenant::last_change_seq() {
  std::lock_guard lock(change_mutex_);
  return last_seq_;
}

int64_t SqliteTenant::wait_for_changes(int64_t after, std::chrono::milliseconds timeout) {
  std::unique_lock lock(change_mutex_);
  change_cv_.wait_for(lock, timeout, [&] { return closing_ || last_seq_ > after; });
  return last_seq_;
}

void SqliteTenant::prune_changes(int64_t below) {
  run_in_writer([below](Db& db) { db.cached("DELETE FROM changes WHERE seq < ?1").exec(below); });
}

}  // namespace machi::store
