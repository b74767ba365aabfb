// The access ledger on SQLite: one file per tenant, WAL, one writer
// connection (appends and erasures, serialized by a mutex: the ledger calls
// append from its single appender thread) and a pool of read connections
// for snapshots.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "core/json.h"
#include "store/ledger_store.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "store/sqlite_tenant.h"
#include "store/tenant_name.h"

namespace machi::store {
namespace {

namespace fs = std::filesystem;

// Version 1. Hashes are 32-byte BLOBs; `entries.subjects` is the JSON array
// of the entry's subjects, so that erasure finds its `subjects` rows by
// primary key without a second index on that table.
constexpr const char* kLedgerSchemaV1 = R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value
) WITHOUT ROWID;

CREATE TABLE leaves(
  idx INTEGER PRIMARY KEY,
  commitment BLOB NOT NULL,
  leaf_hash BLOB NOT NULL
);

CREATE TABLE nodes(
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY(level, idx)
) WITHOUT ROWID;

CREATE TABLE entries(
  idx INTEGER PRIMARY KEY,
  salt BLOB NOT NULL,
  text TEXT NOT NULL,
  subjects TEXT NOT NULL
);

CREATE TABLE subjects(
  subject TEXT NOT NULL,
  idx INTEGER NOT NULL,
  PRIMARY KEY(subject, idx)
) WITHOUT ROWID;
)sql";

const std::vector<Migration>& ledger_migrations() {
  static const std::vector<Migration> steps = {
      {1, "ledger: leaves, nodes, entries, subjects", [](Db& db) { db.exec(kLedgerSchemaV1); }},
  };
  return steps;
}

constexpr size_t kMaxIdleReaders = 32;
constexpr const char* kDefaultFile = "default.db";
constexpr const char* kTenantPrefix = "t-";

void bind_blob(Stmt& stmt, int i, const void* data, size_t size) {
  int rc = sqlite3_bind_blob64(stmt.get(), i, data, size, SQLITE_STATIC);
  if (rc != SQLITE_OK) throw SqliteError(rc, "sqlite bind blob failed");
}

void bind_digest(Stmt& stmt, int i, const Digest& d) { bind_blob(stmt, i, d.data(), d.size()); }

Digest column_digest(Stmt& stmt, int col) {
  const void* data = sqlite3_column_blob(stmt.get(), col);
  int size = sqlite3_column_bytes(stmt.get(), col);
  if (!data || size != static_cast<int>(Digest().size())) {
    throw Error(ErrorType::kInternalError, "ledger: a stored hash is not 32 bytes");
  }
  Digest d;
  std::copy_n(static_cast<const unsigned char*>(data), d.size(), d.begin());
  return d;
}

std::string column_bytes(Stmt& stmt, int col) {
  const void* data = sqlite3_column_blob(stmt.get(), col);
  return std::string(static_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(stmt.get(), col)));
}

// Steps a statement whose parameters were bound by hand to completion.
void run(Stmt& stmt) {
  while (stmt.step()) {
  }
  sqlite3_reset(stmt.get());
}

Db open_ledger_writer(const fs::path& file, Durability durability) {
  Db db(file, Db::Mode::kReadWriteCreate);
  db.exec("PRAGMA busy_timeout = 10000; PRAGMA temp_store = MEMORY; PRAGMA journal_mode = WAL;");
  // FULL: the WAL is fsync'd at every commit, so an appended entry survives
  // a power loss once append() returns.
  db.exec(durability == Durability::kFull ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  // Erased text and salts are overwritten with zeros in the database file,
  // not just unlinked from the b-tree.
  db.exec("PRAGMA secure_delete = ON; PRAGMA cache_size = -65536; PRAGMA journal_size_limit = 67108864;");
  // Checkpoints copy WAL pages into the database file on a commit's path:
  // fewer, larger ones (every 32 MiB of WAL) keep appends fast.
  db.exec("PRAGMA wal_autocheckpoint = 8192");
  migrate(db, ledger_migrations());
  return db;
}

// Leaf rows (with the entry's salt and text when not erased) for leaf queries.
constexpr const char* kLeafColumns =
    "SELECT l.idx, l.commitment, l.leaf_hash, e.salt, e.text FROM leaves l LEFT JOIN entries e ON e.idx = l.idx ";

StoredLeaf read_leaf(Stmt& stmt) {
  StoredLeaf leaf;
  leaf.index = static_cast<uint64_t>(stmt.int64(0));
  leaf.commitment = column_digest(stmt, 1);
  leaf.leaf_hash = column_digest(stmt, 2);
  if (!stmt.is_null(3)) {
    leaf.salt = column_bytes(stmt, 3);
    leaf.text = stmt.str(4);
  }
  return leaf;
}

class SqliteLedgerSnapshot : public LedgerSnapshot {
 public:
  explicit SqliteLedgerSnapshot(ReaderPool::Lease lease) : lease_(std::move(lease)), txn_(lease_.db(), "BEGIN") {}

  LedgerTreeState tree_state() override {
    LedgerTreeState state;
    auto rows = select_rows(db().cached("SELECT key, value FROM meta WHERE key IN ('size', 'root')"));
    while (rows.next()) {
      if (rows->text(0) == "size") state.size = static_cast<uint64_t>(rows->int64(1));
      if (rows->text(0) == "root") state.root = column_digest(*rows, 1);
    }
    return state;
  }

  std::vector<std::optional<Digest>> nodes(std::span<const LedgerNodeRef> refs) override {
    std::vector<std::optional<Digest>> out;
    out.reserve(refs.size());
    Stmt& leaf = db().cached("SELECT leaf_hash FROM leaves WHERE idx = ?1");
    Stmt& node = db().cached("SELECT hash FROM nodes WHERE level = ?1 AND idx = ?2");
    for (const LedgerNodeRef& ref : refs) {
      auto rows = ref.level == 0 ? select_rows(leaf, static_cast<int64_t>(ref.index))
                                 : select_rows(node, ref.level, static_cast<int64_t>(ref.index));
      out.push_back(rows.next() ? std::optional<Digest>(column_digest(*rows, 0)) : std::nullopt);
    }
    return out;
  }

  std::vector<StoredLeaf> leaves(uint64_t begin, uint64_t end) override {
    std::vector<StoredLeaf> out;
    auto rows = select_rows(db().cached(std::string(kLeafColumns) + "WHERE l.idx >= ?1 AND l.idx < ?2 ORDER BY l.idx"),
                            static_cast<int64_t>(begin), static_cast<int64_t>(end));
    while (rows.next()) out.push_back(read_leaf(*rows));
    return out;
  }

  std::vector<LedgerNode> level_nodes(int level, uint64_t begin, uint64_t end) override {
    std::vector<LedgerNode> out;
    auto rows = select_rows(db().cached("SELECT idx, hash FROM nodes WHERE level = ?1 AND idx >= ?2 AND idx < ?3 "
                                        "ORDER BY idx"),
                            level, static_cast<int64_t>(begin), static_cast<int64_t>(end));
    while (rows.next()) out.push_back({level, static_cast<uint64_t>(rows->int64(0)), column_digest(*rows, 1)});
    return out;
  }

  std::optional<uint64_t> last_leaf_index() override {
    auto rows = select_rows(db().cached("SELECT max(idx) FROM leaves"));
    if (!rows.next() || rows->is_null(0)) return std::nullopt;
    return static_cast<uint64_t>(rows->int64(0));
  }

  std::optional<uint64_t> last_node_index(int level) override {
    auto rows = select_rows(db().cached("SELECT max(idx) FROM nodes WHERE level = ?1"), level);
    if (!rows.next() || rows->is_null(0)) return std::nullopt;
    return static_cast<uint64_t>(rows->int64(0));
  }

  std::vector<StoredLeaf> about_subject(const std::string& subject, std::optional<uint64_t> after,
                                        size_t limit) override {
    std::vector<StoredLeaf> out;
    if (limit == 0) return out;
    auto rows = select_rows(db().cached("SELECT l.idx, l.commitment, l.leaf_hash, e.salt, e.text FROM subjects s "
                                        "JOIN leaves l ON l.idx = s.idx JOIN entries e ON e.idx = s.idx "
                                        "WHERE s.subject = ?1 AND s.idx > ?2 ORDER BY s.idx LIMIT ?3"),
                            subject, after ? static_cast<int64_t>(*after) : int64_t{-1}, static_cast<int64_t>(limit));
    while (rows.next()) out.push_back(read_leaf(*rows));
    return out;
  }

 private:
  Db& db() { return lease_.db(); }

  ReaderPool::Lease lease_;
  Transaction txn_;  // after lease_: ends before the connection goes back
};

class SqliteLedger : public LedgerStore {
 public:
  SqliteLedger(const fs::path& file, Durability durability, const std::string& tenant)
      : writer_(open_ledger_writer(file, durability)), readers_(file, kMaxIdleReaders) {
    writer_.prepare("INSERT INTO meta(key, value) VALUES('tenant', ?1) ON CONFLICT(key) DO NOTHING").exec(tenant);
    reindex_after_crash();
  }
  ~SqliteLedger() override { close(); }

  void append(const LedgerBatch& batch) override {
    std::lock_guard lock(mutex_);
    check_open();
    Transaction txn(writer_);
    uint64_t size = stored_size();
    for (size_t i = 0; i < batch.records.size(); ++i) {
      if (batch.records[i].index != size + i) {
        throw Error(ErrorType::kInternalError, "ledger: append at index " + std::to_string(batch.records[i].index) +
                                                   ", expected " + std::to_string(size + i));
      }
    }
    if (batch.state.size != size + batch.records.size()) {
      throw Error(ErrorType::kInternalError, "ledger: the batch's tree size does not follow its records");
    }
    for (const LedgerRecord& r : batch.records) insert_record(r);
    Stmt& node = writer_.cached("INSERT INTO nodes(level, idx, hash) VALUES(?1, ?2, ?3)");
    for (const LedgerNode& n : batch.nodes) {
      sqlite3_bind_int(node.get(), 1, n.level);
      sqlite3_bind_int64(node.get(), 2, static_cast<int64_t>(n.index));
      bind_digest(node, 3, n.hash);
      run(node);
    }
    write_state(batch.state);
    txn.commit();  // the fsync (synchronous = FULL)
    for (const LedgerRecord& r : batch.records) {
      for (const std::string& subject : r.subjects) pending_index_.emplace_back(subject, static_cast<int64_t>(r.index));
    }
    if (pending_index_.size() >= kIndexFlushRows || Clock::now() - last_index_flush_ >= kIndexFlushInterval) {
      // The batch is durable: a failed index write must not undo that
      // answer. The rows stay pending and the next flush tries again.
      try {
        flush_index();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "machi: ledger subject index not written yet: %s\n", e.what());
      }
    }
  }

  bool erase(uint64_t index) override {
    std::lock_guard lock(mutex_);
    check_open();
    flush_index();
    Transaction txn(writer_);
    std::string subjects;
    {
      auto rows = select_rows(writer_.cached("SELECT subjects FROM entries WHERE idx = ?1"), static_cast<int64_t>(index));
      if (!rows.next()) return false;
      subjects = rows->str(0);
    }
    Stmt& drop_subject = writer_.cached("DELETE FROM subjects WHERE subject = ?1 AND idx = ?2");
    for (const auto& subject : parse_json(subjects)) {
      drop_subject.exec(subject.get<std::string>(), static_cast<int64_t>(index));
    }
    writer_.cached("DELETE FROM entries WHERE idx = ?1").exec(static_cast<int64_t>(index));
    txn.commit();
    // The deleted text still sits in WAL frames until a checkpoint copies
    // the zeroed pages over and the WAL is reused; start that now (PASSIVE:
    // never waits for readers).
    sqlite3_wal_checkpoint_v2(writer_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return true;
  }

  std::unique_ptr<LedgerSnapshot> snapshot() override {
    {
      // Readers see every committed entry in the subject index.
      std::lock_guard lock(mutex_);
      if (writer_) flush_index();
    }
    return std::make_unique<SqliteLedgerSnapshot>(readers_.acquire());
  }

  void close() override {
    std::lock_guard lock(mutex_);
    if (writer_) flush_index();
    readers_.close();
    writer_.close();
  }

 private:
  void check_open() {
    if (!writer_) throw Error(ErrorType::kServiceUnavailable, "the ledger is closed");
  }

  uint64_t stored_size() {
    auto rows = select_rows(writer_.cached("SELECT value FROM meta WHERE key = 'size'"));
    return rows.next() ? static_cast<uint64_t>(rows->int64(0)) : 0;
  }

  void insert_record(const LedgerRecord& r) {
    auto index = static_cast<int64_t>(r.index);
    Stmt& leaf = writer_.cached("INSERT INTO leaves(idx, commitment, leaf_hash) VALUES(?1, ?2, ?3)");
    sqlite3_bind_int64(leaf.get(), 1, index);
    bind_digest(leaf, 2, r.commitment);
    bind_digest(leaf, 3, r.leaf_hash);
    run(leaf);
    Stmt& entry = writer_.cached("INSERT INTO entries(idx, salt, text, subjects) VALUES(?1, ?2, ?3, ?4)");
    sqlite3_bind_int64(entry.get(), 1, index);
    bind_blob(entry, 2, r.salt.data(), r.salt.size());
    entry.bind(3, r.text, false);
    entry.bind(4, Json(r.subjects).dump(), true);
    run(entry);
  }

  // The subject index is derived from entries.subjects, so it need not be
  // written in the commit that makes an entry durable. Its rows land at
  // random places in a large b-tree (some 20 per access entry), and writing
  // them with every commit multiplied the WAL written per append. They are
  // gathered and written in one transaction per kIndexFlushInterval (or
  // kIndexFlushRows), before any reader snapshot, erasure or close; meta
  // 'indexed_upto' says how far the index is complete, so that a crash in
  // between is repaired from entries.subjects at the next open.
  void flush_index() {
    if (pending_index_.empty()) {
      last_index_flush_ = Clock::now();
      return;
    }
    std::sort(pending_index_.begin(), pending_index_.end());
    int64_t upto = 0;
    Transaction txn(writer_);
    Stmt& insert = writer_.cached("INSERT OR IGNORE INTO subjects(subject, idx) VALUES(?1, ?2)");
    for (const auto& [subject, index] : pending_index_) {
      insert.exec(subject, index);
      upto = std::max(upto, index + 1);
    }
    set_indexed_upto(std::max(upto, static_cast<int64_t>(stored_size())));
    txn.commit();
    pending_index_.clear();
    last_index_flush_ = Clock::now();
  }

  void set_indexed_upto(int64_t upto) {
    writer_.cached("INSERT INTO meta(key, value) VALUES('indexed_upto', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1")
        .exec(upto);
  }

  // Indexes the entries a crash left unindexed (a ledger from before the
  // deferred index has none: it was indexed at every commit).
  void reindex_after_crash() {
    int64_t size = static_cast<int64_t>(stored_size());
    int64_t upto = size;
    {
      auto rows = select_rows(writer_.cached("SELECT value FROM meta WHERE key = 'indexed_upto'"));
      if (rows.next()) upto = rows->int64(0);
    }
    if (upto < size) {
      auto rows = select_rows(writer_.cached("SELECT idx, subjects FROM entries WHERE idx >= ?1"), upto);
      while (rows.next()) {
        int64_t index = rows->int64(0);
        for (const auto& subject : parse_json(rows->str(1))) pending_index_.emplace_back(subject.get<std::string>(), index);
      }
    }
    Transaction txn(writer_);
    set_indexed_upto(upto);
    txn.commit();
    flush_index();
  }

  void write_state(const LedgerTreeState& state) {
    writer_.cached("INSERT INTO meta(key, value) VALUES('size', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1")
        .exec(static_cast<int64_t>(state.size));
    Stmt& root = writer_.cached("INSERT INTO meta(key, value) VALUES('root', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1");
    bind_digest(root, 1, state.root);
    run(root);
  }

  using Clock = std::chrono::steady_clock;
  static constexpr size_t kIndexFlushRows = 100000;
  static constexpr std::chrono::milliseconds kIndexFlushInterval{1000};

  std::mutex mutex_;
  Db writer_;
  ReaderPool readers_;
  std::vector<std::pair<std::string, int64_t>> pending_index_;  // (subject, idx) committed, not yet indexed
  Clock::time_point last_index_flush_ = Clock::now();
};

// The tenant recorded in a ledger file (for hashed file names).
std::optional<std::string> recorded_tenant(const fs::path& file) {
  try {
    Db db(file, Db::Mode::kReadWrite);
    db.exec("PRAGMA busy_timeout = 10000");
    auto rows = select_rows(db.cached("SELECT value FROM meta WHERE key = 'tenant'"));
    if (rows.next()) return rows->str(0);
  } catch (const Error&) {
  }
  return std::nullopt;
}

}  // namespace

fs::path ledger_file(const fs::path& data_dir, const std::string& tenant) {
  if (tenant.empty()) return data_dir / "ledger" / kDefaultFile;
  check_tenant_name(tenant);
  return data_dir / "ledger" / (kTenantPrefix + tenant_file_name(tenant));
}

std::vector<std::string> ledger_tenants(const fs::path& data_dir) {
  std::vector<std::string> out;
  bool has_default = false;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(data_dir / "ledger", ec)) {
    std::string name = item.path().filename().string();
    if (name == kDefaultFile) {
      has_default = true;
      continue;
    }
    if (!name.starts_with(kTenantPrefix)) continue;
    std::string rest = name.substr(std::string_view(kTenantPrefix).size());
    std::optional<std::string> tenant =
        is_hashed_file_name(rest) ? recorded_tenant(item.path()) : tenant_from_file_name(rest);
    if (tenant && !tenant->empty() && ledger_file(data_dir, *tenant) == item.path()) out.push_back(*tenant);
  }
  std::sort(out.begin(), out.end());
  if (has_default) out.insert(out.begin(), "");
  return out;
}

std::unique_ptr<LedgerStore> open_sqlite_ledger(const std::string& path, Durability durability,
                                                const std::string& tenant) {
  fs::path file(path);
  if (file.has_parent_path()) fs::create_directories(file.parent_path());
  return std::make_unique<SqliteLedger>(file, durability, tenant);
}

}  // namespace machi::store
