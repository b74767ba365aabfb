// A small blocking HTTP/1.1 client for machi's own outbound calls (remote
// JSON-LD contexts now; notifications later). Every call is bounded by a
// deadline, so a slow or silent peer can never hang a request.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace machi::http {

struct ClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// GET url ("http://host[:port]/path"); nullopt on any failure or timeout.
// https URLs are not supported yet and answer nullopt.
std::optional<ClientResponse> http_get(const std::string& url, std::chrono::milliseconds timeout,
                                       size_t max_body_bytes = 1 << 20);

}  // namespace machi::http
