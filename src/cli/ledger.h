// `machi ledger`: offline work on the access ledgers of a data directory.
//   machi ledger verify --data DIR
//       rechecks every tenant's ledger (commitments, leaf hashes, interior
//       nodes, root); prints one summary per tenant; exit status 0 when
//       everything holds, 1 otherwise.
#pragma once

#include <string>
#include <vector>

namespace machi::cli {

// Runs a `ledger` subcommand; returns the process exit code. Throws
// std::invalid_argument for bad arguments.
int ledger(const std::vector<std::string>& args);

}  // namespace machi::cli
