#include "store/sqlite_db.h"

namespace machi::store {

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

std::string Stmt::sql_text() const {
  const char* sql = sqlite3_sql(stmt_);
  return sql ? sql : "";
}

namespace {

[[noreturn]] void throw_bind(sqlite3_stmt* stmt, int rc) {
  sqlite3* db = sqlite3_db_handle(stmt);
  throw SqliteError(rc, std::string("sqlite bind: ") + sqlite3_errmsg(db));
}

}  // namespace

void Stmt::bind(int i, std::nullptr_t) {
  if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) throw_bind(stmt_, rc);
}

void Stmt::bind(int i, int64_t v) {
  if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) throw_bind(stmt_, rc);
}

void Stmt::bind(int i, double v) {
  if (int rc = sqlite3_bind_double(stmt_, i, v); rc != SQLITE_OK) throw_bind(stmt_, rc);
}

void Stmt::bind(int i, std::string_view v, bool copy) {
  int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), copy ? SQLITE_TRANSIENT : SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) throw_bind(stmt_, rc);
}

void Stmt::clear() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step's own code is the extended one since 3.7.x with v2 prepare.
  sqlite3* db = sqlite3_db_handle(stmt_);
  std::string message = std::string("sqlite: ") + sqlite3_errmsg(db) + " in: " + sql_text();
  sqlite3_reset(stmt_);
  throw SqliteError(rc, message);
}

std::string_view Stmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

Db::Db(const std::filesystem::path& file, Mode mode) {
  // NOMUTEX: every connection is used by one thread at a time (the writer
  // thread, or a reader borrowed from a pool), so SQLite's own mutexes on the
  // connection are pure overhead.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == Mode::kReadWriteCreate) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = std::string("cannot open ") + file.string() + ": " + (db_ ? sqlite3_errmsg(db_) : "");
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(rc, message);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Db::Db(Db&& other) noexcept : db_(other.db_), cache_(std::move(other.cache_)) {
  other.db_ = nullptr;
}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    close();
    db_ = other.db_;
    cache_ = std::move(other.cache_);
    other.db_ = nullptr;
  }
  return *this;
}

Db::~Db() { close(); }

void Db::close() {
  cache_.clear();  // statements must be finalized before the connection closes
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

void Db::fail(int code, std::string_view context) const {
  throw SqliteError(code, std::string("sqlite: ") + sqlite3_errmsg(db_) + " in: " + std::string(context));
}

void Db::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = std::string("sqlite: ") + (message ? message : sqlite3_errstr(rc)) + " in: " + text;
    sqlite3_free(message);
    throw SqliteError(rc, what);
  }
}

Stmt Db::prepare(std::string_view sql, bool persistent) {
  sqlite3_stmt* stmt = nullptr;
  unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt, nullptr);
  if (rc != SQLITE_OK) fail(rc, sql);
  return Stmt(stmt);
}

Stmt& Db::cached(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) return *it->second;
  auto stmt = std::make_unique<Stmt>(prepare(sql, true));
  return *cache_.emplace(std::move(key), std::move(stmt)).first->second;
}

void Db::trim_cache(size_t max_cached) {
  if (cache_.size() > max_cached) cache_.clear();
}

std::optional<int64_t> Db::scalar(std::string_view sql) {
  Stmt stmt = prepare(sql);
  if (!stmt.step() || stmt.is_null(0)) return std::nullopt;
  return stmt.int64(0);
}

// Cached statements: sqlite3_exec would compile BEGIN and COMMIT anew each
// time, which cost more than a point query's whole read transaction.
Transaction::Transaction(Db& db, const char* begin) : db_(db) { db_.cached(begin).exec(); }

Transaction::~Transaction() {
  if (open_ && db_.in_transaction()) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.cached("COMMIT").exec();
  open_ = false;
}

ReadSnapshot::ReadSnapshot(Db& db) : db_(db) {
  if (db_.in_transaction()) return;
  db_.cached("BEGIN").exec();
  began_ = true;
}

ReadSnapshot::~ReadSnapshot() {
  if (began_ && db_.in_transaction()) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace machi::store
