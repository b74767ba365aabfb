// Thin RAII wrappers around the SQLite C API, used only inside src/store.
//
// Db owns a sqlite3* connection and a cache of prepared statements (prepared
// once, reused for every call). Stmt owns a sqlite3_stmt*. Rows steps a
// statement and resets it when it goes out of scope, so that no statement is
// left half-stepped holding a read snapshot open. Every SQLite failure throws
// SqliteError, a machi::Error of type InternalError that keeps the result code.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "core/error.h"

namespace machi::store {

class SqliteError : public Error {
 public:
  SqliteError(int code, const std::string& what) : Error(ErrorType::kInternalError, what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  sqlite3_stmt* get() const { return stmt_; }

  // Binding, 1-based like SQLite. Text is copied only when `copy` is set:
  // exec() binds its arguments for the duration of the call and needs no copy.
  void bind(int i, std::nullptr_t);
  void bind(int i, int64_t v);
  void bind(int i, int v) { bind(i, static_cast<int64_t>(v)); }
  void bind(int i, size_t v) { bind(i, static_cast<int64_t>(v)); }
  void bind(int i, double v);
  void bind(int i, std::string_view v, bool copy = true);
  void bind(int i, const std::string& v, bool copy = true) { bind(i, std::string_view(v), copy); }
  void bind(int i, const char* v, bool copy = true) { bind(i, std::string_view(v), copy); }
  template <class T>
  void bind(int i, const std::optional<T>& v, bool copy = true) {
    if (!v) {
      bind(i, nullptr);
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      bind(i, std::string_view(*v), copy);
    } else {
      bind(i, *v);
    }
  }
  void clear();                        // reset and clear bindings

  // Steps once: true when a row is available, false when done.
  bool step();

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string_view text(int col) const;
  std::string str(int col) const { return std::string(text(col)); }

  // Binds args to ?1, ?2 ... and runs to completion (INSERT, UPDATE, DELETE ...).
  template <class... Args>
  void exec(const Args&... args) {
    clear();
    int i = 0;
    (bind_nocopy(++i, args), ...);
    while (step()) {
    }
    clear();
  }

 private:
  template <class T>
  void bind_nocopy(int i, const T& v) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      bind(i, std::string_view(v), false);
    } else {
      bind(i, v);
    }
  }
  std::string sql_text() const;

  sqlite3_stmt* stmt_ = nullptr;
};

// Steps a statement; resets it on destruction.
class Rows {
 public:
  explicit Rows(Stmt& stmt) : stmt_(&stmt) {}
  Rows(Rows&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Rows(const Rows&) = delete;
  ~Rows() {
    if (stmt_) stmt_->clear();
  }
  bool next() { return stmt_->step(); }
  Stmt& operator*() { return *stmt_; }
  Stmt* operator->() { return stmt_; }

 private:
  Stmt* stmt_;
};

// Binds args (copying text) and returns the rows.
template <class... Args>
Rows select_rows(Stmt& stmt, const Args&... args) {
  stmt.clear();
  int i = 0;
  (stmt.bind(++i, args), ...);
  return Rows(stmt);
}

class Db {
 public:
  enum class Mode { kReadWriteCreate, kReadWrite };

  Db() = default;
  Db(const std::filesystem::path& file, Mode mode);
  Db(Db&&) noexcept;
  Db& operator=(Db&&) noexcept;
  ~Db();

  sqlite3* get() const { return db_; }
  explicit operator bool() const { return db_ != nullptr; }
  void close();

  // Runs one or more SQL statements without results.
  void exec(std::string_view sql);
  Stmt prepare(std::string_view sql, bool persistent = false);
  // A statement prepared once per connection and kept. References stay valid
  // until trim_cache(), which drops everything when more than max_cached are
  // kept (reader SQL varies with the number of query parameters); call it
  // only between operations.
  Stmt& cached(std::string_view sql);
  void trim_cache(size_t max_cached);

  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  bool in_transaction() const { return db_ && !sqlite3_get_autocommit(db_); }
  // Reads one integer (e.g. a PRAGMA); nullopt when the statement has no row.
  std::optional<int64_t> scalar(std::string_view sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const { return sqlite3_changes64(db_); }

  [[noreturn]] void fail(int code, std::string_view context) const;

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

// A transaction that rolls back unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Db& db, const char* begin = "BEGIN IMMEDIATE");
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool open_ = true;
};

// A read transaction over several statements, so that they see one
// snapshot. It begins one only when the connection holds none: a pooled
// reader may already hold one that it keeps between leases (ReaderPool).
// Ends (rolls back) only what it began.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Db& db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Db& db_;
  bool began_ = false;
};

}  // namespace machi::store
