// A bounded in-memory cache of stored entity documents (their text, as the
// entities table holds it), in front of a tenant's read connections.
//
// Why: a GET by id spent about a fifth of its CPU time in SQLite (two B-tree
// descents, and a pread for nearly every lookup once the data outgrows a read
// connection's page cache, because each of the many read connections keeps
// its own). A hit here costs a hash lookup and a reference count.
//
// Correctness rests on the writer's commit phase (GroupCommitter::
// commit_phase: odd while a COMMIT is in progress). A reader takes a ticket,
// the phase, before its snapshot, and fill() keeps what it read only if the
// ticket is even and the phase is still the ticket. The writer forgets the
// ids a batch wrote after the phase has turned odd and before COMMIT, and
// fill() checks the phase under the same shard lock as forget(): a fill
// either sees the odd phase and is refused, or comes first and is then
// forgotten. So no document older than a commit stays cached once that
// commit can be seen: a GET sees every acknowledged write, and once any
// reader has seen a write, no later GET returns the document from before it.
//
// Eviction is by second chance (CLOCK) per shard, close to least recently
// used; a hit only sets a flag, so it writes nothing else. The byte budget
// counts ids, documents and a per-entry overhead (a document still held by a
// reader after its eviction is not counted). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace machi::store {

class EntityCache {
 public:
  // max_bytes 0 disables the cache (every find misses, fill keeps nothing).
  // commit_phase: the tenant writer's GroupCommitter::commit_phase.
  EntityCache(size_t max_bytes, std::function<uint64_t()> commit_phase);
  EntityCache(const EntityCache&) = delete;
  EntityCache& operator=(const EntityCache&) = delete;

  // The cached document of entity_id, or null. Shared, not copied: a hit
  // allocates nothing.
  std::shared_ptr<const std::string> find(const std::string& entity_id);

  // To be taken before the read whose result will be passed to fill().
  uint64_t fill_ticket() const { return commit_phase_(); }
  // Keeps doc (read after the ticket was taken) unless a COMMIT was in
  // progress or happened since the ticket.
  void fill(const std::string& entity_id, std::string_view doc, uint64_t ticket);

  // By the writer, once the commit phase is odd and before COMMIT: the
  // entities the batch wrote (created, changed or deleted).
  void forget(const std::vector<std::string>& entity_ids) noexcept;

  struct Stats {
    uint64_t hits = 0, misses = 0, fills = 0, refused_fills = 0, evictions = 0;
    size_t entries = 0, bytes = 0;
  };
  Stats stats() const;

 private:
  static constexpr size_t kShards = 16;
  // Per-entry bytes beyond the id and the document: the map node, the list
  // node and the strings' headers, roughly.
  static constexpr size_t kEntryOverhead = 160;

  // Ids (the map's own keys, whose addresses are stable), newest first.
  using Lru = std::list<const std::string*>;
  struct Entry {
    std::shared_ptr<const std::string> doc;
    Lru::iterator position;
    bool used = false;  // found since it was filled or last passed over
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
    Lru lru;
    size_t bytes = 0;
    uint64_t hits = 0, misses = 0, fills = 0, refused_fills = 0, evictions = 0;
  };

  Shard& shard_of(const std::string& entity_id);
  static size_t cost(const std::string& entity_id, size_t doc_size) {
    return entity_id.size() + doc_size + kEntryOverhead;
  }
  static void erase(Shard& shard, std::unordered_map<std::string, Entry>::iterator it);

  size_t shard_budget_;
  std::function<uint64_t()> commit_phase_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace machi::store
