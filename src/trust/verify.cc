#include "trust/verify.h"

#include <algorithm>
#include <map>

#include "trust/encoding.h"

namespace machi::trust {
namespace {

// Leaves read per step: bounds memory whatever the size of the tree.
constexpr uint64_t kChunk = uint64_t{1} << 14;

class Checker {
 public:
  Checker(store::LedgerSnapshot& snapshot, VerifyReport& report) : snapshot_(snapshot), report_(report) {}

  void problem(std::string what) {
    report_.problem_count++;
    if (report_.problems.size() < VerifyReport::kMaxListedProblems) report_.problems.push_back(std::move(what));
  }

  // Rehashes leaves [begin, end); false when leaves are missing (the tree
  // cannot be rebuilt past a hole).
  bool check_leaves(uint64_t begin, uint64_t end, Frontier& frontier, Frontier::Completed& completed) {
    uint64_t expected = begin;
    for (const store::StoredLeaf& leaf : snapshot_.leaves(begin, end)) {
      if (leaf.index != expected) break;
      check_leaf(leaf);
      frontier.push(leaf_hash(as_bytes(leaf.commitment)), &completed);
      ++expected;
    }
    if (expected == end) return true;
    problem("leaf " + std::to_string(expected) + " is missing (the tree has " + std::to_string(report_.size) +
            " leaves); cannot check further");
    return false;
  }

  // Compares the nodes that the leaves completed with the stored ones.
  void check_nodes(Frontier::Completed& completed) {
    std::map<int, std::vector<std::pair<uint64_t, Hash>>> by_level;
    for (const auto& [ref, hash] : completed) by_level[ref.level].push_back({ref.index, hash});
    for (auto& [level, computed] : by_level) {
      std::vector<store::LedgerNode> stored =
          snapshot_.level_nodes(level, computed.front().first, computed.back().first + 1);
      size_t s = 0;
      for (const auto& [index, hash] : computed) {
        while (s < stored.size() && stored[s].index < index) ++s;
        report_.nodes++;
        if (s == stored.size() || stored[s].index != index) {
          problem("node (level " + std::to_string(level) + ", index " + std::to_string(index) + ") is missing");
        } else if (stored[s].hash != hash) {
          problem("node (level " + std::to_string(level) + ", index " + std::to_string(index) +
                  ") does not match the hash of its children");
        }
      }
    }
    completed.clear();
  }

  // Nothing may lie beyond the recorded size: a leaf or node there was
  // written outside an append, or the recorded size was cut back.
  void check_nothing_beyond(uint64_t size) {
    if (auto last = snapshot_.last_leaf_index(); last && *last >= size) {
      problem("leaves beyond the recorded size " + std::to_string(size) + " (up to index " + std::to_string(*last) + ")");
    }
    for (int level = 1; level < 64; ++level) {
      auto last = snapshot_.last_node_index(level);
      if (last && *last >= (size >> level)) {
        problem("node (level " + std::to_string(level) + ", index " + std::to_string(*last) +
                ") lies beyond the recorded size " + std::to_string(size));
      }
    }
  }

 private:
  static std::string_view as_bytes(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

  void check_leaf(const store::StoredLeaf& leaf) {
    if (leaf_hash(as_bytes(leaf.commitment)) != leaf.leaf_hash) {
      problem("leaf " + std::to_string(leaf.index) + ": the stored leaf hash is not H(0x00 || commitment)");
    }
    if (!leaf.text) {
      report_.erased++;
      return;
    }
    report_.entries++;
    if (sha256(*leaf.salt, *leaf.text) != leaf.commitment) {
      problem("entry " + std::to_string(leaf.index) + ": the commitment does not match SHA-256(salt || entry)");
    }
  }

  store::LedgerSnapshot& snapshot_;
  VerifyReport& report_;
};

}  // namespace

VerifyReport verify_ledger(store::LedgerStore& store) {
  VerifyReport report;
  std::unique_ptr<store::LedgerSnapshot> snapshot = store.snapshot();
  store::LedgerTreeState state = snapshot->tree_state();
  report.size = state.size;
  Checker checker(*snapshot, report);
  Frontier frontier;
  Frontier::Completed completed;
  bool whole = true;
  for (uint64_t begin = 0; begin < state.size && whole; begin += kChunk) {
    whole = checker.check_leaves(begin, std::min(begin + kChunk, state.size), frontier, completed);
    checker.check_nodes(completed);
  }
  checker.check_nothing_beyond(state.size);
  report.root = frontier.root();
  if (whole && state.size > 0 && report.root != state.root) {
    checker.problem("the recomputed root " + to_hex(report.root) + " differs from the recorded root " +
                    to_hex(state.root));
  }
  return report;
}

}  // namespace machi::trust
