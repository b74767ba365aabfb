// Storage of the access ledger (src/trust/ledger.h): an append-only Merkle
// log per tenant. The store keeps what the tree needs and nothing of its
// math (it never hashes):
//   leaves     index -> commitment, leaf hash            (never deleted)
//   nodes      (level, index) -> hash of each complete perfect subtree
//              of 2^level leaves, level >= 1            (never deleted)
//   entries    index -> salt, entry text, subjects       (deletable: erasure)
//   subjects   (subject, index)                          (deleted with the entry)
//   the size and root that the last append recorded.
// With the perfect subtrees stored, any proof is O(log n) point lookups.
//
// The interface holds no SQLite type: a PostgreSQL backend can follow.
// Writes are serialized by the caller (the ledger's one appender thread);
// reads go through snapshots that never block the writer.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/store.h"

namespace machi::store {

using Digest = std::array<unsigned char, 32>;  // a SHA-256 value

// One new entry, hashed by the caller.
struct LedgerRecord {
  uint64_t index = 0;
  Digest commitment{};  // SHA-256(salt || text)
  Digest leaf_hash{};   // SHA-256(0x00 || commitment)
  std::string salt;     // raw bytes
  std::string text;     // the entry's JSON text
  std::vector<std::string> subjects;  // data subject pseudonyms, distinct
};

// The hash of the perfect subtree of leaves [index << level, (index + 1) << level).
struct LedgerNode {
  int level = 0;
  uint64_t index = 0;
  Digest hash{};
};

struct LedgerNodeRef {
  int level = 0;  // 0: a leaf hash
  uint64_t index = 0;
};

// The tree as the last append left it.
struct LedgerTreeState {
  uint64_t size = 0;
  Digest root{};  // meaningful when size > 0
};

// One append: records with consecutive indices starting at the store's
// size, the perfect subtrees (level >= 1) that they complete, and the new
// size and root.
struct LedgerBatch {
  std::vector<LedgerRecord> records;
  std::vector<LedgerNode> nodes;
  LedgerTreeState state;
};

// A leaf as stored; salt, text and subjects are gone once it was erased.
struct StoredLeaf {
  uint64_t index = 0;
  Digest commitment{};
  Digest leaf_hash{};
  std::optional<std::string> salt;
  std::optional<std::string> text;
};

// A consistent read view: everything read through one snapshot belongs to
// the same committed state, whatever the writer does meanwhile.
class LedgerSnapshot {
 public:
  virtual ~LedgerSnapshot() = default;
  virtual LedgerTreeState tree_state() = 0;
  // Hashes of perfect subtrees (level 0: leaf hashes), one per ref, in
  // order; nullopt where the store has none.
  virtual std::vector<std::optional<Digest>> nodes(std::span<const LedgerNodeRef> refs) = 0;
  // Leaves with index in [begin, end), in index order (missing ones are
  // simply absent).
  virtual std::vector<StoredLeaf> leaves(uint64_t begin, uint64_t end) = 0;
  // Stored nodes of one level with index in [begin, end), in index order.
  virtual std::vector<LedgerNode> level_nodes(int level, uint64_t begin, uint64_t end) = 0;
  // The highest leaf index / node index of a level; nullopt when none.
  virtual std::optional<uint64_t> last_leaf_index() = 0;
  virtual std::optional<uint64_t> last_node_index(int level) = 0;
  // Non-erased leaves about subject with index > after (all when nullopt),
  // in index order, at most limit.
  virtual std::vector<StoredLeaf> about_subject(const std::string& subject, std::optional<uint64_t> after,
                                                size_t limit) = 0;
};

class LedgerStore {
 public:
  virtual ~LedgerStore() = default;
  // Writes the batch in one transaction; on return it is durable as the
  // store's Durability says. Throws Error(InternalError) when the batch does
  // not start at the stored size, or when the write fails (then nothing of
  // it is stored).
  virtual void append(const LedgerBatch& batch) = 0;
  // Deletes the salt, text and subject rows of one entry, durably. False
  // when there was nothing to delete (erased before, or no such entry).
  virtual bool erase(uint64_t index) = 0;
  virtual std::unique_ptr<LedgerSnapshot> snapshot() = 0;
  // Closes the files; later calls throw Error(ServiceUnavailable).
  virtual void close() = 0;
};

// The ledger file of a tenant: <data_dir>/ledger/default.db for the default
// tenant "", <data_dir>/ledger/t-<tenant_file_name(name)> otherwise (see
// tenant_name.h). Throws Error(BadRequestData) for an invalid name.
std::filesystem::path ledger_file(const std::filesystem::path& data_dir, const std::string& tenant);
// The tenants whose ledger file exists under data_dir, "" first if present.
std::vector<std::string> ledger_tenants(const std::filesystem::path& data_dir);

// Opens (creating when needed, with its directory) and migrates a SQLite
// ledger file; records the tenant name in it.
std::unique_ptr<LedgerStore> open_sqlite_ledger(const std::string& path, Durability durability,
                                                const std::string& tenant = "");

}  // namespace machi::store
