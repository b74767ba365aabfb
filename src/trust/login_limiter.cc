#include "trust/login_limiter.h"

#include <algorithm>

namespace machi::trust {

LoginLimiter::LoginLimiter(int max_failures, int64_t window_s, size_t max_names)
    : max_failures_(static_cast<size_t>(std::max(1, max_failures))),
      window_ms_(window_s * 1000),
      max_names_(std::max<size_t>(1, max_names)) {}

void LoginLimiter::drop_old(std::deque<TimeMs>& times, TimeMs now) const {
  while (!times.empty() && times.front() + window_ms_ <= now) times.pop_front();
}

int64_t LoginLimiter::wait_seconds(const std::string& name, TimeMs now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(name);
  if (it == failures_.end()) return 0;
  drop_old(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (it->second.size() < max_failures_) return 0;
  TimeMs wait_ms = it->second.front() + window_ms_ - now;
  return (wait_ms + 999) / 1000;  // round up: waiting the answer must suffice
}

void LoginLimiter::record_failure(const std::string& name, TimeMs now) {
  std::lock_guard lock(mu_);
  if (!failures_.count(name) && failures_.size() >= max_names_) make_room(now);
  auto& times = failures_[name];
  drop_old(times, now);
  times.push_back(now);
  while (times.size() > max_failures_) times.pop_front();
}

void LoginLimiter::reset(const std::string& name) {
  std::lock_guard lock(mu_);
  failures_.erase(name);
}

size_t LoginLimiter::tracked() const {
  std::lock_guard lock(mu_);
  return failures_.size();
}

// Call with mu_ held. Linear, but only when the table is full.
void LoginLimiter::make_room(TimeMs now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    drop_old(it->second, now);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  if (failures_.size() < max_names_) return;
  auto oldest = std::min_element(failures_.begin(), failures_.end(),
                                 [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
  failures_.erase(oldest);
}

}  // namespace machi::trust
