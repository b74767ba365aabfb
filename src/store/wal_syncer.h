// Durability of committed batches, off the writer thread.
//
// With synchronous=FULL, SQLite fsyncs the WAL inside COMMIT, and the single
// writer thread can do nothing else meanwhile: every batch costs its
// execution plus a whole fsync (about 4 ms here), so that N connections
// can never get more than N / 4 ms writes per second. Instead the writer
// commits with synchronous=NORMAL (no fsync in COMMIT), hands the batch
// over to this thread and goes on with the next batch; this thread
// fdatasyncs the WAL file and only then tells the batch's callers that
// their writes are done. One fdatasync covers every batch committed before
// it (the WAL is written in order), so batches that pile up during an
// fsync share the next one.
//
// The contract of Durability::kFull is kept: a caller learns of its write
// only once the WAL frames of its commit are on disk. A reader may see a
// batch a few milliseconds before it is durable; a write that depends on
// what it read commits after it in the same WAL, so is never durable
// without it. Checkpoints still sync the WAL themselves before copying
// frames (SQLite does so in NORMAL mode too).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/group_commit.h"

namespace machi::store {

class WalSyncer {
 public:
  using Batch = std::deque<std::shared_ptr<CommitJob>>;

  // wal_file: the database's "-wal" file (opened on first use: SQLite
  // creates it lazily).
  explicit WalSyncer(std::string wal_file);
  ~WalSyncer();

  // A committed batch; its jobs are finished after the next fdatasync.
  void hand_over(Batch batch);
  // Syncs and finishes what was handed over, then ends the thread.
  void stop();

 private:
  void loop();
  // fdatasync of the WAL; false with a message when it failed.
  bool sync(std::string& failure);

  std::string wal_file_;
  int fd_ = -1;  // sync thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Batch> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace machi::store
