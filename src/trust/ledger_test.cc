#include "trust/ledger.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <set>
#include <thread>

#include "core/error.h"
#include "trust/encoding.h"

namespace machi::trust {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "machi-ledger-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::shared_ptr<const SigningKey> test_key() {
  static auto key = std::make_shared<const SigningKey>(SigningKey::generate());
  return key;
}

std::unique_ptr<Ledger> open_ledger(const fs::path& file) {
  return std::make_unique<Ledger>(store::open_sqlite_ledger(file.string(), store::Durability::kProcess), test_key());
}

LedgerEntryIn access(int n, std::vector<std::string> subjects = {"s-alice"}) {
  return {R"({"actor":"clerk-)" + std::to_string(n) + R"(","action":"read"})", std::move(subjects)};
}

ErrorType error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.type();
  }
  ADD_FAILURE() << "no machi::Error thrown";
  return ErrorType::kInternalError;
}

std::string_view bytes(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

class ledger : public ::testing::Test {
 protected:
  fs::path file() const { return dir_.path() / "ledger" / "default.db"; }
  TempDir dir_;
};

TEST_F(ledger, EntriesCommitAsSpecified) {
  auto ledger = open_ledger(file());
  std::string text = "{ \"who\" : \"市役所\",\n \"n\": 1.50 }";  // kept byte for byte
  uint64_t index = ledger->append(LedgerEntryIn{text, {"s1"}});
  EXPECT_EQ(index, 0u);
  LedgerEntry e = ledger->entry(0);
  ASSERT_TRUE(e.text && e.salt);
  EXPECT_EQ(*e.text, text);
  EXPECT_EQ(e.salt->size(), 16u);
  EXPECT_EQ(e.commitment, sha256(*e.salt + text));
  Json json = e.to_json();
  EXPECT_EQ(json["index"], 0);
  EXPECT_EQ(json["commitment"], to_hex(e.commitment));
  EXPECT_EQ(json["entry"], text);
  EXPECT_EQ(json["salt"], to_hex(*e.salt));
  InclusionProof proof = ledger->inclusion_proof(0, 1);
  EXPECT_EQ(proof.leaf_hash, leaf_hash(bytes(e.commitment)));
  EXPECT_TRUE(proof.audit_path.empty());
  EXPECT_EQ(ledger->head().root, proof.leaf_hash);
}

TEST_F(ledger, HeadsAreSignedAndCached) {
  auto ledger = open_ledger(file());
  SignedTreeHead empty = ledger->head();
  EXPECT_EQ(empty.size, 0u);
  EXPECT_EQ(to_hex(empty.root), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(verify_signature(empty.public_key, empty.signed_text(), empty.signature));
  ledger->append(access(1));
  ledger->append(access(2));
  SignedTreeHead head = ledger->head();
  EXPECT_EQ(head.size, 2u);
  EXPECT_EQ(head.signed_text(), "2\n" + to_hex(head.root) + "\n" + head.timestamp);
  EXPECT_TRUE(verify_signature(head.public_key, head.signed_text(), head.signature));
  EXPECT_EQ(head.timestamp.size(), std::string("2026-11-25T06:00:00.123Z").size());
  EXPECT_EQ(head.timestamp.back(), 'Z');
  EXPECT_EQ(ledger->head().signature, head.signature);  // same size, within a second: cached
  Json json = head.to_json();
  EXPECT_EQ(json["size"], 2);
  EXPECT_EQ(json["root"], to_hex(head.root));
  EXPECT_EQ(from_base64(json["signature"].get<std::string>()), head.signature);
  EXPECT_EQ(from_base64(json["publicKey"].get<std::string>()), test_key()->public_key());
}

TEST_F(ledger, ProofsVerifyForEverySizeAndIndex) {
  auto ledger = open_ledger(file());
  std::vector<Hash> leaves;
  std::vector<Hash> roots = {empty_root()};
  // Batches of varied sizes, so that trees of every size up to 70 exist.
  for (int n = 0; n < 70;) {
    std::vector<LedgerEntryIn> batch;
    for (int k = 0; k < 1 + n % 5 && n < 70; ++k) batch.push_back(access(n++));
    uint64_t first = ledger->append(std::move(batch)).front();
    for (uint64_t i = first; i < ledger->size(); ++i) {
      leaves.push_back(leaf_hash(bytes(ledger->entry(i).commitment)));
      roots.push_back(root_of(leaves));
    }
  }
  ASSERT_EQ(ledger->size(), 70u);
  EXPECT_EQ(ledger->head().root, roots[70]);
  for (uint64_t size = 1; size <= 70; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      InclusionProof p = ledger->inclusion_proof(index, size);
      ASSERT_EQ(p.audit_path, inclusion_path(std::span(leaves).first(size), index)) << index << "/" << size;
      ASSERT_TRUE(verify_inclusion(p.leaf_hash, index, size, p.audit_path, roots[size]));
    }
    for (uint64_t first = 1; first <= size; ++first) {
      ConsistencyProof c = ledger->consistency_proof(first, size);
      ASSERT_TRUE(verify_consistency(first, size, roots[first], roots[size], c.proof)) << first << "->" << size;
    }
  }
  Json json = ledger->inclusion_proof(5, 13).to_json();
  EXPECT_EQ(json["index"], 5);
  EXPECT_EQ(json["size"], 13);
  EXPECT_EQ(json["leafHash"], to_hex(leaves[5]));
  EXPECT_EQ(json["auditPath"].size(), 4u);
  EXPECT_EQ(ledger->consistency_proof(3, 13).to_json()["proof"].size(), ledger->consistency_proof(3, 13).proof.size());
}

TEST_F(ledger, RefusesBadInputAndRanges) {
  auto ledger = open_ledger(file());
  ledger->append(access(0));
  EXPECT_EQ(error_of([&] { ledger->append(LedgerEntryIn{"{not json", {}}); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { ledger->append(LedgerEntryIn{"\"\xff\"", {}}); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { ledger->append(LedgerEntryIn{"{}", {""}}); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { ledger->append(LedgerEntryIn{"{}", {"\xc0\x80"}}); }), ErrorType::kBadRequestData);
  // One bad entry: none of the call's entries is appended.
  std::vector<LedgerEntryIn> mixed = {access(1), {"[1,", {}}};
  EXPECT_EQ(error_of([&] { ledger->append(std::move(mixed)); }), ErrorType::kBadRequestData);
  EXPECT_EQ(ledger->size(), 1u);
  EXPECT_EQ(error_of([&] { ledger->inclusion_proof(1, 1); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { ledger->inclusion_proof(0, 2); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { ledger->inclusion_proof(0, 0); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { ledger->consistency_proof(0, 1); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { ledger->consistency_proof(1, 2); }), ErrorType::kBadRequestData);
  ledger->append(access(2));
  EXPECT_EQ(error_of([&] { ledger->consistency_proof(2, 1); }), ErrorType::kBadRequestData);
  EXPECT_TRUE(ledger->consistency_proof(2, 2).proof.empty());
  EXPECT_EQ(error_of([&] { ledger->entry(2); }), ErrorType::kResourceNotFound);
  EXPECT_EQ(error_of([&] { ledger->erase(2); }), ErrorType::kResourceNotFound);
  EXPECT_TRUE(ledger->append(std::vector<LedgerEntryIn>{}).empty());
}

TEST_F(ledger, ErasureKeepsTheTree) {
  auto ledger = open_ledger(file());
  for (int i = 0; i < 9; ++i) ledger->append(access(i, i % 2 ? std::vector<std::string>{"s-bob", "s-bob"} : std::vector<std::string>{"s-alice"}));
  SignedTreeHead before = ledger->head();
  EXPECT_EQ(ledger->entries_about("s-bob", std::nullopt, 100).size(), 4u);
  EXPECT_TRUE(ledger->erase(3));
  EXPECT_FALSE(ledger->erase(3));
  LedgerEntry e = ledger->entry(3);
  EXPECT_TRUE(e.erased());
  Json json = e.to_json();
  EXPECT_FALSE(json.contains("entry"));
  EXPECT_FALSE(json.contains("salt"));
  EXPECT_EQ(json["commitment"], to_hex(e.commitment));
  InclusionProof p = ledger->inclusion_proof(3, 9);
  EXPECT_TRUE(verify_inclusion(p.leaf_hash, 3, 9, p.audit_path, before.root));
  EXPECT_EQ(ledger->head().root, before.root);
  auto bob = ledger->entries_about("s-bob", std::nullopt, 100);
  ASSERT_EQ(bob.size(), 3u);
  EXPECT_EQ(bob[0].index, 1u);
  EXPECT_EQ(bob[1].index, 5u);
  VerifyReport report = ledger->verify();
  EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems[0]);
  EXPECT_EQ(report.erased, 1u);
  EXPECT_EQ(report.entries, 8u);
}

TEST_F(ledger, SubjectPages) {
  auto ledger = open_ledger(file());
  for (int i = 0; i < 25; ++i) ledger->append(access(i, {"s-" + std::to_string(i % 3)}));
  std::vector<uint64_t> seen;
  std::optional<uint64_t> after;
  for (;;) {
    auto page = ledger->entries_about("s-1", after, 4);
    if (page.empty()) break;
    for (const auto& e : page) seen.push_back(e.index);
    after = page.back().index;
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 4, 7, 10, 13, 16, 19, 22}));
  EXPECT_TRUE(ledger->entries_about("nobody", std::nullopt, 10).empty());
}

TEST_F(ledger, ConcurrentAppendsAreGroupedAndDurable) {
  auto ledger = std::make_unique<Ledger>(store::open_sqlite_ledger(file().string(), store::Durability::kFull), test_key());
  constexpr int kThreads = 16, kEach = 40;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) got[t].push_back(ledger->append(access(t * 1000 + i)));
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      all.insert(got[t][i]);
      EXPECT_EQ(*ledger->entry(got[t][i]).text, access(t * 1000 + i).text);
    }
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kEach - 1));
  EXPECT_TRUE(ledger->verify().ok());
}

TEST_F(ledger, ReopensWhereItStopped) {
  Hash root;
  {
    auto ledger = open_ledger(file());
    for (int i = 0; i < 11; ++i) ledger->append(access(i));
    root = ledger->head().root;
  }
  auto ledger = open_ledger(file());
  EXPECT_EQ(ledger->size(), 11u);
  EXPECT_EQ(ledger->head().root, root);
  ledger->append(access(11));
  ConsistencyProof c = ledger->consistency_proof(11, 12);
  EXPECT_TRUE(verify_consistency(11, 12, root, ledger->head().root, c.proof));
  ledger->close();
  EXPECT_EQ(error_of([&] { ledger->append(access(12)); }), ErrorType::kServiceUnavailable);
}

// Forged writes through the store interface, past the ledger: verify must
// name each.
TEST_F(ledger, VerifyFindsForgeries) {
  {
    auto ledger = open_ledger(file());
    for (int i = 0; i < 6; ++i) ledger->append(access(i));
    EXPECT_TRUE(ledger->verify().ok());
  }
  auto store = store::open_sqlite_ledger(file().string(), store::Durability::kProcess);
  store::LedgerBatch forged;
  store::LedgerRecord r;
  r.index = 6;
  r.salt = std::string(16, 'x');
  r.text = R"({"actor":"clerk-6"})";
  r.commitment = sha256("another text");          // does not match salt || text
  r.leaf_hash = leaf_hash(bytes(r.commitment));
  forged.records.push_back(r);
  forged.state = {7, sha256("not the root")};     // a wrong root
  store->append(forged);
  VerifyReport report = verify_ledger(*store);
  EXPECT_FALSE(report.ok());
  ASSERT_EQ(report.problem_count, 2u);
  EXPECT_NE(report.problems[0].find("entry 6"), std::string::npos) << report.problems[0];
  EXPECT_NE(report.problems[1].find("root"), std::string::npos) << report.problems[1];

  store::LedgerBatch bad_node;
  store::LedgerRecord r7 = r;
  r7.index = 7;
  r7.commitment = sha256(r7.salt + r7.text);
  r7.leaf_hash = leaf_hash(bytes(r7.commitment));
  bad_node.records.push_back(r7);
  bad_node.nodes = {{1, 3, sha256("x")}, {2, 1, sha256("y")}, {3, 0, sha256("z")}};
  bad_node.state = {8, sha256("z")};
  store->append(bad_node);
  report = verify_ledger(*store);
  EXPECT_EQ(report.problem_count, 5u);  // entry 6, three nodes, the root
  EXPECT_EQ(report.nodes, 7u);
}

TEST(ledgers, OnePerTenant) {
  TempDir dir;
  auto ledgers = Ledgers::open(dir.path(), store::Durability::kProcess);
  EXPECT_TRUE(fs::exists(Ledgers::key_file(dir.path())));
  EXPECT_EQ(ledgers->tenant("city", false), nullptr);
  auto city = ledgers->tenant("city");
  auto main = ledgers->tenant("");
  EXPECT_EQ(ledgers->tenant("city"), city);
  city->append(access(1));
  EXPECT_EQ(city->size(), 1u);
  EXPECT_EQ(main->size(), 0u);
  EXPECT_TRUE(fs::exists(dir.path() / "ledger" / "t-city.db"));
  EXPECT_TRUE(fs::exists(dir.path() / "ledger" / "default.db"));
  EXPECT_EQ(ledgers->tenants(), (std::vector<std::string>{"", "city"}));
  EXPECT_EQ(error_of([&] { ledgers->tenant("   "); }), ErrorType::kBadRequestData);
  EXPECT_EQ(city->head().public_key, ledgers->key().public_key());
  std::string key = ledgers->key().public_key();
  ledgers->close();
  EXPECT_EQ(error_of([&] { city->append(access(2)); }), ErrorType::kServiceUnavailable);
  auto again = Ledgers::open(dir.path(), store::Durability::kProcess);
  EXPECT_EQ(again->key().public_key(), key);
  EXPECT_EQ(again->tenant("city", false)->size(), 1u);
}

}  // namespace
}  // namespace machi::trust
