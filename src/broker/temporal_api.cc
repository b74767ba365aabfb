// The temporal API (clause 5.6.x / 6.18-6.24): /temporal/entities,
// /temporal/entities/{id}[/attrs[/{attr}]] and /temporal/entityOperations/query.
//
// machi keeps one store: the history of an entity is the history of the
// same entity the /entities API serves (see store/history.h). Entities are
// selected by their current state (type, id, q, geo-query), and every one
// passes the enforcement point before any of its history leaves.
#include <cmath>

#include "broker/broker.h"
#include "broker/entity_selection.h"
#include "broker/temporal.h"
#include "broker/write_result.h"
#include "core/error.h"
#include "http/problem.h"
#include "ld/entity_ops.h"

namespace machi::broker {
namespace {

const std::string kBase = "/ngsi-ld/v1";
// ---- Handlers ----------------------------------------------------------------

http::Response retrieve_temporal(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  const std::string& id = request.path_params["id"];
  TemporalRequest t = temporal_from_params(request);
  auto tenant = ld.tenant_for_read();
  auto entity = tenant->get(id);
  if (!entity) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
  auto access = ld.begin_read();
  bool allowed = access->admit(*entity, /*selected_by_id=*/true);
  access->commit();
  if (!allowed) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
  std::vector<std::string> attrs;
  if (auto* v = request.param("attrs")) {
    for (const auto& a : split_list(*v)) attrs.push_back(ld.context().expand(a));
  }
  std::vector<Json> selected;
  selected.push_back(std::move(*entity));
  auto found = read_temporal(*tenant, std::move(selected), t, attrs);
  return ld.json_response(200, render_temporal(ld, *access, found[0], t));
}

http::Response query_temporal(const LdRequest& ld, store::EntityQuery query, const TemporalRequest& t) {
  auto tenant = ld.tenant_for_read();
  auto access = ld.begin_read();
  bool enforced = access->could_touch_personal(query.types);
  if (enforced) {
    access->check_selection(selection_of(query));
    bool by_id = !query.ids.empty() || !query.id_pattern.empty();
    query.admit = [&access, by_id](const Json& stored) { return access->admit(stored, by_id); };
  }
  // attrs projects the history; it does not require the current entity to
  // hold the attribute (a sensor may have stopped reporting it).
  std::vector<std::string> attrs = std::move(query.attrs);
  query.attrs.clear();
  store::QueryResult result = tenant->query(query);
  access->commit();
  auto found = read_temporal(*tenant, std::move(result.entities), t, attrs);
  Json body = Json::array();
  for (const auto& entity : found) body.push_back(render_temporal(ld, *access, entity, t));
  http::Response response = ld.json_response(200, body);
  if (result.total) response.set_header("NGSILD-Results-Count", std::to_string(*result.total));
  return response;
}

void require_selection(const QueryText& text) {
  if (text.types.empty() && text.ids.empty() && text.id_pattern.empty() && text.attrs.empty() && text.q.empty() &&
      !text.has_geo) {
    throw Error(ErrorType::kBadRequestData, "a temporal query needs type, id, idPattern, attrs, q or a geo-query");
  }
}

http::Response query_temporal_entities(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  QueryText text = query_text_from_params(request);
  require_selection(text);
  TemporalRequest t = temporal_from_params(request);
  store::EntityQuery query = build_query(text, ld.context());
  read_paging(request, query);
  return query_temporal(ld, std::move(query), t);
}

http::Response post_temporal_query(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);
  Json body = ld.take_body();
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a Query object");
  if (body.contains("type") && body["type"] != "Query") {
    throw Error(ErrorType::kBadRequestData, "the body's type must be \"Query\"");
  }
  QueryText text = query_text_from_body(body);
  require_selection(text);
  TemporalRequest t = temporal_from_body(request, body);
  store::EntityQuery query = build_query(text, ld.context());
  read_paging(request, query);
  return query_temporal(ld, std::move(query), t);
}

http::Response create_temporal(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);
  Json body = ld.take_body();
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a JSON object");
  TimeMs now = now_ms();
  TemporalPayload payload = expand_temporal_entity(ld, body, now);
  // A new entity's current state is the newest instance of each attribute;
  // writing it records those instances in the history too.
  Json entity = {{"id", payload.id}, {"type", payload.types}, {"createdAt", format_datetime(now)},
                 {"modifiedAt", format_datetime(now)}, {"attrs", Json::object()}};
  for (const auto& p : payload.latest) entity["attrs"][p.attr].push_back(p.instance);
  auto tenant = ld.tenant_for_write();
  bool created = false;
  write_one(*tenant, payload.id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    created = !current;
    return current ? *current : entity;
  });
  if (!created) payload.points.insert(payload.points.end(), payload.latest.begin(), payload.latest.end());
  tenant->append_history(payload.points);
  if (!created) return no_content();
  http::Response response;
  response.status = 201;
  response.set_header("Location", kBase + "/temporal/entities/" + http::percent_encode(payload.id));
  return response;
}

http::Response append_temporal(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);
  const std::string& id = request.path_params["id"];
  Json body = ld.take_body();
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a JSON object");
  if (body.contains("id") && body["id"] != id) {
    throw Error(ErrorType::kBadRequestData, "the body's id differs from the id in the path");
  }
  auto tenant = ld.tenant_for_read();
  auto current = tenant->get(id);
  if (!current) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
  body["id"] = id;
  if (!body.contains("type")) body["type"] = "Thing";  // the type is not stored from a fragment
  TemporalPayload payload = expand_temporal_entity(ld, body, now_ms());
  payload.points.insert(payload.points.end(), payload.latest.begin(), payload.latest.end());
  tenant->append_history(payload.points);
  return no_content();
}

http::Response delete_temporal(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  const std::string& id = request.path_params["id"];
  auto tenant = ld.tenant_for_read();
  if (!tenant->get(id) && tenant->history(id, "", store::kMinTime, store::kMaxTime).empty()) {
    throw Error(ErrorType::kResourceNotFound, "no entity " + id);
  }
  tenant->erase_history(id, {});
  return no_content();
}

http::Response delete_temporal_attr(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  const std::string& id = request.path_params["id"];
  std::string attr = ld.context().expand(request.path_params["attr"]);
  auto tenant = ld.tenant_for_read();
  if (tenant->erase_history(id, {attr}) == 0) {
    throw Error(ErrorType::kResourceNotFound, "no history of " + request.path_params["attr"] + " for entity " + id);
  }
  return no_content();
}

}  // namespace

void register_temporal_routes(http::Router& router, BrokerDeps deps) {
  auto bind = [deps](http::Response (*handler)(http::Request&, BrokerDeps)) {
    return [deps, handler](http::Request& request) { return handler(request, deps); };
  };
  router.add("GET", kBase + "/temporal/entities", bind(query_temporal_entities));
  router.add("POST", kBase + "/temporal/entities", bind(create_temporal));
  router.add("GET", kBase + "/temporal/entities/{id}", bind(retrieve_temporal));
  router.add("DELETE", kBase + "/temporal/entities/{id}", bind(delete_temporal));
  router.add("POST", kBase + "/temporal/entities/{id}/attrs", bind(append_temporal));
  router.add("DELETE", kBase + "/temporal/entities/{id}/attrs/{attr}", bind(delete_temporal_attr));
  router.add("POST", kBase + "/temporal/entityOperations/query", bind(post_temporal_query));
}

}  // namespace machi::broker
