#include "store/group_commit.h"

#include <algorithm>

#include "store/checkpointer.h"
#include "store/wal_syncer.h"

namespace machi::store {

GroupCommitter::GroupCommitter(Db db, BatchHooks* hooks, size_t max_batch, int checkpoint_pages)
    : db_(std::move(db)), hooks_(hooks), max_batch_(std::max<size_t>(max_batch, 1)), checkpoint_pages_(checkpoint_pages) {
  // Replaces SQLite's auto-checkpoint hook with one that only takes note.
  sqlite3_wal_hook(db_.get(), &GroupCommitter::on_wal_commit, this);
  bool wal = false;
  {
    Stmt mode = db_.prepare("PRAGMA journal_mode");
    wal = mode.step() && mode.text(0) == "wal";
  }
  const char* file = sqlite3_db_filename(db_.get(), "main");
  std::string path = file ? file : "";
  if (wal && db_.scalar("PRAGMA synchronous") == 2) {
    db_.exec("PRAGMA synchronous = NORMAL");
    syncer_ = std::make_unique<WalSyncer>(path + "-wal");
  }
  if (wal && !path.empty()) checkpointer_ = std::make_unique<Checkpointer>(path);
  thread_ = std::thread([this] { loop(); });
}

int GroupCommitter::on_wal_commit(void* self, sqlite3*, const char*, int pages) {
  static_cast<GroupCommitter*>(self)->wal_pages_ = pages;
  return SQLITE_OK;
}

// A WAL this many times the checkpoint size is started over (restart_wal).
constexpr int kRestartFactor = 16;

void GroupCommitter::checkpoint_if_due() {
  if (wal_pages_ >= checkpoint_pages_ * kRestartFactor) {
    restart_wal();
    return;
  }
  if (wal_pages_ < checkpoint_pages_) return;
  if (checkpointer_) {
    checkpointer_->request();
    wal_pages_ = 0;
    return;
  }
  // PASSIVE: never waits for readers; what they still need stays in the WAL
  // for a later checkpoint. Failure is harmless (the WAL just grows).
  int log = 0, done = 0;
  sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  wal_pages_ = 0;
  std::lock_guard lock(mutex_);
  stats_.checkpoints++;
}

// SQLite writes the WAL from its start again only once a checkpoint has
// copied all of it and no reader is inside it. Under a steady stream of
// writes the passive checkpoints never get there (each commit adds frames
// while they copy), and the WAL file grew to 2 GB in 20 s of PATCHes. Past
// kRestartFactor checkpoints' worth of pages the writer therefore stops for
// one RESTART checkpoint: it copies what the passive runs left (little) and
// waits (busy_timeout) for the readers' short transactions to end. Failure is
// harmless: the WAL goes on growing until the next try.
void GroupCommitter::restart_wal() {
  if (hooks_) hooks_->release_read_locks();
  int log = 0, done = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  wal_pages_ = 0;
  std::lock_guard lock(mutex_);
  if (rc == SQLITE_OK) stats_.writer_checkpoints++;
}

GroupCommitter::~GroupCommitter() { stop(); }

void GroupCommitter::submit(const std::shared_ptr<CommitJob>& job) {
  std::future<void> done = job->done().get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw Error(ErrorType::kServiceUnavailable, "the store is closed");
    queue_.push_back(job);
  }
  wake_.notify_one();
  done.get();
}

void GroupCommitter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (syncer_) syncer_->stop();
  if (checkpointer_) checkpointer_->stop();
  db_.close();
}

CommitStats GroupCommitter::stats() const {
  std::lock_guard lock(mutex_);
  CommitStats stats = stats_;
  stats.queued = queue_.size();
  if (checkpointer_) stats.checkpoints = checkpointer_->checkpoints();
  return stats;
}

void GroupCommitter::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued has run
    std::deque<std::shared_ptr<CommitJob>> batch;
    size_t weight = 0;
    while (!queue_.empty() && (batch.empty() || weight + queue_.front()->weight() <= max_batch_)) {
      weight += queue_.front()->weight();
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    run_batch(batch);
    lock.lock();
  }
}

void GroupCommitter::run_batch(std::deque<std::shared_ptr<CommitJob>>& batch) {
  std::string failure;
  bool committed = commit_batch(batch, failure);
  if (hooks_) hooks_->after_batch(committed);
  {
    std::lock_guard lock(mutex_);
    size_t weight = 0;
    for (const auto& job : batch) weight += job->weight();
    stats_.batches++;
    stats_.commits += committed ? 1 : 0;
    stats_.jobs += batch.size();
    stats_.mutations += weight;
    stats_.largest_batch = std::max<uint64_t>(stats_.largest_batch, weight);
  }
  if (committed && syncer_) {
    syncer_->hand_over(std::move(batch));
  } else {
    Error error(ErrorType::kInternalError, "the write could not be committed: " + failure);
    finish_jobs(batch, committed ? nullptr : &error);
  }
  checkpoint_if_due();
}

void finish_jobs(std::deque<std::shared_ptr<CommitJob>>& batch, const Error* failure) {
  for (const auto& job : batch) {
    try {
      job->finish(failure);
    } catch (...) {
      // finish only fills in results; never leave a caller waiting
    }
    job->done().set_value();
  }
}

bool GroupCommitter::commit_batch(std::deque<std::shared_ptr<CommitJob>>& batch, std::string& failure) {
  try {
    if (hooks_) hooks_->release_read_locks();
    db_.cached("BEGIN IMMEDIATE").exec();
    for (const auto& job : batch) {
      job->run(db_);
      // Some errors (disk full, I/O) make SQLite roll the whole transaction
      // back by itself; what ran before is then lost too.
      if (!db_.in_transaction()) throw SqliteError(SQLITE_ABORT, "the transaction was rolled back by SQLite");
    }
    if (hooks_) hooks_->before_commit(db_);
    phase_.fetch_add(1, std::memory_order_seq_cst);  // odd: a COMMIT is in progress
    if (hooks_) hooks_->commit_starting();
    db_.cached("COMMIT").exec();  // the one fsync of the batch (none with a WalSyncer: it syncs after)
    phase_.fetch_add(1, std::memory_order_seq_cst);
    return true;
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  if (db_.in_transaction()) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  if (phase_.load(std::memory_order_relaxed) % 2 != 0) phase_.fetch_add(1, std::memory_order_seq_cst);
  return false;
}

}  // namespace machi::store
