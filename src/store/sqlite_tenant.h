// One tenant's SQLite database: a writer thread (group commit) and a pool of
// read connections. Readers never wait for the writer: WAL gives each read
// transaction a snapshot while the writer appends.
#pragma once

#include <atomic>
#include <filesystem>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/entity_cache.h"
#include "store/entity_writer.h"
#include "store/group_commit.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace machi::store {

// Read connections, opened on demand and kept for reuse.
//
// With keep_snapshots(), a reader also keeps its read transaction from one
// lease to the next while the writer has committed nothing since: beginning
// and ending a WAL read transaction takes and drops a file lock (fcntl) and
// cost about a twelfth of a GET by id. A lease whose snapshot the writer has
// overtaken gets a fresh one, so a read still sees every acknowledged write,
// and never less than any earlier read on another connection saw.
// That holds because this process's writer is the file's only writer. The
// writer ends the idle readers' snapshots before each batch: a snapshot holds
// a WAL read lock, and while any is held SQLite cannot start the WAL over
// after a checkpoint, so the WAL file would grow without end under writes.
class ReaderPool {
 public:
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Db> db, uint64_t version)
        : pool_(pool), db_(std::move(db)), version_(version) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (db_) pool_->release(std::move(db_), version_);
    }
    Db& db() { return *db_; }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Db> db_;
    uint64_t version_;  // the pool's version() when its snapshot began
  };

  ReaderPool(std::filesystem::path file, size_t max_idle) : file_(std::move(file)), max_idle_(max_idle) {}
  // commit_phase: the writer's GroupCommitter::commit_phase. Call before the
  // first acquire().
  void keep_snapshots(std::function<uint64_t()> commit_phase) { commit_phase_ = std::move(commit_phase); }
  Lease acquire();
  // Ends the snapshots that idle readers keep, and makes leased readers end
  // theirs when they come back (see above).
  void end_snapshots();
  // Closes idle connections; leased ones close when returned.
  void close();

 private:
  struct Idle {
    std::unique_ptr<Db> db;
    uint64_t version = 0;
  };
  void release(std::unique_ptr<Db> db, uint64_t version);
  // Changes whenever a kept snapshot may no longer be used: around each
  // COMMIT, and at each end_snapshots(). Odd while a COMMIT is in progress
  // (the epoch counts twice, to keep the parity).
  uint64_t version() const { return commit_phase_() + 2 * epoch_.load(std::memory_order_acquire); }

  std::filesystem::path file_;
  size_t max_idle_;
  std::function<uint64_t()> commit_phase_;  // empty: no snapshot is kept
  std::mutex mutex_;
  std::vector<Idle> idle_;
  std::atomic<size_t> kept_{0};  // idle readers in a transaction (a hint, to skip the lock)
  std::atomic<uint64_t> epoch_{0};  // end_snapshots() calls

  bool closed_ = false;
};

// A tenant writer's batch hooks: the entity writer's, the readers letting
// go of the snapshots they keep before each batch, and the entity cache
// forgetting what a batch wrote right before its COMMIT (entity_cache.h).
class TenantWriterHooks : public BatchHooks {
 public:
  TenantWriterHooks(EntityWriter& writer, ReaderPool& readers, EntityCache& cache)
      : writer_(writer), readers_(readers), cache_(cache) {}
  void before_commit(Db& db) override { writer_.before_commit(db); }
  void commit_starting() noexcept override { cache_.forget(writer_.written_in_batch()); }
  void after_batch(bool committed) override { writer_.after_batch(committed); }
  void release_read_locks() override { readers_.end_snapshots(); }

 private:
  EntityWriter& writer_;
  ReaderPool& readers_;
  EntityCache& cache_;
};

class SqliteTenant : public TenantStore {
 public:
  // Opens (creating when needed) and migrates the file, records the tenant
  // name in it, and starts the writer thread.
  // entity_cache_bytes bounds this tenant's EntityCache (0: none).
  SqliteTenant(std::string name, std::filesystem::path file, Durability durability, size_t entity_cache_bytes = 0);
  ~SqliteTenant() override;

  std::optional<Json> get(const std::string& entity_id) override;
  QueryResult query(const EntityQuery& query) override;
  // Mutators run on the writer thread inside its transaction: they must not
  // call back into this store's write() (that would wait for itself).
  std::vector<MutationResult> write(std::vector<Mutation> mutations) override;
  std::vector<TypeInfo> types() override;
  std::vector<AttributeInfo> attributes() override;
  using TenantStore::history;
  std::vector<HistoryPoint> history(const HistoryRead& read) override;
  std::vector<HourSummary> hourly_history(const HistoryRead& read) override;
  std::vector<PeriodTotal> history_totals(const HistoryRead& read, TimeMs origin, TimeMs period) override;
  size_t expire_history(const std::vector<std::string>& entity_ids, TimeMs before) override;
  size_t erase_history(const std::string& entity_id, const std::vector<std::string>& attrs) override;
  // Checks and serializes on the caller's thread, then inserts on the writer
  // thread in one job (its own savepoint in the group commit).
  void append_history(const std::vector<HistoryPoint>& points) override;
  void put_records(const std::vector<Record>& puts,
                   const std::vector<std::pair<std::string, std::string>>& erases) override;
  std::optional<std::string> record(const std::string& collection, const std::string& key) override;
  std::vector<Record> records(const std::string& collection, const std::string& key_prefix) override;
  std::vector<EntityChange> changes_after(int64_t after, size_t limit) override;
  int64_t last_change_seq() override;
  int64_t wait_for_changes(int64_t after, std::chrono::milliseconds timeout) override;
  void prune_changes(int64_t below) override;

  // Runs fn in the writer's transaction (in its own savepoint) and waits for
  // the commit; rethrows what fn threw. For small non-entity writes.
  void run_in_writer(std::function<void(Db&)> fn);
  // Runs fn on a read connection.
  template <class F>
  auto read(F&& fn) {
    auto lease = readers_.acquire();
    return fn(lease.db());
  }

  const std::string& name() const { return name_; }
  CommitStats stats() const { return committer_->stats(); }
  EntityCache::Stats cache_stats() const { return cache_.stats(); }
  // Drains the writer queue, stops the thread, closes the connections.
  void close();

 private:
  std::string name_;
  std::filesystem::path file_;
  EntityWriter entity_writer_;
  std::unique_ptr<GroupCommitter> committer_;
  ReaderPool readers_;
  EntityCache cache_;  // reads committer_'s phase: constructed before it, used after
  TenantWriterHooks hooks_{entity_writer_, readers_, cache_};
  // The change feed's last committed seq, and its waiters.
  std::mutex change_mutex_;
  std::condition_variable change_cv_;
  int64_t last_seq_ = 0;
  bool closing_ = false;
};

// The tenant name recorded in a database file (meta 'tenant'), if any.
std::optional<std::string> read_tenant_name(const std::filesystem::path& file);

}  // namespace machi::store
