#include "store/entity_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_tenant.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace machi::store {
namespace {

using namespace testing;

std::string text_of(const std::shared_ptr<const std::string>& doc) { return doc ? *doc : "(not cached)"; }

// A stand-in for the writer's commit phase (GroupCommitter::commit_phase).
struct Phase {
  std::atomic<uint64_t> value{0};
  std::function<uint64_t()> reader() {
    return [this] { return value.load(); };
  }
};

TEST(EntityCache, KeepsWhatAReaderFills) {
  Phase phase;
  EntityCache cache(1 << 20, phase.reader());
  EXPECT_EQ(cache.find("a"), nullptr);
  cache.fill("a", "{\"id\":\"a\"}", cache.fill_ticket());
  EXPECT_EQ(text_of(cache.find("a")), "{\"id\":\"a\"}");
  auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST(EntityCache, ForgetDropsOnlyTheEntitiesNamed) {
  Phase phase;
  EntityCache cache(1 << 20, phase.reader());
  cache.fill("a", "1", cache.fill_ticket());
  cache.fill("b", "2", cache.fill_ticket());
  cache.forget({"a"});
  EXPECT_EQ(cache.find("a"), nullptr);
  EXPECT_EQ(text_of(cache.find("b")), "2");
}

// The rule the whole cache rests on: what a reader read before a COMMIT, or
// while one was in progress, is not kept.
TEST(EntityCache, RefusesAFillFromBeforeOrDuringACommit) {
  Phase phase;
  EntityCache cache(1 << 20, phase.reader());
  uint64_t before = cache.fill_ticket();
  phase.value++;  // a COMMIT begins, of any entity
  uint64_t during = cache.fill_ticket();
  cache.fill("a", "old", before);
  cache.fill("a", "old", during);
  EXPECT_EQ(cache.find("a"), nullptr);
  phase.value++;  // it is over
  cache.fill("a", "old", before);
  cache.fill("a", "old", during);
  EXPECT_EQ(cache.find("a"), nullptr);
  EXPECT_EQ(cache.stats().refused_fills, 4u);
  cache.fill("a", "new", cache.fill_ticket());
  EXPECT_EQ(text_of(cache.find("a")), "new");
}

TEST(EntityCache, KeepsWhatIsInUseWithinItsBudget) {
  // 16 shards; about 8 entries of 1 KB fit in each.
  const size_t budget = 16 * 8 * 1200;
  Phase phase;
  EntityCache cache(budget, phase.reader());
  std::string doc(1000, 'x');
  for (int i = 0; i < 2000; ++i) {
    std::string id = "urn:e:" + std::to_string(i);
    cache.fill(id, doc, cache.fill_ticket());
    if (i >= 1) cache.find("urn:e:0");  // kept in use: never the one evicted
  }
  auto stats = cache.stats();
  EXPECT_LE(stats.bytes, budget);
  EXPECT_GT(stats.evictions, 1000u);
  EXPECT_GT(stats.entries, 16u * 4);
  EXPECT_TRUE(cache.find("urn:e:0"));
  EXPECT_TRUE(cache.find("urn:e:1999"));
  EXPECT_FALSE(cache.find("urn:e:1"));
}

TEST(EntityCache, ZeroBudgetKeepsNothing) {
  Phase phase;
  EntityCache cache(0, phase.reader());
  cache.fill("a", "1", cache.fill_ticket());
  EXPECT_EQ(cache.find("a"), nullptr);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(EntityCache, ADocumentLargerThanAShardIsNotKept) {
  Phase phase;
  EntityCache cache(16 * 100, phase.reader());
  cache.fill("a", std::string(200, 'x'), cache.fill_ticket());
  EXPECT_EQ(cache.find("a"), nullptr);
}

// Through a real tenant: every write that was acknowledged is seen by every
// GET that starts after it, while other threads keep filling the cache with
// what they read. Writers each own some entities and count up; a writer
// reads its entity back right after each acknowledged write, and readers
// check that no entity's count ever goes back. A small budget makes
// evictions and refills part of the run; without the cache, the same run
// checks the read connections' kept snapshots (sqlite_tenant.h), which once
// let a GET return an older document than an earlier GET had: a snapshot
// from before a COMMIT looked current until the commit was counted.
struct ConcurrentRun {
  int stale = 0, went_back = 0, failed_writes = 0;
  EntityCache::Stats cache;
};

ConcurrentRun run_writers_and_readers(size_t cache_bytes) {
  TempDir dir;
  SqliteTenant tenant("", dir.path() / "machi.db", Durability::kProcess, cache_bytes);
  constexpr int kWriters = 3, kReaders = 3, kEntitiesPerWriter = 4, kRounds = 200;
  auto id_of = [](int writer, int k) { return "urn:ngsi-ld:T:" + std::to_string(writer) + ":" + std::to_string(k); };
  auto count_of = [](const std::optional<Json>& doc) -> int64_t {
    if (!doc) return -1;
    return (*doc)["attrs"][iri("n")][0]["value"].get<int64_t>();
  };
  auto write = [&](const std::string& id, int64_t n) {
    auto results = tenant.write({put(entity(id, "T", {{"n", property(n)}, {"pad", property(std::string(900, 'p'))}}))});
    return results.size() == 1 && results[0].ok;
  };
  for (int w = 0; w < kWriters; ++w) {
    for (int k = 0; k < kEntitiesPerWriter; ++k) EXPECT_TRUE(write(id_of(w, k), 0));
  }

  std::atomic<int> stale{0}, went_back{0}, failed_writes{0};
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int64_t n = 1; n <= kRounds; ++n) {
        for (int k = 0; k < kEntitiesPerWriter; ++k) {
          std::string id = id_of(w, k);
          if (!write(id, n)) failed_writes++;
          if (count_of(tenant.get(id)) != n) stale++;
        }
      }
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      std::vector<int64_t> seen(kWriters * kEntitiesPerWriter, 0);
      while (writing.load()) {
        for (int w = 0; w < kWriters; ++w) {
          for (int k = 0; k < kEntitiesPerWriter; ++k) {
            int64_t n = count_of(tenant.get(id_of(w, k)));
            int64_t& last = seen[w * kEntitiesPerWriter + k];
            if (n < last) went_back++;
            last = std::max(last, n);
          }
        }
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  writing = false;
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();

  for (int w = 0; w < kWriters; ++w) {
    for (int k = 0; k < kEntitiesPerWriter; ++k) EXPECT_EQ(count_of(tenant.get(id_of(w, k))), kRounds);
  }
  ConcurrentRun run{stale.load(), went_back.load(), failed_writes.load(), tenant.cache_stats()};
  tenant.close();
  return run;
}

TEST(EntityCacheTenant, GetSeesEveryAcknowledgedWriteUnderConcurrentFills) {
  ConcurrentRun run = run_writers_and_readers(/*cache_bytes=*/16 * 2000);
  EXPECT_EQ(run.failed_writes, 0);
  EXPECT_EQ(run.stale, 0) << "a GET missed an acknowledged write";
  EXPECT_EQ(run.went_back, 0) << "a GET returned an older document than an earlier GET";
  EXPECT_GT(run.cache.hits, 0u);
  EXPECT_GT(run.cache.fills, 0u);
  EXPECT_GT(run.cache.evictions, 0u);
}

TEST(EntityCacheTenant, WithoutTheCacheReadsNeverGoBackEither) {
  ConcurrentRun run = run_writers_and_readers(/*cache_bytes=*/0);
  EXPECT_EQ(run.failed_writes, 0);
  EXPECT_EQ(run.stale, 0) << "a GET missed an acknowledged write";
  EXPECT_EQ(run.went_back, 0) << "a GET returned an older document than an earlier GET";
  EXPECT_EQ(run.cache.hits, 0u);
}

TEST(EntityCacheTenant, DeletedEntityIsGoneFromGet) {
  TempDir dir;
  SqliteTenant tenant("", dir.path() / "machi.db", Durability::kProcess, 1 << 20);
  Json doc = entity("urn:ngsi-ld:T:1", "T", {{"n", property(1)}});
  expect_all_ok(tenant.write({put(doc)}));
  EXPECT_EQ(tenant.get("urn:ngsi-ld:T:1"), doc);
  EXPECT_EQ(tenant.get("urn:ngsi-ld:T:1"), doc);  // from the cache
  EXPECT_EQ(tenant.cache_stats().hits, 1u);
  expect_all_ok(tenant.write({remove("urn:ngsi-ld:T:1")}));
  EXPECT_EQ(tenant.get("urn:ngsi-ld:T:1"), std::nullopt);
  tenant.close();
}

}  // namespace
}  // namespace machi::store
