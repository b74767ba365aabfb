// Applies entity mutations inside the writer's transaction: read the current
// document, run the mutator, write the new document, bring the index tables
// and the history up to date. Used only on the writer thread.
#pragma once

#include <exception>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "store/doc_index.h"
#include "store/group_commit.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace machi::store {

class EntityWriter : public BatchHooks {
 public:
  struct Doc {
    std::optional<int64_t> rowid;  // nullopt: the entity does not exist
    std::string text;
    std::optional<Json> json;
  };
  // What one mutation changes, computed before anything is written. History
  // points into current.json and next: a Change must not be copied or moved
  // once computed.
  struct Change {
    Doc current;
    std::optional<Json> next;
    std::string next_text;
    DocIndex before, after;
    std::vector<HistoryChange> history;
    bool writes = false;             // false: nothing to write
    std::exception_ptr rejection;    // the mutation was rejected
  };

  // Computes a mutation's change from a read connection, on the caller's
  // thread, so that parsing, the mutator, serialization and index rows do
  // not queue behind the single writer thread. Uses no writer state. The
  // writer applies it only if the entity's row is still the one it was
  // computed from (same rowid, same text), else computes anew: the result
  // is the same as if everything had run in the writer's transaction.
  static void compute_ahead(Db& reader, const Mutation& mutation, Change& change);

  // Runs one mutation in its own savepoint and fills result, using `ahead`
  // (may be null) when it is still valid. A rejected mutation leaves nothing
  // behind. Throws only when the transaction itself is gone (then the batch
  // fails).
  void apply(Db& db, const Mutation& mutation, Change* ahead, MutationResult& result);

  void before_commit(Db& db) override;
  void after_batch(bool committed) override;

  // Called on the writer thread after a committed batch that appended to
  // the change feed, with the batch's last seq.
  void set_commit_listener(std::function<void(int64_t)> listener) { on_commit_ = std::move(listener); }

  // The ids of the entities the current batch has written (created, changed
  // or deleted), until after_batch().
  const std::vector<std::string>& written_in_batch() const { return batch_written_; }

 private:
  // The entity's row, unparsed.
  static Doc read_row(Db& db, const std::string& entity_id);
  // Runs the mutator on change.current (parsing it) and fills the rest of
  // the change, or its rejection.
  static void compute(const Mutation& mutation, Change& change);
  void store(Db& db, const std::string& entity_id, const Change& change);
  int64_t write_row(Db& db, const std::string& entity_id, const Doc& current, const std::optional<Json>& next,
                    const std::string& next_text, const DocIndex& index);
  void write_sets(Db& db, int64_t rowid, const DocIndex& before, const DocIndex& after);
  void write_values(Db& db, int64_t rowid, const DocIndex& before, const DocIndex& after);
  void write_geo(Db& db, int64_t rowid, const DocIndex& before, const DocIndex& after);
  void count_type_attrs(Db& db, const DocIndex& before, const DocIndex& after);
  int64_t term(Db& db, const std::string& iri);

  // Interned names; entries added by a mutation that is rolled back, or by a
  // batch that fails, are forgotten with it.
  std::unordered_map<std::string, int64_t> terms_;
  std::vector<std::string> mutation_terms_;
  // type_attrs counts change per (type, attr, attr type). They are summed
  // over the batch and written once before COMMIT: most entities of a batch
  // share their types and attributes, so this turns thousands of updates of
  // the same few rows into a handful.
  using TypeAttr = std::tuple<int64_t, int64_t, int64_t>;
  std::map<TypeAttr, int64_t> mutation_counts_;
  std::map<TypeAttr, int64_t> batch_counts_;
  std::vector<std::string> batch_written_;
  int64_t batch_last_seq_ = 0;           // last change-feed seq written in this batch
  std::function<void(int64_t)> on_commit_;
};

// Ids of the geo rtree rows of an entity: rowid << 16 | k, k < 65536, so
// that they can be found from the entity without an index on the rtree.
inline constexpr int kGeoIdBits = 16;
inline constexpr size_t kMaxGeoInstances = size_t{1} << kGeoIdBits;

}  // namespace machi::store
