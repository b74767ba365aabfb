// Accounts, posts and assignments of the organization chart (兼務), and
// the client credentials of consumers' service applications.
#include "api/api.h"
#include "api/auth_guard.h"
#include "api/json_io.h"
#include "core/error.h"

namespace machi::api {
namespace {

const std::string kBase = "/machi/v1";

std::shared_ptr<trust::Directory> directory_of(const http::Request& request, ApiDeps deps) {
  auto directory = deps.trust->directories().get(principal_of(request).tenant, true);
  if (!directory) throw Error(ErrorType::kNonexistentTenant, "the tenant does not exist");
  return directory;
}

std::vector<trust::Ward> wards_member(const Json& body) {
  std::vector<trust::Ward> wards;
  auto it = body.find("wards");
  if (it == body.end() || it->is_null()) return wards;
  if (!it->is_array()) throw Error(ErrorType::kBadRequestData, "wards must be an array");
  for (const Json& item : *it) {
    if (!item.is_object()) throw Error(ErrorType::kBadRequestData, "each ward must be an object");
    trust::Ward ward;
    ward.subject = required_string(item, "subject");
    ward.relation = string_member(item, "relation").value_or("guardian");
    ward.valid_from = time_member(item, "validFrom").value_or(0);
    ward.valid_until = time_member(item, "validUntil");
    wards.push_back(std::move(ward));
  }
  return wards;
}

http::Response list_accounts(http::Request& request, ApiDeps deps) {
  return list_response(directory_of(request, deps)->accounts(), trust::account_json);
}

http::Response create_account(http::Request& request, ApiDeps deps) {
  Json body = json_body(request);
  trust::NewAccount fields;
  fields.username = required_string(body, "username");
  fields.display_name = string_member(body, "displayName").value_or(fields.username);
  fields.password = string_member(body, "password");
  fields.roles = roles_member(body, "roles");
  fields.subject = string_member(body, "subject").value_or("");
  fields.wards = wards_member(body);
  auto account = directory_of(request, deps)->create_account(fields, now_ms());
  return json_response(201, trust::account_json(account));
}

http::Response get_account(http::Request& request, ApiDeps deps) {
  const std::string& id = request.path_params["id"];
  auto account = directory_of(request, deps)->account(id);
  if (!account) throw Error(ErrorType::kResourceNotFound, "no account " + id);
  return json_response(200, trust::account_json(*account));
}

http::Response update_account(http::Request& request, ApiDeps deps) {
  const std::string& id = request.path_params["id"];
  Json body = json_body(request);
  auto directory = directory_of(request, deps);
  trust::AccountUpdate update;
  update.display_name = string_member(body, "displayName");
  if (body.contains("roles")) update.roles = roles_member(body, "roles");
  update.subject = string_member(body, "subject");
  if (body.contains("wards")) update.wards = wards_member(body);
  if (body.contains("disabled")) {
    if (!body["disabled"].is_boolean()) throw Error(ErrorType::kBadRequestData, "disabled must be a boolean");
    update.disabled = body["disabled"].get<bool>();
  }
  auto password = string_member(body, "password");
  // Check everything before changing anything.
  if (!directory->account(id)) throw Error(ErrorType::kResourceNotFound, "no account " + id);
  if (password) trust::check_password_strength(*password);
  auto account = directory->update_account(id, update, now_ms());
  if (password) directory->set_password(id, *password, now_ms());
  return json_response(200, trust::account_json(account));
}

// Accounts are disabled, not erased: the ledger and grants refer to them.
http::Response disable_account(http::Request& request, ApiDeps deps) {
  const std::string& id = request.path_params["id"];
  if (id == principal_of(request).account_id) {
    throw Error(ErrorType::kBadRequestData, "an administrator cannot disable their own account");
  }
  directory_of(request, deps)->set_disabled(id, true, now_ms());
  http::Response response;
  response.status = 204;
  return response;
}

http::Response list_posts(http::Request& request, ApiDeps deps) {
  auto directory = directory_of(request, deps);
  Json out = Json::array();
  for (const auto& post : directory->posts()) {
    Json item = trust::post_json(post);
    item["assignments"] = Json::array();
    for (const auto& a : directory->assignments()) {
      if (a.post_id == post.id) item["assignments"].push_back(trust::assignment_json(a));
    }
    out.push_back(std::move(item));
  }
  return json_response(200, out);
}

http::Response create_post(http::Request& request, ApiDeps deps) {
  Json body = json_body(request);
  trust::PostFields fields{required_string(body, "name"), string_member(body, "department").value_or(""),
                           roles_member(body, "roles")};
  return json_response(201, trust::post_json(directory_of(request, deps)->create_post(fields)));
}

http::Response create_assignment(http::Request& request, ApiDeps deps) {
  Json body = json_body(request);
  auto assignment = directory_of(request, deps)->assign(required_string(body, "account"), required_string(body, "post"),
                                                        time_member(body, "validFrom").value_or(now_ms()),
                                                        time_member(body, "validUntil"));
  return json_response(201, trust::assignment_json(assignment));
}

http::Response end_assignment(http::Request& request, ApiDeps deps) {
  Json body = json_body(request);
  auto until = time_member(body, "validUntil");
  if (!until) throw Error(ErrorType::kBadRequestData, "validUntil is required");
  auto assignment = directory_of(request, deps)->end_assignment(request.path_params["id"], *until);
  return json_response(200, trust::assignment_json(assignment));
}

// A consumer sees and manages only its own applications, bound only to
// grants it holds; the administrator all of them.
bool is_admin(const trust::Principal& p) { return p.has(trust::Role::kAdmin); }

void check_grants_held(const trust::Principal& p, const std::vector<std::string>& grant_ids, ApiDeps deps) {
  auto privacy = deps.trust->privacy().tenant(p.tenant, true);
  for (const auto& id : grant_ids) {
    auto grant = privacy->grant(id);
    if (!grant) throw Error(ErrorType::kBadRequestData, "no grant " + id);
    if (!is_admin(p) && grant->consumer != p.account_id) {
      throw Error(ErrorType::kForbidden, "grant " + id + " is not held by this consumer");
    }
  }
}

http::Response list_clients(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  return list_response(directory_of(request, deps)->clients(is_admin(p) ? "" : p.account_id), trust::client_json);
}

http::Response create_client(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  Json body = json_body(request);
  std::string owner = p.account_id;
  if (auto given = string_member(body, "owner")) {
    if (!is_admin(p) && *given != p.account_id) throw Error(ErrorType::kForbidden, "clients belong to their creator");
    owner = *given;
  }
  auto grants = string_list_member(body, "grants");
  check_grants_held(p, grants, deps);
  auto created = directory_of(request, deps)->create_client(owner, required_string(body, "name"), grants, now_ms());
  Json out = trust::client_json(created.client);
  out["client_secret"] = created.secret;  // shown once
  return json_response(201, out);
}

http::Response delete_client(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  auto directory = directory_of(request, deps);
  const std::string& id = request.path_params["id"];
  auto client = directory->client(id);
  if (!client || (!is_admin(p) && client->owner_account_id != p.account_id)) {
    throw Error(ErrorType::kResourceNotFound, "no client " + id);
  }
  directory->delete_client(id);
  http::Response response;
  response.status = 204;
  return response;
}

}  // namespace

void register_account_routes(http::Router& router, ApiDeps deps) {
  auto bind = [deps](http::Response (*fn)(http::Request&, ApiDeps)) {
    return [deps, fn](http::Request& r) { return fn(r, deps); };
  };
  router.add("GET", kBase + "/accounts", bind(list_accounts));
  router.add("POST", kBase + "/accounts", bind(create_account));
  router.add("GET", kBase + "/accounts/{id}", bind(get_account));
  router.add("PATCH", kBase + "/accounts/{id}", bind(update_account));
  router.add("DELETE", kBase + "/accounts/{id}", bind(disable_account));
  router.add("GET", kBase + "/posts", bind(list_posts));
  router.add("POST", kBase + "/posts", bind(create_post));
  router.add("POST", kBase + "/assignments", bind(create_assignment));
  router.add("PATCH", kBase + "/assignments/{id}", bind(end_assignment));
  router.add("GET", kBase + "/clients", bind(list_clients));
  router.add("POST", kBase + "/clients", bind(create_client));
  router.add("DELETE", kBase + "/clients/{id}", bind(delete_client));
}

}  // namespace machi::api
