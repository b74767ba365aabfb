#include "notify/delivery_status.h"

namespace machi::notify {

Json DeliveryStatus::to_json() const {
  return {{"timesSent", times_sent},          {"timesFailed", times_failed},  {"dropped", dropped},
          {"lastNotification", last_notification}, {"lastSuccess", last_success}, {"lastFailure", last_failure},
          {"lastDropped", last_dropped},      {"failing", failing}};
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
  return s;
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
