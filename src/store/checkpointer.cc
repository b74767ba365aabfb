#include "store/checkpointer.h"

namespace machi::store {

Checkpointer::Checkpointer(const std::filesystem::path& file) : db_(file, Db::Mode::kReadWrite) {
  // NORMAL: the checkpoint fsyncs the WAL before copying it and the database
  // file after, so a page leaves the WAL only once it is on disk.
  db_.exec("PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;");
  thread_ = std::thread([this] { loop(); });
}

Checkpointer::~Checkpointer() { stop(); }

void Checkpointer::request() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  wake_.notify_one();
}

void Checkpointer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  db_.close();
}

void Checkpointer::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || requested_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    // PASSIVE never waits for the writer or readers; what they still need
    // stays in the WAL for a later run. Failure is harmless (the WAL grows).
    int log = 0, done = 0;
    if (sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done) == SQLITE_OK) {
      checkpoints_.fetch_add(1);
    }
    lock.lock();
  }
}

}  // namespace machi::store
