// The change feed: every committed entity change, in commit order, across
// a reopen; waiting for changes; pruning.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/store_test_util.h"

namespace machi::store {
namespace {

using testing::TempDir;
using testing::entity;
using testing::iri;
using testing::property;

using testing::put;
Mutation erase(const std::string& id) { return testing::remove(id); }

TEST(ChangeFeed, RecordsCreationsUpdatesAndDeletionsInOrder) {
  TempDir dir;
  auto store = open_sqlite_store({dir.path().string(), Durability::kProcess});
  auto tenant = store->tenant("", true);
  EXPECT_EQ(tenant->last_change_seq(), 0);
  tenant->write({put(entity("urn:a:1", "Room", {{"temperature", property(20)}}))});
  tenant->write({put(entity("urn:a:1", "Room", {{"temperature", property(21, 1700000001000)}}))});
  tenant->write({put(entity("urn:a:1", "Room", {{"temperature", property(21, 1700000001000)}}))});  // no change
  tenant->write({erase("urn:a:1")});
  auto changes = tenant->changes_after(0, 100);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kCreated);
  EXPECT_EQ(changes[1].kind, ChangeKind::kUpdated);
  EXPECT_EQ(changes[2].kind, ChangeKind::kDeleted);
  EXPECT_EQ(changes[1].attrs, std::vector<std::string>{iri("temperature")});
  EXPECT_LT(changes[0].seq, changes[1].seq);
  EXPECT_EQ(tenant->last_change_seq(), changes[2].seq);
  EXPECT_EQ(tenant->changes_after(changes[1].seq, 100).size(), 1u);
  EXPECT_EQ(tenant->changes_after(0, 2).size(), 2u);
}

TEST(ChangeFeed, SurvivesReopenAndPruningKeepsSeqIncreasing) {
  TempDir dir;
  int64_t last = 0;
  {
    auto store = open_sqlite_store({dir.path().string(), Durability::kProcess});
    auto tenant = store->tenant("", true);
    for (int i = 0; i < 5; ++i) tenant->write({put(entity("urn:a:" + std::to_string(i), "Room"))});
    last = tenant->last_change_seq();
    tenant->prune_changes(last);
    EXPECT_EQ(tenant->changes_after(0, 100).size(), 1u);  // the row at the cursor stays
    store->close();
  }
  auto store = open_sqlite_store({dir.path().string(), Durability::kProcess});
  auto tenant = store->tenant("", true);
  EXPECT_EQ(tenant->last_change_seq(), last);
  tenant->write({put(entity("urn:b:1", "Room"))});
  auto changes = tenant->changes_after(last, 100);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_GT(changes[0].seq, last);
  EXPECT_EQ(changes[0].entity_id, "urn:b:1");
}

TEST(ChangeFeed, WaitWakesOnCommit) {
  TempDir dir;
  auto store = open_sqlite_store({dir.path().string(), Durability::kProcess});
  auto tenant = store->tenant("", true);
  auto start = std::chrono::steady_clock::now();
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    tenant->write({put(entity("urn:a:1", "Room"))});
  });
  int64_t seq = tenant->wait_for_changes(0, std::chrono::seconds(10));
  writer.join();
  EXPECT_GT(seq, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // Nothing new: the wait ends at the timeout.
  EXPECT_EQ(tenant->wait_for_changes(seq, std::chrono::milliseconds(20)), seq);
}

}  // namespace
}  // namespace machi::store
