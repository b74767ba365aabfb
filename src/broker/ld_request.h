// What every NGSI-LD handler needs from a request: the tenant, the active
// @context (from the Link header or the body), the parsed body under the
// content-type rules of clause 6.3.4, and the representation to answer in.
#pragma once

#include <memory>
#include <string>

#include "core/json.h"
#include "http/message.h"
#include "ld/context.h"
#include "ld/entity.h"
#include "store/store.h"
#include "trust/trust.h"

namespace machi::broker {

struct BrokerDeps {
  store::Store* store = nullptr;
  ld::ContextResolver* contexts = nullptr;
  trust::Trust* trust = nullptr;  // the enforcement point and the ledger
};

enum class MediaType { kJson, kJsonLd, kGeoJson };

class LdRequest {
 public:
  // Reads tenant and context; for methods with a body, checks Content-Type
  // (415 otherwise) and parses the body (400 on bad JSON).
  LdRequest(const http::Request& request, BrokerDeps deps, bool expects_body);

  const std::string& tenant_name() const { return tenant_; }
  // The tenant's store. For reads of an unknown tenant: NonexistentTenant.
  std::shared_ptr<store::TenantStore> tenant_for_read() const;
  // For writes the tenant is created on first use.
  std::shared_ptr<store::TenantStore> tenant_for_write() const;

  const ld::Context& context() const { return *context_; }
  // Moves the parsed body out, without its "@context" member (a batch's
  // body is large: a copy cost a fifth as much as expanding it). Call once.
  Json take_body();
  // Whether the body carried an "@context" member.
  bool body_has_context() const { return body_has_context_; }

  // The representation asked for by Accept and options/format.
  MediaType accept() const { return accept_; }
  ld::RenderOptions render_options() const;
  // Attributes (expanded) to render instead of the attrs parameter, for
  // queries whose attrs come in the body.
  void set_projection(std::vector<std::string> attrs) { projection_ = std::move(attrs); }
  // Renders one stored entity as the client asked (adds @context for JSON-LD).
  Json render(const Json& stored) const;

  // A JSON answer with the Link header or @context handled for the media type.
  http::Response json_response(int status, const Json& body) const;
  // 200 with a stored entity, or an array of them (a FeatureCollection for
  // GeoJSON), rendered as the client asked. Written straight to text,
  // without a JSON tree of the rendering.
  http::Response entity_response(const Json& stored) const;
  http::Response entities_response(const std::vector<Json>& stored) const;

  // The request's reads of entities under the policy enforcement point
  // (the caller's grant and purpose come from the Machi-Grant and
  // Machi-Purpose headers). Every read handler releases entities only
  // through it.
  std::unique_ptr<trust::ReadAccess> begin_read() const;

  const http::Request& http() const { return request_; }
  BrokerDeps deps() const { return deps_; }

 private:
  void read_body();
  void read_accept();
  // The response headers for the media type around an already written body.
  http::Response text_response(int status, std::string body) const;
  const Json* context_member() const;

  const http::Request& request_;
  BrokerDeps deps_;
  std::string tenant_;
  ld::ContextPtr context_;
  Json body_;
  bool body_has_context_ = false;
  MediaType accept_ = MediaType::kJson;
  std::optional<std::vector<std::string>> projection_;
};

// Splits a comma-separated parameter ("a,b,c"), dropping empty items.
std::vector<std::string> split_list(const std::string& text);
// Parses a non-negative integer parameter; BadRequestData otherwise.
size_t parse_count(const std::string& name, const std::string& text);
// True when a comma-separated "options" parameter contains the word.
bool has_option(const http::Request& request, std::string_view option);

// What a read request did, as the access ledger records it: the method and
// the route (path parameters become {name}), then the query's parameter
// names, with the value of "type" only. Ids, q and patterns may name other
// residents, and every resident an entry is about reads it. Shared by the
// NGSI-LD and NGSIv2 handlers.
std::string ledger_action(const http::Request& request);

http::Response no_content();

}  // namespace machi::broker
