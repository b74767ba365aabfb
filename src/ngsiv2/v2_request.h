// What every NGSIv2 handler needs from a request: the tenant (Fiware-Service),
// the service path (Fiware-ServicePath), the @context that maps v2 names to
// NGSI-LD IRIs, the parsed body, reads under the policy enforcement point,
// and Orion's error answers ({"error": "...", "description": "..."}).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "http/address_policy.h"
#include "http/message.h"
#include "http/router.h"
#include "ld/context.h"
#include "store/store.h"
#include "trust/trust.h"

namespace machi::ngsiv2 {

struct V2Deps {
  store::Store* store = nullptr;
  ld::ContextResolver* contexts = nullptr;
  trust::Trust* trust = nullptr;
  // The @context that expands v2 types and attribute names; "" = the core
  // context (whose @vocab is https://uri.etsi.org/ngsi-ld/default-context/).
  std::string context_url;
  int forward_timeout_ms = 5000;  // calls to context providers
  // The addresses context providers may resolve to; null: any.
  std::shared_ptr<const http::AddressPolicy> outbound;
};

// An error in Orion's terms. Handlers may also throw machi::Error, which is
// mapped (BadRequestData -> 400 BadRequest, ResourceNotFound -> 404 NotFound, ...).
struct V2Error : std::runtime_error {
  V2Error(int status, std::string name, std::string description)
      : std::runtime_error(description), status(status), name(std::move(name)) {}
  int status;
  std::string name;
};

// These throw machi::Error (safe inside store mutators).
[[noreturn]] void not_found_entity();  // 404 "The requested entity has not been found. Check type and id"
[[noreturn]] void not_found_attribute();
[[noreturn]] void bad_request(const std::string& description);

class V2Request {
 public:
  // Reads tenant, service path and context; with expects_body, checks
  // Content-Type (415) and parses the body (400 ParseError).
  V2Request(const http::Request& request, const V2Deps& deps, bool expects_body, bool text_body_allowed = false);

  const std::string& tenant_name() const { return tenant_; }
  // nullptr for an unknown tenant on reads (nothing to find there).
  std::shared_ptr<store::TenantStore> tenant_for_read() const;
  std::shared_ptr<store::TenantStore> tenant_for_write() const;

  const ld::Context& context() const { return *context_; }
  const Json& body() const { return body_; }
  bool body_is_text() const { return body_is_text_; }

  // The service path for writes and single-entity operations ("/" when absent).
  const std::string& service_path() const { return write_path_; }
  // True when an entity's service path is selected by the request's
  // Fiware-ServicePath for reads (a list, "/#" subtrees; absent = all).
  bool in_read_scope(const Json& stored) const;
  // True when the entity lies in the request's service path for an update
  // (the path itself and, as Orion does, its subtree when no header is given).
  bool in_write_scope(const Json& stored) const;

  bool has_option(std::string_view option) const;
  const std::string* param(std::string_view name) const { return request_.param(name); }
  const http::Request& http() const { return request_; }
  const V2Deps& deps() const { return deps_; }

  // The request's reads under the policy enforcement point (Machi-Grant,
  // Machi-Purpose headers), as the NGSI-LD handlers do.
  std::unique_ptr<trust::ReadAccess> begin_read() const;

 private:
  const http::Request& request_;
  const V2Deps& deps_;
  std::string tenant_;
  ld::ContextPtr context_;
  Json body_;
  bool body_is_text_ = false;
  std::string write_path_ = "/";
  std::vector<std::string> read_paths_;  // empty = all
  bool read_paths_given_ = false;
};

// Validates one service path ("/a/b", at most 10 levels of at most 50
// alphanumeric or '_' characters; with allow_subtree a final "/#").
void check_service_path(const std::string& path, bool allow_subtree);

// A JSON answer.
http::Response json_response(int status, const Json& body);
http::Response no_content();
// The Orion error answer for an exception.
http::Response error_response(const V2Error& error);

// Wraps a handler so that every error leaves as Orion's error JSON.
using V2Handler = http::Response (*)(http::Request&, const V2Deps&);
http::Handler bind_v2(V2Handler handler, std::shared_ptr<const V2Deps> deps);
// The same for a handler with state of its own (e.g. the notifier of /v2/subscriptions).
using V2Function = std::function<http::Response(http::Request&, const V2Deps&)>;
http::Handler bind_v2_function(V2Function handler, std::shared_ptr<const V2Deps> deps);

// "a,b" -> {"a", "b"}, without empty items.
std::vector<std::string> split_list(const std::string& text);
// Orion's limit/offset rules (limit 1..1000, default 20).
size_t parse_limit(const std::string* text);
size_t parse_offset(const std::string* text);

}  // namespace machi::ngsiv2
