// The checkpointer copies committed WAL pages into the database file on its
// own thread, beside a writer that keeps its connection open.
#include "store/checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/store_test_util.h"

namespace machi::store {
namespace {

using testing::TempDir;

Db open_wal_writer(const std::filesystem::path& file) {
  Db db(file, Db::Mode::kReadWriteCreate);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = NORMAL;");
  db.exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y TEXT)");
  return db;
}

bool wait_for(const Checkpointer& c, uint64_t at_least) {
  for (int i = 0; i < 500 && c.checkpoints() < at_least; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return c.checkpoints() >= at_least;
}

TEST(Checkpointer, CopiesTheWalIntoTheDatabaseFileBesideAnOpenWriter) {
  TempDir dir;
  auto file = dir.path() / "t.db";
  Db writer = open_wal_writer(file);
  writer.exec("BEGIN");
  for (int i = 0; i < 2000; ++i) writer.exec("INSERT INTO t(y) VALUES (hex(randomblob(200)))");
  writer.exec("COMMIT");
  auto before = std::filesystem::file_size(file);

  Checkpointer checkpointer(file);
  checkpointer.request();
  ASSERT_TRUE(wait_for(checkpointer, 1));
  EXPECT_GT(std::filesystem::file_size(file), before + 500 * 1000);

  // The writer goes on after the checkpoint, and a fresh reader sees every row.
  writer.exec("INSERT INTO t(y) VALUES ('after')");
  checkpointer.request();
  ASSERT_TRUE(wait_for(checkpointer, 2));
  checkpointer.stop();
  Db reader(file, Db::Mode::kReadWrite);
  EXPECT_EQ(reader.scalar("SELECT count(*) FROM t"), 2001);
}

TEST(Checkpointer, StopsWithoutARequestAndTwice) {
  TempDir dir;
  auto file = dir.path() / "t.db";
  Db writer = open_wal_writer(file);
  Checkpointer checkpointer(file);
  checkpointer.stop();
  checkpointer.stop();
  EXPECT_EQ(checkpointer.checkpoints(), 0u);
}

}  // namespace
}  // namespace machi::store
