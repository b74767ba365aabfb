// History ingestion into the store, beside the raw SQLite rate of the same
// rows, and the data set for the temporal HTTP timings of bench/temporal.sh:
//
//   - 500 sensors (type BenchSensor, 10 districts by refDistrict) with one
//     reading every 10 minutes for 30 days (4,320 points each, 2.16M in all),
//     like the demo city's sensors;
//   - one sensor (urn:ngsi-ld:BenchSensor:minute) with minute data for
//     30 days (43,200 points).
// Points go through TenantStore::append_history in batches of 10,000
// (durable on return). The reference inserts the same rows (entity, attr,
// time, num, instance text, with the same index) into a plain SQLite table,
// one fsync'd WAL transaction per 10,000 rows.
//
//   machi_bench_temporal --data DIR [--out FILE.json]
//
// DIR must be empty; `machi serve --data DIR` serves the result.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "store/store.h"

using namespace machi;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kSensors = 500;
constexpr int kDistricts = 10;
constexpr TimeMs kStart = 1762041600000;  // 2025-11-02T00:00:00Z
constexpr TimeMs kDays = 30;
constexpr TimeMs kDayMs = 86400000;
constexpr size_t kBatch = 10000;
const std::string kVocab = "https://uri.etsi.org/ngsi-ld/default-context/";

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string sensor_id(int i) { return "urn:ngsi-ld:BenchSensor:" + std::to_string(i); }

double reading(int sensor, TimeMs t) {
  double hour = static_cast<double>((t / 3600000) % 24);
  return 10 + sensor % 7 + 5 * ((hour > 7 && hour < 19) ? 1 : 0) + static_cast<double>((t / 60000 * 7919 + sensor) % 100) / 50;
}

store::HistoryPoint point(const std::string& id, int sensor, TimeMs t) {
  store::HistoryPoint p;
  p.entity_id = id;
  p.attr = kVocab + "pm25";
  p.instance = {{"type", "Property"}, {"value", reading(sensor, t)}, {"unitCode", "GQ"}, {"observedAt", format_datetime(t)}};
  return p;
}

// Every point of the data set, in batches, to `sink`.
template <class Sink>
size_t for_each_batch(Sink sink) {
  size_t total = 0;
  std::vector<store::HistoryPoint> batch;
  auto flush = [&] {
    if (batch.empty()) return;
    sink(batch);
    total += batch.size();
    batch.clear();
  };
  for (int s = 0; s < kSensors; ++s) {
    for (TimeMs t = kStart; t < kStart + kDays * kDayMs; t += 600000) {
      batch.push_back(point(sensor_id(s), s, t));
      if (batch.size() == kBatch) flush();
    }
  }
  for (TimeMs t = kStart; t < kStart + kDays * kDayMs; t += 60000) {
    batch.push_back(point("urn:ngsi-ld:BenchSensor:minute", 0, t));
    if (batch.size() == kBatch) flush();
  }
  flush();
  return total;
}

Json entity(const std::string& id, int district) {
  return {{"id", id},
          {"type", Json::array({kVocab + "BenchSensor"})},
          {"createdAt", format_datetime(kStart)},
          {"modifiedAt", format_datetime(kStart)},
          {"attrs",
           {{kVocab + "refDistrict",
             Json::array({{{"type", "Relationship"}, {"object", "urn:ngsi-ld:District:" + std::to_string(district)}}})}}}};
}

double raw_sqlite_rate(const std::filesystem::path& dir) {
  sqlite3* db = nullptr;
  sqlite3_open((dir / "raw.db").c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE h(entity INTEGER, attr INTEGER, dataset_id TEXT, time INTEGER, num REAL, instance TEXT);"
               "CREATE INDEX h_by ON h(entity, attr, dataset_id, time);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO h VALUES(?1, 1, '', ?2, ?3, ?4)", -1, &insert, nullptr);
  auto start = Clock::now();
  size_t n = for_each_batch([&](const std::vector<store::HistoryPoint>& batch) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (const auto& p : batch) {
      std::string text = p.instance.dump();  // the store serializes too
      sqlite3_bind_int64(insert, 1, static_cast<int64_t>(std::hash<std::string>{}(p.entity_id) & 0xffff));
      sqlite3_bind_int64(insert, 2, *parse_datetime(p.instance["observedAt"].get<std::string>()));
      sqlite3_bind_double(insert, 3, p.instance["value"].get<double>());
      sqlite3_bind_text(insert, 4, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  });
  double rate = static_cast<double>(n) / seconds_since(start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  std::filesystem::remove(dir / "raw.db");
  std::filesystem::remove(dir / "raw.db-wal");
  std::filesystem::remove(dir / "raw.db-shm");
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data, out;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--data") data = argv[i + 1];
    if (arg == "--out") out = argv[i + 1];
  }
  if (data.empty()) {
    std::fprintf(stderr, "usage: machi_bench_temporal --data DIR [--out FILE.json]\n");
    return 2;
  }
  std::filesystem::create_directories(data);
  std::filesystem::path scratch = std::filesystem::path(data).parent_path() / "temporal-raw";
  std::filesystem::create_directories(scratch);
  double raw = raw_sqlite_rate(scratch);
  std::filesystem::remove_all(scratch);

  auto store = store::open_sqlite_store({data, store::Durability::kFull});
  auto tenant = store->tenant("", true);
  std::vector<store::Mutation> creates;
  for (int s = 0; s < kSensors; ++s) {
    Json e = entity(sensor_id(s), s % kDistricts);
    creates.push_back({sensor_id(s), [e](const std::optional<Json>&) -> std::optional<Json> { return e; }});
  }
  Json minute = entity("urn:ngsi-ld:BenchSensor:minute", 0);
  creates.push_back({"urn:ngsi-ld:BenchSensor:minute", [minute](const std::optional<Json>&) -> std::optional<Json> { return minute; }});
  tenant->write(std::move(creates));

  auto start = Clock::now();
  size_t n = for_each_batch([&](const std::vector<store::HistoryPoint>& batch) { tenant->append_history(batch); });
  double seconds = seconds_since(start);
  double rate = static_cast<double>(n) / seconds;
  tenant.reset();
  store->close();

  Json result = {{"points", n},           {"seconds", seconds},     {"store_points_per_s", rate},
                 {"raw_sqlite_points_per_s", raw}, {"ratio", rate / raw}, {"batch", kBatch},
                 {"target_points_per_s", 100000}};
  std::printf("history ingestion: %zu points in %.1f s: %.0f points/s through the store; raw SQLite %.0f points/s "
              "(ratio %.2f; target >= 100,000/s)\n",
              n, seconds, rate, raw, rate / raw);
  if (!out.empty()) std::ofstream(out) << result.dump() << "\n";
  return 0;
}
