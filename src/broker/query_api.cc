// Queries: GET /entities and POST /entityOperations/query.
#include "broker/broker.h"
#include "core/error.h"

namespace machi::broker {
namespace {

const std::string kBase = "/ngsi-ld/v1";
constexpr size_t kDefaultLimit = 20;
constexpr size_t kMaxLimit = 1000;

// The parts of a query that both forms share, as text from the client.
struct QueryText {
  std::vector<std::string> types, ids, attrs;
  std::string id_pattern, q;
  bool has_geo = false;
  std::string georel, geometry, geoproperty;
  Json coordinates;
};

// Splits a type selection: "A,B" and "A|B" both mean either type.
std::vector<std::string> split_types(const std::string& text) {
  if (text.find_first_of(";()") != std::string::npos) {
    throw Error(ErrorType::kOperationNotSupported, "type selections with ';' or parentheses are not supported");
  }
  std::string normalized = text;
  for (char& c : normalized) {
    if (c == '|') c = ',';
  }
  return split_list(normalized);
}

store::EntityQuery build_query(const QueryText& text, const ld::Context& ctx) {
  store::EntityQuery query;
  for (const auto& type : text.types) query.types.push_back(ctx.expand(type));
  query.ids = text.ids;
  query.id_pattern = text.id_pattern;
  for (const auto& attr : text.attrs) query.attrs.push_back(ctx.expand(attr));
  if (!text.q.empty()) {
    query.q = ld::Query::parse(text.q);
    query.q->bind(ctx);
  }
  if (text.has_geo) {
    query.geo = ld::GeoQuery::parse(text.georel, text.geometry, text.coordinates,
                                    text.geoproperty.empty() ? "location" : text.geoproperty);
    query.geo->set_geoproperty(ctx.expand(query.geo->geoproperty()));
  }
  return query;
}

void read_paging(const http::Request& request, store::EntityQuery& query) {
  query.limit = kDefaultLimit;
  if (const std::string* limit = request.param("limit")) query.limit = parse_count("limit", *limit);
  if (query.limit > kMaxLimit) {
    throw Error(ErrorType::kTooManyResults,
                "limit " + std::to_string(query.limit) + " is over the maximum of " + std::to_string(kMaxLimit));
  }
  if (const std::string* offset = request.param("offset")) query.offset = parse_count("offset", *offset);
  const std::string* count = request.param("count");
  query.count = (count && *count == "true") || has_option(request, "count");
  if (query.limit == 0 && !query.count) {
    throw Error(ErrorType::kBadRequestData, "limit=0 is only allowed with count=true");
  }
}

std::string page_link(const http::Request& request, size_t offset, size_t limit, const char* rel) {
  std::string url = request.raw_path + "?";
  for (const auto& [key, value] : request.query) {
    if (key == "offset" || key == "limit") continue;
    url += http::percent_encode(key) + "=" + http::percent_encode(value) + "&";
  }
  url += "limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
  return "<" + url + ">; rel=\"" + rel + "\"";
}

// What the query selects by, for the enforcement point's check.
trust::ReadAccess::Selection selection_of(const store::EntityQuery& query) {
  trust::ReadAccess::Selection selection;
  if (query.q) selection.attributes = query.q->attributes();
  if (query.geo) selection.attributes.push_back(query.geo->geoproperty());
  for (const auto& attr : query.attrs) selection.attributes.push_back(attr);
  selection.by_id = !query.ids.empty() || !query.id_pattern.empty();
  return selection;
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
  Json body = Json::array();
  for (Json& entity : result.entities) body.push_back(ld.render(enforced ? access->shape(std::move(entity)) : entity));
  if (ld.accept() == MediaType::kGeoJson) body = Json{{"type", "FeatureCollection"}, {"features", body}};
  http::Response response = ld.json_response(200, body);
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
  QueryText text;
  if (auto* v = request.param("type")) text.types = split_types(*v);
  if (auto* v = request.param("id")) text.ids = split_list(*v);
  if (auto* v = request.param("idPattern")) text.id_pattern = *v;
  if (auto* v = request.param("attrs")) text.attrs = split_list(*v);
  if (auto* v = request.param("q")) text.q = *v;
  const std::string* georel = request.param("georel");
  const std::string* geometry = request.param("geometry");
  const std::string* coordinates = request.param("coordinates");
  if (georel || geometry || coordinates) {
    if (!georel || !geometry || !coordinates) {
      throw Error(ErrorType::kBadRequestData, "a geo-query needs georel, geometry and coordinates together");
    }
    text.has_geo = true;
    text.georel = *georel;
    text.geometry = *geometry;
    text.coordinates = Json(*coordinates);
    if (auto* v = request.param("geoproperty")) text.geoproperty = *v;
  }
  store::EntityQuery query = build_query(text, ld.context());
  read_paging(request, query);
  return run_query(ld, std::move(query));
}

std::vector<std::string> string_or_list(const Json& value, const char* what) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    for (const Json& item : value) {
      if (!item.is_string()) throw Error(ErrorType::kBadRequestData, std::string(what) + " must be strings");
      out.push_back(item.get<std::string>());
    }
  } else {
    throw Error(ErrorType::kBadRequestData, std::string(what) + " must be a string or an array of strings");
  }
  return out;
}

// POST /entityOperations/query with a Query body (clause 5.2.23).
http::Response post_query(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);  // not const: the body's attrs set the projection
  Json body = ld.body_without_context();
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a Query object");
  if (body.contains("type") && body["type"] != "Query") {
    throw Error(ErrorType::kBadRequestData, "the body's type must be \"Query\"");
  }
  QueryText text;
  if (body.contains("entities")) {
    const Json& entities = body["entities"];
    if (!entities.is_array()) throw Error(ErrorType::kBadRequestData, "entities must be an array");
    for (const Json& selector : entities) {
      if (!selector.is_object()) throw Error(ErrorType::kBadRequestData, "each entities item must be an object");
      if (selector.contains("type")) {
        for (const auto& t : string_or_list(selector["type"], "type")) {
          for (const auto& one : split_types(t)) text.types.push_back(one);
        }
      }
      if (selector.contains("id")) {
        for (const auto& id : string_or_list(selector["id"], "id")) text.ids.push_back(id);
      }
      if (selector.contains("idPattern")) text.id_pattern = string_or_list(selector["idPattern"], "idPattern")[0];
    }
  }
  if (body.contains("attrs")) text.attrs = string_or_list(body["attrs"], "attrs");
  if (body.contains("q")) {
    if (!body["q"].is_string()) throw Error(ErrorType::kBadRequestData, "q must be a string");
    text.q = body["q"];
  }
  if (body.contains("geoQ")) {
    const Json& geo = body["geoQ"];
    if (!geo.is_object() || !geo.contains("georel") || !geo.contains("geometry") || !geo.contains("coordinates") ||
        !geo["georel"].is_string() || !geo["geometry"].is_string()) {
      throw Error(ErrorType::kBadRequestData, "geoQ needs georel, geometry and coordinates");
    }
    text.has_geo = true;
    text.georel = geo["georel"];
    text.geometry = geo["geometry"];
    text.coordinates = geo["coordinates"];
    if (geo.contains("geoproperty") && geo["geoproperty"].is_string()) text.geoproperty = geo["geoproperty"];
  }
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
