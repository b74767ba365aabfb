// /v2/entities/{id}/attrs, /v2/entities/{id}/attrs/{attr} and
// /v2/entities/{id}/attrs/{attr}/value. Updates of attributes that a context
// provider holds (a registration covers them and they are not here) are
// forwarded to the provider's /op/update.
#include "broker/write_result.h"
#include "core/error.h"
#include "ngsiv2/forwarding.h"
#include "ngsiv2/ngsiv2.h"
#include "ngsiv2/v2_write.h"

namespace machi::ngsiv2 {
namespace {

// The entity as the request may change it: exists, in the service path and
// of the ?type given. Throws 404 (machi::Error, usable inside a mutator).
void check_target(const V2Request& r, const std::optional<Json>& current) {
  const std::string* type = r.param("type");
  if (!current || !r.in_write_scope(*current) || (type && entity_type_of(*current, r.context()) != *type)) {
    not_found_entity();
  }
}

std::string names_of(const std::vector<std::string>& iris, const ld::Context& ctx) {
  std::string out;
  for (const auto& iri : iris) out += (out.empty() ? "" : ", ") + ctx.compact(iri);
  return out;
}

http::Response get_attrs(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  RenderOptions options = render_options_of(r);
  Json entity = render_entity(read_entity(r, request.path_params["id"]), r.context(), options);
  if (entity.is_object()) {
    entity.erase("id");
    entity.erase("type");
  }
  return json_response(200, entity);
}

// POST (append, options=append strict), PATCH (update) and PUT (replace).
http::Response write_attrs(http::Request& request, const V2Deps& deps, AttrMode mode) {
  V2Request r(request, deps, true);
  const std::string& id = request.path_params["id"];
  if (mode == AttrMode::kAppend && r.has_option("append")) mode = AttrMode::kAppendStrict;
  bool override_metadata = r.has_option("overrideMetadata");
  TimeMs now = now_ms();
  Json fragment = attrs_to_fragment(r.body(), r.context(), r.has_option("keyValues"), now);
  std::vector<std::string> missing;
  bool found = true;
  std::string type = r.param("type") ? *r.param("type") : "";
  try {
    broker::write_one(*r.tenant_for_write(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
      missing.clear();
      found = true;
      if (!current && mode == AttrMode::kUpdate) {
        found = false;
        not_found_entity();
      }
      check_target(r, current);
      if (type.empty()) type = entity_type_of(*current, r.context());
      AttrChange change = apply_attrs(*current, fragment, mode, override_metadata, now);
      if (!change.existing.empty()) {
        throw Error(ErrorType::kAlreadyExists, "one or more of the attributes in the request already exist: " + id +
                                                   " - [ " + names_of(change.existing, r.context()) + " ]");
      }
      missing = change.missing;
      if (mode == AttrMode::kUpdate && missing.size() == fragment["attrs"].size()) return current;  // nothing here
      return std::move(change.entity);
    });
  } catch (const Error& e) {
    if (found || e.type() != ErrorType::kResourceNotFound) throw;
    // Not here: a provider may hold the entity's attributes.
    std::vector<std::string> all;
    for (const auto& [iri, instances] : fragment["attrs"].items()) all.push_back(iri);
    if (all.empty() || !forward_missing(r, id, type, all, normalized_attrs(r.body(), r.has_option("keyValues"))).empty()) throw;
    return no_content();
  }
  std::vector<std::string> left = forward_missing(r, id, type, missing, normalized_attrs(r.body(), r.has_option("keyValues")));
  if (!left.empty()) {
    throw V2Error(422, "Unprocessable",
                  "one or more of the attributes in the request do not exist: " + id + " - [ " +
                      names_of(left, r.context()) + " ]");
  }
  return no_content();
}

http::Response append_attrs(http::Request& request, const V2Deps& deps) {
  return write_attrs(request, deps, AttrMode::kAppend);
}
http::Response update_attrs(http::Request& request, const V2Deps& deps) {
  return write_attrs(request, deps, AttrMode::kUpdate);
}
http::Response replace_attrs(http::Request& request, const V2Deps& deps) {
  return write_attrs(request, deps, AttrMode::kReplace);
}

const Json& attr_instance(const Json& entity, const std::string& iri) {
  auto attrs = entity.find("attrs");
  if (attrs == entity.end() || !attrs->is_object() || !attrs->contains(iri)) not_found_attribute();
  const Json* instance = visible_instance((*attrs)[iri]);
  if (!instance) not_found_attribute();
  return *instance;
}

http::Response get_attr(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  Json entity = read_entity(r, request.path_params["id"]);
  std::string iri = r.context().expand(request.path_params["attr"]);
  std::vector<std::string> metadata;
  if (const std::string* md = r.param("metadata")) metadata = split_list(*md);
  return json_response(200, render_attr(attr_instance(entity, iri), r.context(), metadata));
}

http::Response put_attr(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, true);
  const std::string& id = request.path_params["id"];
  const std::string& name = request.path_params["attr"];
  check_identifier("attribute name", Json(name));
  TimeMs now = now_ms();
  Json fragment = attrs_to_fragment(Json{{name, r.body()}}, r.context(), false, now);
  bool override_metadata = r.has_option("overrideMetadata");
  broker::write_one(*r.tenant_for_write(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    check_target(r, current);
    AttrChange change = apply_attrs(*current, fragment, AttrMode::kUpdate, override_metadata, now);
    if (!change.missing.empty()) not_found_attribute();
    return std::move(change.entity);
  });
  return no_content();
}

http::Response delete_attr(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  const std::string& id = request.path_params["id"];
  std::string iri = r.context().expand(request.path_params["attr"]);
  Json fragment = {{"attrs", {{iri, Json::array({Json::object()})}}}};
  TimeMs now = now_ms();
  auto tenant = r.tenant_for_read();
  if (!tenant) not_found_entity();
  broker::write_one(*tenant, id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    check_target(r, current);
    AttrChange change = apply_attrs(*current, fragment, AttrMode::kDelete, false, now);
    if (!change.missing.empty()) not_found_attribute();
    return std::move(change.entity);
  });
  return no_content();
}

http::Response get_attr_value(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, false);
  Json entity = read_entity(r, request.path_params["id"]);
  std::string iri = r.context().expand(request.path_params["attr"]);
  Json value = attr_value_of(attr_instance(entity, iri), r.context());
  if (value.is_object() || value.is_array()) return json_response(200, value);
  http::Response response;
  response.status = 200;
  response.set_header("Content-Type", "text/plain");
  response.body = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

http::Response put_attr_value(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, true, /*text_body_allowed=*/true);
  const std::string& id = request.path_params["id"];
  std::string iri = r.context().expand(request.path_params["attr"]);
  Json value = r.body();
  if (r.body_is_text()) {
    std::string text = r.body().get<std::string>();
    try {
      value = parse_json(text);
    } catch (const Error&) {
      value = text;  // bare text is a string
    }
    if (value.is_object() || value.is_array()) bad_request("a text/plain value must be a string, number, boolean or null");
  } else if (!value.is_object() && !value.is_array()) {
    bad_request("an application/json value must be an object or an array; use text/plain for other values");
  }
  TimeMs now = now_ms();
  broker::write_one(*r.tenant_for_write(), id, [&](const std::optional<Json>& current) -> std::optional<Json> {
    check_target(r, current);
    return set_attr_value(*current, iri, value, now);
  });
  return no_content();
}

}  // namespace

void register_attrs_routes(http::Router& router, std::shared_ptr<const V2Deps> deps) {
  router.add("GET", "/v2/entities/{id}/attrs", bind_v2(get_attrs, deps));
  router.add("POST", "/v2/entities/{id}/attrs", bind_v2(append_attrs, deps));
  router.add("PATCH", "/v2/entities/{id}/attrs", bind_v2(update_attrs, deps));
  router.add("PUT", "/v2/entities/{id}/attrs", bind_v2(replace_attrs, deps));
  router.add("GET", "/v2/entities/{id}/attrs/{attr}", bind_v2(get_attr, deps));
  router.add("PUT", "/v2/entities/{id}/attrs/{attr}", bind_v2(put_attr, deps));
  router.add("DELETE", "/v2/entities/{id}/attrs/{attr}", bind_v2(delete_attr, deps));
  router.add("GET", "/v2/entities/{id}/attrs/{attr}/value", bind_v2(get_attr_value, deps));
  router.add("PUT", "/v2/entities/{id}/attrs/{attr}/value", bind_v2(put_attr_value, deps));
}

}  // namespace machi::ngsiv2
