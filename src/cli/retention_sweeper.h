// Applies the history retention of every tenant (store/retention.h) once
// at start and then every interval, on a thread of its own, until stopped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/store.h"

namespace machi::cli {

class RetentionSweeper {
 public:
  RetentionSweeper(store::Store& store, std::chrono::milliseconds interval);
  ~RetentionSweeper();
  void stop();

 private:
  void run();

  store::Store& store_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace machi::cli
