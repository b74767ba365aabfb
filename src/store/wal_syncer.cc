#include "store/wal_syncer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace machi::store {

WalSyncer::WalSyncer(std::string wal_file) : wal_file_(std::move(wal_file)) {
  thread_ = std::thread([this] { loop(); });
}

WalSyncer::~WalSyncer() {
  stop();
  if (fd_ >= 0) ::close(fd_);
}

void WalSyncer::hand_over(Batch batch) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(batch));
  }
  wake_.notify_one();
}

void WalSyncer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool WalSyncer::sync(std::string& failure) {
  if (fd_ < 0) {
    // Any descriptor of the file will do: fdatasync flushes the file's
    // dirty pages whoever wrote them.
    fd_ = ::open(wal_file_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      if (errno == ENOENT) return true;  // no WAL yet: no commit wrote anything
      failure = "cannot open " + wal_file_ + ": " + std::strerror(errno);
      return false;
    }
    // The WAL's directory entry must survive too (SQLite syncs the directory
    // when it creates the file under synchronous=FULL).
    int dir = ::open(std::filesystem::path(wal_file_).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }
  if (::fdatasync(fd_) != 0) {
    failure = "fdatasync of " + wal_file_ + " failed: " + std::strerror(errno);
    return false;
  }
  return true;
}

void WalSyncer::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, and everything handed over is done
    std::vector<Batch> batches;
    batches.swap(pending_);
    lock.unlock();
    std::string failure;
    bool durable = sync(failure);
    // Committed but not known to be on disk: the callers must not be told
    // their writes are done.
    Error error(ErrorType::kInternalError, "the write could not be made durable: " + failure);
    for (Batch& batch : batches) finish_jobs(batch, durable ? nullptr : &error);
    lock.lock();
  }
}

}  // namespace machi::store
