#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "store/ledger_store.h"
#include "store/sqlite_db.h"
#include "store/store_test_util.h"

namespace machi::store {
namespace {

using testing::TempDir;

// The store never hashes: any 32 bytes will do as a "hash" here.
Digest digest(int seed) {
  Digest d;
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<unsigned char>(seed * 31 + i);
  return d;
}

LedgerRecord record(uint64_t index, std::vector<std::string> subjects = {}) {
  LedgerRecord r;
  r.index = index;
  r.commitment = digest(static_cast<int>(index));
  r.leaf_hash = digest(1000 + static_cast<int>(index));
  r.salt = std::string("\x00\x01salt-bytes-16", 16);
  r.text = R"({"n":)" + std::to_string(index) + "}";
  r.subjects = std::move(subjects);
  return r;
}

LedgerBatch batch_of(uint64_t begin, uint64_t end, std::vector<std::string> subjects = {}) {
  LedgerBatch b;
  for (uint64_t i = begin; i < end; ++i) b.records.push_back(record(i, subjects));
  b.state = {end, digest(static_cast<int>(end) + 5000)};
  return b;
}

TEST(sqlite_ledger, FileNames) {
  EXPECT_EQ(ledger_file("/d", ""), std::filesystem::path("/d/ledger/default.db"));
  EXPECT_EQ(ledger_file("/d", "city1"), std::filesystem::path("/d/ledger/t-city1.db"));
  EXPECT_EQ(ledger_file("/d", "Tokyo/x"), std::filesystem::path("/d/ledger/t-%54okyo%2Fx.db"));
  EXPECT_THROW(ledger_file("/d", " "), Error);
}

TEST(sqlite_ledger, ListsTenantsFromTheFiles) {
  TempDir dir;
  EXPECT_TRUE(ledger_tenants(dir.path()).empty());
  std::string long_name(300 / 3, 'X');  // encodes to more than a plain file name may hold
  for (const std::string& tenant : {std::string("b"), std::string(), std::string("Tokyo/x"), long_name}) {
    open_sqlite_ledger(ledger_file(dir.path(), tenant).string(), Durability::kProcess, tenant)->close();
  }
  EXPECT_EQ(ledger_tenants(dir.path()), (std::vector<std::string>{"", "Tokyo/x", long_name, "b"}));
}

TEST(sqlite_ledger, AppendsAndReadsBack) {
  TempDir dir;
  auto store = open_sqlite_ledger((dir.path() / "l.db").string(), Durability::kFull);
  EXPECT_EQ(store->snapshot()->tree_state().size, 0u);
  LedgerBatch b = batch_of(0, 4, {"alice", "bob"});
  b.nodes = {{1, 0, digest(7)}, {1, 1, digest(8)}, {2, 0, digest(9)}};
  store->append(b);
  auto snap = store->snapshot();
  EXPECT_EQ(snap->tree_state().size, 4u);
  EXPECT_EQ(snap->tree_state().root, b.state.root);
  std::vector<LedgerNodeRef> refs = {{0, 3}, {1, 1}, {2, 0}, {2, 1}, {0, 4}};
  auto nodes = snap->nodes(refs);
  ASSERT_EQ(nodes.size(), 5u);
  EXPECT_EQ(nodes[0], digest(1003));
  EXPECT_EQ(nodes[1], digest(8));
  EXPECT_EQ(nodes[2], digest(9));
  EXPECT_EQ(nodes[3], std::nullopt);
  EXPECT_EQ(nodes[4], std::nullopt);
  auto leaves = snap->leaves(1, 3);
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0].index, 1u);
  EXPECT_EQ(leaves[0].commitment, digest(1));
  EXPECT_EQ(leaves[0].salt, b.records[1].salt);
  EXPECT_EQ(leaves[0].text, R"({"n":1})");
  EXPECT_EQ(snap->level_nodes(1, 0, 10).size(), 2u);
  EXPECT_EQ(snap->last_leaf_index(), 3u);
  EXPECT_EQ(snap->last_node_index(2), 0u);
  EXPECT_EQ(snap->last_node_index(3), std::nullopt);
}

TEST(sqlite_ledger, RefusesAGapAndKeepsNothingOfIt) {
  TempDir dir;
  auto store = open_sqlite_ledger((dir.path() / "l.db").string(), Durability::kProcess);
  store->append(batch_of(0, 2));
  EXPECT_THROW(store->append(batch_of(3, 5)), Error);
  EXPECT_THROW(store->append(batch_of(0, 2)), Error);
  LedgerBatch wrong_size = batch_of(2, 3);
  wrong_size.state.size = 7;
  EXPECT_THROW(store->append(wrong_size), Error);
  EXPECT_EQ(store->snapshot()->tree_state().size, 2u);
  EXPECT_EQ(store->snapshot()->last_leaf_index(), 1u);
  store->append(batch_of(2, 3));
  EXPECT_EQ(store->snapshot()->tree_state().size, 3u);
}

TEST(sqlite_ledger, SubjectPagesAndErasure) {
  TempDir dir;
  auto store = open_sqlite_ledger((dir.path() / "l.db").string(), Durability::kFull);
  store->append(batch_of(0, 5, {"s1"}));
  store->append(batch_of(5, 7, {"s2", "s1"}));
  auto page = store->snapshot()->about_subject("s1", std::nullopt, 3);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[2].index, 2u);
  page = store->snapshot()->about_subject("s1", 2, 100);
  ASSERT_EQ(page.size(), 4u);
  EXPECT_EQ(page[0].index, 3u);
  EXPECT_EQ(store->snapshot()->about_subject("s2", std::nullopt, 100).size(), 2u);
  EXPECT_TRUE(store->snapshot()->about_subject("s1", std::nullopt, 0).empty());

  EXPECT_TRUE(store->erase(5));
  EXPECT_FALSE(store->erase(5));
  EXPECT_FALSE(store->erase(99));
  auto snap = store->snapshot();
  auto leaf = snap->leaves(5, 6).at(0);
  EXPECT_EQ(leaf.commitment, digest(5));  // the leaf stays
  EXPECT_EQ(leaf.salt, std::nullopt);
  EXPECT_EQ(leaf.text, std::nullopt);
  EXPECT_EQ(snap->about_subject("s2", std::nullopt, 100).size(), 1u);
  EXPECT_EQ(snap->about_subject("s1", std::nullopt, 100).size(), 6u);
}

TEST(sqlite_ledger, ErasedTextLeavesNoTraceInTheFile) {
  TempDir dir;
  std::string file = (dir.path() / "l.db").string();
  auto store = open_sqlite_ledger(file, Durability::kFull);
  LedgerBatch b = batch_of(0, 1, {"pseudonym-zz9"});
  b.records[0].text = R"({"secret":"needle-4711"})";
  store->append(b);
  store->erase(0);
  store->close();  // checkpoints the WAL into the file
  std::string bytes;
  for (const auto& name : {file, file + "-wal"}) {
    if (!std::filesystem::exists(name)) continue;
    std::ifstream in(name, std::ios::binary);
    bytes += std::string(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(bytes.find("needle-4711"), std::string::npos);
  EXPECT_EQ(bytes.find("pseudonym-zz9"), std::string::npos);
}

TEST(sqlite_ledger, SnapshotsAreIsolatedAndStatePersists) {
  TempDir dir;
  std::string file = (dir.path() / "l.db").string();
  {
    auto store = open_sqlite_ledger(file, Durability::kFull, "t");
    store->append(batch_of(0, 2));
    auto before = store->snapshot();
    EXPECT_EQ(before->tree_state().size, 2u);
    store->append(batch_of(2, 3));
    EXPECT_EQ(before->tree_state().size, 2u);
    EXPECT_EQ(before->last_leaf_index(), 1u);
    EXPECT_EQ(store->snapshot()->tree_state().size, 3u);
  }
  auto store = open_sqlite_ledger(file, Durability::kFull, "t");
  EXPECT_EQ(store->snapshot()->tree_state().size, 3u);
  Db db(file, Db::Mode::kReadWrite);
  EXPECT_EQ(db.scalar("PRAGMA user_version"), 1);
  store->close();
  EXPECT_THROW(store->append(batch_of(3, 4)), Error);
}

// The subject index is written after the entries' commit (in its own
// transaction, gathered); a crash in between must not lose an entry from
// its subjects' pages: the next open indexes it from entries.subjects.
TEST(sqlite_ledger, SubjectIndexIsRepairedAfterACrash) {
  TempDir dir;
  std::filesystem::path file = dir.path() / "l.db";
  std::filesystem::path copy = dir.path() / "crashed.db";
  auto store = open_sqlite_ledger(file.string(), Durability::kFull);
  store->append(batch_of(0, 3, {"alice"}));
  // Readers see what is committed, index included.
  EXPECT_EQ(store->snapshot()->about_subject("alice", std::nullopt, 10).size(), 3u);
  store->append(batch_of(3, 5, {"alice", "bob"}));
  // A crash image now: the files as they are on disk (the last two entries
  // are committed, their index rows are still pending in memory).
  for (const char* suffix : {"", "-wal"}) {
    std::filesystem::copy_file(file.string() + suffix, copy.string() + suffix);
  }
  store->close();
  auto reopened = open_sqlite_ledger(copy.string(), Durability::kFull);
  auto snapshot = reopened->snapshot();
  EXPECT_EQ(snapshot->about_subject("alice", std::nullopt, 10).size(), 5u);
  auto bob = snapshot->about_subject("bob", std::nullopt, 10);
  ASSERT_EQ(bob.size(), 2u);
  EXPECT_EQ(bob[0].index, 3u);
  EXPECT_EQ(bob[1].index, 4u);
  snapshot.reset();
  reopened->close();
}

}  // namespace
}  // namespace machi::store
