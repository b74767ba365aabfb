// The notifier: per tenant, a tailer follows the store's change feed from a
// persisted cursor, matches each change against the tenant's subscriptions,
// renders the notifications (through the enforcement point for personal
// data) and writes them to the durable outbox together with the advanced
// cursor, in one commit. Delivery workers POST from the outbox, erase what
// a receiver acknowledged with a 2xx, and retry the rest with exponential
// backoff, in order per subscription, within the retention rule.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"
#include "ld/context.h"
#include "notify/delivery_status.h"
#include "notify/mqtt_publisher.h"
#include "notify/outbox.h"
#include "notify/subscription.h"
#include "store/store.h"

namespace machi::trust {
class Trust;
}

namespace machi::notify {

struct NotifierOptions {
  RetryPolicy retry;
  size_t delivery_threads = 4;
  std::chrono::milliseconds http_timeout{5000};
  size_t max_entities_per_notification = 100;
  size_t changes_per_pass = 1000;
  // The addresses endpoints may resolve to (http/address_policy.h); null:
  // any. `machi serve` always sets one.
  std::shared_ptr<const http::AddressPolicy> endpoint_policy;
};

class Notifier {
 public:
  Notifier(store::Store& store, ld::ContextResolver& contexts, trust::Trust* trust, NotifierOptions options = {});
  ~Notifier();

  void start();
  // Stops tailing and delivering, and saves the delivery statuses. Pending
  // notifications stay in the outbox for the next start.
  void stop();

  // The subscription API tells the notifier after it saved or erased one;
  // returns once the tenant's matching uses the new set.
  void subscriptions_changed(const std::string& tenant);
  void subscription_deleted(const std::string& tenant, const std::string& id);
  // The current delivery status of a subscription.
  DeliveryStatus status(const std::string& tenant, const std::string& id);
  // Notifications waiting in the outbox for a subscription.
  size_t pending(const std::string& tenant, const std::string& id);

 private:
  struct SubQueue {
    std::deque<OutboxEntry> entries;
    bool in_flight = false;
  };
  struct TenantState {
    std::string name;
    std::shared_ptr<store::TenantStore> store;
    std::thread tailer;
    std::mutex subs_mutex;
    std::shared_ptr<const std::vector<Subscription>> subs;
    int64_t cursor = 0;
    uint64_t next_seq = 1;         // the next outbox key (tailer only)
    // Rendered passes waiting for their commit (the committer thread writes
    // them, with the cursor, while the tailer renders the next ones).
    struct Pass {
      std::vector<OutboxEntry> entries;
      int64_t cursor = 0;
      TimeMs now = 0;
    };
    std::thread committer;
    std::mutex commit_mutex;
    std::condition_variable commit_cv;
    std::deque<Pass> to_commit;
    int64_t committed_cursor = 0;  // durable
    bool commit_failed = false;    // the tailer goes back to committed_cursor
    bool tailer_done = false;
    // Guarded by Notifier::queue_mutex_.
    std::map<std::string, SubQueue> queues;
    std::map<std::string, DeliveryStatus> statuses;
    std::vector<std::pair<std::string, std::string>> erases;  // outbox keys acknowledged or dropped
    bool status_dirty = false;
  };

  std::shared_ptr<TenantState> ensure_tenant(const std::string& name, bool create);
  void reload(TenantState& t);
  std::shared_ptr<const std::vector<Subscription>> subscriptions(TenantState& t);
  void tail(std::shared_ptr<TenantState> t);
  void commit_loop(std::shared_ptr<TenantState> t);
  void deliver_loop();
  void manage_loop();
  void flush(bool statuses);
  // Rendered notifications of sub for these entities (stored form), as
  // outbox entries with body (and, NGSIv2, service path) set; personal
  // entities pass the enforcement point, withheld ones are left out.
  std::vector<OutboxEntry> render(const TenantState& t, const Subscription& sub, std::vector<Json> entities, TimeMs now);
  std::vector<OutboxEntry> render_ld(const Subscription& sub, const std::vector<Json>& entities, TimeMs now);
  // The request of one (possibly merged) notification, by dialect.
  std::optional<http::ClientResponse> send_http(const TenantState& t, const Subscription& sub, const OutboxEntry& first,
                                                const std::string& body);
  void enqueue(TenantState& t, std::vector<OutboxEntry> entries, TimeMs now);
  void drop(TenantState& t, const std::string& sub_id, std::vector<OutboxEntry> dropped, TimeMs now);

  store::Store& store_;
  ld::ContextResolver& contexts_;
  trust::Trust* trust_;
  NotifierOptions options_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;

  std::mutex tenants_mutex_;
  std::map<std::string, std::shared_ptr<TenantState>> tenants_;

  std::mutex queue_mutex_;
  std::condition_variable work_cv_;

  MqttPublisher mqtt_;
  std::vector<std::thread> workers_;
  std::thread manager_;
};

}  // namespace machi::notify
