// WAL checkpoints on a thread and connection of their own. A checkpoint
// copies the WAL's pages into the database file and fsyncs it; done on the
// writer thread it stalled every write behind it (an eighth of the writer's
// time under a stream of PATCHes). SQLite lets a PASSIVE checkpoint run
// beside the writer and the readers, so the writer only asks for one.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

#include "store/sqlite_db.h"

namespace machi::store {

class Checkpointer {
 public:
  // Opens its own connection to the database file (in WAL mode).
  explicit Checkpointer(const std::filesystem::path& file);
  ~Checkpointer();

  // Asks for a checkpoint; returns at once. Requests made while one runs
  // are folded into one more run.
  void request();
  // Finishes a running checkpoint, then ends the thread and closes the connection.
  void stop();
  uint64_t checkpoints() const { return checkpoints_.load(); }

 private:
  void loop();

  Db db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::atomic<uint64_t> checkpoints_{0};
  std::thread thread_;
};

}  // namespace machi::store
