#include "trust/ledger.h"

#include <openssl/rand.h>

#include <algorithm>
#include <future>

#include "core/error.h"
#include "core/time.h"
#include "trust/encoding.h"

namespace machi::trust {
namespace {

constexpr size_t kSaltBytes = 16;
// Records per transaction at most: bounds the appender's memory and the
// time other writers of the file (erasures) wait, while keeping commits
// large enough that the fsync is shared by thousands of entries.
constexpr size_t kMaxBatchRecords = 16384;
// A head is signed again at most this often when the size did not change.
constexpr int64_t kHeadRefreshMs = 1000;

std::string_view as_bytes(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

Json hex_list(const std::vector<Hash>& hashes) {
  Json out = Json::array();
  for (const Hash& h : hashes) out.push_back(to_hex(h));
  return out;
}

// Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool is_utf8(std::string_view s) {
  static constexpr uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    uint32_t cp = c;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 0x6) {
      extra = 1, cp = c & 0x1f;
    } else if ((c >> 4) == 0xe) {
      extra = 2, cp = c & 0x0f;
    } else if ((c >> 3) == 0x1e) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    if (cp < kMinimum[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

void check_entry(const LedgerEntryIn& entry, size_t position) {
  auto reject = [&](const std::string& why) {
    throw Error(ErrorType::kBadRequestData, "ledger entry " + std::to_string(position) + ": " + why);
  };
  if (entry.text.size() > Ledger::kMaxEntryBytes) reject("larger than " + std::to_string(Ledger::kMaxEntryBytes) + " bytes");
  // accept() runs the parser without building a document; its lexer also
  // refuses ill-formed UTF-8 in strings.
  if (!nlohmann::json::accept(entry.text)) reject("not well-formed JSON");
  for (const std::string& subject : entry.subjects) {
    if (subject.empty()) reject("empty subject");
    if (subject.size() > Ledger::kMaxSubjectBytes) reject("subject longer than " + std::to_string(Ledger::kMaxSubjectBytes) + " bytes");
    if (!is_utf8(subject)) reject("subject is not UTF-8");
  }
}

std::vector<std::string> distinct(std::vector<std::string> subjects) {
  std::vector<std::string> out;
  for (std::string& s : subjects) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

std::string random_salt() {
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1) {
    throw Error(ErrorType::kInternalError, "ledger: no random bytes for a salt");
  }
  return salt;
}

LedgerEntry to_entry(const store::StoredLeaf& leaf) {
  return LedgerEntry{leaf.index, leaf.commitment, leaf.text, leaf.salt};
}

[[noreturn]] void bad_request(const std::string& what) { throw Error(ErrorType::kBadRequestData, what); }

}  // namespace

// ---- documents ----

std::string SignedTreeHead::signed_text() const {
  return std::to_string(size) + "\n" + to_hex(root) + "\n" + timestamp;
}

Json SignedTreeHead::to_json() const {
  return Json{{"size", size},
              {"root", to_hex(root)},
              {"timestamp", timestamp},
              {"signature", to_base64(signature)},
              {"publicKey", to_base64(public_key)}};
}

Json LedgerEntry::to_json() const {
  Json out{{"index", index}, {"commitment", to_hex(commitment)}};
  if (text) out["entry"] = *text;
  if (salt) out["salt"] = to_hex(*salt);
  return out;
}

Json InclusionProof::to_json() const {
  return Json{{"index", index}, {"size", size}, {"leafHash", to_hex(leaf_hash)}, {"auditPath", hex_list(audit_path)}};
}

Json ConsistencyProof::to_json() const { return Json{{"proof", hex_list(proof)}}; }

// ---- the ledger ----

// Entries of one append() call, waiting for the appender.
struct Ledger::Pending {
  std::vector<store::LedgerRecord> records;
  uint64_t first_index = 0;
  std::exception_ptr error;
  std::promise<void> done;
};

Ledger::Ledger(std::unique_ptr<store::LedgerStore> store, std::shared_ptr<const SigningKey> key)
    : store_(std::move(store)), key_(std::move(key)) {
  auto snapshot = store_->snapshot();
  store::LedgerTreeState stored = snapshot->tree_state();
  std::vector<store::LedgerNodeRef> refs;
  if (stored.size > 0) {
    for (const NodeRef& ref : perfect_cover({0, stored.size})) refs.push_back({ref.level, ref.index});
  }
  std::vector<Hash> cover;
  for (const auto& hash : snapshot->nodes(refs)) {
    if (!hash) throw Error(ErrorType::kInternalError, "ledger damaged: a node of the right edge is missing");
    cover.push_back(*hash);
  }
  frontier_ = Frontier(stored.size, cover);
  if (stored.size > 0 && frontier_.root() != stored.root) {
    throw Error(ErrorType::kInternalError, "ledger damaged: the stored nodes do not give the recorded root");
  }
  state_ = {frontier_.size(), frontier_.root()};
  appender_ = std::thread([this] { run_appender(); });
}

Ledger::~Ledger() { close(); }

void Ledger::close() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_wake_.notify_one();
  if (appender_.joinable()) appender_.join();
  store_->close();
}

std::shared_ptr<Ledger::Pending> Ledger::prepare(std::vector<LedgerEntryIn>& entries) {
  for (size_t i = 0; i < entries.size(); ++i) check_entry(entries[i], i);
  auto pending = std::make_shared<Pending>();
  pending->records.reserve(entries.size());
  for (LedgerEntryIn& entry : entries) {
    store::LedgerRecord r;
    r.salt = random_salt();
    r.commitment = sha256(r.salt, entry.text);
    r.leaf_hash = leaf_hash(as_bytes(r.commitment));
    r.text = std::move(entry.text);
    r.subjects = distinct(std::move(entry.subjects));
    pending->records.push_back(std::move(r));
  }
  return pending;
}

std::vector<uint64_t> Ledger::append(std::vector<LedgerEntryIn> entries) {
  if (entries.empty()) return {};
  // Validation and hashing run here, on the callers' threads, in parallel;
  // the appender only places leaves and writes.
  std::shared_ptr<Pending> pending = prepare(entries);
  std::future<void> done = pending->done.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) throw Error(ErrorType::kServiceUnavailable, "the ledger is closed");
    queue_.push_back(pending);
  }
  queue_wake_.notify_one();
  done.get();
  if (pending->error) std::rethrow_exception(pending->error);
  std::vector<uint64_t> indices(entries.size());
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = pending->first_index + i;
  return indices;
}

uint64_t Ledger::append(LedgerEntryIn entry) {
  std::vector<LedgerEntryIn> one;
  one.push_back(std::move(entry));
  return append(std::move(one)).front();
}

void Ledger::run_appender() {
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    queue_wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued is written
    std::vector<std::shared_ptr<Pending>> batch;
    size_t records = 0;
    while (!queue_.empty() && (batch.empty() || records + queue_.front()->records.size() <= kMaxBatchRecords)) {
      records += queue_.front()->records.size();
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    write_batch(batch);
    lock.lock();
  }
}

void Ledger::write_batch(std::vector<std::shared_ptr<Pending>>& batch) {
  // Leaves are placed on a copy of the right edge, which replaces the
  // real one only once the batch is durable.
  Frontier next = frontier_;
  Frontier::Completed completed;
  store::LedgerBatch write;
  for (const auto& pending : batch) {
    pending->first_index = next.size();
    for (store::LedgerRecord& r : pending->records) {
      r.index = next.size();
      next.push(r.leaf_hash, &completed);
      write.records.push_back(std::move(r));
    }
    pending->records.clear();
  }
  write.nodes.reserve(completed.size());
  for (const auto& [ref, hash] : completed) write.nodes.push_back({ref.level, ref.index, hash});
  write.state = {next.size(), next.root()};
  std::exception_ptr error;
  try {
    store_->append(write);
    frontier_ = next;
    std::lock_guard lock(state_mutex_);
    state_ = {next.size(), write.state.root};
  } catch (const std::exception& e) {
    error = std::make_exception_ptr(Error(ErrorType::kInternalError, std::string("ledger append failed: ") + e.what()));
  } catch (...) {
    error = std::make_exception_ptr(Error(ErrorType::kInternalError, "ledger append failed"));
  }
  for (const auto& pending : batch) {
    pending->error = error;
    pending->done.set_value();
  }
}

Ledger::TreeState Ledger::published() const {
  std::lock_guard lock(state_mutex_);
  return state_;
}

uint64_t Ledger::size() const { return published().size; }

SignedTreeHead Ledger::head() {
  TreeState state = published();
  std::lock_guard lock(head_mutex_);
  TimeMs now = now_ms();
  if (head_ && head_->size == state.size && now - head_signed_at_ < kHeadRefreshMs) return *head_;
  SignedTreeHead head;
  head.size = state.size;
  head.root = state.root;
  head.timestamp = format_datetime(now);
  head.signature = key_->sign(head.signed_text());
  head.public_key = key_->public_key();
  head_ = head;
  head_signed_at_ = now;
  return head;
}

LedgerEntry Ledger::entry(uint64_t index) {
  if (index >= size()) throw Error(ErrorType::kResourceNotFound, "no ledger entry " + std::to_string(index));
  std::vector<store::StoredLeaf> leaves = store_->snapshot()->leaves(index, index + 1);
  if (leaves.empty()) throw Error(ErrorType::kInternalError, "ledger damaged: leaf " + std::to_string(index) + " is missing");
  return to_entry(leaves.front());
}

std::vector<Hash> Ledger::read_ranges(const std::vector<LeafRange>& ranges, std::optional<uint64_t> leaf,
                                      Hash* leaf_hash_out) {
  // All the perfect subtrees of all ranges in one snapshot, then each
  // range folded from its own.
  std::vector<store::LedgerNodeRef> refs;
  std::vector<size_t> cover_ends;
  if (leaf) refs.push_back({0, *leaf});
  for (const LeafRange& range : ranges) {
    for (const NodeRef& ref : perfect_cover(range)) refs.push_back({ref.level, ref.index});
    cover_ends.push_back(refs.size());
  }
  std::vector<std::optional<Hash>> found = store_->snapshot()->nodes(refs);
  std::vector<Hash> hashes;
  hashes.reserve(found.size());
  for (const auto& h : found) {
    if (!h) throw Error(ErrorType::kInternalError, "ledger damaged: a stored node is missing");
    hashes.push_back(*h);
  }
  size_t at = 0;
  if (leaf) *leaf_hash_out = hashes[at++];
  std::vector<Hash> out;
  for (size_t end : cover_ends) {
    out.push_back(fold_cover(std::span<const Hash>(hashes).subspan(at, end - at)));
    at = end;
  }
  return out;
}

InclusionProof Ledger::inclusion_proof(uint64_t index, uint64_t tree_size) {
  uint64_t current = size();
  if (tree_size == 0 || tree_size > current) {
    bad_request("tree size " + std::to_string(tree_size) + " is not in 1.." + std::to_string(current));
  }
  if (index >= tree_size) bad_request("index " + std::to_string(index) + " is not below the tree size " + std::to_string(tree_size));
  InclusionProof proof;
  proof.index = index;
  proof.size = tree_size;
  proof.audit_path = read_ranges(inclusion_ranges(index, tree_size), index, &proof.leaf_hash);
  return proof;
}

ConsistencyProof Ledger::consistency_proof(uint64_t first, uint64_t second) {
  uint64_t current = size();
  if (first == 0 || first > second || second > current) {
    bad_request("consistency needs 0 < first <= second <= " + std::to_string(current) + ", got " +
                std::to_string(first) + " and " + std::to_string(second));
  }
  ConsistencyProof proof;
  proof.first = first;
  proof.second = second;
  proof.proof = read_ranges(consistency_ranges(first, second), std::nullopt, nullptr);
  return proof;
}

bool Ledger::erase(uint64_t index) {
  if (index >= size()) throw Error(ErrorType::kResourceNotFound, "no ledger entry " + std::to_string(index));
  return store_->erase(index);
}

std::vector<LedgerEntry> Ledger::entries_about(const std::string& subject, std::optional<uint64_t> after,
                                               size_t limit) {
  std::vector<LedgerEntry> out;
  uint64_t current = size();
  for (const store::StoredLeaf& leaf : store_->snapshot()->about_subject(subject, after, std::min(limit, kMaxPageSize))) {
    if (leaf.index >= current) break;  // committed but not yet durable
    out.push_back(to_entry(leaf));
  }
  return out;
}

VerifyReport Ledger::verify() { return verify_ledger(*store_); }

// ---- one ledger per tenant ----

Ledgers::Ledgers(std::filesystem::path data_dir, store::Durability durability, std::shared_ptr<const SigningKey> key)
    : data_dir_(std::move(data_dir)), durability_(durability), key_(std::move(key)) {}

std::unique_ptr<Ledgers> Ledgers::open(const std::filesystem::path& data_dir, store::Durability durability) {
  auto key = std::make_shared<const SigningKey>(SigningKey::load_or_create(key_file(data_dir)));
  return std::make_unique<Ledgers>(data_dir, durability, std::move(key));
}

Ledgers::~Ledgers() { close(); }

std::filesystem::path Ledgers::key_file(const std::filesystem::path& data_dir) {
  return data_dir / "ledger" / "ed25519.pem";
}

std::shared_ptr<Ledger> Ledgers::tenant(const std::string& name, bool create) {
  std::lock_guard lock(mutex_);
  if (closed_) throw Error(ErrorType::kServiceUnavailable, "the ledgers are closed");
  if (auto it = open_.find(name); it != open_.end()) return it->second;
  std::filesystem::path file = store::ledger_file(data_dir_, name);
  if (!create && !std::filesystem::exists(file)) return nullptr;
  auto ledger = std::make_shared<Ledger>(store::open_sqlite_ledger(file.string(), durability_, name), key_);
  open_.emplace(name, ledger);
  return ledger;
}

std::vector<std::string> Ledgers::tenants() const { return store::ledger_tenants(data_dir_); }

void Ledgers::close() {
  std::map<std::string, std::shared_ptr<Ledger>> open;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    open.swap(open_);
  }
  for (auto& [name, ledger] : open) ledger->close();
}

}  // namespace machi::trust
