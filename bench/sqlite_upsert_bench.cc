// Write rates of entity upserts, 1000 entities per transaction, fsync'd:
//
//   BM_RawSqliteUpsert   the floor: SQLite alone (WAL, synchronous=FULL),
//                        INSERT ... ON CONFLICT(id) DO UPDATE of id + doc,
//                        no index tables, no history. The HTTP batch-upsert
//                        benchmark compares itself against this.
//   BM_StoreWrite        machi's TenantStore::write with 1000 put mutations
//                        per call: read-modify-write, index tables, history.
//                        Arg 0 creates new entities, arg 1 rewrites existing
//                        ones with a changed value (the steady state of a
//                        city's sensors).
//
// Files go to $MACHI_BENCH_DIR, else a fresh directory under the current
// one: a tmpfs would make fsync free and the numbers meaningless.
// items_per_second is over real time (fsync waits included); the CPU column
// is the whole process's (the store's writer thread included), which is
// steadier than real time on a shared machine.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using machi::Json;

constexpr int kBatch = 1000;
constexpr int kDistinctIds = 100000;

class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("MACHI_BENCH_DIR");
    std::string pattern = (fs::path(base ? base : ".") / "machi-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed in " + pattern);
    path_ = fs::absolute(pattern);
  }
  ~BenchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string spot_id(int i) {
  char id[64];
  std::snprintf(id, sizeof id, "urn:ngsi-ld:ParkingSpot:tokyo:%06d", i);
  return id;
}

// A ParkingSpot in machi's stored form (about 600 bytes of JSON).
Json parking_spot(int i, int version) {
  const std::string sdm = "https://smartdatamodels.org/dataModel.Parking/";
  std::string now = machi::format_datetime(1767225600000 + version * 1000LL);
  auto instance = [&](Json body) {
    body["modifiedAt"] = now;
    return Json::array({body});
  };
  Json attrs = Json::object();
  attrs[sdm + "status"] = instance({{"type", "Property"}, {"value", (i + version) % 3 ? "free" : "occupied"},
                                    {"observedAt", now}});
  attrs["https://smartdatamodels.org/name"] = instance({{"type", "Property"}, {"value", "Spot " + std::to_string(i)}});
  attrs["https://uri.etsi.org/ngsi-ld/location"] = instance(
      {{"type", "GeoProperty"},
       {"value", {{"type", "Point"}, {"coordinates", {139.70 + (i % 1000) * 1e-4, 35.60 + (i / 1000 % 1000) * 1e-4}}}}});
  return {{"id", spot_id(i)},
          {"type", Json::array({sdm + "ParkingSpot"})},
          {"createdAt", "2026-01-01T00:00:00.000Z"},
          {"modifiedAt", now},
          {"attrs", attrs}};
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

void BM_RawSqliteUpsert(benchmark::State& state) {
  BenchDir dir;
  sqlite3* db = nullptr;
  check(sqlite3_open((dir.path() / "raw.db").c_str(), &db), db, "open");
  check(sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE entities(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)",
                     nullptr, nullptr, nullptr),
        db, "schema");
  sqlite3_stmt* upsert = nullptr;
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO entities(id, doc) VALUES(?1, ?2) "
                           "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                           -1, &upsert, nullptr),
        db, "prepare");
  std::vector<std::pair<std::string, std::string>> rows;
  for (int i = 0; i < kDistinctIds; ++i) rows.emplace_back(spot_id(i), parking_spot(i, 0).dump());
  size_t doc_bytes = rows[0].second.size();
  int next = 0;
  for (auto _ : state) {
    check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
    for (int k = 0; k < kBatch; ++k) {
      const auto& [id, doc] = rows[next++ % kDistinctIds];
      sqlite3_bind_text(upsert, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
      sqlite3_bind_text(upsert, 2, doc.data(), static_cast<int>(doc.size()), SQLITE_STATIC);
      check(sqlite3_step(upsert), db, "upsert");
      sqlite3_reset(upsert);
    }
    check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["doc_bytes"] = static_cast<double>(doc_bytes);
  sqlite3_finalize(upsert);
  sqlite3_close(db);
}
BENCHMARK(BM_RawSqliteUpsert)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

void BM_StoreWrite(benchmark::State& state) {
  const bool rewrite = state.range(0) == 1;
  BenchDir dir;
  auto store = machi::store::open_sqlite_store({dir.path().string(), machi::store::Durability::kFull});
  auto tenant = store->tenant("", false);
  int next = 0, version = 0;
  auto batch = [&] {
    std::vector<machi::store::Mutation> mutations;
    mutations.reserve(kBatch);
    if (rewrite) ++version;
    for (int k = 0; k < kBatch; ++k) {
      int i = rewrite ? k : next++;
      Json doc = parking_spot(i, version);
      std::string id = doc["id"];
      mutations.push_back({id, [doc = std::move(doc)](const std::optional<Json>&) -> std::optional<Json> {
                             return doc;
                           }});
    }
    return mutations;
  };
  if (rewrite) tenant->write(batch());  // the entities to rewrite
  for (auto _ : state) {
    state.PauseTiming();
    auto mutations = batch();
    state.ResumeTiming();
    auto results = tenant->write(std::move(mutations));
    if (!results.back().ok) state.SkipWithError(results.back().error->what());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  store->close();
}
BENCHMARK(BM_StoreWrite)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
