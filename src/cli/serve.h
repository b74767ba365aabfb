// `machi serve`: assembles the store, the context resolver, the routes and
// the HTTP server, and runs until SIGTERM or SIGINT.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace machi::cli {

struct ServeOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::string data_dir = "data";
  store::Durability durability = store::Durability::kFull;
  size_t max_body_bytes = 8 * 1024 * 1024;
  std::vector<std::string> context_allow_list;  // URL prefixes machi may fetch @contexts from
  int context_fetch_timeout_ms = 2000;
  std::string web_dir;                          // built web app to host at / ("" = none)
};

// Returns the process exit code.
int serve(const ServeOptions& options);

// Parses `serve` arguments; throws std::invalid_argument with a message.
ServeOptions parse_serve_args(const std::vector<std::string>& args);

}  // namespace machi::cli
