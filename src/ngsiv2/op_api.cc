// Batch operations: POST /v2/op/update and POST /v2/op/query.
#include <re2/re2.h>

#include "broker/write_result.h"
#include "core/error.h"
#include "ngsiv2/forwarding.h"
#include "ngsiv2/ngsiv2.h"
#include "ngsiv2/v2_query.h"
#include "ngsiv2/v2_write.h"

namespace machi::ngsiv2 {
namespace {

const Json& member(const Json& object, const char* key) {
  static const Json null;
  auto it = object.find(key);
  return it == object.end() ? null : *it;
}

std::vector<std::string> string_list(const Json& value, const char* what) {
  std::vector<std::string> out;
  if (value.is_null()) return out;
  if (!value.is_array()) bad_request(std::string(what) + " must be an array of strings");
  for (const Json& item : value) {
    if (!item.is_string()) bad_request(std::string(what) + " must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

http::Response op_update(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, true);
  const Json& body = r.body();
  if (!body.is_object()) bad_request("the body must be a JSON object");
  const Json& action_json = member(body, "actionType");
  if (!action_json.is_string()) bad_request("actionType is missing or not a string");
  std::string action = action_json.get<std::string>();
  if (action == "APPEND") action = "append";
  if (action == "APPEND_STRICT") action = "appendStrict";
  if (action == "UPDATE") action = "update";
  if (action == "DELETE") action = "delete";
  if (action == "REPLACE") action = "replace";
  if (action != "append" && action != "appendStrict" && action != "update" && action != "delete" &&
      action != "replace") {
    bad_request("invalid update action type: " + action);
  }
  const Json& entities = member(body, "entities");
  if (!entities.is_array()) bad_request("entities must be an array");
  if (entities.empty()) bad_request("empty entities vector");
  bool key_values = r.has_option("keyValues");
  bool override_metadata = r.has_option("overrideMetadata");
  TimeMs now = now_ms();
  std::vector<store::Mutation> mutations;
  // Per entity: its v2 attributes (normalized), type, and what was missing.
  struct Target {
    std::string id, type;
    Json attrs;
    std::vector<std::string> missing;
  };
  auto targets = std::make_shared<std::vector<Target>>();
  targets->reserve(entities.size());
  for (const Json& item : entities) {
    if (!item.is_object()) bad_request("each entity must be a JSON object");
    Json stored = entity_to_stored(item, r.context(), key_values, r.service_path(), now);
    std::string id = stored["id"];
    std::string type = item.contains("type") ? item["type"].get<std::string>() : "";
    targets->push_back({id, type, normalized_attrs(item, key_values), {}});
    size_t index = targets->size() - 1;
    bool only_ids = stored["attrs"].empty();
    mutations.push_back({id, [&r, stored, type, action, only_ids, override_metadata, now, targets, index](
                                 const std::optional<Json>& current) -> std::optional<Json> {
                           Target& target = (*targets)[index];
                           target.missing.clear();
                           bool visible = current && r.in_write_scope(*current) &&
                                          (type.empty() || entity_type_of(*current, r.context()) == type);
                           if (current && !visible && (action == "append" || action == "appendStrict")) {
                             throw Error(ErrorType::kAlreadyExists, "Already Exists");
                           }
                           if (!visible) {
                             if (action == "append" || action == "appendStrict") return stored;
                             not_found_entity();
                           }
                           if (target.type.empty()) target.type = entity_type_of(*current, r.context());
                           if (action == "delete" && only_ids) return std::nullopt;
                           AttrMode mode = action == "append"         ? AttrMode::kAppend
                                           : action == "appendStrict" ? AttrMode::kAppendStrict
                                           : action == "update"       ? AttrMode::kUpdate
                                           : action == "delete"       ? AttrMode::kDelete
                                                                      : AttrMode::kReplace;
                           AttrChange change = apply_attrs(*current, stored, mode, override_metadata, now);
                           if (!change.existing.empty()) {
                             std::string names;
                             for (const auto& iri : change.existing) {
                               names += (names.empty() ? "" : ", ") + r.context().compact(iri);
                             }
                             throw Error(ErrorType::kAlreadyExists,
                                         "one or more of the attributes in the request already exist: " +
                                             target.id + " - [ " + names + " ]");
                           }
                           // As in Orion, the attributes that exist are changed and the
                           // missing ones reported (or forwarded to their provider).
                           target.missing = change.missing;
                           if (!change.missing.empty() && change.missing.size() == stored["attrs"].size()) {
                             return current;
                           }
                           return std::move(change.entity);
                         }});
  }
  auto results = r.tenant_for_write()->write(std::move(mutations));
  std::optional<Error> first;
  std::string not_there;  // "E1 - [ A ], E2 - [ B ]"
  for (size_t i = 0; i < results.size() && i < targets->size(); ++i) {
    Target& target = (*targets)[i];
    std::vector<std::string> left;
    if (results[i].ok) {
      if (target.missing.empty()) continue;
      left = action == "update" ? forward_missing(r, target.id, target.type, target.missing, target.attrs)
                                : target.missing;
    } else {
      Error error = results[i].error ? *results[i].error : Error(ErrorType::kInternalError, "the write failed");
      // An entity that is not here may be a context provider's.
      if (action == "update" && error.type() == ErrorType::kResourceNotFound && !target.attrs.empty()) {
        std::vector<std::string> all;
        for (const auto& [name, value] : target.attrs.items()) all.push_back(r.context().expand(name));
        if (forward_missing(r, target.id, target.type, all, target.attrs).empty()) continue;
      }
      if (!first) first = error;
      continue;
    }
    if (left.empty()) continue;
    std::string names;
    for (const auto& iri : left) names += (names.empty() ? "" : ", ") + r.context().compact(iri);
    not_there += (not_there.empty() ? "" : ", ") + target.id + " - [ " + names + " ]";
  }
  if (first) {
    if (first->type() == ErrorType::kAlreadyExists) throw V2Error(422, "Unprocessable", first->what());
    throw *first;
  }
  if (!not_there.empty()) {
    throw V2Error(422, "Unprocessable", "one or more of the attributes in the request do not exist: " + not_there);
  }
  return no_content();
}

http::Response op_query(http::Request& request, const V2Deps& deps) {
  V2Request r(request, deps, true);
  const Json& body = r.body();
  if (!body.is_object()) bad_request("the body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (key != "entities" && key != "attrs" && key != "expression" && key != "metadata") {
      bad_request("Invalid JSON payload: unrecognized field /" + key + "/");
    }
  }
  QuerySpec spec;
  spec.limit = parse_limit(r.param("limit"));
  spec.offset = parse_offset(r.param("offset"));
  spec.count = r.has_option("count");
  if (const std::string* order = r.param("orderBy")) spec.order_by = *order;
  const Json& entities = member(body, "entities");
  if (!entities.is_null() && !entities.is_array()) bad_request("entities must be an array");
  std::vector<std::string> id_alternatives, type_patterns;
  bool any_pattern = false;
  if (entities.is_array()) {
    for (const Json& selector : entities) {
      if (!selector.is_object()) bad_request("each entities item must be an object");
      const Json& id = member(selector, "id");
      const Json& id_pattern = member(selector, "idPattern");
      const Json& type = member(selector, "type");
      const Json& type_pattern = member(selector, "typePattern");
      if (!id.is_null() && !id_pattern.is_null()) bad_request("Incompatible parameters: id, IdPattern");
      if (!type.is_null() && !type_pattern.is_null()) bad_request("Incompatible parameters: type, typePattern");
      if (!id.is_null()) {
        check_identifier("entity id", id);
        spec.ids.push_back(id.get<std::string>());
        id_alternatives.push_back(RE2::QuoteMeta(id.get<std::string>()));
      } else if (!id_pattern.is_null()) {
        if (!id_pattern.is_string()) bad_request("idPattern must be a string");
        any_pattern = true;
        id_alternatives.push_back(".*(?:" + id_pattern.get<std::string>() + ").*");
      } else {
        any_pattern = true;
        id_alternatives.push_back(".*");
      }
      if (!type.is_null()) {
        check_identifier("entity type", type);
        spec.types.push_back(type.get<std::string>());
      } else if (!type_pattern.is_null()) {
        if (!type_pattern.is_string()) bad_request("typePattern must be a string");
        type_patterns.push_back("(?:" + type_pattern.get<std::string>() + ")");
      }
    }
  }
  if (any_pattern) {
    spec.ids.clear();
    std::string joined;
    for (const auto& alt : id_alternatives) joined += (joined.empty() ? "" : "|") + ("(?:" + alt + ")");
    spec.id_pattern = "^(?:" + joined + ")$";
  }
  if (!type_patterns.empty() && spec.types.empty()) {
    std::string joined;
    for (const auto& p : type_patterns) joined += (joined.empty() ? "" : "|") + p;
    spec.type_pattern = joined;
  }
  spec.attrs = string_list(member(body, "attrs"), "attrs");
  RenderOptions options = render_options_of(r);
  options.attrs = spec.attrs;
  options.metadata = string_list(member(body, "metadata"), "metadata");
  const Json& expression = member(body, "expression");
  if (!expression.is_null()) {
    if (!expression.is_object()) bad_request("expression must be an object");
    auto text = [&](const char* key) -> std::string {
      const Json& v = member(expression, key);
      if (v.is_null()) return "";
      if (!v.is_string()) bad_request(std::string("expression ") + key + " must be a string");
      return v.get<std::string>();
    };
    spec.q = text("q");
    spec.mq = text("mq");
    std::string georel = text("georel"), geometry = text("geometry"), coords = text("coords");
    if (!georel.empty() || !geometry.empty() || !coords.empty()) {
      if (georel.empty() || geometry.empty() || coords.empty()) {
        bad_request("georel, geometry and coords must be used together");
      }
      spec.has_geo = true;
      spec.georel = georel;
      spec.geometry = geometry;
      spec.coords = coords;
    }
  }
  QueryOutcome outcome = run_query(r, spec);
  Json out = Json::array();
  for (const Json& entity : outcome.entities) out.push_back(render_entity(entity, r.context(), options));
  http::Response response = json_response(200, out);
  if (outcome.total) response.set_header("Fiware-Total-Count", std::to_string(*outcome.total));
  return response;
}

}  // namespace

void register_op_routes(http::Router& router, std::shared_ptr<const V2Deps> deps) {
  router.add("POST", "/v2/op/update", bind_v2(op_update, deps));
  router.add("POST", "/v2/op/query", bind_v2(op_query, deps));
}

}  // namespace machi::ngsiv2
