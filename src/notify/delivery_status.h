// A subscription's delivery status (the NotificationParams status members
// of clause 5.2.14: timesSent, timesFailed, lastNotification, lastSuccess,
// lastFailure, status), plus machi's retention counter. Kept in memory by
// the notifier and saved as a record now and then (a crash may lose the
// last second of counts, never a notification).
#pragma once

#include <cstdint>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace machi::notify {

inline constexpr const char* kStatusCollection = "ngsi-ld.subscription-status";

struct DeliveryStatus {
  uint64_t times_sent = 0;
  uint64_t times_failed = 0;
  uint64_t dropped = 0;          // notifications given up under the retention rule
  TimeMs last_notification = 0;
  TimeMs last_success = 0;
  TimeMs last_failure = 0;
  TimeMs last_dropped = 0;
  bool failing = false;          // the last attempt failed
  // Orion's members for NGSIv2 read-backs.
  int last_success_code = 0;     // HTTP status of the last success
  std::string last_failure_reason;
  uint64_t fails_counter = 0;    // consecutive failed attempts since the last success

  // Records one attempt's outcome (http_status 0: no answer).
  void record_attempt(bool ok, int http_status, TimeMs sent_at, TimeMs now);

  Json to_json() const;
  static DeliveryStatus from_json(const Json& j);
  // Adds the NGSI-LD members to a rendered subscription's notification object.
  void render_into(Json& notification) const;
};

}  // namespace machi::notify
