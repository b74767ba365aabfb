// /v2/types and /v2/types/{type}: entity types with their attributes, the
// attributes' NGSIv2 types and the number of entities (in the request's
// service path). Like NGSI-LD's /types this releases names and counts only,
// never values; attribute types are gathered from up to kSample entities.
#include <map>
#include <set>

#include "core/error.h"
#include "ngsiv2/ngsiv2.h"

namespace machi::ngsiv2 {
namespace {

constexpr size_t kSample = 1000;

// {"attrs": {name: {"types": [...]}}, "count": n} for one expanded type, or
// nullopt when no entity of it is in the request's service path.
std::optional<Json> type_summary(const V2Request& r, store::TenantStore& tenant, const std::string& iri) {
  store::EntityQuery query;
  query.types = {iri};
  query.limit = kSample;
  query.count = true;
  query.admit = [&r](const Json& stored) { return r.in_read_scope(stored); };
  store::QueryResult result = tenant.query(query);
  size_t count = result.total ? *result.total : result.entities.size();
  if (count == 0) return std::nullopt;
  std::map<std::string, std::set<std::string>> types;
  std::vector<std::string> order;
  for (const Json& entity : result.entities) {
    auto attrs = entity.find("attrs");
    if (attrs == entity.end() || !attrs->is_object()) continue;
    for (const auto& [attr_iri, instances] : attrs->items()) {
      const Json* instance = visible_instance(instances);
      if (!instance) continue;
      std::string name = r.context().compact(attr_iri);
      if (!types.count(name)) order.push_back(name);
      types[name].insert(attr_type_of(*instance));
    }
  }
  Json attrs = Json::object();
  for (const auto& name : order) {
    Json list = Json::array();
    for (const auto& t : types[name]) list.push_back(t);
    attrs[name] = Json{{"types", list}};
  }
  return Json{{"attrs", attrs}, {"count", count}};
}

http::Response list_types(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  size_t limit = parse_limit(r.param("limit"));
  size_t offset = parse_offset(r.param("offset"));
  bool values = r.has_option("values");
  auto tenant = r.tenant_for_read();
  Json all = Json::array();
  if (tenant) {
    for (const auto& info : tenant->types()) {
      if (values) {
        // Only names: those with an entity in the service path.
        store::EntityQuery query;
        query.types = {info.type};
        query.limit = 1;
        query.admit = [&r](const Json& stored) { return r.in_read_scope(stored); };
        if (!tenant->query(query).entities.empty()) all.push_back(r.context().compact(info.type));
        continue;
      }
      if (auto summary = type_summary(r, *tenant, info.type)) {
        Json row = {{"type", r.context().compact(info.type)}};
        row["attrs"] = (*summary)["attrs"];
        row["count"] = (*summary)["count"];
        all.push_back(std::move(row));
      }
    }
  }
  Json page = Json::array();
  for (size_t i = offset; i < all.size() && page.size() < limit; ++i) page.push_back(all[i]);
  http::Response response = json_response(200, page);
  if (r.has_option("count")) response.set_header("Fiware-Total-Count", std::to_string(all.size()));
  return response;
}

http::Response get_type(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  const std::string& type = request.path_params["type"];
  check_identifier("entity type", Json(type));
  auto tenant = r.tenant_for_read();
  std::optional<Json> summary;
  if (tenant) summary = type_summary(r, *tenant, r.context().expand(type));
  if (!summary) throw V2Error(404, "NotFound", "Entity type not found");
  return json_response(200, *summary);
}

}  // namespace

void register_types_routes(http::Router& router, std::shared_ptr<const V2Deps> deps) {
  router.add("GET", "/v2/types", bind_v2(list_types, deps));
  router.add("GET", "/v2/types/{type}", bind_v2(get_type, deps));
}

}  // namespace machi::ngsiv2
