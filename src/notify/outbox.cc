#include "notify/outbox.h"

#include <algorithm>
#include <cstdio>

namespace machi::notify {

std::string OutboxEntry::key() const {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%020llu", static_cast<unsigned long long>(seq));
  return buffer;
}

std::string OutboxEntry::to_text() const {
  Json j{{"sub", subscription_id}, {"body", body}, {"created", created_at}};
  if (!service_path.empty()) j["path"] = service_path;
  return j.dump();
}

OutboxEntry OutboxEntry::from_record(const std::string& key, const std::string& text) {
  OutboxEntry e;
  e.seq = std::stoull(key);
  Json j = parse_json(text);
  e.subscription_id = j.at("sub").get<std::string>();
  e.body = j.at("body").get<std::string>();
  e.created_at = j.value("created", TimeMs{0});
  e.service_path = j.value("path", "");
  return e;
}

TimeMs next_attempt_after(const RetryPolicy& policy, int attempts, TimeMs now) {
  int64_t delay = std::max<int64_t>(policy.initial_backoff_ms, 1);
  for (int i = 1; i < attempts && delay < policy.max_backoff_ms; ++i) delay *= 2;
  return now + std::min(delay, std::max(policy.max_backoff_ms, policy.initial_backoff_ms));
}

std::vector<OutboxEntry> enforce_retention(std::deque<OutboxEntry>& queue, const RetryPolicy& policy, TimeMs now,
                                           bool in_flight) {
  std::vector<OutboxEntry> dropped;
  size_t keep_front = in_flight ? 1 : 0;
  auto too_many = [&] { return queue.size() > std::max(policy.max_pending, keep_front); };
  auto too_old = [&] {
    return queue.size() > keep_front && policy.max_age_ms > 0 && now - queue[keep_front].created_at > policy.max_age_ms;
  };
  while (queue.size() > keep_front && (too_many() || too_old())) {
    dropped.push_back(std::move(queue[keep_front]));
    queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(keep_front));
  }
  return dropped;
}

namespace {

// The notifier writes bodies as {"id":..,"type":..,"subscriptionId":..,
// "notifiedAt":..,"data":[..]} (members in that order, no @context): then
// the data arrays are spliced as text, without parsing. Other bodies (with
// an @context) return false and are merged as JSON.
bool splice(const std::vector<OutboxEntry>& batch, std::string& out) {
  static const std::string kData = ",\"data\":[";
  out.clear();
  for (size_t i = 0; i < batch.size(); ++i) {
    const std::string& body = batch[i].body;
    // Inside JSON strings every quote is escaped, so the first unescaped
    // ,"data":[ is the member (id, type, subscriptionId and notifiedAt come first).
    size_t at = body.find(kData);
    if (at == std::string::npos || body.size() < at + kData.size() + 2 || body.compare(body.size() - 2, 2, "]}") != 0 ||
        body.find("\"@context\"") != std::string::npos) {
      return false;
    }
    size_t begin = at + kData.size();
    size_t end = body.size() - 2;  // before ]}
    if (i == 0) {
      out.append(body, 0, end);
    } else if (end > begin) {
      if (out.back() != '[') out += ',';
      out.append(body, begin, end - begin);
    }
  }
  out += "]}";
  return true;
}

}  // namespace

std::string merge_notifications(const std::vector<OutboxEntry>& batch) {
  if (batch.empty()) return {};
  std::string spliced;
  if (splice(batch, spliced)) return spliced;
  Json merged = parse_json(batch.front().body);
  Json data = Json::array();
  for (const OutboxEntry& e : batch) {
    Json body = parse_json(e.body);
    for (Json& entity : body["data"]) data.push_back(std::move(entity));
  }
  merged["data"] = std::move(data);
  return merged.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace machi::notify
