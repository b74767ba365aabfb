// HTTP requests and responses as machi's handlers see them: plain values,
// independent of the server library underneath.
#pragma once

#include <any>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace machi::http {

// Case-insensitive header name comparison (HTTP field names).
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};

using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;                                   // "GET", "POST", ...
  std::string path;                                     // decoded path, no query
  std::string raw_path;                                 // as received (still %-encoded)
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  HeaderMap headers;
  std::string body;
  std::map<std::string, std::string> path_params;       // filled by the router
  std::any auth;                                        // who is asking, set by the router's guard

  // The first value of a query parameter, or nullptr.
  const std::string* param(std::string_view name) const;
  // A header's value, or "" when absent.
  std::string_view header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set_header(std::string name, std::string value);
};

// Decodes %XX escapes. '+' stays '+' (NGSI-LD date-times carry '+hh:mm').
// Returns false for a malformed escape.
bool percent_decode(std::string_view in, std::string& out);

// Encodes every byte outside RFC 3986 unreserved characters and ':' '@'
// (a path segment or query value that round-trips through percent_decode).
std::string percent_encode(std::string_view in);

// Splits "a=1&b=2" into decoded pairs; false on a malformed escape.
bool parse_query_string(std::string_view text, std::vector<std::pair<std::string, std::string>>& out);

}  // namespace machi::http
