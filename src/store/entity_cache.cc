#include "store/entity_cache.h"

namespace machi::store {

EntityCache::EntityCache(size_t max_bytes, std::function<uint64_t()> commit_phase)
    : shard_budget_(max_bytes / kShards),
      commit_phase_(std::move(commit_phase)),
      shards_(std::make_unique<Shard[]>(kShards)) {}

EntityCache::Shard& EntityCache::shard_of(const std::string& entity_id) {
  return shards_[std::hash<std::string>{}(entity_id) % kShards];
}

void EntityCache::erase(Shard& shard, std::unordered_map<std::string, Entry>::iterator it) {
  shard.bytes -= cost(it->first, it->second.doc->size());
  shard.lru.erase(it->second.position);
  shard.entries.erase(it);
}

std::shared_ptr<const std::string> EntityCache::find(const std::string& entity_id) {
  if (shard_budget_ == 0) return nullptr;
  Shard& shard = shard_of(entity_id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(entity_id);
  if (it == shard.entries.end()) {
    shard.misses++;
    return nullptr;
  }
  shard.hits++;
  it->second.used = true;
  return it->second.doc;
}

void EntityCache::fill(const std::string& entity_id, std::string_view doc, uint64_t ticket) {
  size_t size = cost(entity_id, doc.size());
  if (size > shard_budget_) return;  // also when disabled
  Shard& shard = shard_of(entity_id);
  std::lock_guard lock(shard.mutex);
  // Under the shard lock: a commit whose phase turned odd after this check
  // forgets this shard's entry once the lock is free (see the header).
  if (ticket % 2 != 0 || commit_phase_() != ticket) {
    shard.refused_fills++;
    return;
  }
  auto it = shard.entries.find(entity_id);
  if (it != shard.entries.end()) erase(shard, it);
  // Second chance: an entry found since it was last passed over goes back
  // to the front once, with its flag cleared. Ends within two rounds.
  while (shard.bytes + size > shard_budget_ && !shard.lru.empty()) {
    auto oldest = shard.entries.find(*shard.lru.back());
    if (oldest->second.used) {
      oldest->second.used = false;
      shard.lru.splice(shard.lru.begin(), shard.lru, oldest->second.position);
      continue;
    }
    erase(shard, oldest);
    shard.evictions++;
  }
  auto added =
      shard.entries.emplace(entity_id, Entry{std::make_shared<const std::string>(doc), shard.lru.end()}).first;
  shard.lru.push_front(&added->first);
  added->second.position = shard.lru.begin();
  shard.bytes += size;
  shard.fills++;
}

void EntityCache::forget(const std::vector<std::string>& entity_ids) noexcept {
  if (shard_budget_ == 0) return;
  for (const std::string& id : entity_ids) {
    Shard& shard = shard_of(id);
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(id);
    if (it != shard.entries.end()) erase(shard, it);
  }
}

EntityCache::Stats EntityCache::stats() const {
  Stats total;
  for (size_t i = 0; i < kShards; ++i) {
    const Shard& shard = shards_[i];
    std::lock_guard lock(shard.mutex);
    total.hits += shard.hits;
    total.misses += shard.misses;
    total.fills += shard.fills;
    total.refused_fills += shard.refused_fills;
    total.evictions += shard.evictions;
    total.entries += shard.entries.size();
    total.bytes += shard.bytes;
  }
  return total;
}

}  // namespace machi::store
