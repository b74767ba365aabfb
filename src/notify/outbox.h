// The durable outbox of notifications: each rendered notification is a
// record (collection kOutboxCollection, key = its zero-padded sequence
// number) written in the same commit as the change-feed cursor that
// produced it, and erased after a 2xx. This file holds the entry, its
// record form, the retry schedule and the retention rule; the notifier
// does the I/O.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"

namespace machi::notify {

inline constexpr const char* kOutboxCollection = "notify.outbox";
inline constexpr const char* kCursorCollection = "notify.cursor";
inline constexpr const char* kCursorKey = "changes";

struct OutboxEntry {
  uint64_t seq = 0;
  std::string subscription_id;
  std::string body;          // the notification, rendered
  std::string service_path;  // NGSIv2: its entities' Fiware-ServicePath ("" for NGSI-LD)
  TimeMs created_at = 0;
  int attempts = 0;          // failed attempts so far (kept in memory)
  TimeMs next_attempt = 0;   // not before

  std::string key() const;   // 20 digits, so that key order is seq order
  std::string to_text() const;
  static OutboxEntry from_record(const std::string& key, const std::string& text);
};

struct RetryPolicy {
  int64_t initial_backoff_ms = 500;
  int64_t max_backoff_ms = 60000;
  size_t max_pending = 10000;            // per subscription
  int64_t max_age_ms = 7LL * 24 * 3600 * 1000;
};

// When to try again after the attempts-th failure (1 = first): initial *
// 2^(attempts-1), at most max.
TimeMs next_attempt_after(const RetryPolicy& policy, int attempts, TimeMs now);

// Removes from the front of a subscription's queue what the retention rule
// no longer keeps (over max_pending, or older than max_age at now), and
// returns it. The entry being sent (front, when in_flight) is never removed.
std::vector<OutboxEntry> enforce_retention(std::deque<OutboxEntry>& queue, const RetryPolicy& policy, TimeMs now,
                                           bool in_flight);

// One notification for a backlog of a subscription's pending ones (in
// order): the first's id and envelope, with the data of all in order, so
// that a receiver that fell behind catches up in one POST. An entity that
// changed again meanwhile appears once per state, the latest last.
std::string merge_notifications(const std::vector<OutboxEntry>& batch);

}  // namespace machi::notify
