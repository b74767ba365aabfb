#include "notify/outbox.h"

#include <gtest/gtest.h>

namespace machi::notify {
namespace {

TEST(Backoff, DoublesUpToTheMaximum) {
  RetryPolicy p;
  p.initial_backoff_ms = 100;
  p.max_backoff_ms = 1000;
  EXPECT_EQ(next_attempt_after(p, 1, 0), 100);
  EXPECT_EQ(next_attempt_after(p, 2, 0), 200);
  EXPECT_EQ(next_attempt_after(p, 3, 0), 400);
  EXPECT_EQ(next_attempt_after(p, 4, 0), 800);
  EXPECT_EQ(next_attempt_after(p, 5, 0), 1000);
  EXPECT_EQ(next_attempt_after(p, 60, 5), 1005);
}

TEST(Outbox, KeysSortInSequenceOrderAndRoundTrip) {
  OutboxEntry a, b;
  a.seq = 9;
  b.seq = 10;
  EXPECT_LT(a.key(), b.key());
  a.subscription_id = "urn:s:1";
  a.body = R"({"x":1})";
  a.created_at = 42;
  OutboxEntry back = OutboxEntry::from_record(a.key(), a.to_text());
  EXPECT_EQ(back.seq, 9u);
  EXPECT_EQ(back.subscription_id, "urn:s:1");
  EXPECT_EQ(back.body, a.body);
  EXPECT_EQ(back.created_at, 42);
}

std::deque<OutboxEntry> queue_of(size_t n, TimeMs created) {
  std::deque<OutboxEntry> q;
  for (size_t i = 0; i < n; ++i) {
    OutboxEntry e;
    e.seq = i + 1;
    e.created_at = created + static_cast<TimeMs>(i);
    q.push_back(e);
  }
  return q;
}

TEST(Retention, DropsTheOldestOverMaxPending) {
  RetryPolicy p;
  p.max_pending = 3;
  auto q = queue_of(5, 1000);
  auto dropped = enforce_retention(q, p, 1010, false);
  ASSERT_EQ(dropped.size(), 2u);
  EXPECT_EQ(dropped[0].seq, 1u);
  EXPECT_EQ(dropped[1].seq, 2u);
  EXPECT_EQ(q.front().seq, 3u);
}

TEST(Retention, KeepsTheEntryInFlight) {
  RetryPolicy p;
  p.max_pending = 2;
  auto q = queue_of(4, 1000);
  auto dropped = enforce_retention(q, p, 1010, true);
  ASSERT_EQ(dropped.size(), 2u);
  EXPECT_EQ(dropped[0].seq, 2u);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].seq, 1u);
  EXPECT_EQ(q[1].seq, 4u);
}

TEST(Retention, DropsWhatIsTooOld) {
  RetryPolicy p;
  p.max_age_ms = 100;
  auto q = queue_of(3, 1000);  // created 1000, 1001, 1002
  auto dropped = enforce_retention(q, p, 1101, false);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(q.front().seq, 2u);
}

TEST(Merge, OneNotificationWithTheDataOfAllInOrder) {
  std::vector<OutboxEntry> batch(3);
  batch[0].body = R"({"id":"urn:n:1","type":"Notification","subscriptionId":"urn:s:1","notifiedAt":"t1","data":[{"id":"a","v":1},{"id":"b","v":"x\",\"data\":["}]})";
  batch[1].body = R"({"id":"urn:n:2","type":"Notification","subscriptionId":"urn:s:1","notifiedAt":"t2","data":[{"id":"a","v":2}]})";
  batch[2].body = R"({"id":"urn:n:3","type":"Notification","subscriptionId":"urn:s:1","notifiedAt":"t3","data":[{"id":"c","v":3}]})";
  Json merged = parse_json(merge_notifications(batch));
  EXPECT_EQ(merged["id"], "urn:n:1");
  EXPECT_EQ(merged["subscriptionId"], "urn:s:1");
  EXPECT_EQ(merged["data"], parse_json(R"([{"id":"a","v":1},{"id":"b","v":"x\",\"data\":["},{"id":"a","v":2},{"id":"c","v":3}])"));
}

TEST(Merge, BodiesWithAContextAreMergedAsJson) {
  std::vector<OutboxEntry> batch(2);
  batch[0].body = R"({"id":"urn:n:1","type":"Notification","data":[{"id":"a","v":1}],"@context":"https://x/ctx.jsonld"})";
  batch[1].body = R"({"id":"urn:n:2","type":"Notification","data":[{"id":"b","v":2}],"@context":"https://x/ctx.jsonld"})";
  Json merged = parse_json(merge_notifications(batch));
  EXPECT_EQ(merged["id"], "urn:n:1");
  EXPECT_EQ(merged["@context"], "https://x/ctx.jsonld");
  EXPECT_EQ(merged["data"], parse_json(R"([{"id":"a","v":1},{"id":"b","v":2}])"));
}

}  // namespace
}  // namespace machi::notify
