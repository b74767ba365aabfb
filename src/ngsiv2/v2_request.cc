#include "ngsiv2/v2_request.h"

#include <algorithm>
#include <cstdio>

#include "broker/ld_request.h"
#include "core/error.h"
#include "core/time.h"
#include "ngsiv2/v2_entity.h"

namespace machi::ngsiv2 {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string media_type_of(std::string_view value) {
  size_t semicolon = value.find(';');
  std::string_view type = value.substr(0, semicolon);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return lower(type);
}

std::string trim(std::string text) {
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// machi::Error -> Orion's status and error name.
V2Error from_machi(const Error& e) {
  switch (e.type()) {
    case ErrorType::kInvalidRequest:
      return V2Error(400, "ParseError", e.what());
    case ErrorType::kBadRequestData:
      return V2Error(400, "BadRequest", e.what());
    case ErrorType::kAlreadyExists:
      return V2Error(422, "Unprocessable", e.what());
    case ErrorType::kOperationNotSupported:
      return V2Error(501, "NotImplemented", e.what());
    case ErrorType::kResourceNotFound:
      return V2Error(404, "NotFound", e.what());
    case ErrorType::kNonexistentTenant:
      return V2Error(404, "NotFound", "The requested entity has not been found. Check type and id");
    case ErrorType::kTooManyResults:
      return V2Error(409, "TooManyResults", e.what());
    case ErrorType::kUnsupportedMediaType:
      return V2Error(415, "UnsupportedMediaType", e.what());
    case ErrorType::kNotAcceptable:
      return V2Error(406, "NotAcceptable", e.what());
    case ErrorType::kPayloadTooLarge:
      return V2Error(413, "RequestEntityTooLarge", e.what());
    case ErrorType::kMethodNotAllowed:
      return V2Error(405, "MethodNotAllowed", e.what());
    case ErrorType::kUnauthorized:
      return V2Error(401, "Unauthorized", e.what());
    case ErrorType::kForbidden:
    case ErrorType::kTooComplexQuery:
      return V2Error(403, "Forbidden", e.what());
    case ErrorType::kTooManyRequests:
      return V2Error(429, "TooManyRequests", e.what());
    case ErrorType::kLdContextNotAvailable:
    case ErrorType::kServiceUnavailable:
      return V2Error(503, "ServiceUnavailable", e.what());
    case ErrorType::kInternalError:
      break;
  }
  return V2Error(500, "InternalServerError", e.what());
}

}  // namespace

// machi::Error, so that they may be thrown inside store mutators too; the
// mapping gives Orion's 404 NotFound and 400 BadRequest.
void not_found_entity() {
  throw Error(ErrorType::kResourceNotFound, "The requested entity has not been found. Check type and id");
}
void not_found_attribute() { throw Error(ErrorType::kResourceNotFound, "The entity does not have such an attribute"); }
void bad_request(const std::string& description) { throw Error(ErrorType::kBadRequestData, description); }

void check_service_path(const std::string& path, bool allow_subtree) {
  if (path.empty() || path[0] != '/') bad_request("Only /absolute/ Service Paths allowed [a service path must begin with /]");
  std::string p = path;
  if (allow_subtree && p.size() >= 2 && p.ends_with("/#")) p.resize(p.size() - 2);
  if (p == "/" || p.empty()) return;
  size_t levels = 0;
  size_t start = 1;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    if (slash == std::string::npos) slash = p.size();
    std::string component = p.substr(start, slash - start);
    if (component.empty()) {
      if (slash == p.size() && levels > 0) break;  // a trailing '/' is tolerated
      bad_request("empty component in ServicePath");
    }
    if (component.size() > 50) bad_request("component-name too long in ServicePath");
    for (unsigned char c : component) {
      if (!std::isalnum(c) && c != '_') bad_request("a component of ServicePath contains an illegal character");
    }
    if (++levels > 10) bad_request("too many components in ServicePath");
    start = slash + 1;
  }
}

namespace {
std::string normalize_path(std::string p) {
  if (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}
}  // namespace

V2Request::V2Request(const http::Request& request, const V2Deps& deps, bool expects_body, bool text_body_allowed)
    : request_(request), deps_(deps) {
  // Orion refuses ids, types and names with forbidden characters in the URL too.
  for (const auto& [name, value] : request.path_params) {
    if (!valid_identifier(value)) bad_request("Invalid characters in URI: " + name);
  }
  // As the auth guard reads it (src/api/auth_guard.cc request_tenant):
  // Fiware-Service lower-cased, else NGSILD-Tenant.
  tenant_ = lower(request.header("Fiware-Service"));
  if (tenant_.empty()) tenant_ = std::string(request.header("NGSILD-Tenant"));
  // Fiware-ServicePath: one path for writes, a list (with /# subtrees) for reads.
  std::string paths(request.header("Fiware-ServicePath"));
  if (!paths.empty()) {
    read_paths_given_ = true;
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= paths.size()) {
      size_t comma = paths.find(',', start);
      if (comma == std::string::npos) comma = paths.size();
      items.push_back(trim(paths.substr(start, comma - start)));
      start = comma + 1;
    }
    if (items.size() > 10) bad_request("too many service paths - a maximum of ten service paths is allowed");
    for (const auto& item : items) {
      check_service_path(item, true);
      read_paths_.push_back(normalize_path(item));
    }
    // A subscription's path scopes what it watches, like a query's (Orion allows "/#" there).
    bool write = request.method != "GET" && !request.path.starts_with("/v2/op/query") &&
                 !request.path.starts_with("/v2/subscriptions");
    if (write) {
      if (items.size() > 1) bad_request("more than one service path in context update request");
      if (items[0].ends_with("/#")) bad_request("service path with '/#' is only allowed in queries");
    }
    write_path_ = read_paths_.front();
  }
  context_ = deps_.context_url.empty() ? deps_.contexts->core() : deps_.contexts->resolve(Json(deps_.context_url));
  if (!expects_body) return;
  std::string type = media_type_of(request.header("Content-Type"));
  if (request.body.empty()) throw V2Error(411, "ContentLengthRequired", "Zero/No Content-Length in PUT/POST/PATCH request");
  if (type == "text/plain" && text_body_allowed) {
    body_is_text_ = true;
    body_ = request.body;
    return;
  }
  if (type != "application/json") {
    throw V2Error(415, "UnsupportedMediaType", "not supported content type: " + (type.empty() ? "none" : type));
  }
  try {
    body_ = parse_json(request.body);
  } catch (const Error&) {
    throw V2Error(400, "ParseError", "Errors found in incoming JSON buffer");
  }
}

std::shared_ptr<store::TenantStore> V2Request::tenant_for_read() const {
  auto tenant = deps_.store->tenant(tenant_, false);
  if (!tenant && tenant_.empty()) return deps_.store->tenant(tenant_, true);
  return tenant;
}

std::shared_ptr<store::TenantStore> V2Request::tenant_for_write() const { return deps_.store->tenant(tenant_, true); }

bool V2Request::in_read_scope(const Json& stored) const {
  if (!read_paths_given_) return true;  // Orion: a query without the header searches "/#"
  // An NGSI-LD entity may have several scopes: any of them will do.
  std::vector<std::string> paths;
  auto scope = stored.find("scope");
  if (scope != stored.end() && scope->is_array()) {
    for (const Json& s : *scope) {
      if (s.is_string()) paths.push_back(s.get<std::string>());
    }
  }
  if (paths.empty()) paths.push_back(service_path_of(stored));
  for (const auto& path : paths) {
    for (const auto& selector : read_paths_) {
      if (selector.ends_with("/#")) {
        std::string base = selector.substr(0, selector.size() - 2);
        if (base.empty() || path == base || path.starts_with(base + "/")) return true;
      } else if (path == selector) {
        return true;
      }
    }
  }
  return false;
}

bool V2Request::in_write_scope(const Json& stored) const {
  if (!read_paths_given_) return true;
  return service_path_of(stored) == write_path_;
}

bool V2Request::has_option(std::string_view option) const {
  for (const auto& [key, value] : request_.query) {
    if (key != "options") continue;
    for (const auto& item : split_list(value)) {
      if (item == option) return true;
    }
  }
  return false;
}

std::unique_ptr<trust::ReadAccess> V2Request::begin_read() const {
  if (!deps_.trust) throw Error(ErrorType::kInternalError, "no enforcement point configured");
  return deps_.trust->begin_read(tenant_, trust::principal_in(request_.auth), request_.header("Machi-Grant"),
                                 request_.header("Machi-Purpose"), broker::ledger_action(request_), now_ms());
}

http::Response json_response(int status, const Json& body) {
  http::Response response;
  response.status = status;
  response.set_header("Content-Type", "application/json");
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

http::Response no_content() {
  http::Response response;
  response.status = 204;
  return response;
}

http::Response error_response(const V2Error& error) {
  return json_response(error.status, Json{{"error", error.name}, {"description", error.what()}});
}

http::Handler bind_v2(V2Handler handler, std::shared_ptr<const V2Deps> deps) {
  return bind_v2_function(V2Function(handler), std::move(deps));
}

http::Handler bind_v2_function(V2Function handler, std::shared_ptr<const V2Deps> deps) {
  return [handler = std::move(handler), deps](http::Request& request) -> http::Response {
    http::Response response;
    try {
      response = handler(request, *deps);
    } catch (const V2Error& e) {
      response = error_response(e);
    } catch (const Error& e) {
      if (e.type() == ErrorType::kInternalError) std::fprintf(stderr, "machi: ngsiv2: %s\n", e.what());
      response = error_response(from_machi(e));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "machi: ngsiv2: internal error: %s\n", e.what());
      response = error_response(V2Error(500, "InternalServerError", "internal error"));
    }
    // Orion echoes the correlator that ties a request to its log lines.
    std::string_view correlator = request.header("Fiware-Correlator");
    if (!correlator.empty() && correlator.size() <= 128) response.set_header("Fiware-Correlator", std::string(correlator));
    return response;
  };
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

size_t parse_limit(const std::string* text) {
  if (!text) return 20;
  if (text->empty() || text->size() > 9 || text->find_first_not_of("0123456789") != std::string::npos) {
    bad_request("Bad pagination limit: /" + *text + "/ [must be a decimal number]");
  }
  size_t limit = std::stoul(*text);
  if (limit == 0) bad_request("Bad pagination limit: /0/ [a value of ZERO is unacceptable]");
  if (limit > 1000) bad_request("Bad pagination limit: /" + *text + "/ [max: 1000]");
  return limit;
}

size_t parse_offset(const std::string* text) {
  if (!text) return 0;
  if (text->empty() || text->size() > 9 || text->find_first_not_of("0123456789") != std::string::npos) {
    bad_request("Bad pagination offset: /" + *text + "/ [must be a decimal number]");
  }
  return std::stoul(*text);
}

}  // namespace machi::ngsiv2
