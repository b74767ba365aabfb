// Queries: GET /entities and POST /entityOperations/query.
#include "broker/broker.h"
#include "broker/entity_selection.h"
#include "core/error.h"

namespace machi::broker {
namespace {

const std::string kBase = "/ngsi-ld/v1";

std::string page_link(const http::Request& request, size_t offset, size_t limit, const char* rel) {
  std::string url = request.raw_path + "?";
  for (const auto& [key, value] : request.query) {
    if (key == "offset" || key == "limit") continue;
    url += http::percent_encode(key) + "=" + http::percent_encode(value) + "&";
  }
  url += "limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
  return "<" + url + ">; rel=\"" + rel + "\"";
}

http::Response run_query(const LdRequest& ld, store::EntityQuery query) {
  auto tenant = ld.tenant_for_read();
  auto access = ld.begin_read();
  // The enforcement point's decision is a last filter inside the store's
  // query, so that pages stay full and counts cover only what the caller
  // may see. Types that cannot be personal skip it.
  bool enforced = access->could_touch_personal(query.types);
  if (enforced) {
    access->check_selection(selection_of(query));
    bool by_id = !query.ids.empty() || !query.id_pattern.empty();  // raw ids name residents
    query.admit = [&access, by_id](const Json& stored) { return access->admit(stored, by_id); };
  }
  size_t limit = query.limit;
  if (limit > 0) query.limit = limit + 1;  // one more tells whether a next page exists
  store::QueryResult result = tenant->query(query);
  bool more = result.entities.size() > limit;
  if (more) result.entities.resize(limit);
  access->commit();  // the decision is in the ledger before any data leaves
  if (enforced) {
    for (Json& entity : result.entities) entity = access->shape(std::move(entity));
  }
  http::Response response = ld.entities_response(result.entities);
  if (result.total) response.set_header("NGSILD-Results-Count", std::to_string(*result.total));
  std::string links;
  if (more) links = page_link(ld.http(), query.offset + limit, limit, "next");
  if (query.offset > 0 && limit > 0) {
    if (!links.empty()) links += ", ";
    size_t previous = query.offset > limit ? query.offset - limit : 0;
    links += page_link(ld.http(), previous, limit, "prev");
  }
  // A page link repeats the query string; past this size it is left out
  // rather than producing a header that clients and proxies reject.
  constexpr size_t kMaxLinkBytes = 8192;
  if (links.size() > kMaxLinkBytes) links.clear();
  if (!links.empty()) {
    // The context Link stays; pagination links are a second Link header value.
    for (auto& [name, value] : response.headers) {
      if (name == "Link") {
        value += ", " + links;
        links.clear();
      }
    }
    if (!links.empty()) response.set_header("Link", links);
  }
  return response;
}

http::Response query_entities(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  QueryText text = query_text_from_params(request);
  store::EntityQuery query = build_query(text, ld.context());
  read_paging(request, query);
  return run_query(ld, std::move(query));
}

// POST /entityOperations/query with a Query body (clause 5.2.23).
http::Response post_query(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);  // not const: the body's attrs set the projection
  Json body = ld.take_body();
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a Query object");
  if (body.contains("type") && body["type"] != "Query") {
    throw Error(ErrorType::kBadRequestData, "the body's type must be \"Query\"");
  }
  QueryText text = query_text_from_body(body);
  store::EntityQuery query = build_query(text, ld.context());
  read_paging(request, query);
  if (!text.attrs.empty()) ld.set_projection(query.attrs);
  return run_query(ld, std::move(query));
}

}  // namespace

void register_query_routes(http::Router& router, BrokerDeps deps) {
  router.add("GET", kBase + "/entities", [deps](http::Request& r) { return query_entities(r, deps); });
  router.add("POST", kBase + "/entityOperations/query", [deps](http::Request& r) { return post_query(r, deps); });
}

}  // namespace machi::broker
