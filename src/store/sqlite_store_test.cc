#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <iostream>
#include <thread>

#include "store/schema.h"
#include "store/sqlite_db.h"
#include "store/sqlite_tenant.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace machi::store {
namespace {

using namespace testing;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open(Durability durability = Durability::kFull) {
    store_ = open_sqlite_store({dir_.path().string(), durability});
    tenant_ = store_->tenant("", false);
  }
  void reopen() {
    tenant_.reset();
    store_->close();
    store_.reset();
    open();
  }
  // Row counts of an index table, read from the file directly.
  int64_t count(const std::string& table, const std::string& tenant_file = "machi.db") {
    Db db(dir_.path() / tenant_file, Db::Mode::kReadWrite);
    return db.scalar("SELECT count(*) FROM " + table).value_or(-1);
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<TenantStore> tenant_;
};

TEST_F(SqliteStoreTest, PutGetDelete) {
  Json doc = entity("urn:ngsi-ld:Spot:1", "ParkingSpot", {{"status", property("free")}, {"location", point(139.7, 35.6)}});
  auto results = tenant_->write({put(doc)});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_FALSE(results[0].existed);
  EXPECT_TRUE(results[0].exists);
  EXPECT_EQ(tenant_->get("urn:ngsi-ld:Spot:1"), doc);
  EXPECT_EQ(tenant_->get("urn:ngsi-ld:Spot:2"), std::nullopt);

  results = tenant_->write({remove("urn:ngsi-ld:Spot:1")});
  EXPECT_TRUE(results[0].ok);
  EXPECT_TRUE(results[0].existed);
  EXPECT_FALSE(results[0].exists);
  EXPECT_EQ(tenant_->get("urn:ngsi-ld:Spot:1"), std::nullopt);
  // Every index row went with the entity.
  for (const char* table : {"entities", "entity_types", "entity_attrs", "attr_values", "geo", "type_attrs"}) {
    EXPECT_EQ(count(table), 0) << table;
  }
}

TEST_F(SqliteStoreTest, DeletingAMissingEntityIsANoOp) {
  auto results = tenant_->write({remove("urn:x")});
  EXPECT_TRUE(results[0].ok);
  EXPECT_FALSE(results[0].existed);
  EXPECT_FALSE(results[0].exists);
}

TEST_F(SqliteStoreTest, MutatorSeesCurrentDocumentAndResultsKeepOrder) {
  tenant_->write({put(entity("urn:a", "T", {{"n", property(1)}}))});
  std::vector<Mutation> batch;
  for (int i = 0; i < 3; ++i) {
    batch.push_back({"urn:a", [](const std::optional<Json>& current) -> std::optional<Json> {
                       Json next = *current;
                       auto& value = next["attrs"][iri("n")][0]["value"];
                       value = value.get<int>() * 10;
                       return next;
                     }});
  }
  batch.push_back(put(entity("urn:b", "T")));
  auto results = tenant_->write(std::move(batch));
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[3].entity_id, "urn:b");
  expect_all_ok(results);
  EXPECT_EQ((*tenant_->get("urn:a"))["attrs"][iri("n")][0]["value"], 1000);
}

TEST_F(SqliteStoreTest, RejectedMutationRollsBackOnlyItself) {
  auto reject = [](ErrorType type) {
    return [type](const std::optional<Json>&) -> std::optional<Json> { throw Error(type, "no"); };
  };
  std::vector<Mutation> batch;
  batch.push_back(put(entity("urn:1", "T", {{"a", property(1)}})));
  batch.push_back({"urn:2", reject(ErrorType::kAlreadyExists)});
  batch.push_back({"urn:3", [](const std::optional<Json>&) -> std::optional<Json> { throw std::runtime_error("x"); }});
  // A document that fails index building (invalid geometry) is rejected too.
  Json bad = entity("urn:4", "T", {{"location", point(500, 0)}});
  batch.push_back(put(bad));
  // A document with another id is a programming error of the mutator.
  batch.push_back({"urn:5", [](const std::optional<Json>&) -> std::optional<Json> { return entity("urn:6", "T"); }});
  batch.push_back(put(entity("urn:7", "U", {{"b", property("x")}})));
  auto results = tenant_->write(std::move(batch));
  ASSERT_EQ(results.size(), 6u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_FALSE(results[1].ok);
  EXPECT_EQ(results[1].error->type(), ErrorType::kAlreadyExists);
  EXPECT_EQ(results[2].error->type(), ErrorType::kInternalError);
  EXPECT_EQ(results[3].error->type(), ErrorType::kBadRequestData);
  EXPECT_EQ(results[4].error->type(), ErrorType::kInternalError);
  EXPECT_TRUE(results[5].ok);
  EXPECT_FALSE(tenant_->get("urn:4"));
  EXPECT_FALSE(tenant_->get("urn:5"));
  EXPECT_FALSE(tenant_->get("urn:6"));
  EXPECT_EQ(count("entities"), 2);
  EXPECT_EQ(count("entity_types"), 2);
  EXPECT_EQ(count("entity_attrs"), 2);
  EXPECT_EQ(count("attr_values"), 2);
  EXPECT_EQ(count("geo"), 0);
  EXPECT_EQ(count("history"), 2);
}

// A failure while writing (after the mutator succeeded) rolls back to the
// mutation's savepoint: its entity row, index rows and new names go, the
// others of the batch stay.
TEST_F(SqliteStoreTest, StorageFailureRollsBackOnlyThatMutation) {
  {
    Db db(dir_.path() / "machi.db", Db::Mode::kReadWrite);
    db.exec(
        "CREATE TRIGGER boom BEFORE INSERT ON history_entities "
        "WHEN NEW.entity_id = 'urn:boom' "
        "BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END");
  }
  auto results = tenant_->write({put(entity("urn:ok1", "First", {{"a", property(1)}})),
                                 put(entity("urn:boom", "Second", {{"b", property(2)}, {"location", point(1, 2)}})),
                                 put(entity("urn:ok2", "Second", {{"b", property(3)}}))});
  EXPECT_TRUE(results[0].ok);
  EXPECT_FALSE(results[1].ok);
  EXPECT_EQ(results[1].error->type(), ErrorType::kInternalError);
  EXPECT_TRUE(results[2].ok);
  EXPECT_FALSE(tenant_->get("urn:boom"));
  EXPECT_EQ(count("entities"), 2);
  EXPECT_EQ(count("geo"), 0);
  EXPECT_EQ(count("attr_values"), 2);
  // Every interned id in use exists: the rolled-back insert of "Second" and
  // "b" was not kept in the writer's cache.
  Db db(dir_.path() / "machi.db", Db::Mode::kReadWrite);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM entity_types t JOIN terms n ON n.id = t.type"), 2);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM entity_attrs a JOIN terms n ON n.id = a.attr"), 2);
  auto types = tenant_->types();
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(types[1].type, iri("Second"));
  EXPECT_EQ(types[1].attrs, std::vector<std::string>{iri("b")});
}

TEST_F(SqliteStoreTest, RejectionOfAnUpdateKeepsTheOldDocumentAndIndexes) {
  Json doc = entity("urn:1", "T", {{"a", property(1)}, {"location", point(1, 2)}});
  tenant_->write({put(doc)});
  auto results = tenant_->write({put(entity("urn:1", "T", {{"location", point(1, 200)}}))});
  EXPECT_FALSE(results[0].ok);
  EXPECT_TRUE(results[0].existed);
  EXPECT_TRUE(results[0].exists);
  EXPECT_EQ(tenant_->get("urn:1"), doc);
  EXPECT_EQ(count("attr_values"), 1);
  EXPECT_EQ(count("geo"), 1);
}

TEST_F(SqliteStoreTest, ConcurrentIncrementsAreSerializedAndGrouped) {
  tenant_->write({put(entity("urn:counter", "Counter", {{"n", property(0)}}))});
  auto increment = [](const std::optional<Json>& current) -> std::optional<Json> {
    Json next = *current;
    auto& value = next["attrs"][iri("n")][0]["value"];
    value = value.get<int>() + 1;
    return next;
  };
  auto* sqlite = dynamic_cast<SqliteTenant*>(tenant_.get());
  ASSERT_NE(sqlite, nullptr);
  CommitStats before = sqlite->stats();
  constexpr int kThreads = 8, kIncrements = 500;
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        auto results = tenant_->write({{"urn:counter", increment}});
        if (!results[0].ok) failures++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ((*tenant_->get("urn:counter"))["attrs"][iri("n")][0]["value"], kThreads * kIncrements);
  CommitStats after = sqlite->stats();
  uint64_t mutations = after.mutations - before.mutations;
  uint64_t commits = after.commits - before.commits;
  EXPECT_EQ(mutations, uint64_t{kThreads * kIncrements});
  // Writers that wait on fsync'd commits share them. How much depends on
  // the disk; GroupsWhatIsQueued below checks the grouping exactly.
  EXPECT_LT(commits, mutations) << "commits=" << commits;
  std::cout << "[          ] " << mutations << " mutations in " << commits << " commits\n";
}

TEST_F(SqliteStoreTest, GroupsWhatIsQueued) {
  auto* sqlite = dynamic_cast<SqliteTenant*>(tenant_.get());
  ASSERT_NE(sqlite, nullptr);
  // Hold the writer in a batch of its own while eight writers queue up.
  std::promise<void> entered, release;
  std::thread blocker([&] {
    sqlite->run_in_writer([&](Db&) {
      entered.set_value();
      release.get_future().wait();
    });
  });
  entered.get_future().wait();
  CommitStats before = sqlite->stats();
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] { expect_all_ok(tenant_->write({put(entity("urn:g:" + std::to_string(t), "T"))})); });
  }
  while (sqlite->stats().queued < 8) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  release.set_value();
  blocker.join();
  for (auto& w : writers) w.join();
  CommitStats after = sqlite->stats();
  EXPECT_EQ(after.commits - before.commits, 2u);  // the blocker's batch, then all eight together
  EXPECT_EQ(after.largest_batch, 8u);
  EntityQuery all;
  all.count = true;
  EXPECT_EQ(tenant_->query(all).total, 8u);
}

TEST_F(SqliteStoreTest, ConcurrentReadersSeeConsistentDocuments) {
  tenant_->write({put(entity("urn:r", "T", {{"a", property(0)}, {"b", property(0)}}))});
  std::atomic<bool> stop = false;
  std::atomic<int> bad = 0;
  std::thread reader([&] {
    while (!stop) {
      auto doc = tenant_->get("urn:r");
      if (!doc || (*doc)["attrs"][iri("a")][0]["value"] != (*doc)["attrs"][iri("b")][0]["value"]) bad++;
    }
  });
  for (int i = 1; i <= 200; ++i) {
    tenant_->write({put(entity("urn:r", "T", {{"a", property(i)}, {"b", property(i)}}))});
  }
  stop = true;
  reader.join();
  EXPECT_EQ(bad, 0);
}

TEST_F(SqliteStoreTest, TenantsAreIsolated) {
  EXPECT_EQ(store_->tenant("city1", false), nullptr);
  auto city1 = store_->tenant("city1", true);
  auto city2 = store_->tenant("City 2/東京", true);
  ASSERT_TRUE(city1 && city2);
  EXPECT_EQ(store_->tenant("city1", false), city1);
  city1->write({put(entity("urn:x", "T", {{"a", property(1)}}))});
  city2->write({put(entity("urn:x", "T", {{"a", property(2)}}))});
  EXPECT_EQ((*city1->get("urn:x"))["attrs"][iri("a")][0]["value"], 1);
  EXPECT_EQ((*city2->get("urn:x"))["attrs"][iri("a")][0]["value"], 2);
  EXPECT_FALSE(tenant_->get("urn:x"));
  EXPECT_EQ(city1->types().size(), 1u);
  EXPECT_TRUE(tenant_->types().empty());
  EXPECT_EQ(store_->tenants(), (std::vector<std::string>{"", "City 2/東京", "city1"}));
  // After a restart the tenants are found from their files.
  city1.reset();
  city2.reset();
  reopen();
  EXPECT_EQ(store_->tenants(), (std::vector<std::string>{"", "City 2/東京", "city1"}));
  ASSERT_NE(store_->tenant("City 2/東京", false), nullptr);
  EXPECT_EQ((*store_->tenant("City 2/東京", false)->get("urn:x"))["attrs"][iri("a")][0]["value"], 2);
}

TEST_F(SqliteStoreTest, LongAndOddTenantNames) {
  std::string long_name(255, '\xff');
  std::string other = long_name;
  other.back() = '\xfe';
  store_->tenant(long_name, true)->write({put(entity("urn:l", "T"))});
  store_->tenant(other, true);
  store_->tenant("..", true);
  store_->tenant("a/../b", true);
  auto names = store_->tenants();
  EXPECT_EQ(names.size(), 5u);
  EXPECT_NE(std::find(names.begin(), names.end(), long_name), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), other), names.end());
  EXPECT_TRUE(store_->tenant(long_name, false)->get("urn:l"));
  EXPECT_FALSE(store_->tenant(other, false)->get("urn:l"));
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "tenants")) {
    EXPECT_LE(entry.path().filename().string().size(), 255u);
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "tenants" / "%2E%2E.db"));
}

TEST_F(SqliteStoreTest, InvalidTenantNamesAreRejected) {
  for (std::string name : {std::string(" "), std::string("\t \n"), std::string(256, 'a')}) {
    try {
      store_->tenant(name, true);
      ADD_FAILURE() << "accepted '" << name << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.type(), ErrorType::kBadRequestData);
    }
  }
}

TEST_F(SqliteStoreTest, HistoryKeepsChangedInstancesOnly) {
  const TimeMs t0 = 1700000000000;
  tenant_->write({put(entity("urn:h", "T", {{"a", property(1, t0)}, {"b", property("x", t0)}}, t0))});
  // b unchanged, a changed, c added.
  tenant_->write({put(entity("urn:h", "T", {{"a", property(2, t0 + 1000)}, {"b", property("x", t0)},
                                             {"c", property(true, t0 + 1000)}},
                             t0 + 1000))});
  // a removed; b gets a second instance (datasetId).
  tenant_->write({put(entity("urn:h", "T",
                             {{"b", Json::array({property("x", t0), property("y", t0 + 2000, "urn:ds:1")})},
                              {"c", property(true, t0 + 1000)}},
                             t0 + 2000))});
  auto all = tenant_->history("urn:h", "", 0, t0 + 10000);
  std::vector<std::tuple<std::string, std::string, TimeMs, bool>> seen;
  for (const auto& p : all) seen.emplace_back(p.attr, p.dataset_id, p.time, p.instance.is_null());
  std::vector<std::tuple<std::string, std::string, TimeMs, bool>> expected = {
      {iri("a"), "", t0, false},          {iri("b"), "", t0, false},
      {iri("a"), "", t0 + 1000, false},   {iri("c"), "", t0 + 1000, false},
      {iri("b"), "urn:ds:1", t0 + 2000, false}, {iri("a"), "", t0 + 2000, true},
  };
  std::sort(seen.begin(), seen.end(), [](const auto& x, const auto& y) { return std::get<2>(x) < std::get<2>(y); });
  EXPECT_EQ(seen.size(), expected.size());
  for (const auto& e : expected) EXPECT_NE(std::find(seen.begin(), seen.end(), e), seen.end()) << std::get<0>(e);
  // One attribute, and the [from, to) window.
  auto a = tenant_->history("urn:h", iri("a"), t0 + 1, t0 + 2000);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].instance["value"], 2);
  EXPECT_EQ(tenant_->history("urn:h", iri("a"), 0, t0 + 2001).size(), 3u);
  // Deleting the entity records the removal of every instance.
  tenant_->write({remove("urn:h")});
  auto after = tenant_->history("urn:h", "", 0, INT64_MAX);
  EXPECT_EQ(std::count_if(after.begin(), after.end(), [](const auto& p) { return p.instance.is_null(); }), 4);
}

TEST_F(SqliteStoreTest, HistoryUsesObservedAt) {
  Json p = property(21.5, 1700000005000);
  p["observedAt"] = "2023-01-01T00:00:00Z";
  tenant_->write({put(entity("urn:o", "T", {{"temperature", p}}))});
  auto points = tenant_->history("urn:o", iri("temperature"), 0, INT64_MAX);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].time, *parse_datetime("2023-01-01T00:00:00Z"));
}

TEST_F(SqliteStoreTest, ReopenSeesEverything) {
  std::vector<Mutation> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(put(entity("urn:d:" + std::to_string(i), "T", {{"i", property(i)}})));
  expect_all_ok(tenant_->write(std::move(batch)));
  store_->tenant("other", true)->write({put(entity("urn:o", "T"))});
  store_->save_context("https://example.org/ctx.jsonld", R"({"@context":{}})");
  reopen();
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(tenant_->get("urn:d:" + std::to_string(i)));
  EXPECT_TRUE(store_->tenant("other", false)->get("urn:o"));
  EXPECT_EQ(store_->load_contexts().size(), 1u);
  EXPECT_EQ(tenant_->types()[0].entity_count, 100u);
}

TEST_F(SqliteStoreTest, ProcessDurabilityWorksToo) {
  reopen();
  tenant_.reset();
  store_->close();
  open(Durability::kProcess);
  expect_all_ok(tenant_->write({put(entity("urn:p", "T"))}));
  reopen();
  EXPECT_TRUE(tenant_->get("urn:p"));
}

TEST_F(SqliteStoreTest, ClosedStoreRefusesWork) {
  store_->close();
  EXPECT_THROW(tenant_->write({put(entity("urn:z", "T"))}), Error);
  EXPECT_THROW(tenant_->get("urn:z"), Error);
  EXPECT_THROW(store_->tenant("x", true), Error);
  store_->close();  // idempotent
}

TEST_F(SqliteStoreTest, TypesAndAttributesSummaries) {
  std::vector<Mutation> batch;
  batch.push_back(put(entity("urn:s1", "Spot", {{"status", property("free")}, {"location", point(1, 1)}})));
  batch.push_back(put(entity("urn:s2", "Spot", {{"status", property("busy")}, {"ref", relationship("urn:p")}})));
  Json multi = entity("urn:m", "Spot", {{"status", property("free")}});
  multi["type"].push_back(iri("Device"));
  batch.push_back(put(multi));
  batch.push_back(put(entity("urn:p", "Parking", {{"name", property("P")}})));
  expect_all_ok(tenant_->write(std::move(batch)));

  auto types = tenant_->types();
  ASSERT_EQ(types.size(), 3u);
  EXPECT_EQ(types[0].type, iri("Device"));
  EXPECT_EQ(types[0].entity_count, 1u);
  EXPECT_EQ(types[0].attrs, std::vector<std::string>{iri("status")});
  EXPECT_EQ(types[1].type, iri("Parking"));
  EXPECT_EQ(types[2].type, iri("Spot"));
  EXPECT_EQ(types[2].entity_count, 3u);
  EXPECT_EQ(types[2].attrs, (std::vector<std::string>{iri("location"), iri("ref"), iri("status")}));

  auto attrs = tenant_->attributes();
  ASSERT_EQ(attrs.size(), 4u);
  EXPECT_EQ(attrs[3].attr, iri("status"));
  EXPECT_EQ(attrs[3].entity_count, 3u);
  EXPECT_EQ(attrs[3].types, (std::vector<std::string>{iri("Device"), iri("Spot")}));
  EXPECT_EQ(attrs[3].attribute_types, std::vector<std::string>{"Property"});
  EXPECT_EQ(attrs[2].attribute_types, std::vector<std::string>{"Relationship"});

  // Counts follow updates and deletions.
  expect_all_ok(tenant_->write({remove("urn:m"), put(entity("urn:s1", "Spot", {{"status", property("busy")}}))}));
  types = tenant_->types();
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(types[1].entity_count, 2u);
  EXPECT_EQ(types[1].attrs, (std::vector<std::string>{iri("ref"), iri("status")}));
  attrs = tenant_->attributes();
  EXPECT_EQ(attrs.size(), 3u);  // location is gone
}

TEST_F(SqliteStoreTest, RecordsPutReadEraseAndSurviveReopen) {
  tenant_ = store_->tenant("city-a", true);
  tenant_->put_records({{"accounts", "alice", R"({"name":"アリス"})"},
                        {"accounts", "bob", "{}"},
                        {"accounts", "bobby", "{}"},
                        {"grants", "g1", "{}"}});
  EXPECT_EQ(tenant_->record("accounts", "alice"), R"({"name":"アリス"})");
  EXPECT_EQ(tenant_->record("accounts", "carol"), std::nullopt);
  EXPECT_EQ(tenant_->records("accounts").size(), 3u);
  auto bobs = tenant_->records("accounts", "bob");
  ASSERT_EQ(bobs.size(), 2u);
  EXPECT_EQ(bobs[0].key, "bob");
  EXPECT_EQ(bobs[1].key, "bobby");
  // A prefix with LIKE's wildcard characters matches only literally.
  EXPECT_TRUE(tenant_->records("accounts", "b%").empty());
  tenant_->put_records({{"accounts", "alice", "{\"v\":2}"}}, {{"accounts", "bob"}});
  EXPECT_EQ(tenant_->record("accounts", "alice"), "{\"v\":2}");
  EXPECT_EQ(tenant_->record("accounts", "bob"), std::nullopt);
  // Another tenant does not see them.
  EXPECT_TRUE(store_->tenant("", false)->records("accounts").empty());
  tenant_.reset();
  store_->close();
  store_.reset();
  store_ = open_sqlite_store({dir_.path().string(), Durability::kFull});
  EXPECT_EQ(store_->tenant("city-a", false)->record("accounts", "alice"), "{\"v\":2}");
  EXPECT_EQ(store_->tenant("city-a", false)->records("grants").size(), 1u);
}

TEST_F(SqliteStoreTest, ContextPersistence) {
  EXPECT_TRUE(store_->load_contexts().empty());
  store_->save_context("u1", "doc1");
  store_->save_context("u2", "doc2");
  store_->save_context("u1", "doc1b");
  auto contexts = store_->load_contexts();
  ASSERT_EQ(contexts.size(), 2u);
  EXPECT_EQ(contexts[0], (std::pair<std::string, std::string>("u1", "doc1b")));
  EXPECT_EQ(contexts[1], (std::pair<std::string, std::string>("u2", "doc2")));
  store_->remove_context("u1");
  store_->remove_context("missing");
  contexts = store_->load_contexts();
  ASSERT_EQ(contexts.size(), 1u);
  EXPECT_EQ(contexts[0].first, "u2");
}

TEST_F(SqliteStoreTest, UnchangedDocumentWritesNothing) {
  Json doc = entity("urn:u", "T", {{"a", property(1)}});
  tenant_->write({put(doc)});
  auto results = tenant_->write({put(doc)});
  EXPECT_TRUE(results[0].ok && results[0].existed && results[0].exists);
  EXPECT_EQ(count("history"), 1);
}

TEST_F(SqliteStoreTest, ValueIndexFollowsUpdates) {
  tenant_->write({put(entity("urn:v", "T", {{"a", property(1)}, {"b", property(Json::array({"x", "y"}))}}))});
  EXPECT_EQ(count("attr_values"), 3);
  tenant_->write({put(entity("urn:v", "T", {{"a", property(2)}, {"b", property("z")}}))});
  Db db(dir_.path() / "machi.db", Db::Mode::kReadWrite);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM attr_values WHERE num = 2"), 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM attr_values WHERE str = 'z'"), 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM attr_values"), 2);
}


// One process at a time per data directory: a second open is refused while
// the first store is open (flock, so a second process is refused too), and
// allowed once it is closed.
TEST(SqliteStoreLock, ASecondOpenOfTheDirectoryIsRefusedUntilTheFirstCloses) {
  testing::TempDir dir;
  auto first = open_sqlite_store({dir.path().string(), Durability::kProcess});
  try {
    open_sqlite_store({dir.path().string(), Durability::kProcess});
    FAIL() << "a second store opened the same directory";
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kServiceUnavailable);
    EXPECT_NE(std::string(e.what()).find("in use by another machi process"), std::string::npos) << e.what();
  }
  first->close();
  EXPECT_NO_THROW(open_sqlite_store({dir.path().string(), Durability::kProcess}));
}

}  // namespace
}  // namespace machi::store
