// `machi demo`: generates the synthetic city デモ市 into the data directory
// on first start, then serves exactly like `machi serve`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/serve.h"

namespace machi::cli {

struct DemoOptions {
  ServeOptions serve;
  uint64_t seed = 1;
  size_t residents = 20000;
  int history_days = 30;  // days of sensor history to generate (sim::kReadingDays at most)
};

// --seed N, --residents N and --history-days D; everything else as for `serve`. Throws
// std::invalid_argument with a message.
DemoOptions parse_demo_args(const std::vector<std::string>& args);

// Generates the city when the data directory does not hold it yet, then
// serves. Returns the process exit code.
int demo(const DemoOptions& options);

}  // namespace machi::cli
