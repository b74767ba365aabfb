// The ingestor: MQTT messages in, entity upserts out. Messages queue up
// while the previous batch is written; the mapper thread then takes
// everything queued (up to max_batch messages) and maps each measure to an
// NGSIv2 append, and the writer thread writes each tenant's share with one
// TenantStore::write per round (each entity once per round: the first
// measure of every device, then the second, ...), so that a burst costs a
// few durable commits instead of one per message. The two threads overlap:
// the next batch is mapped while
// the previous one commits (at most one mapped batch waits; batches are
// written in the order they were received). The
// write is the same as POST /v2/op/update (actionType append) plus
// creation: history, the change feed and subscriptions follow from it.
//
// Nothing a device sends can stop the worker: a message that cannot be
// applied is dropped and counted by reason, and logged at most once a
// minute per device.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "iot/measures.h"
#include "iot/registry.h"
#include "ld/context.h"
#include "store/store.h"

namespace machi::iot {

// Why a message (or, for the last two, a measure) was not applied.
enum class Reject { kBadTopic, kUnknownApikey, kUnknownDevice, kBadPayload, kInvalidMeasure, kWriteFailed };
const char* reject_name(Reject reason);

struct Counters {
  uint64_t messages_received = 0;
  uint64_t measures_applied = 0;
  std::map<std::string, uint64_t> rejected;  // reject_name -> count
  TimeMs last_message = 0;
  Json to_json() const;
};

struct IngestOptions {
  std::string ngsiv2_context;   // "" = the NGSI-LD core context, as /v2
  size_t max_batch = 4096;      // messages per store write
  size_t queue_limit = 100000;  // submit() blocks beyond this (back-pressure on the broker connection)
  PayloadLimits limits;
};

struct Message {
  std::string topic;
  std::string payload;
  TimeMs received = 0;
};

class Ingestor {
 public:
  Ingestor(store::Store* store, ld::ContextResolver* contexts, const Registry* registry, IngestOptions options);
  ~Ingestor();

  void start();
  // Applies what is queued, then ends the worker.
  void stop();
  // Queues a message (any thread); blocks while the queue is full.
  void submit(Message message);
  // Maps and writes a batch on the caller's thread (the threads' steps; tests).
  void process(std::vector<Message>& batch);

  // Counters of one tenant's devices; the totals over all messages
  // (including those no tenant can be charged with: bad topics, unknown
  // apikeys).
  Counters tenant_counters(const std::string& tenant) const;
  Counters total_counters() const;
  uint64_t batches() const;

 private:
  struct TenantWrite {
    std::vector<store::Mutation> mutations;
    std::vector<std::string> devices;  // per mutation, for the log
  };
  using MappedBatch = std::map<std::string, TenantWrite>;  // by tenant
  void run_mapper();
  void run_writer();
  MappedBatch map_batch(std::vector<Message>& batch);
  void write_batch(MappedBatch& batch);
  void handle(const Message& message, const ld::Context& context, TimeMs now, MappedBatch& out);
  void write(const std::string& tenant, TenantWrite& batch);
  static std::vector<TenantWrite> rounds_of(TenantWrite& batch);
  void reject(const std::string* tenant, Reject reason, const std::string& subject, const std::string& detail,
              uint64_t count = 1);
  Counters& counters_of(const std::string* tenant);

  store::Store* store_;
  ld::ContextResolver* contexts_;
  const Registry* registry_;
  IngestOptions options_;

  std::mutex queue_mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Message> queue_;
  bool stopping_ = false;
  std::thread mapper_;

  // Mapped batches waiting for the writer (at most one).
  std::mutex mapped_mutex_;
  std::condition_variable mapped_ready_;
  std::condition_variable mapped_taken_;
  std::deque<MappedBatch> mapped_;
  bool mapper_done_ = false;
  std::thread writer_;

  mutable std::mutex counters_mutex_;
  std::unordered_map<std::string, Counters> tenants_;
  Counters totals_;
  uint64_t batches_ = 0;
  std::unordered_map<std::string, TimeMs> last_logged_;  // subject -> when (rate limit)
};

}  // namespace machi::iot
