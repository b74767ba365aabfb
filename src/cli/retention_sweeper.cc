#include "cli/retention_sweeper.h"

#include <cstdio>
#include <exception>

#include "store/retention.h"

namespace machi::cli {

RetentionSweeper::RetentionSweeper(store::Store& store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval), thread_([this] { run(); }) {}

RetentionSweeper::~RetentionSweeper() { stop(); }

void RetentionSweeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionSweeper::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    for (const auto& name : store_.tenants()) {
      try {
        auto tenant = store_.tenant(name, false);
        if (!tenant) continue;
        size_t deleted = store::sweep_retention(*tenant, now_ms());
        if (deleted) std::fprintf(stderr, "machi: retention deleted %zu history points of tenant '%s'\n", deleted, name.c_str());
      } catch (const std::exception& e) {
        // A failed sweep is retried at the next interval; serving goes on.
        std::fprintf(stderr, "machi: retention sweep of tenant '%s' failed: %s\n", name.c_str(), e.what());
      }
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace machi::cli
