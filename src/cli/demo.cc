#include "cli/demo.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "sim/demo_city.h"
#include "sim/demo_society.h"
#include "store/store.h"

namespace machi::cli {
namespace {

namespace fs = std::filesystem;

// The embedded store keeps the default tenant in <data>/machi.db (see
// store/sqlite_store.cc); SQLite may leave -wal and -shm files beside it.
constexpr const char* kDefaultTenantFile = "machi.db";
constexpr const char* kScratch = ".demo-generating";

void fsync_path(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

unsigned long long number(const std::string& flag, const std::string& text, unsigned long long max) {
  size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || value > max) throw std::invalid_argument(flag + ": bad number " + text);
  return value;
}

void progress(const std::string& line) { std::fprintf(stderr, "machi demo: %s\n", line.c_str()); }

sim::DemoCityReport generate(store::Store& store, const DemoOptions& options) {
  sim::DemoCityOptions city;
  city.seed = options.seed;
  city.residents = options.residents;
  city.history_days = options.history_days;
  city.progress = progress;
  return sim::generate_demo_city(*store.tenant("", true), city);
}

void print_report(const sim::DemoCityReport& report) {
  std::string counts;
  size_t total = 0;
  for (const auto& [type, n] : report.entities) {
    counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + type;
    total += n;
  }
  std::fprintf(stderr, "machi demo: generated デモ市 in %.1f s: %zu entities (%s) and %zu history points\n",
               report.seconds, total, counts.c_str(), report.history_points);
}

// Generates into a scratch directory and moves the finished database into
// place, so that an interrupted first start leaves nothing half-made: the
// next start finds no database and begins again.
void generate_fresh(const DemoOptions& options, const fs::path& data) {
  fs::path scratch = data / kScratch;
  fs::remove_all(scratch);
  fs::create_directories(scratch);
  {
    // Process durability is enough here: the file is synced before the move.
    auto store = store::open_sqlite_store({scratch.string(), store::Durability::kProcess});
    print_report(generate(*store, options));
    store->close();
  }
  for (const auto& entry : fs::directory_iterator(scratch)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(kDefaultTenantFile, 0) != 0) continue;
    fsync_path(entry.path(), O_RDONLY);
    fs::rename(entry.path(), data / name);
  }
  fsync_path(data, O_RDONLY | O_DIRECTORY);
  fs::remove_all(scratch);
}

// Accounts, consents and grants (once), and the demo accounts on every
// start, so that whoever ran `make demo` can sign in.
void seed_people(trust::Trust& trust, const DemoOptions& options) {
  sim::DemoSocietyOptions society_options;
  society_options.seed = options.seed;
  society_options.progress = progress;
  sim::DemoSociety society = sim::seed_demo_society(trust, society_options);
  std::fprintf(stderr, "machi demo: demo accounts (demo only; user name / password):\n");
  for (const auto& account : society.accounts) {
    std::fprintf(stderr, "machi demo:   %-14s %-20s %s\n", account.username.c_str(), account.password.c_str(),
                 account.display_name.c_str());
  }
  if (society.created) {
    std::fprintf(stderr,
                 "machi demo: the consumer's app デマンド交通 需要予測アプリ: client_id %s, client_secret %s "
                 "(shown once)\n",
                 society.client_id.c_str(), society.client_secret.c_str());
  }
}

}  // namespace

DemoOptions parse_demo_args(const std::vector<std::string>& args) {
  DemoOptions options;
  options.serve.data_dir = "data/demo";
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--seed" || a == "--residents" || a == "--history-days") && i + 1 >= args.size()) {
      throw std::invalid_argument(a + " needs a value");
    }
    if (a == "--seed") {
      options.seed = number(a, args[++i], UINT64_MAX);
    } else if (a == "--residents") {
      options.residents = number(a, args[++i], 10'000'000);
      if (options.residents == 0) throw std::invalid_argument("--residents must be at least 1");
    } else if (a == "--history-days") {
      // Shortens the imported sensor history (for tests); the default is all 30 days.
      options.history_days = static_cast<int>(number(a, args[++i], sim::kReadingDays));
    } else {
      rest.push_back(a);
    }
  }
  std::string default_data = options.serve.data_dir;
  options.serve = parse_serve_args(rest);
  if (std::find(rest.begin(), rest.end(), "--data") == rest.end()) options.serve.data_dir = default_data;
  return options;
}

int demo(const DemoOptions& options) {
  fs::path data = options.serve.data_dir;
  fs::create_directories(data);
  if (!fs::exists(data / kDefaultTenantFile)) {
    std::fprintf(stderr, "machi demo: generating デモ市 (seed %llu, %zu residents) in %s\n",
                 static_cast<unsigned long long>(options.seed), options.residents, data.c_str());
    generate_fresh(options, data);
  } else {
    auto store = store::open_sqlite_store({data.string(), options.serve.durability});
    auto tenant = store->tenant("", true);
    if (sim::demo_city_present(*tenant)) {
      std::fprintf(stderr, "machi demo: デモ市 is already in %s (remove the directory to generate it again)\n",
                   data.c_str());
    } else {
      store::EntityQuery any;
      any.limit = 1;
      if (!tenant->query(any).entities.empty()) {
        std::fprintf(stderr,
                     "machi demo: %s holds other data and no demo city; use an empty directory for the demo\n",
                     data.c_str());
        return 1;
      }
      std::fprintf(stderr, "machi demo: generating デモ市 (seed %llu, %zu residents) into the empty store in %s\n",
                   static_cast<unsigned long long>(options.seed), options.residents, data.c_str());
      print_report(generate(*store, options));
    }
    tenant.reset();
    store->close();
  }
  ServeOptions serve_options = options.serve;
  serve_options.prepare = [&options](trust::Trust& trust) { seed_people(trust, options); };
  return serve(serve_options);
}

}  // namespace machi::cli
