// Batch operations: /entityOperations/{create,upsert,update,delete,merge}.
// Each entity is all-or-nothing; the batch answers 201/204 when every entity
// succeeded and 207 with successes and problem details otherwise.
#include "broker/broker.h"
#include "broker/write_result.h"
#include "core/error.h"
#include "ld/entity_ops.h"

namespace machi::broker {
namespace {

const std::string kBase = "/ngsi-ld/v1";
constexpr size_t kMaxBatch = 10000;

enum class BatchKind { kCreate, kUpsertReplace, kUpsertUpdate, kUpdate, kMerge, kDelete };

Json problem_json(const Error& error) {
  return Json{{"type", error_type_uri(error.type())},
              {"title", error_title(error.type())},
              {"status", error.status()},
              {"detail", error.what()}};
}

struct Outcome {
  std::string id;
  std::optional<Error> error;
  bool created = false;
};

// The per-entity read-modify-write for each batch kind.
store::Mutator mutator_for(BatchKind kind, Json entity, bool no_overwrite, TimeMs now) {
  return [kind, entity = std::move(entity), no_overwrite, now](const std::optional<Json>& current) -> std::optional<Json> {
    std::vector<ld::NotUpdated> ignored;
    switch (kind) {
      case BatchKind::kCreate:
        if (current) throw Error(ErrorType::kAlreadyExists, "entity already exists");
        return entity;
      case BatchKind::kUpsertReplace:
        return current ? ld::replace_entity(*current, entity, now) : entity;
      case BatchKind::kUpsertUpdate:
        return current ? ld::append_attributes(*current, entity, false, now, ignored) : entity;
      case BatchKind::kUpdate:
        if (!current) throw Error(ErrorType::kResourceNotFound, "entity does not exist");
        return ld::append_attributes(*current, entity, no_overwrite, now, ignored);
      case BatchKind::kMerge:
        if (!current) throw Error(ErrorType::kResourceNotFound, "entity does not exist");
        return ld::merge_entity(*current, entity, now);
      case BatchKind::kDelete:
        if (!current) throw Error(ErrorType::kResourceNotFound, "entity does not exist");
        return std::nullopt;
    }
    return std::nullopt;
  };
}

http::Response batch_response(BatchKind kind, const std::vector<Outcome>& outcomes) {
  Json success = Json::array(), errors = Json::array();
  bool any_created = false;
  for (const auto& outcome : outcomes) {
    if (outcome.error) {
      errors.push_back({{"entityId", outcome.id}, {"error", problem_json(*outcome.error)}});
    } else {
      success.push_back(outcome.id);
      any_created = any_created || outcome.created;
    }
  }
  http::Response response;
  response.set_header("Content-Type", "application/json");
  if (!errors.empty()) {
    response.status = 207;
    response.body = Json{{"success", success}, {"errors", errors}}.dump();
    return response;
  }
  if (kind == BatchKind::kCreate || ((kind == BatchKind::kUpsertReplace || kind == BatchKind::kUpsertUpdate) &&
                                     any_created)) {
    Json created = Json::array();
    for (const auto& outcome : outcomes) {
      if (kind == BatchKind::kCreate || outcome.created) created.push_back(outcome.id);
    }
    response.status = 201;
    response.body = created.dump();
    return response;
  }
  return no_content();
}

// Validates every item first: an invalid item fails alone, the rest go on.
http::Response run_batch(http::Request& request, BrokerDeps deps, BatchKind kind) {
  LdRequest ld(request, deps, true);
  Json body = ld.take_body();
  if (!body.is_array()) throw Error(ErrorType::kBadRequestData, "the body must be a JSON array");
  if (body.empty()) throw Error(ErrorType::kBadRequestData, "the batch is empty");
  if (body.size() > kMaxBatch) {
    throw Error(ErrorType::kBadRequestData, "a batch holds at most " + std::to_string(kMaxBatch) + " entities");
  }
  TimeMs now = now_ms();
  bool no_overwrite = has_option(request, "noOverwrite");
  std::vector<Outcome> outcomes(body.size());
  std::vector<store::Mutation> mutations;
  std::vector<size_t> mutation_item;
  for (size_t i = 0; i < body.size(); ++i) {
    Json& item = body[i];
    try {
      if (kind == BatchKind::kDelete) {
        if (!item.is_string()) throw Error(ErrorType::kBadRequestData, "delete takes an array of entity ids");
        outcomes[i].id = item.get<std::string>();
        mutations.push_back({outcomes[i].id, mutator_for(kind, Json(), false, now)});
      } else {
        if (!item.is_object()) throw Error(ErrorType::kBadRequestData, "each item must be an entity object");
        if (item.contains("id") && item["id"].is_string()) outcomes[i].id = item["id"];
        // JSON-LD batches carry an @context per entity.
        ld::ContextPtr ctx = item.contains("@context") ? deps.contexts->resolve(item["@context"]) : nullptr;
        item.erase("@context");
        Json entity = ld::expand_entity(item, ctx ? *ctx : ld.context(),
                                        kind == BatchKind::kCreate || kind == BatchKind::kUpsertReplace ||
                                                kind == BatchKind::kUpsertUpdate
                                            ? ld::PayloadKind::kEntity
                                            : ld::PayloadKind::kFragment,
                                        now);
        if (!entity.contains("id")) throw Error(ErrorType::kBadRequestData, "each entity needs an id");
        outcomes[i].id = entity["id"];
        mutations.push_back({outcomes[i].id, mutator_for(kind, std::move(entity), no_overwrite, now)});
      }
      mutation_item.push_back(i);
    } catch (const Error& error) {
      outcomes[i].error = error;
    }
  }
  if (!mutations.empty()) {
    auto results = ld.tenant_for_write()->write(std::move(mutations));
    for (size_t m = 0; m < results.size() && m < mutation_item.size(); ++m) {
      Outcome& outcome = outcomes[mutation_item[m]];
      if (!results[m].ok) {
        outcome.error = results[m].error ? *results[m].error : Error(ErrorType::kInternalError, "write failed");
      }
      outcome.created = results[m].ok && !results[m].existed && results[m].exists;
    }
  }
  return batch_response(kind, outcomes);
}

BatchKind upsert_kind(const http::Request& request) {
  return has_option(request, "update") ? BatchKind::kUpsertUpdate : BatchKind::kUpsertReplace;
}

}  // namespace

void register_batch_routes(http::Router& router, BrokerDeps deps) {
  const std::string ops = kBase + "/entityOperations/";
  router.add("POST", ops + "create", [deps](http::Request& r) { return run_batch(r, deps, BatchKind::kCreate); });
  router.add("POST", ops + "upsert", [deps](http::Request& r) { return run_batch(r, deps, upsert_kind(r)); });
  router.add("POST", ops + "update", [deps](http::Request& r) { return run_batch(r, deps, BatchKind::kUpdate); });
  router.add("POST", ops + "merge", [deps](http::Request& r) { return run_batch(r, deps, BatchKind::kMerge); });
  router.add("POST", ops + "delete", [deps](http::Request& r) { return run_batch(r, deps, BatchKind::kDelete); });
}

}  // namespace machi::broker
