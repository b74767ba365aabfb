// The ingestor: MQTT messages in, entity upserts out. Messages queue up
// while the previous batch is written; the worker then takes everything
// queued (up to max_batch messages), maps each measure to an NGSIv2
// append, and writes each tenant's share with ONE TenantStore::write, so
// that a burst costs one durable commit instead of one per message. The
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
  // Applies a batch on the caller's thread (the worker's step; tests).
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
  void run();
  void handle(const Message& message, const ld::Context& context, TimeMs now, std::map<std::string, TenantWrite>& out);
  void write(const std::string& tenant, TenantWrite& batch);
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
  std::thread worker_;

  mutable std::mutex counters_mutex_;
  std::unordered_map<std::string, Counters> tenants_;
  Counters totals_;
  uint64_t batches_ = 0;
  std::unordered_map<std::string, TimeMs> last_logged_;  // subject -> when (rate limit)
};

}  // namespace machi::iot
