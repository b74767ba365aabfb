// A full recheck of one ledger, as `machi ledger verify` runs it: every
// non-erased entry's commitment from its salt and text, every leaf hash
// from its commitment, every stored interior node from its children, and
// the root against the one recorded by the last append. Reads one
// consistent snapshot; appends may go on meanwhile.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/ledger_store.h"
#include "trust/merkle.h"

namespace machi::trust {

struct VerifyReport {
  uint64_t size = 0;           // leaves checked: the recorded tree size
  uint64_t entries = 0;        // entries whose commitment was recomputed
  uint64_t erased = 0;         // leaves whose entry was erased
  uint64_t nodes = 0;          // interior nodes compared
  Hash root{};                 // the recomputed root
  uint64_t problem_count = 0;  // all problems found
  std::vector<std::string> problems;  // the first kMaxListedProblems of them

  static constexpr size_t kMaxListedProblems = 20;
  bool ok() const { return problem_count == 0; }
};

VerifyReport verify_ledger(store::LedgerStore& store);

}  // namespace machi::trust
