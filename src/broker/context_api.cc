// Stored @contexts: /jsonldContexts (clause 5.13).
#include "broker/broker.h"
#include "core/error.h"

namespace machi::broker {
namespace {

const std::string kBase = "/ngsi-ld/v1";

http::Response json(int status, const Json& body, const char* type = "application/json") {
  http::Response response;
  response.status = status;
  response.set_header("Content-Type", type);
  response.body = body.dump();
  return response;
}

http::Response add_context(http::Request& request, BrokerDeps deps) {
  std::string_view type = request.header("Content-Type");
  if (type.find("application/json") != 0 && type.find("application/ld+json") != 0) {
    throw Error(ErrorType::kUnsupportedMediaType, "Content-Type must be application/json or application/ld+json");
  }
  Json body = parse_json(request.body);
  if (!body.is_object() || !body.contains("@context")) {
    throw Error(ErrorType::kBadRequestData, "the body must be an object with an @context member");
  }
  auto info = deps.contexts->store(body);
  http::Response response;
  response.status = 201;
  response.set_header("Location", info.url);
  return response;
}

http::Response list_contexts(http::Request& request, BrokerDeps deps) {
  const std::string* details = request.param("details");
  Json out = Json::array();
  for (const auto& info : deps.contexts->list()) {
    if (details && *details == "true") {
      out.push_back({{"URL", info.url}, {"localId", info.id}, {"kind", info.kind}, {"createdAt", info.created_at}});
    } else {
      out.push_back(info.url);
    }
  }
  return json(200, out);
}

http::Response get_context(http::Request& request, BrokerDeps deps) {
  auto document = deps.contexts->get(request.path_params["id"]);
  if (!document) throw Error(ErrorType::kResourceNotFound, "no stored @context " + request.path_params["id"]);
  return json(200, *document, "application/ld+json");
}

http::Response delete_context(http::Request& request, BrokerDeps deps) {
  if (!deps.contexts->remove(request.path_params["id"])) {
    throw Error(ErrorType::kResourceNotFound, "no stored @context " + request.path_params["id"]);
  }
  return no_content();
}

}  // namespace

void register_context_routes(http::Router& router, BrokerDeps deps) {
  router.add("POST", kBase + "/jsonldContexts", [deps](http::Request& r) { return add_context(r, deps); });
  router.add("GET", kBase + "/jsonldContexts", [deps](http::Request& r) { return list_contexts(r, deps); });
  router.add("GET", kBase + "/jsonldContexts/{id}", [deps](http::Request& r) { return get_context(r, deps); });
  router.add("DELETE", kBase + "/jsonldContexts/{id}", [deps](http::Request& r) { return delete_context(r, deps); });
}

}  // namespace machi::broker
