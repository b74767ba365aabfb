// Counts failed logins per name (tenant and username, or client id) in a
// sliding window: after max_failures failures within the window, the name
// must wait until the oldest of them leaves it. A success resets the name.
// Memory is bounded: when max_names names are tracked, stale ones go first,
// then those whose last failure is oldest.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/time.h"

namespace machi::trust {

class LoginLimiter {
 public:
  LoginLimiter(int max_failures, int64_t window_s, size_t max_names);

  // Seconds name must wait before it may try again; 0 = it may try now.
  int64_t wait_seconds(const std::string& name, TimeMs now);
  void record_failure(const std::string& name, TimeMs now);
  void reset(const std::string& name);
  size_t tracked() const;

 private:
  void drop_old(std::deque<TimeMs>& times, TimeMs now) const;
  void make_room(TimeMs now);

  const size_t max_failures_;
  const int64_t window_ms_;
  const size_t max_names_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::deque<TimeMs>> failures_;  // recent failure times, oldest first
};

}  // namespace machi::trust
