// Group commit: one writer thread per database. Callers submit jobs and
// block; the thread takes everything queued (up to a bound), runs the jobs in
// queue order inside ONE transaction and commits once, so that N concurrent
// writers cost one fsync instead of N. Jobs then learn whether their batch
// committed.
#pragma once
#include <atomic>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite_db.h"

namespace machi::store {

class CommitJob {
 public:
  virtual ~CommitJob() = default;
  // Mutations in this job; a batch holds at most max_batch of them (but at
  // least one job, however large).
  virtual size_t weight() const = 0;
  // Runs inside the batch's open transaction. Rejections of single
  // mutations are recorded by the job itself (with savepoints); throwing
  // means the whole batch cannot go on, and it fails.
  virtual void run(Db& db) = 0;
  // After the batch: failure is null when it committed.
  virtual void finish(const Error* failure) = 0;

  std::promise<void>& done() { return done_; }

 private:
  std::promise<void> done_;
};

// Callbacks around each batch for state that spans jobs (caches, counters).
class BatchHooks {
 public:
  virtual ~BatchHooks() = default;
  // Inside the transaction, after the last job; throwing fails the batch.
  virtual void before_commit(Db& db) {}
  // Right before COMMIT, once commit_phase() is odd (see GroupCommitter);
  // must not throw.
  virtual void commit_starting() noexcept {}
  // After COMMIT or ROLLBACK.
  virtual void after_batch(bool committed) {}
  // On the writer thread, before each batch's BEGIN and before a WAL
  // restart: readers should let go of WAL read locks they keep between
  // reads (see ReaderPool), which would keep SQLite from starting the WAL
  // file over.
  virtual void release_read_locks() {}
};

struct CommitStats {
  uint64_t batches = 0;        // transactions attempted
  uint64_t commits = 0;        // transactions committed
  uint64_t jobs = 0;
  uint64_t mutations = 0;
  uint64_t largest_batch = 0;  // in mutations
  uint64_t queued = 0;         // jobs waiting now (not yet in a batch)
  uint64_t checkpoints = 0;
  uint64_t writer_checkpoints = 0;  // run by the writer itself, so that the WAL can start over
};

// Tells each job of a batch how it ended (failure null: durably committed)
// and wakes its caller.
void finish_jobs(std::deque<std::shared_ptr<CommitJob>>& batch, const Error* failure);

class WalSyncer;
class Checkpointer;

class GroupCommitter {
 public:
  // Takes the writer connection; hooks may be null and must outlive this.
  // Once the WAL holds checkpoint_pages this thread asks a Checkpointer
  // (checkpointer.h) to copy it into the database on its own thread and
  // connection, rather than inside COMMIT (SQLite's auto-checkpoint) where
  // the copy and its fsync would delay the next batch.
  // A connection in WAL mode with synchronous=FULL is switched to NORMAL and
  // its WAL is fsync'd by a WalSyncer (see wal_syncer.h) after each commit,
  // before the callers are woken: the same durability, but the writer goes
  // on with the next batch during the fsync.
  GroupCommitter(Db db, BatchHooks* hooks, size_t max_batch = 4096, int checkpoint_pages = 1000);
  ~GroupCommitter();

  // Queues the job and waits until its batch is over. Throws
  // Error(ServiceUnavailable) after stop().
  void submit(const std::shared_ptr<CommitJob>& job);
  // Runs what is queued, then ends the thread and closes the connection.
  void stop();
  CommitStats stats() const;
  // Even while no COMMIT is in progress, odd from right before a COMMIT
  // until right after it, committed or not (before its callers are woken).
  // A reader that loads an even value, reads, and then loads the same value
  // again read from a snapshot that no COMMIT became visible after: what it
  // read is still the newest. Readers that keep snapshots or cache documents
  // rely on this. A count of commits alone would leave a gap between COMMIT
  // and its count, in which a snapshot from before the commit looks current
  // although another reader already sees the commit.
  uint64_t commit_phase() const { return phase_.load(std::memory_order_seq_cst); }

 private:
  void loop();
  void run_batch(std::deque<std::shared_ptr<CommitJob>>& batch);
  void checkpoint_if_due();
  void restart_wal();
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);
  bool commit_batch(std::deque<std::shared_ptr<CommitJob>>& batch, std::string& failure);

  Db db_;
  std::unique_ptr<WalSyncer> syncer_;  // null: COMMIT syncs (or nothing does)
  std::unique_ptr<Checkpointer> checkpointer_;  // null: not WAL; checkpoints run inline
  BatchHooks* hooks_;
  size_t max_batch_;
  int checkpoint_pages_;
  int wal_pages_ = 0;  // writer thread only
  std::atomic<uint64_t> phase_{0};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<CommitJob>> queue_;
  bool stopping_ = false;
  CommitStats stats_;
  std::thread thread_;
};

}  // namespace machi::store
