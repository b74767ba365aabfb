// Serves the built web app (web/dist) with client-side routing: a GET for a
// file that exists returns it; any other GET outside the API prefixes
// returns index.html so the app's router can take over.
#pragma once

#include <string>
#include <vector>

#include "http/router.h"

namespace machi::http {

class StaticFiles {
 public:
  // api_prefixes: paths that never fall back to index.html (e.g. "/ngsi-ld/").
  StaticFiles(std::string root, std::vector<std::string> api_prefixes);
  // The router's fallback for requests no route matched.
  Response serve(Request& request) const;

 private:
  std::string root_;
  std::vector<std::string> api_prefixes_;
};

// The Content-Type for a file name by its extension.
std::string content_type_for(const std::string& path);

}  // namespace machi::http
