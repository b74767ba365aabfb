#include "notify/delivery_status.h"

namespace machi::notify {

Json DeliveryStatus::to_json() const {
  return {{"timesSent", times_sent},          {"timesFailed", times_failed},  {"dropped", dropped},
          {"lastNotification", last_notification}, {"lastSuccess", last_success}, {"lastFailure", last_failure},
          {"lastDropped", last_dropped},      {"failing", failing},
          {"lastSuccessCode", last_success_code}, {"lastFailureReason", last_failure_reason},
          {"failsCounter", fails_counter}};
}

DeliveryStatus DeliveryStatus::from_json(const Json& j) {
  DeliveryStatus s;
  s.times_sent = j.value("timesSent", uint64_t{0});
  s.times_failed = j.value("timesFailed", uint64_t{0});
  s.dropped = j.value("dropped", uint64_t{0});
  s.last_notification = j.value("lastNotification", TimeMs{0});
  s.last_success = j.value("lastSuccess", TimeMs{0});
  s.last_failure = j.value("lastFailure", TimeMs{0});
  s.last_dropped = j.value("lastDropped", TimeMs{0});
  s.failing = j.value("failing", false);
  s.last_success_code = j.value("lastSuccessCode", 0);
  s.last_failure_reason = j.value("lastFailureReason", "");
  s.fails_counter = j.value("failsCounter", uint64_t{0});
  return s;
}

void DeliveryStatus::record_attempt(bool ok, int http_status, TimeMs sent_at, TimeMs now) {
  times_sent++;
  last_notification = sent_at;
  if (ok) {
    last_success = now;
    last_success_code = http_status;
    failing = false;
    fails_counter = 0;
  } else {
    times_failed++;
    last_failure = now;
    failing = true;
    fails_counter++;
    last_failure_reason = http_status > 0 ? "HTTP status " + std::to_string(http_status)
                                          : "Couldn't connect to server or timeout was reached";
  }
}

void DeliveryStatus::render_into(Json& n) const {
  n["timesSent"] = times_sent;
  n["timesFailed"] = times_failed;
  if (last_notification) n["lastNotification"] = format_datetime(last_notification);
  if (last_success) n["lastSuccess"] = format_datetime(last_success);
  if (last_failure) n["lastFailure"] = format_datetime(last_failure);
  // "failed" while the last attempt failed or notifications were dropped
  // since the last success (the retention rule gave some up); "ok" otherwise.
  n["status"] = (failing || (dropped > 0 && last_dropped >= last_success)) ? "failed" : "ok";
  if (dropped > 0) {
    n["droppedNotifications"] = dropped;
    n["lastDropped"] = format_datetime(last_dropped);
  }
}

}  // namespace machi::notify
