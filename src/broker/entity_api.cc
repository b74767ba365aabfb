// Single-entity operations: /entities and /entities/{id}[/attrs[/{attr}]].
#include <mutex>

#include "broker/broker.h"
#include "broker/write_result.h"
#include "core/error.h"
#include "http/problem.h"
#include "ld/entity_ops.h"

namespace machi::broker {
namespace {

const std::string kBase = "/ngsi-ld/v1";

Json expand_fragment(LdRequest& ld, TimeMs now, ld::PayloadKind kind = ld::PayloadKind::kFragment) {
  Json body = ld.take_body();
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a JSON object");
  return ld::expand_entity(body, ld.context(), kind, now);
}

void check_fragment_identity(const Json& fragment, const std::string& id) {
  if (fragment.contains("id") && fragment["id"] != id) {
    throw Error(ErrorType::kBadRequestData, "the body's id differs from the id in the path");
  }
}

http::Response create_entity(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);
  TimeMs now = now_ms();
  Json body = ld.take_body();
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a JSON object");
  Json entity = ld::expand_entity(body, ld.context(), ld::PayloadKind::kEntity, now);
  std::string id = entity["id"];
  write_one(*ld.tenant_for_write(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    if (current) throw Error(ErrorType::kAlreadyExists, "entity " + id + " already exists");
    return entity;
  });
  http::Response response;
  response.status = 201;
  response.set_header("Location", kBase + "/entities/" + http::percent_encode(id));
  return response;
}

http::Response retrieve_entity(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  const std::string& id = request.path_params["id"];
  auto entity = ld.tenant_for_read()->get(id);
  if (!entity) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
  // The enforcement point decides first: a withheld entity is reported as
  // missing, with the same answer whatever else the request asks, because
  // its existence is personal too.
  auto access = ld.begin_read();
  bool allowed = access->admit(*entity, /*selected_by_id=*/true);
  access->commit();  // allowed or not, the decision is in the ledger first
  if (!allowed) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
  if (const std::string* type = request.param("type")) {
    bool match = false;
    for (const auto& t : split_list(*type)) {
      std::string expanded = ld.context().expand(t);
      for (const Json& have : (*entity)["type"]) match = match || have == expanded;
    }
    if (!match) throw Error(ErrorType::kResourceNotFound, "no entity " + id + " of that type");
  }
  return ld.entity_response(access->shape(std::move(*entity)));
}

http::Response delete_entity(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  const std::string& id = request.path_params["id"];
  write_one(*ld.tenant_for_read(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    if (!current) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
    return std::nullopt;
  });
  return no_content();
}

http::Response append_attrs(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);
  const std::string& id = request.path_params["id"];
  TimeMs now = now_ms();
  Json fragment = expand_fragment(ld, now);
  check_fragment_identity(fragment, id);
  bool no_overwrite = has_option(request, "noOverwrite");
  std::vector<ld::NotUpdated> not_updated;
  write_one(*ld.tenant_for_read(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    if (!current) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
    not_updated.clear();
    return ld::append_attributes(*current, fragment, no_overwrite, now, not_updated);
  });
  return partial_update_response(ld, fragment, not_updated);
}

http::Response update_attrs(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);
  const std::string& id = request.path_params["id"];
  TimeMs now = now_ms();
  Json fragment = expand_fragment(ld, now);
  check_fragment_identity(fragment, id);
  std::vector<ld::NotUpdated> not_updated;
  write_one(*ld.tenant_for_read(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    if (!current) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
    not_updated.clear();
    return ld::update_attributes(*current, fragment, now, not_updated);
  });
  return partial_update_response(ld, fragment, not_updated);
}

Json expand_single_attribute(LdRequest& ld, TimeMs now, bool partial) {
  Json body = ld.take_body();
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a JSON object");
  return ld::expand_attribute(body, ld.context(), now, partial);
}

http::Response patch_attr(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);
  const std::string& id = request.path_params["id"];
  std::string attr = ld.context().expand(request.path_params["attr"]);
  TimeMs now = now_ms();
  Json patch = expand_single_attribute(ld, now, true);
  write_one(*ld.tenant_for_read(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    if (!current) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
    return ld::patch_attribute(*current, attr, patch, now);
  });
  return no_content();
}

http::Response replace_attr(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);
  const std::string& id = request.path_params["id"];
  std::string attr = ld.context().expand(request.path_params["attr"]);
  TimeMs now = now_ms();
  Json instance = expand_single_attribute(ld, now, false);
  write_one(*ld.tenant_for_read(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    if (!current) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
    return ld::replace_attribute(*current, attr, instance, now);
  });
  return no_content();
}

http::Response delete_attr(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, false);
  const std::string& id = request.path_params["id"];
  std::string attr = ld.context().expand(request.path_params["attr"]);
  std::string dataset_id = request.param("datasetId") ? *request.param("datasetId") : "";
  const std::string* delete_all = request.param("deleteAll");
  bool all = delete_all && *delete_all == "true";
  TimeMs now = now_ms();
  write_one(*ld.tenant_for_read(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    if (!current) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
    return ld::delete_attribute(*current, attr, dataset_id, all, now);
  });
  return no_content();
}

http::Response merge_entity(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);
  const std::string& id = request.path_params["id"];
  TimeMs now = now_ms();
  Json fragment = expand_fragment(ld, now, ld::PayloadKind::kPatch);
  check_fragment_identity(fragment, id);
  write_one(*ld.tenant_for_read(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    if (!current) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
    return ld::merge_entity(*current, fragment, now);
  });
  return no_content();
}

http::Response replace_entity(http::Request& request, BrokerDeps deps) {
  LdRequest ld(request, deps, true);
  const std::string& id = request.path_params["id"];
  TimeMs now = now_ms();
  Json body = ld.take_body();
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a JSON object");
  if (!body.contains("id")) body["id"] = id;
  Json replacement = ld::expand_entity(body, ld.context(), ld::PayloadKind::kEntity, now);
  check_fragment_identity(replacement, id);
  write_one(*ld.tenant_for_read(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    if (!current) throw Error(ErrorType::kResourceNotFound, "no entity " + id);
    return ld::replace_entity(*current, replacement, now);
  });
  return no_content();
}

}  // namespace

store::MutationResult write_one(store::TenantStore& tenant, std::string entity_id, store::Mutator mutator) {
  std::vector<store::Mutation> mutations;
  mutations.push_back({std::move(entity_id), std::move(mutator)});
  auto results = tenant.write(std::move(mutations));
  if (results.empty()) throw Error(ErrorType::kInternalError, "the store returned no result");
  if (!results[0].ok) {
    if (results[0].error) throw *results[0].error;
    throw Error(ErrorType::kInternalError, "the write failed");
  }
  return results[0];
}

http::Response partial_update_response(const LdRequest& request, const Json& fragment,
                                       const std::vector<ld::NotUpdated>& not_updated) {
  if (not_updated.empty()) return no_content();
  Json updated = Json::array();
  for (auto it = fragment["attrs"].begin(); it != fragment["attrs"].end(); ++it) {
    bool skipped = false;
    for (const auto& n : not_updated) skipped = skipped || n.attr == it.key();
    if (!skipped) updated.push_back(request.context().compact(it.key()));
  }
  Json missed = Json::array();
  for (const auto& n : not_updated) {
    missed.push_back({{"attributeName", request.context().compact(n.attr)}, {"reason", n.reason}});
  }
  http::Response response;
  response.status = 207;
  response.set_header("Content-Type", "application/json");
  response.body = Json{{"updated", updated}, {"notUpdated", missed}}.dump();
  return response;
}

void register_entity_routes(http::Router& router, BrokerDeps deps) {
  auto bind = [deps](http::Response (*handler)(http::Request&, BrokerDeps)) {
    return [deps, handler](http::Request& request) { return handler(request, deps); };
  };
  router.add("POST", kBase + "/entities", bind(create_entity));
  router.add("GET", kBase + "/entities/{id}", bind(retrieve_entity));
  router.add("DELETE", kBase + "/entities/{id}", bind(delete_entity));
  router.add("PATCH", kBase + "/entities/{id}", bind(merge_entity));
  router.add("PUT", kBase + "/entities/{id}", bind(replace_entity));
  router.add("POST", kBase + "/entities/{id}/attrs", bind(append_attrs));
  router.add("PATCH", kBase + "/entities/{id}/attrs", bind(update_attrs));
  router.add("PATCH", kBase + "/entities/{id}/attrs/{attr}", bind(patch_attr));
  router.add("PUT", kBase + "/entities/{id}/attrs/{attr}", bind(replace_attr));
  router.add("DELETE", kBase + "/entities/{id}/attrs/{attr}", bind(delete_attr));
}

}  // namespace machi::broker
