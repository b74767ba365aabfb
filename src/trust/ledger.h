// The access ledger: a per-tenant, append-only log of data accesses that
// residents and auditors can verify (RFC 6962 Merkle tree, see
// docs/ledger.md).
//
// Each entry is a JSON text about some data subjects. What enters the tree
// is not the text but a commitment, SHA-256(salt || text) with a fresh
// random 16-byte salt, hashed as the leaf input. The text and salt are kept
// apart and can be erased (a resident's right to erasure) while every
// commitment, hash and proof stays valid.
//
// Appends are group-committed: any number of threads call append(); one
// appender thread takes everything queued, writes it in one durable
// transaction and wakes the callers. append() returns once its entries are
// durable; only then do they count in size(), head() and proofs.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "store/ledger_store.h"
#include "trust/merkle.h"
#include "trust/signing.h"
#include "trust/verify.h"

namespace machi::trust {

struct LedgerEntryIn {
  std::string text;                   // well-formed JSON (hence UTF-8), stored byte for byte
  std::vector<std::string> subjects;  // pseudonyms of the data subjects it is about
};

// A signed tree head. The signature is Ed25519 over signed_text().
struct SignedTreeHead {
  uint64_t size = 0;
  Hash root{};
  std::string timestamp;   // RFC 3339 in UTC with milliseconds, when it was signed
  std::string signature;   // raw 64 bytes
  std::string public_key;  // raw 32 bytes

  std::string signed_text() const;  // "<size>\n<root hex>\n<timestamp>"
  // {"size", "root" (hex), "timestamp", "signature" (base64), "publicKey" (base64)}
  Json to_json() const;
};

struct LedgerEntry {
  uint64_t index = 0;
  Hash commitment{};
  std::optional<std::string> text;  // nullopt once erased
  std::optional<std::string> salt;  // raw bytes; nullopt once erased

  bool erased() const { return !text; }
  // {"index", "commitment" (hex)} and, unless erased, "entry" (the JSON
  // text as a string) and "salt" (hex).
  Json to_json() const;
};

struct InclusionProof {
  uint64_t index = 0;
  uint64_t size = 0;
  Hash leaf_hash{};
  std::vector<Hash> audit_path;  // RFC 6962 PATH(index, D[size])

  Json to_json() const;  // {"index", "size", "leafHash", "auditPath": [hex...]}
};

struct ConsistencyProof {
  uint64_t first = 0;
  uint64_t second = 0;
  std::vector<Hash> proof;  // RFC 6962 PROOF(first, D[second])

  Json to_json() const;  // {"proof": [hex...]}
};

class Ledger {
 public:
  static constexpr size_t kMaxEntryBytes = 1 << 20;
  static constexpr size_t kMaxSubjectBytes = 1024;
  static constexpr size_t kMaxPageSize = 1000;  // entries_about's limit is cut to this

  // Reads the tree's right edge from the store and starts the appender.
  // Throws Error(InternalError) when the stored tree is damaged (run
  // `machi ledger verify`).
  Ledger(std::unique_ptr<store::LedgerStore> store, std::shared_ptr<const SigningKey> key);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends entries in order, with consecutive indices, and returns them
  // once durable. Throws Error(BadRequestData) when an entry is not
  // well-formed JSON, is over kMaxEntryBytes, or has an empty, oversized or
  // non-UTF-8 subject (then nothing is appended); Error(InternalError) when
  // the write failed; Error(ServiceUnavailable) after close().
  std::vector<uint64_t> append(std::vector<LedgerEntryIn> entries);
  uint64_t append(LedgerEntryIn entry);

  // The number of durable entries.
  uint64_t size() const;
  // The current signed tree head. Signed again only when the size changed
  // or the cached head is a second old, so that heads are cheap to serve.
  SignedTreeHead head();

  // Throws Error(ResourceNotFound) when index >= size().
  LedgerEntry entry(uint64_t index);
  // Requires index < size <= size(); throws Error(BadRequestData) otherwise.
  InclusionProof inclusion_proof(uint64_t index, uint64_t size);
  // Requires 0 < first <= second <= size() (RFC 6962 defines no proof from
  // the empty tree; first == second gives an empty proof); throws
  // Error(BadRequestData) otherwise.
  ConsistencyProof consistency_proof(uint64_t first, uint64_t second);

  // Erases the text, salt and subject index of an entry; its commitment and
  // leaf stay. Durable on return. False when it was erased before; throws
  // Error(ResourceNotFound) when index >= size().
  bool erase(uint64_t index);
  // Non-erased entries about subject with index > after (from the first
  // when nullopt), in index order, at most min(limit, kMaxPageSize).
  std::vector<LedgerEntry> entries_about(const std::string& subject, std::optional<uint64_t> after, size_t limit);

  // Rechecks the whole stored tree (see verify.h).
  VerifyReport verify();

  // Waits for queued appends, stops the appender and closes the store.
  void close();

 private:
  struct Pending;
  struct TreeState {
    uint64_t size = 0;
    Hash root{};
  };

  std::shared_ptr<Pending> prepare(std::vector<LedgerEntryIn>& entries);
  void run_appender();
  void write_batch(std::vector<std::shared_ptr<Pending>>& batch);
  std::vector<Hash> read_ranges(const std::vector<LeafRange>& ranges, std::optional<uint64_t> leaf,
                                Hash* leaf_hash_out);
  TreeState published() const;

  std::unique_ptr<store::LedgerStore> store_;
  std::shared_ptr<const SigningKey> key_;

  Frontier frontier_;  // appender thread only (and the constructor)

  mutable std::mutex state_mutex_;
  TreeState state_;  // what is durable

  std::mutex head_mutex_;
  std::optional<SignedTreeHead> head_;
  int64_t head_signed_at_ = 0;

  std::mutex queue_mutex_;
  std::condition_variable queue_wake_;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool stopping_ = false;
  std::thread appender_;
};

// One ledger per tenant under a data directory, opened on first use; all
// share one signing key. Thread-safe.
class Ledgers {
 public:
  Ledgers(std::filesystem::path data_dir, store::Durability durability, std::shared_ptr<const SigningKey> key);
  // Loads the key from key_file(data_dir), generating it on first use.
  static std::unique_ptr<Ledgers> open(const std::filesystem::path& data_dir, store::Durability durability);
  ~Ledgers();

  // <data_dir>/ledger/ed25519.pem
  static std::filesystem::path key_file(const std::filesystem::path& data_dir);

  // The tenant's ledger ("" is the default tenant); nullptr when it has no
  // ledger yet and create is false. Throws Error(BadRequestData) for an
  // invalid tenant name.
  std::shared_ptr<Ledger> tenant(const std::string& name, bool create = true);
  // Tenants with a ledger file.
  std::vector<std::string> tenants() const;
  const SigningKey& key() const { return *key_; }
  // Closes every ledger (after their queued appends).
  void close();

 private:
  std::filesystem::path data_dir_;
  store::Durability durability_;
  std::shared_ptr<const SigningKey> key_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Ledger>> open_;
  bool closed_ = false;
};

}  // namespace machi::trust
