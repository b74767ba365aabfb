#include "notify/notifier.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/error.h"
#include "http/client.h"
#include "notify/matcher.h"
#include "notify/subscription_store.h"
#include "notify/v2_subscription.h"
#include "trust/trust.h"

namespace machi::notify {
namespace {

constexpr auto kIdleWait = std::chrono::milliseconds(100);
constexpr int64_t kCursorSaveMs = 1000;   // cursor saved at least this often when nothing else is written
constexpr int64_t kPruneMs = 5000;
constexpr int64_t kStatusSaveMs = 1000;
constexpr int64_t kTenantScanMs = 1000;
constexpr size_t kPeriodicLimit = 1000;
constexpr size_t kIdsPerQuery = 500;
constexpr size_t kMaxUncommittedPasses = 8;
constexpr size_t kMaxMerged = 64;                 // notifications merged into one POST
constexpr size_t kMaxMergedBytes = 4 << 20;

std::string tenant_label(const std::string& tenant) { return tenant.empty() ? "(default)" : tenant; }

std::string context_link(const Json& context) {
  std::string url = context.is_string() ? context.get<std::string>() : std::string(ld::kCoreContextUrl);
  return "<" + url + ">; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"";
}

trust::Principal owner_principal(trust::Trust& trust, const Owner& owner, TimeMs now) {
  if (owner.kind == "client") return trust.directories().get(owner.tenant)->principal_for_client(owner.client_id, now);
  if (owner.kind == "account") return trust.directories().get(owner.tenant)->principal_for_account(owner.account_id, now);
  return trust::Principal{};
}

bool by_id(const Subscription& sub) {
  return std::any_of(sub.entities.begin(), sub.entities.end(),
                     [](const EntitySelector& s) { return !s.id.empty() || !s.id_pattern.empty(); });
}

}  // namespace

Notifier::Notifier(store::Store& store, ld::ContextResolver& contexts, trust::Trust* trust, NotifierOptions options)
    : store_(store), contexts_(contexts), trust_(trust), options_(std::move(options)) {}

Notifier::~Notifier() { stop(); }

void Notifier::start() {
  if (started_) return;
  started_ = true;
  for (const auto& name : store_.tenants()) ensure_tenant(name, false);
  for (size_t i = 0; i < std::max<size_t>(options_.delivery_threads, 1); ++i) {
    workers_.emplace_back([this] { deliver_loop(); });
  }
  manager_ = std::thread([this] { manage_loop(); });
}

void Notifier::stop() {
  if (!started_ || stopping_.exchange(true)) return;
  work_cv_.notify_all();
  if (manager_.joinable()) manager_.join();
  for (auto& w : workers_) w.join();
  workers_.clear();
  std::vector<std::shared_ptr<TenantState>> tenants;
  {
    std::lock_guard lock(tenants_mutex_);
    for (auto& [name, t] : tenants_) tenants.push_back(t);
  }
  for (auto& t : tenants) {
    if (t->tailer.joinable()) t->tailer.join();
    if (t->committer.joinable()) t->committer.join();  // writes what the tailer handed over
  }
  flush(true);
}

std::shared_ptr<Notifier::TenantState> Notifier::ensure_tenant(const std::string& name, bool create) {
  {
    std::lock_guard lock(tenants_mutex_);
    if (auto it = tenants_.find(name); it != tenants_.end()) return it->second;
  }
  // Loaded before it is shared: no lock is needed for its queues yet.
  auto tenant = store_.tenant(name, create);
  if (!tenant) return nullptr;
  auto t = std::make_shared<TenantState>();
  t->name = name;
  t->store = tenant;
  if (auto cursor = tenant->record(kCursorCollection, kCursorKey)) t->cursor = std::stoll(*cursor);
  reload(*t);
  for (const auto& record : tenant->records(kStatusCollection)) {
    t->statuses[record.key] = DeliveryStatus::from_json(parse_json(record.text));
  }
  size_t loaded = 0;
  for (const auto& record : tenant->records(kOutboxCollection)) {
    OutboxEntry e = OutboxEntry::from_record(record.key, record.text);
    t->next_seq = std::max(t->next_seq, e.seq + 1);
    t->queues[e.subscription_id].entries.push_back(std::move(e));
    ++loaded;
  }
  {
    std::lock_guard lock(tenants_mutex_);
    if (auto it = tenants_.find(name); it != tenants_.end()) return it->second;  // another thread was first
    tenants_[name] = t;
    t->committed_cursor = t->cursor;
    if (!stopping_) {
      t->committer = std::thread([this, t] { commit_loop(t); });
      t->tailer = std::thread([this, t] { tail(t); });
    }
  }
  if (loaded > 0) {
    std::fprintf(stderr, "machi: tenant %s: %zu pending notifications from the outbox\n", tenant_label(name).c_str(),
                 loaded);
  }
  work_cv_.notify_all();
  return t;
}

void Notifier::reload(TenantState& t) {
  auto subs = std::make_shared<const std::vector<Subscription>>(load_subscriptions(*t.store, contexts_));
  std::lock_guard lock(t.subs_mutex);
  t.subs = std::move(subs);
}

std::shared_ptr<const std::vector<Subscription>> Notifier::subscriptions(TenantState& t) {
  std::lock_guard lock(t.subs_mutex);
  return t.subs;
}

void Notifier::subscriptions_changed(const std::string& tenant) {
  auto t = ensure_tenant(tenant, true);
  reload(*t);
  work_cv_.notify_all();
}

void Notifier::subscription_deleted(const std::string& tenant, const std::string& id) {
  auto t = ensure_tenant(tenant, true);
  reload(*t);
  std::lock_guard lock(queue_mutex_);
  if (auto it = t->queues.find(id); it != t->queues.end()) {
    for (const auto& e : it->second.entries) t->erases.emplace_back(kOutboxCollection, e.key());
    it->second.entries.clear();
    if (!it->second.in_flight) t->queues.erase(it);
  }
  t->statuses.erase(id);
}

DeliveryStatus Notifier::status(const std::string& tenant, const std::string& id) {
  std::shared_ptr<TenantState> t;
  {
    std::lock_guard lock(tenants_mutex_);
    if (auto it = tenants_.find(tenant); it != tenants_.end()) t = it->second;
  }
  if (t) {
    std::lock_guard lock(queue_mutex_);
    if (auto it = t->statuses.find(id); it != t->statuses.end()) return it->second;
    return {};
  }
  auto store = store_.tenant(tenant, false);
  if (!store) return {};
  auto text = store->record(kStatusCollection, id);
  return text ? DeliveryStatus::from_json(parse_json(*text)) : DeliveryStatus{};
}

size_t Notifier::pending(const std::string& tenant, const std::string& id) {
  std::shared_ptr<TenantState> t;
  {
    std::lock_guard lock(tenants_mutex_);
    auto it = tenants_.find(tenant);
    if (it == tenants_.end()) return 0;
    t = it->second;
  }
  std::lock_guard qlock(queue_mutex_);
  auto q = t->queues.find(id);
  return q == t->queues.end() ? 0 : q->second.entries.size();
}

// ---- tailing the change feed ----

std::vector<OutboxEntry> Notifier::render(const TenantState& t, const Subscription& sub, std::vector<Json> entities,
                                          TimeMs now) {
  std::vector<OutboxEntry> out;
  if (sub.personal) {
    // The one data path: the subscriber's principal and grant, as of now.
    if (!trust_) return out;
    std::unique_ptr<trust::ReadAccess> access;
    try {
      trust::Principal principal = owner_principal(*trust_, sub.owner, now);
      const char* action = sub.dialect == Dialect::kV2 ? kV2NotifyAction : "NOTIFY /ngsi-ld/v1/subscriptions/{subscriptionId}";
      access = trust_->begin_read(t.name, principal, sub.owner.grant_id, sub.owner.purpose, action, now);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "machi: subscription %s: notification withheld: %s\n", sub.id.c_str(), e.what());
      return out;
    }
    std::vector<Json> admitted;
    bool named = by_id(sub);
    for (Json& e : entities) {
      if (access->admit(e, named)) admitted.push_back(std::move(e));
    }
    access->commit();  // the decision is in the ledger before anything leaves
    entities.clear();
    for (Json& e : admitted) entities.push_back(access->shape(std::move(e)));
  }
  if (entities.empty()) return out;
  if (sub.dialect == Dialect::kV2) {
    auto ctx = sub.context.is_null() ? contexts_.core() : contexts_.resolve(sub.context);
    for (auto& n : render_v2_notifications(sub, entities, *ctx, options_.max_entities_per_notification)) {
      OutboxEntry e;
      e.body = std::move(n.body);
      e.service_path = std::move(n.service_path);
      out.push_back(std::move(e));
    }
    return out;
  }
  return render_ld(sub, entities, now);
}

std::vector<OutboxEntry> Notifier::render_ld(const Subscription& sub, const std::vector<Json>& entities, TimeMs now) {
  std::vector<OutboxEntry> out;
  auto ctx = sub.context.is_null() ? contexts_.core() : contexts_.resolve(sub.context);
  ld::RenderOptions options;
  options.format = sub.format;
  options.attrs = sub.attrs;
  for (size_t start = 0; start < entities.size(); start += options_.max_entities_per_notification) {
    size_t end = std::min(entities.size(), start + options_.max_entities_per_notification);
    Json data = Json::array();
    for (size_t i = start; i < end; ++i) data.push_back(ld::render_entity(entities[i], *ctx, options));
    Json body = {{"id", new_notification_id()},
                 {"type", "Notification"},
                 {"subscriptionId", sub.id},
                 {"notifiedAt", format_datetime(now)},
                 {"data", std::move(data)}};
    if (sub.accept == "application/ld+json") body["@context"] = sub.context.is_null() ? Json(ld::kCoreContextUrl) : sub.context;
    OutboxEntry e;
    e.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<http::ClientResponse> Notifier::send_http(const TenantState& t, const Subscription& sub,
                                                        const OutboxEntry& first, const std::string& body) {
  if (sub.dialect == Dialect::kV2) {
    V2Delivery request = v2_notification_request(sub, t.name, first.service_path);
    return http::http_request(request.method, request.url, request.headers, body, options_.http_timeout, 64 << 10,
                              options_.endpoint_policy.get());
  }
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("Content-Type", sub.accept);
  if (sub.accept == "application/json") headers.emplace_back("Link", context_link(sub.context));
  if (!t.name.empty()) headers.emplace_back("NGSILD-Tenant", t.name);
  for (const auto& kv : sub.receiver_info) headers.push_back(kv);
  return http::http_post(sub.uri, headers, body, options_.http_timeout, 64 << 10, options_.endpoint_policy.get());
}

void Notifier::tail(std::shared_ptr<TenantState> t) {
  int64_t saved_cursor = t->cursor;
  TimeMs last_save = now_ms(), last_prune = 0;
  std::map<std::string, TimeMs> last_sent;   // throttling
  std::map<std::string, TimeMs> next_due;    // periodic subscriptions
  {
    std::lock_guard lock(queue_mutex_);
    for (const auto& [id, s] : t->statuses) last_sent[id] = s.last_notification;
  }
  while (!stopping_) {
    try {
      {
        std::lock_guard lock(t->commit_mutex);
        if (t->commit_failed) {
          // A commit failed: what it held is read and rendered again.
          t->commit_failed = false;
          t->cursor = saved_cursor = t->committed_cursor;
        }
      }
      int64_t last = t->store->wait_for_changes(t->cursor, kIdleWait);
      if (stopping_) break;
      // The set is taken after the feed's position: a subscription saved
      // before a change was committed is in it.
      auto subs = subscriptions(*t);
      std::vector<store::EntityChange> changes;
      int64_t cursor = t->cursor;
      if (subs->empty()) {
        cursor = std::max(cursor, last);  // nobody to notify: skip the changes unread
      } else if (last > t->cursor) {
        changes = t->store->changes_after(t->cursor, options_.changes_per_pass);
        if (!changes.empty()) cursor = changes.back().seq;
      }
      TimeMs now = now_ms();
      // Entities per subscription, each once (its current state).
      std::map<size_t, std::vector<Json>> matched;
      std::map<size_t, std::set<std::string>> seen;
      if (!changes.empty() && !subs->empty()) {
        // The changed entities' current state, read in a few queries by id
        // (missing: deleted meanwhile).
        std::map<std::string, std::optional<Json>> current;
        for (const auto& change : changes) current.emplace(change.entity_id, std::nullopt);
        std::vector<std::string> ids;
        for (auto it = current.begin(); it != current.end();) {
          ids.push_back((it++)->first);
          if (ids.size() == kIdsPerQuery || it == current.end()) {
            store::EntityQuery query;
            query.ids = std::move(ids);
            query.limit = kIdsPerQuery;
            for (Json& e : t->store->query(query).entities) {
              std::string id = e.value("id", "");
              current[id] = std::move(e);
            }
            ids.clear();
          }
        }
        for (const auto& change : changes) {
          auto it = current.find(change.entity_id);
          for (size_t i = 0; i < subs->size(); ++i) {
            const Subscription& sub = (*subs)[i];
            if (!triggers(sub, change, it->second, now)) continue;
            if (throttled(sub, last_sent[sub.id], now)) continue;
            if (seen[i].insert(change.entity_id).second) matched[i].push_back(*it->second);
          }
        }
      }
      // Periodic subscriptions: the matching entities' current state.
      for (size_t i = 0; i < subs->size(); ++i) {
        const Subscription& sub = (*subs)[i];
        if (sub.time_interval_ms <= 0 || !sub.can_notify(now)) continue;
        TimeMs& due = next_due[sub.id];
        if (due > now) continue;
        due = now + sub.time_interval_ms;
        store::EntityQuery query;
        query.types = sub.types();
        query.q = sub.q;
        query.geo = sub.geo;
        query.limit = kPeriodicLimit;
        for (Json& e : t->store->query(query).entities) {
          if (selects_entity(sub, e)) matched[i].push_back(std::move(e));
        }
      }
      std::vector<OutboxEntry> entries;
      for (auto& [i, entities] : matched) {
        const Subscription& sub = (*subs)[i];
        std::vector<OutboxEntry> rendered;
        try {
          rendered = render(*t, sub, std::move(entities), now);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "machi: subscription %s: cannot render a notification: %s\n", sub.id.c_str(), e.what());
        }
        if (!rendered.empty()) last_sent[sub.id] = now;
        for (auto& e : rendered) {
          e.seq = t->next_seq++;
          e.subscription_id = sub.id;
          e.created_at = now;
          entries.push_back(std::move(e));
        }
      }
      bool save_cursor = cursor != saved_cursor && (now - last_save >= kCursorSaveMs);
      if (!entries.empty() || save_cursor) {
        // To the committer: the notifications and the cursor, one commit.
        std::unique_lock lock(t->commit_mutex);
        t->commit_cv.wait(lock, [&] { return t->to_commit.size() < kMaxUncommittedPasses || stopping_; });
        t->to_commit.push_back({std::move(entries), cursor, now});
        t->commit_cv.notify_all();
        saved_cursor = cursor;
        last_save = now;
      }
      t->cursor = cursor;
      int64_t committed;
      {
        std::lock_guard lock(t->commit_mutex);
        committed = t->committed_cursor;
      }
      if (now - last_prune >= kPruneMs && committed > 0) {
        t->store->prune_changes(committed);
        last_prune = now;
      }
    } catch (const std::exception& e) {
      if (stopping_) break;
      std::fprintf(stderr, "machi: notifier of tenant %s: %s\n", tenant_label(t->name).c_str(), e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  std::lock_guard lock(t->commit_mutex);
  t->tailer_done = true;
  t->commit_cv.notify_all();
}

void Notifier::commit_loop(std::shared_ptr<TenantState> t) {
  for (;;) {
    std::deque<TenantState::Pass> passes;
    {
      std::unique_lock lock(t->commit_mutex);
      t->commit_cv.wait(lock, [&] { return !t->to_commit.empty() || t->tailer_done; });
      if (t->to_commit.empty()) return;  // the tailer has stopped and everything is written
      passes.swap(t->to_commit);
      t->commit_cv.notify_all();
    }
    // The passes that queued up meanwhile go in one commit.
    std::vector<store::Record> puts;
    for (const auto& pass : passes) {
      for (const auto& e : pass.entries) puts.push_back({kOutboxCollection, e.key(), e.to_text()});
    }
    int64_t cursor = passes.back().cursor;
    puts.push_back({kCursorCollection, kCursorKey, std::to_string(cursor)});
    try {
      t->store->put_records(puts);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "machi: notifier of tenant %s: %s\n", tenant_label(t->name).c_str(), e.what());
      std::lock_guard lock(t->commit_mutex);
      t->to_commit.clear();
      t->commit_failed = true;
      t->commit_cv.notify_all();
      continue;
    }
    {
      std::lock_guard lock(t->commit_mutex);
      t->committed_cursor = cursor;
    }
    for (auto& pass : passes) {
      if (!pass.entries.empty()) enqueue(*t, std::move(pass.entries), pass.now);
    }
  }
}

void Notifier::enqueue(TenantState& t, std::vector<OutboxEntry> entries, TimeMs now) {
  std::lock_guard lock(queue_mutex_);
  std::set<std::string> touched;
  for (auto& e : entries) {
    touched.insert(e.subscription_id);
    t.queues[e.subscription_id].entries.push_back(std::move(e));
  }
  for (const auto& id : touched) {
    SubQueue& q = t.queues[id];
    auto dropped = enforce_retention(q.entries, options_.retry, now, q.in_flight);
    if (!dropped.empty()) drop(t, id, std::move(dropped), now);
  }
  work_cv_.notify_all();
}

// Under queue_mutex_.
void Notifier::drop(TenantState& t, const std::string& sub_id, std::vector<OutboxEntry> dropped, TimeMs now) {
  for (const auto& e : dropped) t.erases.emplace_back(kOutboxCollection, e.key());
  DeliveryStatus& s = t.statuses[sub_id];
  s.dropped += dropped.size();
  s.last_dropped = now;
  t.status_dirty = true;
  std::fprintf(stderr,
               "machi: subscription %s (tenant %s): %zu undelivered notifications dropped under the retention rule "
               "(%zu in all)\n",
               sub_id.c_str(), tenant_label(t.name).c_str(), dropped.size(), static_cast<size_t>(s.dropped));
}

// ---- delivery ----

void Notifier::deliver_loop() {
  std::unique_lock lock(queue_mutex_);
  while (!stopping_) {
    TimeMs now = now_ms();
    TimeMs earliest = now + 1000;
    std::shared_ptr<TenantState> chosen;
    std::string chosen_id;
    {
      std::vector<std::shared_ptr<TenantState>> tenants;
      {
        // tenants_mutex_ is never held while taking queue_mutex_ the other way round.
        std::lock_guard tl(tenants_mutex_);
        for (auto& [name, t] : tenants_) tenants.push_back(t);
      }
      for (auto& t : tenants) {
        for (auto& [id, q] : t->queues) {
          if (q.in_flight || q.entries.empty()) continue;
          auto dropped = enforce_retention(q.entries, options_.retry, now, false);
          if (!dropped.empty()) drop(*t, id, std::move(dropped), now);
          if (q.entries.empty()) continue;
          TimeMs due = q.entries.front().next_attempt;
          if (due <= now) {
            chosen = t;
            chosen_id = id;
            break;
          }
          earliest = std::min(earliest, due);
        }
        if (chosen) break;
      }
    }
    if (!chosen) {
      work_cv_.wait_until(lock, std::chrono::system_clock::time_point(std::chrono::milliseconds(earliest)));
      continue;
    }
    SubQueue& queue = chosen->queues[chosen_id];
    queue.in_flight = true;
    // A backlog goes out merged: the pending notifications of the
    // subscription, in order, as one POST (see merge_notifications).
    std::vector<OutboxEntry> batch;
    size_t bytes = 0;
    for (const OutboxEntry& e : queue.entries) {
      if (!batch.empty() && (batch.size() >= kMaxMerged || bytes + e.body.size() > kMaxMergedBytes)) break;
      if (!batch.empty() && e.service_path != batch.front().service_path) break;  // one Fiware-ServicePath per POST
      batch.push_back(e);
      bytes += e.body.size();
    }
    lock.unlock();
    std::string body = batch.size() == 1 ? batch.front().body : merge_notifications(batch);
    const OutboxEntry& entry = batch.front();

    std::optional<Subscription> sub;
    for (const auto& s : *subscriptions(*chosen)) {
      if (s.id == chosen_id) sub = s;
    }
    std::optional<http::ClientResponse> response;
    TimeMs sent_at = now_ms();
    if (sub && sub->is_mqtt()) {
      // The MQTT binding: the headers travel as "metadata" beside the body.
      Json message = {{"metadata", {{"Content-Type", sub->accept}}}, {"body", parse_json(body)}};
      if (sub->accept == "application/json") message["metadata"]["Link"] = context_link(sub->context);
      if (!chosen->name.empty()) message["metadata"]["NGSILD-Tenant"] = chosen->name;
      for (const auto& [key, value] : sub->receiver_info) message["metadata"][key] = value;
      if (mqtt_.publish(sub->uri, message.dump(-1, ' ', false, Json::error_handler_t::replace), sub->mqtt_qos,
                        options_.http_timeout, options_.endpoint_policy.get())) {
        response = http::ClientResponse{200, "", ""};
      }
    } else if (sub) {
      response = send_http(*chosen, *sub, entry, body);
    }
    bool ok = response && response->status >= 200 && response->status < 300;

    lock.lock();
    auto it = chosen->queues.find(chosen_id);
    if (it == chosen->queues.end()) continue;  // the subscription was deleted meanwhile
    SubQueue& q = it->second;
    q.in_flight = false;
    // What was sent leaves the queue (unless the retention rule or a
    // deletion took it meanwhile).
    auto take_sent = [&] {
      for (const OutboxEntry& e : batch) {
        if (!q.entries.empty() && q.entries.front().seq == e.seq) q.entries.pop_front();
        chosen->erases.emplace_back(kOutboxCollection, e.key());
      }
    };
    if (!sub) {
      take_sent();  // the subscription is gone: its notifications go with it
      continue;
    }
    DeliveryStatus& status = chosen->statuses[chosen_id];
    status.record_attempt(ok, response ? response->status : 0, sent_at, now_ms());
    if (ok) {
      take_sent();
    } else {
      if (!q.entries.empty() && q.entries.front().seq == entry.seq) {
        OutboxEntry& front = q.entries.front();
        front.attempts++;
        front.next_attempt = next_attempt_after(options_.retry, front.attempts, now_ms());
      }
    }
    chosen->status_dirty = true;
    if (q.entries.empty() && !q.in_flight) {
      bool exists = false;
      for (const auto& s : *subscriptions(*chosen)) exists = exists || s.id == chosen_id;
      if (!exists) chosen->queues.erase(it);
    }
  }
}

// ---- housekeeping: acknowledged outbox entries, statuses, new tenants ----

void Notifier::flush(bool statuses) {
  std::vector<std::shared_ptr<TenantState>> tenants;
  {
    std::lock_guard lock(tenants_mutex_);
    for (auto& [name, t] : tenants_) tenants.push_back(t);
  }
  for (auto& t : tenants) {
    std::vector<store::Record> puts;
    std::vector<std::pair<std::string, std::string>> erases;
    {
      std::lock_guard lock(queue_mutex_);
      erases.swap(t->erases);
      if (statuses && t->status_dirty) {
        auto subs = subscriptions(*t);
        for (const auto& sub : *subs) {
          if (auto it = t->statuses.find(sub.id); it != t->statuses.end()) {
            puts.push_back({kStatusCollection, sub.id, it->second.to_json().dump()});
          }
        }
        t->status_dirty = false;
      }
    }
    if (puts.empty() && erases.empty()) continue;
    try {
      t->store->put_records(puts, erases);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "machi: notifier of tenant %s: %s\n", tenant_label(t->name).c_str(), e.what());
      std::lock_guard lock(queue_mutex_);
      t->erases.insert(t->erases.end(), erases.begin(), erases.end());
      if (!puts.empty()) t->status_dirty = true;
    }
  }
}

void Notifier::manage_loop() {
  TimeMs last_status = 0, last_scan = now_ms();
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    TimeMs now = now_ms();
    bool statuses = now - last_status >= kStatusSaveMs;
    flush(statuses);
    if (statuses) last_status = now;
    if (now - last_scan >= kTenantScanMs) {
      last_scan = now;
      try {
        for (const auto& name : store_.tenants()) ensure_tenant(name, false);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "machi: notifier: %s\n", e.what());
      }
    }
  }
}

}  // namespace machi::notify
