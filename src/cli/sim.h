// `machi sim`: synthetic data for analysis, outside the store.
//   machi sim episodes --persons N --days D --seed S --out FILE.csv [--start YYYY-MM-DD]
#pragma once

#include <string>
#include <vector>

namespace machi::cli {

// Runs a `sim` subcommand; returns the process exit code. Throws
// std::invalid_argument for bad arguments.
int sim(const std::vector<std::string>& args);

}  // namespace machi::cli
