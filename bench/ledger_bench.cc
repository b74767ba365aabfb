// The access ledger against its performance targets (docs/ledger.md):
//
//   append   durable appends (Durability::kFull) through Ledger::append:
//            64 threads appending one entry each call (the HTTP case, group
//            commit), and one caller appending batches of 1,000; beside the
//            reference: raw SQLite inserting the same rows (leaf, entry,
//            subject, node) in one fsync'd transaction per 1,000 entries.
//            Target: at least 50,000 entries/s batched.
//   proof    inclusion proof latency at N entries (default 10,000,000):
//            the tree is built first through the public append path, in
//            large batches from two threads (the build time is printed);
//            then p50/p99 of Ledger::inclusion_proof(random index, N),
//            beside one SHA-256 of 64 bytes and one SQLite point lookup of
//            a random leaf row. Target: p99 under 1 ms.
//
//   machi_bench_ledger [--entries N] [--out FILE.json] [--keep]
//
// Files go to $MACHI_BENCH_DIR, else a fresh directory under the current
// one (a tmpfs would make fsync free and the figures meaningless).
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "trust/ledger.h"
#include "trust/merkle.h"

namespace {

namespace fs = std::filesystem;
using machi::Json;
using machi::trust::Ledger;
using machi::trust::LedgerEntryIn;
using Clock = std::chrono::steady_clock;

constexpr size_t kBatch = 1000;
constexpr int kThreads = 64;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// An access record as a service would log it (about 200 bytes).
LedgerEntryIn access_entry(uint64_t i) {
  char text[256];
  std::snprintf(text, sizeof text,
                R"({"at":"2026-11-25T06:00:%02u.%03uZ","actor":"urn:machi:staff:%05u","action":"read",)"
                R"("purpose":"welfare-check","resource":"urn:ngsi-ld:Person:%08llx","service":"kosodate"})",
                static_cast<unsigned>(i / 1000 % 60), static_cast<unsigned>(i % 1000),
                static_cast<unsigned>(i % 977), static_cast<unsigned long long>(i * 2654435761u % 100000007));
  char subject[32];
  std::snprintf(subject, sizeof subject, "p-%08llx", static_cast<unsigned long long>(i % 200003));
  return {text, {subject}};
}

std::vector<LedgerEntryIn> batch_of(uint64_t first, size_t n) {
  std::vector<LedgerEntryIn> out;
  out.reserve(n);
  for (size_t k = 0; k < n; ++k) out.push_back(access_entry(first + k));
  return out;
}

class BenchDir {
 public:
  explicit BenchDir(bool keep) : keep_(keep) {
    const char* base = std::getenv("MACHI_BENCH_DIR");
    std::string pattern = (fs::path(base ? base : ".") / "machi-ledger-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed in " + pattern);
    path_ = fs::absolute(pattern);
  }
  ~BenchDir() {
    std::error_code ec;
    if (!keep_) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  bool keep_;
  fs::path path_;
};

std::unique_ptr<Ledger> open_ledger(const fs::path& file) {
  static auto key = std::make_shared<const machi::trust::SigningKey>(machi::trust::SigningKey::generate());
  return std::make_unique<Ledger>(machi::store::open_sqlite_ledger(file.string(), machi::store::Durability::kFull),
                                  key);
}

// ---- references ----

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

// The same rows as a ledger append writes, straight into SQLite: one
// transaction (one fsync) per kBatch entries, hashes precomputed.
double raw_sqlite_rate(const fs::path& file, size_t entries) {
  sqlite3* db = nullptr;
  check(sqlite3_open(file.c_str(), &db), db, "open");
  check(sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE leaves(idx INTEGER PRIMARY KEY, commitment BLOB NOT NULL, leaf_hash BLOB NOT NULL);"
                     "CREATE TABLE nodes(level INTEGER, idx INTEGER, hash BLOB, PRIMARY KEY(level, idx)) WITHOUT ROWID;"
                     "CREATE TABLE entries(idx INTEGER PRIMARY KEY, salt BLOB, text TEXT, subjects TEXT);"
                     "CREATE TABLE subjects(subject TEXT, idx INTEGER, PRIMARY KEY(subject, idx)) WITHOUT ROWID;",
                     nullptr, nullptr, nullptr),
        db, "schema");
  const char* sql[] = {"INSERT INTO leaves VALUES(?1, ?2, ?3)", "INSERT INTO entries VALUES(?1, ?2, ?3, ?4)",
                       "INSERT INTO subjects VALUES(?2, ?1)", "INSERT INTO nodes VALUES(?2, ?1, ?3)"};
  sqlite3_stmt* stmt[4];
  for (int i = 0; i < 4; ++i) check(sqlite3_prepare_v2(db, sql[i], -1, &stmt[i], nullptr), db, "prepare");
  std::vector<LedgerEntryIn> rows = batch_of(0, entries);
  unsigned char hash[32] = {1}, salt[16] = {2};
  auto start = Clock::now();
  for (size_t i = 0; i < entries;) {
    check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
    for (size_t end = std::min(entries, i + kBatch); i < end; ++i) {
      const LedgerEntryIn& row = rows[i];
      std::string subjects = Json(row.subjects).dump();
      sqlite3_bind_int64(stmt[0], 1, static_cast<int64_t>(i));
      sqlite3_bind_blob(stmt[0], 2, hash, 32, SQLITE_STATIC);
      sqlite3_bind_blob(stmt[0], 3, hash, 32, SQLITE_STATIC);
      sqlite3_bind_int64(stmt[1], 1, static_cast<int64_t>(i));
      sqlite3_bind_blob(stmt[1], 2, salt, 16, SQLITE_STATIC);
      sqlite3_bind_text(stmt[1], 3, row.text.data(), static_cast<int>(row.text.size()), SQLITE_STATIC);
      sqlite3_bind_text(stmt[1], 4, subjects.data(), static_cast<int>(subjects.size()), SQLITE_STATIC);
      sqlite3_bind_int64(stmt[2], 1, static_cast<int64_t>(i));
      sqlite3_bind_text(stmt[2], 2, row.subjects[0].data(), static_cast<int>(row.subjects[0].size()), SQLITE_STATIC);
      // One interior node per leaf, as in the tree (n - 1 nodes for n leaves).
      sqlite3_bind_int64(stmt[3], 1, static_cast<int64_t>(i >> (1 + std::countr_one(i))));
      sqlite3_bind_int(stmt[3], 2, 1 + std::countr_one(i));
      sqlite3_bind_blob(stmt[3], 3, hash, 32, SQLITE_STATIC);
      for (int s = 0; s < 4; ++s) {
        check(sqlite3_step(stmt[s]), db, "insert");
        sqlite3_reset(stmt[s]);
      }
    }
    check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  }
  double rate = static_cast<double>(entries) / seconds_since(start);
  for (auto* s : stmt) sqlite3_finalize(s);
  sqlite3_close(db);
  return rate;
}

struct Percentiles {
  double p50_us = 0, p99_us = 0, max_us = 0;
};

Percentiles percentiles(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))]; };
  return {at(0.50), at(0.99), us.back()};
}

// One SHA-256 of 64 bytes, in nanoseconds (averaged).
double sha256_ns() {
  std::string block(64, 'x');
  const int n = 200000;
  machi::trust::Hash h{};
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    block[0] = static_cast<char>(i);
    h = machi::trust::sha256(block);
    block[1] = static_cast<char>(h[0]);
  }
  return seconds_since(start) * 1e9 / n;
}

// Random leaf-row point lookups, each in its own read transaction, on the
// ledger's own file.
Percentiles sqlite_lookup(const fs::path& file, uint64_t size, int samples) {
  sqlite3* db = nullptr;
  check(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), db, "open");
  sqlite3_stmt* stmt = nullptr;
  check(sqlite3_prepare_v2(db, "SELECT leaf_hash FROM leaves WHERE idx = ?1", -1, &stmt, nullptr), db, "prepare");
  std::mt19937_64 rng(7);
  std::vector<double> us;
  for (int i = 0; i < samples; ++i) {
    auto start = Clock::now();
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(rng() % size));
    check(sqlite3_step(stmt), db, "lookup");
    sqlite3_reset(stmt);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    us.push_back(seconds_since(start) * 1e6);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return percentiles(us);
}

// ---- the ledger ----

double concurrent_rate(const fs::path& file, int per_thread) {
  auto ledger = open_ledger(file);
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) ledger->append(access_entry(static_cast<uint64_t>(t) * per_thread + i));
    });
  }
  for (auto& th : threads) th.join();
  return static_cast<double>(kThreads) * per_thread / seconds_since(start);
}

double batched_rate(const fs::path& file, size_t entries) {
  auto ledger = open_ledger(file);
  auto start = Clock::now();
  for (size_t i = 0; i < entries; i += kBatch) ledger->append(batch_of(i, std::min(kBatch, entries - i)));
  return static_cast<double>(entries) / seconds_since(start);
}

// Builds a ledger of n entries as fast as the public path allows: two
// threads, so that one prepares (JSON check, salts, hashes) while the
// appender writes the other's batch.
double build(Ledger& ledger, uint64_t n) {
  constexpr size_t kBuildBatch = 8192;
  std::atomic<uint64_t> next{0};
  auto start = Clock::now();
  auto last_report = start;
  std::mutex report_mutex;
  auto worker = [&] {
    for (;;) {
      uint64_t first = next.fetch_add(kBuildBatch);
      if (first >= n) return;
      ledger.append(batch_of(first, static_cast<size_t>(std::min<uint64_t>(kBuildBatch, n - first))));
      std::lock_guard lock(report_mutex);
      if (seconds_since(last_report) > 15) {
        last_report = Clock::now();
        std::fprintf(stderr, "  built %llu of %llu entries in %.0f s\n", static_cast<unsigned long long>(ledger.size()),
                     static_cast<unsigned long long>(n), seconds_since(start));
      }
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  return seconds_since(start);
}

Percentiles proof_latency(Ledger& ledger, uint64_t size, int samples, int& verified) {
  std::mt19937_64 rng(11);
  machi::trust::Hash root = ledger.head().root;
  std::vector<double> us;
  verified = 0;
  for (int i = 0; i < samples; ++i) {
    uint64_t index = rng() % size;
    auto start = Clock::now();
    machi::trust::InclusionProof proof = ledger.inclusion_proof(index, size);
    us.push_back(seconds_since(start) * 1e6);
    verified += machi::trust::verify_inclusion(proof.leaf_hash, index, size, proof.audit_path, root);
  }
  return percentiles(us);
}

struct Flags {
  uint64_t entries = 10'000'000;
  std::string out;
  bool keep = false;
};

Flags parse(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--entries" && i + 1 < argc) {
      flags.entries = std::stoull(argv[++i]);
    } else if (a == "--out" && i + 1 < argc) {
      flags.out = argv[++i];
    } else if (a == "--keep") {
      flags.keep = true;
    } else {
      throw std::invalid_argument("usage: machi_bench_ledger [--entries N] [--out FILE.json] [--keep]");
    }
  }
  if (flags.entries < 1000) throw std::invalid_argument("--entries must be at least 1000");
  return flags;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Flags flags = parse(argc, argv);
    BenchDir dir(flags.keep);
    const size_t append_entries = 100'000;
    const int per_thread = 500;

    std::fprintf(stderr, "ledger bench in %s\n", dir.path().c_str());
    double raw = raw_sqlite_rate(dir.path() / "raw.db", append_entries);
    double batched = batched_rate(dir.path() / "batched.db", append_entries);
    double concurrent = concurrent_rate(dir.path() / "concurrent.db", per_thread);

    std::fprintf(stderr, "building a ledger of %llu entries\n", static_cast<unsigned long long>(flags.entries));
    fs::path big = dir.path() / "big.db";
    auto ledger = open_ledger(big);
    double build_s = build(*ledger, flags.entries);
    const int samples = 20000;
    int verified = 0;
    proof_latency(*ledger, flags.entries, 1000, verified);  // warm-up
    Percentiles proof = proof_latency(*ledger, flags.entries, samples, verified);
    Percentiles lookup = sqlite_lookup(big, flags.entries, samples);
    double sha_ns = sha256_ns();
    ledger->close();
    std::error_code ec;
    uintmax_t bytes = fs::file_size(big, ec);

    std::printf("## access ledger (durability full)\n\n");
    std::printf("| measure | ledger | reference | ratio |\n|---|---|---|---|\n");
    std::printf("| append, 1 caller, batches of %zu | %.0f entries/s | raw SQLite, same rows: %.0f entries/s | %.2f |\n",
                kBatch, batched, raw, batched / raw);
    std::printf("| append, %d threads, 1 entry per call | %.0f entries/s | raw SQLite, same rows: %.0f entries/s | %.2f |\n",
                kThreads, concurrent, raw, concurrent / raw);
    std::printf("| inclusion proof at %llu entries, p50 | %.1f us | SQLite point lookup p50: %.1f us | %.1f |\n",
                static_cast<unsigned long long>(flags.entries), proof.p50_us, lookup.p50_us,
                proof.p50_us / lookup.p50_us);
    std::printf("| inclusion proof at %llu entries, p99 | %.1f us | SQLite point lookup p99: %.1f us | %.1f |\n",
                static_cast<unsigned long long>(flags.entries), proof.p99_us, lookup.p99_us,
                proof.p99_us / lookup.p99_us);
    std::printf("\nbuild of %llu entries: %.1f s (%.0f entries/s), file %.2f GB; one SHA-256 of 64 bytes: %.0f ns; "
                "proofs verified: %d of %d; proof max %.1f us\n",
                static_cast<unsigned long long>(flags.entries), build_s, flags.entries / build_s, bytes / 1e9, sha_ns,
                verified, samples, proof.max_us);
    std::printf("targets: batched append >= 50000 entries/s: %s; proof p99 < 1000 us: %s\n",
                batched >= 50000 ? "met" : "NOT met", proof.p99_us < 1000 ? "met" : "NOT met");

    if (!flags.out.empty()) {
      Json out = {{"durability", "full"},
                  {"append", {{"batched_entries_per_second", batched},
                              {"batch", kBatch},
                              {"concurrent_entries_per_second", concurrent},
                              {"concurrent_threads", kThreads},
                              {"raw_sqlite_entries_per_second", raw},
                              {"batched_over_raw", batched / raw},
                              {"concurrent_over_raw", concurrent / raw}}},
                  {"proof", {{"entries", flags.entries},
                             {"build_seconds", build_s},
                             {"file_bytes", bytes},
                             {"samples", samples},
                             {"verified", verified},
                             {"p50_us", proof.p50_us},
                             {"p99_us", proof.p99_us},
                             {"max_us", proof.max_us},
                             {"sqlite_lookup_p50_us", lookup.p50_us},
                             {"sqlite_lookup_p99_us", lookup.p99_us},
                             {"sha256_64_bytes_ns", sha_ns}}},
                  {"targets", {{"batched_append_50k", batched >= 50000}, {"proof_p99_under_1ms", proof.p99_us < 1000}}}};
      std::ofstream(flags.out) << out.dump(2) << "\n";
    }
    return verified == samples ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "machi_bench_ledger: %s\n", e.what());
    return 1;
  }
}
