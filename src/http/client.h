// A small blocking HTTP/1.1 client for machi's own outbound calls (remote
// JSON-LD contexts now; notifications later). Every call is bounded by a
// deadline, so a slow or silent peer can never hang a request.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/address_policy.h"

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

// Any method with optional headers and body (e.g. the NGSIv2 forwarding of
// queries and updates to context providers); nullopt on failure or timeout.
// With a policy, only the resolved addresses it allows are tried (none
// allowed: nullopt, and a line on stderr saying why).
std::optional<ClientResponse> http_request(const std::string& method, const std::string& url,
                                           const std::vector<std::pair<std::string, std::string>>& headers,
                                           const std::string& body, std::chrono::milliseconds timeout,
                                           size_t max_body_bytes = 1 << 20, const AddressPolicy* policy = nullptr);

// POST body to url ("http://host[:port]/path") with the given headers
// (Content-Type among them); nullopt on a connection failure or timeout.
// The answer's body is read up to max_body_bytes and otherwise ignored.
std::optional<ClientResponse> http_post(const std::string& url,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        const std::string& body, std::chrono::milliseconds timeout,
                                        size_t max_body_bytes = 64 << 10, const AddressPolicy* policy = nullptr);

}  // namespace machi::http
