// /v2/entities and /v2/entities/{id}: list, create (keyValues, upsert),
// retrieve, delete.
#include "broker/write_result.h"
#include "core/error.h"
#include "ngsiv2/forwarding.h"
#include "ngsiv2/ngsiv2.h"
#include "ngsiv2/v2_query.h"
#include "ngsiv2/v2_write.h"

namespace machi::ngsiv2 {
namespace {

http::Response list_entities(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  RenderOptions options = render_options_of(r);
  QuerySpec spec = spec_from_params(r);
  QueryOutcome outcome = run_query(r, spec);
  Json body = Json::array();
  for (const Json& entity : outcome.entities) body.push_back(render_entity(entity, r.context(), options));
  http::Response response = json_response(200, body);
  if (outcome.total) response.set_header("Fiware-Total-Count", std::to_string(*outcome.total));
  return response;
}

http::Response create_entity(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, true);
  bool upsert = r.has_option("upsert");
  TimeMs now = now_ms();
  Json stored = entity_to_stored(r.body(), r.context(), r.has_option("keyValues"), r.service_path(), now);
  std::string id = stored["id"];
  std::string type = entity_type_of(stored, r.context());
  bool created = true;
  broker::write_one(*r.tenant_for_write(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    created = !current;
    if (!current) return stored;
    if (!upsert || !r.in_write_scope(*current) || entity_type_of(*current, r.context()) != type) {
      throw Error(ErrorType::kAlreadyExists, "Already Exists");
    }
    return apply_attrs(*current, stored, AttrMode::kAppend, false, now).entity;
  });
  if (!created) return no_content();
  http::Response response;
  response.status = 201;
  response.set_header("Location", "/v2/entities/" + http::percent_encode(id) + "?type=" + http::percent_encode(type));
  return response;
}

http::Response retrieve_entity(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  RenderOptions options = render_options_of(r);
  Json entity = read_entity(r, request.path_params["id"]);
  return json_response(200, render_entity(entity, r.context(), options));
}

http::Response delete_entity(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  const std::string& id = request.path_params["id"];
  const std::string* type = r.param("type");
  auto tenant = r.tenant_for_read();
  if (!tenant) not_found_entity();
  broker::write_one(*tenant, id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    if (!current || !r.in_write_scope(*current) || (type && entity_type_of(*current, r.context()) != *type)) {
      not_found_entity();
    }
    return std::nullopt;
  });
  return no_content();
}

}  // namespace

RenderOptions render_options_of(const V2Request& request) {
  RenderOptions options;
  if (request.has_option("keyValues")) options.mode = RenderOptions::Mode::kKeyValues;
  if (request.has_option("values")) options.mode = RenderOptions::Mode::kValues;
  if (request.has_option("unique")) options.mode = RenderOptions::Mode::kUnique;
  if (const std::string* attrs = request.param("attrs")) options.attrs = split_list(*attrs);
  if (const std::string* metadata = request.param("metadata")) options.metadata = split_list(*metadata);
  for (const std::string& option : split_list(request.param("options") ? *request.param("options") : "")) {
    if (option != "keyValues" && option != "values" && option != "unique" && option != "count" &&
        option != "append" && option != "upsert" && option != "overrideMetadata" && option != "skipForwarding" &&
        option != "flowControl" && option != "forcedUpdate" && option != "noAttrDetail" && option != "dateCreated" &&
        option != "dateModified") {
      bad_request("Invalid value for URI param /options/");
    }
  }
  return options;
}

std::optional<Json> find_entity(const V2Request& request, const std::string& id, const std::string* type) {
  auto tenant = request.tenant_for_read();
  if (!tenant) return std::nullopt;
  auto entity = tenant->get(id);
  if (!entity || !request.in_read_scope(*entity)) return std::nullopt;
  if (type && entity_type_of(*entity, request.context()) != *type) return std::nullopt;
  return entity;
}

Json read_entity(const V2Request& request, const std::string& id) {
  const std::string* type = request.param("type");
  std::optional<Json> entity = find_entity(request, id, type);
  auto tenant = request.tenant_for_read();
  if (tenant && !request.has_option("skipForwarding") && !load_registrations(*tenant).empty()) {
    std::vector<std::string> types;
    if (type) types.push_back(*type);
    if (!type && entity) types.push_back(entity_type_of(*entity, request.context()));
    std::vector<std::string> attrs;
    if (const std::string* a = request.param("attrs")) attrs = split_list(*a);
    for (Json& provided : forward_query(request, types, {id}, "", attrs)) {
      if (!entity) {
        entity = std::move(provided);
        continue;
      }
      for (auto& [iri, instances] : provided["attrs"].items()) {
        if (!(*entity)["attrs"].contains(iri)) (*entity)["attrs"][iri] = instances;
      }
    }
  }
  if (!entity) not_found_entity();
  // The enforcement point decides; a withheld entity is reported as missing.
  auto access = request.begin_read();
  bool allowed = access->admit(*entity, /*selected_by_id=*/true);
  access->commit();  // allowed or not, the decision is in the ledger first
  if (!allowed) not_found_entity();
  return access->shape(std::move(*entity));
}

void register_entities_routes(http::Router& router, std::shared_ptr<const V2Deps> deps) {
  router.add("GET", "/v2/entities", bind_v2(list_entities, deps));
  router.add("POST", "/v2/entities", bind_v2(create_entity, deps));
  router.add("GET", "/v2/entities/{id}", bind_v2(retrieve_entity, deps));
  router.add("DELETE", "/v2/entities/{id}", bind_v2(delete_entity, deps));
}

}  // namespace machi::ngsiv2
