#include "store/schema.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace machi::store {
namespace {

using testing::TempDir;

int64_t user_version(Db& db) { return db.scalar("PRAGMA user_version").value_or(-1); }

TEST(Schema, MigratesAVersionZeroFile) {
  TempDir dir;
  auto file = dir.path() / "machi.db";
  {
    // A file from before any schema: user_version 0 (SQLite's default).
    Db db(file, Db::Mode::kReadWriteCreate);
    db.exec("CREATE TABLE unrelated(x); INSERT INTO unrelated VALUES(1);");
    EXPECT_EQ(user_version(db), 0);
  }
  {
    auto store = open_sqlite_store({dir.path().string()});
    auto tenant = store->tenant("", false);
    testing::expect_all_ok(tenant->write({testing::put(testing::entity("urn:m", "T"))}));
  }
  Db db(file, Db::Mode::kReadWrite);
  EXPECT_EQ(user_version(db), latest_schema_version());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM entities"), 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM unrelated"), 1);
  Stmt mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.str(0), "wal");
}

// machi's later versions add steps; this checks the mechanism with steps of
// its own: an old file keeps its data and gains what the new steps add.
TEST(Schema, AppliesOnlyMissingStepsInOrder) {
  TempDir dir;
  Db db(dir.path() / "x.db", Db::Mode::kReadWriteCreate);
  std::vector<std::string> ran;
  std::vector<Migration> v1 = {
      {1, "create", [&](Db& d) { ran.push_back("1"); d.exec("CREATE TABLE t(a); INSERT INTO t VALUES(7);"); }},
  };
  migrate(db, v1);
  EXPECT_EQ(user_version(db), 1);
  std::vector<Migration> v3 = v1;
  v3.push_back({2, "add column", [&](Db& d) { ran.push_back("2"); d.exec("ALTER TABLE t ADD COLUMN b DEFAULT 1"); }});
  v3.push_back({3, "fill", [&](Db& d) { ran.push_back("3"); d.exec("UPDATE t SET b = a * 2"); }});
  migrate(db, v3);
  EXPECT_EQ(ran, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(user_version(db), 3);
  EXPECT_EQ(db.scalar("SELECT b FROM t"), 14);
  migrate(db, v3);  // nothing left to do
  EXPECT_EQ(ran.size(), 3u);
}

TEST(Schema, FailedStepChangesNothing) {
  TempDir dir;
  Db db(dir.path() / "x.db", Db::Mode::kReadWriteCreate);
  std::vector<Migration> steps = {
      {1, "ok", [](Db& d) { d.exec("CREATE TABLE t(a)"); }},
      {2, "broken", [](Db& d) { d.exec("CREATE TABLE u(b); THIS IS NOT SQL"); }},
  };
  EXPECT_THROW(migrate(db, steps), SqliteError);
  EXPECT_EQ(user_version(db), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema WHERE name IN ('t', 'u')"), 0);
  EXPECT_FALSE(db.in_transaction());
}

TEST(Schema, RefusesANewerFile) {
  TempDir dir;
  auto file = dir.path() / "machi.db";
  {
    Db db(file, Db::Mode::kReadWriteCreate);
    db.exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1));
  }
  EXPECT_THROW(open_sqlite_store({dir.path().string()}), Error);
}

TEST(Schema, WriterAndReaderPragmas) {
  TempDir dir;
  auto file = dir.path() / "x.db";
  Db writer = open_writer(file, Durability::kFull);
  EXPECT_EQ(writer.scalar("PRAGMA synchronous"), 2);  // FULL
  Db reader = open_reader(file);
  EXPECT_EQ(reader.scalar("PRAGMA query_only"), 1);
  EXPECT_THROW(reader.exec("INSERT INTO meta VALUES('a', 'b')"), SqliteError);
  Db normal = open_writer(dir.path() / "y.db", Durability::kProcess);
  EXPECT_EQ(normal.scalar("PRAGMA synchronous"), 1);  // NORMAL
}

}  // namespace
}  // namespace machi::store
