#include "iot/ingest.h"

#include <cstdio>

#include "core/error.h"
#include "ngsiv2/v2_entity.h"
#include "ngsiv2/v2_write.h"

namespace machi::iot {
namespace {

constexpr TimeMs kLogEveryMs = 60000;
constexpr size_t kMaxLogSubjects = 10000;

bool has_type(const Json& entity, const Json& type_iri) {
  auto it = entity.find("type");
  if (it == entity.end()) return false;
  if (it->is_array()) return std::find(it->begin(), it->end(), type_iri) != it->end();
  return *it == type_iri;
}

// True when the entity's visible instance of the attribute already holds
// this static attribute's value (so that statics do not rewrite history
// with every measure).
bool holds(const Json& entity, const std::string& iri, const Json& instance) {
  auto attrs = entity.find("attrs");
  if (attrs == entity.end() || !attrs->contains(iri)) return false;
  const Json* current = ngsiv2::visible_instance((*attrs)[iri]);
  if (!current) return false;
  for (const char* member : {"type", "value", "object"}) {
    if (current->contains(member) != instance.contains(member)) return false;
    if (instance.contains(member) && (*current)[member] != instance[member]) return false;
  }
  return true;
}

// One measure: create the entity, or append its attributes as
// /v2/op/update with actionType append does. An id that another type or
// service path holds is refused, as the v2 API refuses it.
store::Mutator measure_mutator(Json stored, Json statics, TimeMs now) {
  return [stored = std::move(stored), statics = std::move(statics), now](
             const std::optional<Json>& current) -> std::optional<Json> {
    Json fragment = stored;
    for (const auto& [iri, instances] : statics["attrs"].items()) {
      if (fragment["attrs"].contains(iri)) continue;  // a measure of the same name wins
      if (current && holds(*current, iri, instances.front())) continue;
      fragment["attrs"][iri] = instances;
    }
    if (!current) return fragment;
    if (ngsiv2::service_path_of(*current) != ngsiv2::service_path_of(stored) ||
        !has_type(*current, stored["type"].front())) {
      throw Error(ErrorType::kAlreadyExists, "the entity id is taken by an entity of another type or service path");
    }
    return ngsiv2::apply_attrs(*current, fragment, ngsiv2::AttrMode::kAppend, false, now).entity;
  };
}

}  // namespace

const char* reject_name(Reject reason) {
  switch (reason) {
    case Reject::kBadTopic: return "bad_topic";
    case Reject::kUnknownApikey: return "unknown_apikey";
    case Reject::kUnknownDevice: return "unknown_device";
    case Reject::kBadPayload: return "bad_payload";
    case Reject::kInvalidMeasure: return "invalid_measure";
    case Reject::kWriteFailed: return "write_failed";
  }
  return "other";
}

Json Counters::to_json() const {
  Json out = {{"messagesReceived", messages_received}, {"measuresApplied", measures_applied}};
  Json reasons = Json::object();
  for (const auto& [reason, count] : rejected) reasons[reason] = count;
  out["rejected"] = std::move(reasons);
  out["lastMessageAt"] = last_message ? Json(format_datetime(last_message)) : Json();
  return out;
}

Ingestor::Ingestor(store::Store* store, ld::ContextResolver* contexts, const Registry* registry, IngestOptions options)
    : store_(store), contexts_(contexts), registry_(registry), options_(std::move(options)) {}

Ingestor::~Ingestor() { stop(); }

void Ingestor::start() {
  std::lock_guard lock(queue_mutex_);
  if (mapper_.joinable()) return;
  stopping_ = false;
  mapper_done_ = false;
  writer_ = std::thread([this] { run_writer(); });
  mapper_ = std::thread([this] { run_mapper(); });
}

void Ingestor::stop() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  if (mapper_.joinable()) mapper_.join();  // maps what is queued, then tells the writer
  if (writer_.joinable()) writer_.join();  // writes what is mapped
}

void Ingestor::submit(Message message) {
  std::unique_lock lock(queue_mutex_);
  not_full_.wait(lock, [&] { return queue_.size() < options_.queue_limit || stopping_; });
  queue_.push_back(std::move(message));
  lock.unlock();
  not_empty_.notify_one();
}

void Ingestor::run_mapper() {
  for (;;) {
    std::vector<Message> batch;
    {
      std::unique_lock lock(queue_mutex_);
      not_empty_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and everything mapped
      size_t take = std::min(queue_.size(), options_.max_batch);
      batch.reserve(take);
      for (size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    not_full_.notify_all();
    MappedBatch mapped;
    try {
      mapped = map_batch(batch);
    } catch (const std::exception& e) {
      // Defensive: map_batch handles errors per message; nothing may end the thread.
      std::fprintf(stderr, "machi iot: a batch of %zu messages failed: %s\n", batch.size(), e.what());
      continue;
    }
    std::unique_lock lock(mapped_mutex_);
    mapped_taken_.wait(lock, [&] { return mapped_.empty(); });  // at most one mapped batch waits
    mapped_.push_back(std::move(mapped));
    mapped_ready_.notify_one();
  }
  std::lock_guard lock(mapped_mutex_);
  mapper_done_ = true;
  mapped_ready_.notify_one();
}

void Ingestor::run_writer() {
  for (;;) {
    MappedBatch batch;
    {
      std::unique_lock lock(mapped_mutex_);
      mapped_ready_.wait(lock, [&] { return mapper_done_ || !mapped_.empty(); });
      if (mapped_.empty()) return;  // the mapper is done and everything is written
      batch = std::move(mapped_.front());
      mapped_.pop_front();
      mapped_taken_.notify_one();
    }
    try {
      write_batch(batch);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "machi iot: a batch write failed: %s\n", e.what());
    }
  }
}

void Ingestor::process(std::vector<Message>& batch) {
  MappedBatch mapped = map_batch(batch);
  write_batch(mapped);
}

Ingestor::MappedBatch Ingestor::map_batch(std::vector<Message>& batch) {
  MappedBatch writes;
  ld::ContextPtr context;
  try {
    context = options_.ngsiv2_context.empty() ? contexts_->core() : contexts_->resolve(Json(options_.ngsiv2_context));
  } catch (const std::exception& e) {
    reject(nullptr, Reject::kWriteFailed, "context", std::string("the NGSIv2 @context is not available: ") + e.what(),
           batch.size());
    return writes;
  }
  TimeMs now = now_ms();
  for (const Message& message : batch) handle(message, *context, now, writes);
  return writes;
}

void Ingestor::write_batch(MappedBatch& batch) {
  for (auto& [tenant, write_batch] : batch) write(tenant, write_batch);
  std::lock_guard lock(counters_mutex_);
  ++batches_;
}

void Ingestor::handle(const Message& message, const ld::Context& context, TimeMs now, MappedBatch& out) {
  {
    std::lock_guard lock(counters_mutex_);
    ++totals_.messages_received;
    totals_.last_message = message.received;
  }
  auto topic = parse_topic(message.topic);
  if (!topic) return reject(nullptr, Reject::kBadTopic, message.topic.substr(0, 200), "not an IoT Agent JSON topic");
  auto resolved = registry_->resolve(topic->apikey, topic->device_id);
  if (resolved.status == Registry::Resolution::Status::kUnknownApikey) {
    return reject(nullptr, Reject::kUnknownApikey, "apikey " + topic->apikey, "no service has this apikey");
  }
  const std::string& tenant = resolved.tenant;
  {
    std::lock_guard lock(counters_mutex_);
    Counters& counters = counters_of(&tenant);
    ++counters.messages_received;
    counters.last_message = message.received;
  }
  std::string subject = "device " + topic->device_id + " (apikey " + topic->apikey + ")";
  if (resolved.status == Registry::Resolution::Status::kUnknownDevice) {
    return reject(&tenant, Reject::kUnknownDevice, subject, "not provisioned");
  }
  ParsedPayload payload = parse_payload(message.payload, topic->object_id, options_.limits);
  if (!payload.error.empty()) return reject(&tenant, Reject::kBadPayload, subject, payload.error);
  const DeviceConfig& device = resolved.device;
  Json statics;
  try {
    statics = ngsiv2::attrs_to_fragment(static_attributes_body(device), context, false, now);
  } catch (const Error& e) {
    return reject(&tenant, Reject::kInvalidMeasure, subject, std::string("static attributes: ") + e.what(),
                  payload.measures.size());
  }
  TenantWrite& target = out[tenant];
  for (const Json& measure : payload.measures) {
    MappedMeasure mapped = map_measure(device, measure, message.received);
    if (!mapped.error.empty()) {
      reject(&tenant, Reject::kInvalidMeasure, subject, mapped.error);
      continue;
    }
    Json stored;
    try {
      stored = ngsiv2::entity_to_stored(mapped.body, context, false, device.service_path, now);
    } catch (const Error& e) {
      reject(&tenant, Reject::kInvalidMeasure, subject, e.what());
      continue;
    }
    std::string id = stored["id"];
    target.mutations.push_back({std::move(id), measure_mutator(std::move(stored), statics, now)});
    target.devices.push_back(subject);
  }
}

// Splits a tenant's mutations into rounds in which each entity occurs once
// (its measures in order: the first in round 0, the second in round 1, ...).
// The store computes each mutation ahead on the caller's thread from the
// entity as it was before the write; a second mutation of the same entity
// in one write would be recomputed on the store's single writer thread.
std::vector<Ingestor::TenantWrite> Ingestor::rounds_of(TenantWrite& batch) {
  std::vector<TenantWrite> rounds;
  std::unordered_map<std::string, size_t> seen;  // entity id -> measures so far
  for (size_t i = 0; i < batch.mutations.size(); ++i) {
    size_t round = seen[batch.mutations[i].entity_id]++;
    if (round >= rounds.size()) rounds.resize(round + 1);
    rounds[round].mutations.push_back(std::move(batch.mutations[i]));
    rounds[round].devices.push_back(std::move(batch.devices[i]));
  }
  return rounds;
}

void Ingestor::write(const std::string& tenant, TenantWrite& batch) {
  if (batch.mutations.empty()) return;
  std::shared_ptr<store::TenantStore> store;
  try {
    store = store_->tenant(tenant, false);
  } catch (const std::exception&) {
    store = nullptr;
  }
  if (!store) {
    return reject(&tenant, Reject::kWriteFailed, "tenant '" + tenant + "'", "the tenant no longer exists",
                  batch.mutations.size());
  }
  uint64_t applied = 0;
  for (TenantWrite& round : rounds_of(batch)) {
    size_t count = round.mutations.size();
    std::vector<store::MutationResult> results;
    try {
      results = store->write(std::move(round.mutations));
    } catch (const std::exception& e) {
      reject(&tenant, Reject::kWriteFailed, "tenant '" + tenant + "'", e.what(), count);
      continue;
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].ok) {
        ++applied;
        continue;
      }
      std::string why = results[i].error ? results[i].error->what() : "the write failed";
      reject(&tenant, Reject::kWriteFailed, i < round.devices.size() ? round.devices[i] : "a device", why);
    }
  }
  std::lock_guard lock(counters_mutex_);
  counters_of(&tenant).measures_applied += applied;
  totals_.measures_applied += applied;
}

Counters& Ingestor::counters_of(const std::string* tenant) { return tenant ? tenants_[*tenant] : totals_; }

void Ingestor::reject(const std::string* tenant, Reject reason, const std::string& subject, const std::string& detail,
                      uint64_t count) {
  TimeMs now = now_ms();
  bool log = false;
  {
    std::lock_guard lock(counters_mutex_);
    counters_of(tenant).rejected[reject_name(reason)] += count;
    if (tenant) totals_.rejected[reject_name(reason)] += count;  // the totals
    std::string key = (tenant ? *tenant : std::string("-")) + " " + subject;
    if (last_logged_.size() >= kMaxLogSubjects) last_logged_.clear();
    auto [it, fresh] = last_logged_.try_emplace(key, now);
    if (fresh || now - it->second >= kLogEveryMs) {
      it->second = now;
      log = true;
    }
  }
  if (log) {
    std::fprintf(stderr, "machi iot: %s%s%s: %s, dropped (%s; logged at most once a minute)\n",
                 tenant ? "tenant '" : "", tenant ? (*tenant + "' ").c_str() : "", subject.c_str(), detail.c_str(),
                 reject_name(reason));
  }
}

Counters Ingestor::tenant_counters(const std::string& tenant) const {
  std::lock_guard lock(counters_mutex_);
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? Counters{} : it->second;
}

Counters Ingestor::total_counters() const {
  std::lock_guard lock(counters_mutex_);
  return totals_;
}

uint64_t Ingestor::batches() const {
  std::lock_guard lock(counters_mutex_);
  return batches_;
}

}  // namespace machi::iot
