// The embedded store: one SQLite database per tenant under data_dir.
//   data_dir/machi.db               the default tenant "", and user @contexts
//   data_dir/tenants/<name>.db      every other tenant (see tenant_name.h)
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>

#include "store/sqlite_tenant.h"
#include "store/store.h"
#include "store/tenant_name.h"

namespace machi::store {
namespace {

namespace fs = std::filesystem;

// A new file or directory is durable only once the directory that lists it
// is synced too.
void sync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void make_directory(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorType::kInternalError, "cannot create " + dir.string() + ": " + ec.message());
  sync_directory(dir.parent_path());
}

// One process at a time per data directory (data_dir/machi.lock, flock):
// readers keep their snapshot while this process's writer has committed
// nothing (sqlite_tenant.h), which is right only if no other process writes.
class DirectoryLock {
 public:
  explicit DirectoryLock(const fs::path& dir) {
    fs::path file = dir / "machi.lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw Error(ErrorType::kInternalError, "cannot open " + file.string() + ": " + std::strerror(errno));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      int error = errno;
      ::close(fd_);
      if (error == EWOULDBLOCK) {
        throw Error(ErrorType::kServiceUnavailable,
                    "the data directory " + dir.string() + " is in use by another machi process");
      }
      throw Error(ErrorType::kInternalError, "cannot lock " + file.string() + ": " + std::strerror(error));
    }
  }
  ~DirectoryLock() { ::close(fd_); }  // closing the file releases the lock
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

class SqliteStore : public Store {
 public:
  explicit SqliteStore(const StoreOptions& options) : options_(options), dir_(options.data_dir) {
    if (options_.data_dir.empty()) throw Error(ErrorType::kInternalError, "the store needs a data directory");
    make_directory(dir_);
    lock_.emplace(dir_);
    default_ = std::make_shared<SqliteTenant>("", dir_ / "machi.db", options_.durability,
                                              options_.entity_cache_bytes);
    sync_directory(dir_);
    open_.emplace("", default_);
  }

  ~SqliteStore() override { close(); }

  std::shared_ptr<TenantStore> tenant(const std::string& name, bool create) override {
    if (name.empty()) return default_tenant();
    check_tenant_name(name);
    std::lock_guard lock(mutex_);
    if (closed_) throw Error(ErrorType::kServiceUnavailable, "the store is closed");
    if (auto it = open_.find(name); it != open_.end()) return it->second;
    fs::path file = dir_ / "tenants" / tenant_file_name(name);
    std::error_code ec;
    if (!fs::exists(file, ec)) {
      if (!create) return nullptr;
      make_directory(file.parent_path());
    }
    auto tenant = std::make_shared<SqliteTenant>(name, file, options_.durability, options_.entity_cache_bytes);
    sync_directory(file.parent_path());
    open_.emplace(name, tenant);
    return tenant;
  }

  // The default tenant first, then the others by name.
  std::vector<std::string> tenants() override {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_ / "tenants", ec)) {
      std::string file = entry.path().filename().string();
      if (auto name = tenant_from_file_name(file)) {
        names.push_back(*name);
      } else if (is_hashed_file_name(file)) {
        if (auto name = hashed_tenant_name(entry.path())) names.push_back(*name);
      }
    }
    std::sort(names.begin(), names.end());
    names.insert(names.begin(), "");
    return names;
  }

  void close() override {
    std::map<std::string, std::shared_ptr<SqliteTenant>> tenants;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      closed_ = true;
      tenants.swap(open_);
    }
    for (auto& [name, tenant] : tenants) tenant->close();
    lock_.reset();
  }

  // ---- ContextPersistence: the default tenant's jsonld_contexts ----

  void save_context(const std::string& url, const std::string& document_text) override {
    TimeMs now = now_ms();
    default_->run_in_writer([&](Db& db) {
      db.cached(
            "INSERT INTO jsonld_contexts(url, document, saved_at) VALUES(?1, ?2, ?3) "
            "ON CONFLICT(url) DO UPDATE SET document = excluded.document, saved_at = excluded.saved_at")
          .exec(url, document_text, static_cast<int64_t>(now));
    });
  }

  void remove_context(const std::string& url) override {
    default_->run_in_writer([&](Db& db) { db.cached("DELETE FROM jsonld_contexts WHERE url = ?1").exec(url); });
  }

  std::vector<std::pair<std::string, std::string>> load_contexts() override {
    return default_->read([](Db& db) {
      std::vector<std::pair<std::string, std::string>> out;
      auto rows = select_rows(db.cached("SELECT url, document FROM jsonld_contexts ORDER BY rowid"));
      while (rows.next()) out.emplace_back(rows->str(0), rows->str(1));
      return out;
    });
  }

 private:
  std::shared_ptr<TenantStore> default_tenant() {
    std::lock_guard lock(mutex_);
    if (closed_) throw Error(ErrorType::kServiceUnavailable, "the store is closed");
    return default_;
  }

  // A hashed file names its tenant inside; an unreadable file is skipped.
  std::optional<std::string> hashed_tenant_name(const fs::path& file) {
    try {
      auto name = read_tenant_name(file);
      if (name && tenant_file_name(*name) == file.filename().string()) return name;
    } catch (const Error&) {
    }
    return std::nullopt;
  }

  StoreOptions options_;
  fs::path dir_;
  std::optional<DirectoryLock> lock_;
  std::shared_ptr<SqliteTenant> default_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<SqliteTenant>> open_;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const StoreOptions& options) { return std::make_unique<SqliteStore>(options); }

}  // namespace machi::store
