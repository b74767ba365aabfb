// Personal data and consent: the purpose catalogue, personal entity types,
// the city's opt-in/opt-out setting per purpose, notices, residents'
// consent records (with signed receipts), and grants. Every consent event
// and grant change lands in the ledger before the answer.
#include "api/api.h"
#include "api/auth_guard.h"
#include "api/json_io.h"
#include "core/error.h"
#include "trust/consent.h"
#include "trust/encoding.h"
#include "trust/purposes.h"

namespace machi::api {
namespace {

const std::string kBase = "/machi/v1";

std::shared_ptr<trust::TenantPrivacy> privacy_of(const http::Request& request, ApiDeps deps) {
  return deps.trust->privacy().tenant(principal_of(request).tenant, true);
}

// For the public endpoints (what the city tells everyone): the addressed
// tenant, which the guard has not checked.
std::shared_ptr<trust::TenantPrivacy> public_privacy_of(const http::Request& request, ApiDeps deps) {
  std::string tenant = request_tenant(request);
  if (!tenant.empty() && !deps.store->tenant(tenant, false)) {
    throw Error(ErrorType::kNonexistentTenant, "tenant '" + tenant + "' does not exist");
  }
  return deps.trust->privacy().tenant(tenant, true);
}

// Short names are expanded with the core @context, as NGSI-LD requests
// without a Link header are.
std::string expand(ApiDeps deps, const std::string& term) { return deps.contexts->core()->expand(term); }

void expand_member(Json& body, const char* name, ApiDeps deps) {
  auto it = body.find(name);
  if (it == body.end()) return;
  if (it->is_string()) {
    *it = expand(deps, it->get<std::string>());
  } else if (it->is_array()) {
    for (Json& item : *it) {
      if (item.is_string()) item = expand(deps, item.get<std::string>());
    }
  }
}

http::Response created(const Json& body) { return json_response(201, body); }

// ---- personal types, settings, notices ----

http::Response list_personal_types(http::Request& request, ApiDeps deps) {
  return list_response(privacy_of(request, deps)->personal_types(), [](const auto& item) { return trust::to_json(item); });
}

http::Response put_personal_type(http::Request& request, ApiDeps deps) {
  Json body = json_body(request);
  body["type"] = request.path_params["type"];
  for (const char* name : {"type", "subjectAttribute", "providerAttribute"}) expand_member(body, name, deps);
  const auto& p = principal_of(request);
  auto type = trust::personal_type_from_json(body, p.account_id, now_ms());
  privacy_of(request, deps)->put_personal_type(type);
  deps.trust->log_event(p.tenant, {{"type", "personal_type.set"}, {"actor", p.account_id},
                                   {"time", format_datetime(type.changed_at)}, {"personalType", trust::to_json(type)}},
                        {});
  return json_response(200, trust::to_json(type));
}

http::Response list_settings(http::Request& request, ApiDeps deps) {
  return list_response(public_privacy_of(request, deps)->purpose_settings(), [](const auto& item) { return trust::to_json(item); });
}

http::Response put_setting(http::Request& request, ApiDeps deps) {
  Json body = json_body(request);
  auto mode = trust::parse_purpose_mode(required_string(body, "mode"));
  if (!mode) throw Error(ErrorType::kBadRequestData, "mode must be opt_in or opt_out");
  const auto& purpose = trust::purposes().resolve(request.path_params["purpose"]);
  const auto& p = principal_of(request);
  auto setting = privacy_of(request, deps)->set_purpose_mode(purpose, *mode, p.account_id, now_ms());
  deps.trust->log_event(p.tenant, {{"type", "purpose_setting.set"}, {"setting", trust::to_json(setting)}}, {});
  return json_response(200, trust::to_json(setting));
}

http::Response list_notices(http::Request& request, ApiDeps deps) {
  return list_response(public_privacy_of(request, deps)->notices(), [](const auto& item) { return trust::to_json(item); });
}

http::Response publish_notice(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  auto notice = trust::notice_from_json(json_body(request), p.account_id, now_ms());
  notice = privacy_of(request, deps)->publish_notice(notice);
  deps.trust->log_event(p.tenant, {{"type", "notice.published"}, {"notice", trust::to_json(notice)}}, {});
  return created(trust::to_json(notice));
}

// ---- consent records ----

// Logs the record's event in the ledger and returns its signed receipt.
Json log_and_receipt(const trust::ConsentRecord& record, size_t event_index, const std::string& tenant,
                     ApiDeps deps) {
  uint64_t index = deps.trust->log_event(tenant, trust::consent_event_entry(record, event_index), {record.subject});
  Json body = trust::receipt_body(record, event_index);
  body["ledgerIndex"] = index;
  const auto& key = deps.trust->ledgers().key();
  return trust::sign_receipt(std::move(body), trust::to_base64(key.public_key()),
                             [&key](std::string_view text) { return trust::to_base64(key.sign(text)); });
}

// The acting account is the caller, whatever the body says.
void stamp_actor(Json& event, const trust::Principal& p) { event["actor"] = p.account_id; }

http::Response create_consent(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  Json body = json_body(request);
  if (auto events = body.find("events"); events != body.end() && events->is_array()) {
    for (Json& e : *events) {
      if (e.is_object()) stamp_actor(e, p);
    }
  }
  auto record = trust::consent_record_from_json(body, now_ms());
  for (const auto& event : record.events) trust::check_actor(p, record.subject, event.capacity);
  if (record.events.empty()) trust::check_actor(p, record.subject, trust::ActorCapacity::kSelf);
  record = privacy_of(request, deps)->add_consent(record);
  Json receipts = Json::array();
  for (size_t i = 0; i < record.events.size(); ++i) receipts.push_back(log_and_receipt(record, i, p.tenant, deps));
  return created({{"record", trust::to_json(record)}, {"receipts", receipts}});
}

// Residents see the records of themselves and their wards; auditors any
// (by ?subject=).
bool may_read_consents_of(const trust::Principal& p, const std::string& subject) {
  return p.has(trust::Role::kAuditor) || p.acts_for(subject);
}

http::Response list_consents(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  auto privacy = privacy_of(request, deps);
  std::vector<std::string> subjects;
  if (const std::string* subject = request.param("subject")) {
    if (!may_read_consents_of(p, *subject)) throw Error(ErrorType::kForbidden, "not your consent records");
    subjects.push_back(*subject);
  } else {
    if (p.subject.empty() && p.wards.empty()) throw Error(ErrorType::kBadRequestData, "subject is required");
    if (!p.subject.empty()) subjects.push_back(p.subject);
    for (const auto& w : p.wards) subjects.push_back(w);
  }
  Json out = Json::array();
  TimeMs now = now_ms();
  for (const auto& subject : subjects) {
    for (const auto& record : privacy->consents_of(subject)) {
      Json item = trust::to_json(record);
      item["state"] = std::string(trust::consent_state_name(trust::consent_state_at(record, now)));
      out.push_back(std::move(item));
    }
  }
  return json_response(200, out);
}

trust::ConsentRecord readable_consent(const http::Request& request, ApiDeps deps, const std::string& id) {
  auto record = privacy_of(request, deps)->consent(id);
  // Someone else's record is reported as missing: its existence is personal.
  if (!record || !may_read_consents_of(principal_of(request), record->subject)) {
    throw Error(ErrorType::kResourceNotFound, "no consent record " + id);
  }
  return *record;
}

http::Response get_consent(http::Request& request, ApiDeps deps) {
  auto record = readable_consent(request, deps, request.path_params["id"]);
  Json out = trust::to_json(record);
  out["state"] = std::string(trust::consent_state_name(trust::consent_state_at(record, now_ms())));
  return json_response(200, out);
}

http::Response add_consent_event(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  auto record = readable_consent(request, deps, request.path_params["id"]);
  Json body = json_body(request);
  stamp_actor(body, p);
  auto event = trust::consent_event_from_json(body, now_ms());
  trust::check_actor(p, record.subject, event.capacity);
  record = privacy_of(request, deps)->append_consent_event(record.id, event);
  Json receipt = log_and_receipt(record, record.events.size() - 1, p.tenant, deps);
  return created({{"record", trust::to_json(record)}, {"receipt", receipt}});
}

// ---- grants ----

bool sees_all_grants(const trust::Principal& p) {
  return p.has(trust::Role::kAdmin) || p.has(trust::Role::kAuditor) || p.has(trust::Role::kEthicsMember);
}

http::Response list_grants(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  TimeMs now = now_ms();
  Json out = Json::array();
  for (const auto& grant : privacy_of(request, deps)->grants()) {
    if (sees_all_grants(p) || grant.consumer == p.account_id) out.push_back(trust::to_json(grant, now));
  }
  return json_response(200, out);
}

http::Response get_grant(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  const std::string& id = request.path_params["id"];
  auto grant = privacy_of(request, deps)->grant(id);
  if (!grant || !(sees_all_grants(p) || grant->consumer == p.account_id)) {
    throw Error(ErrorType::kResourceNotFound, "no grant " + id);
  }
  return json_response(200, trust::to_json(*grant, now_ms()));
}

// A grant is held by an account of the tenant that uses data: a consumer
// (for its applications) or the city's staff.
void check_grant_holder(const trust::Grant& grant, const std::string& tenant, ApiDeps deps, TimeMs now) {
  auto directory = deps.trust->directories().get(tenant, false);
  auto account = directory ? directory->account(grant.consumer) : std::nullopt;
  if (!account) throw Error(ErrorType::kBadRequestData, "consumer " + grant.consumer + " is not an account here");
  trust::RoleSet roles = directory->effective_roles(account->id, now);
  if (!roles.has(trust::Role::kConsumer) && !roles.has(trust::Role::kCityStaff)) {
    throw Error(ErrorType::kBadRequestData,
                "consumer " + grant.consumer + " holds neither the consumer nor the city_staff role");
  }
}

http::Response create_grant(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  Json body = json_body(request);
  for (const char* name : {"entityTypes", "attributes"}) expand_member(body, name, deps);
  TimeMs now = now_ms();
  auto grant = trust::grant_from_request(body, p.account_id, now);
  check_grant_holder(grant, p.tenant, deps, now);
  grant = privacy_of(request, deps)->add_grant(grant);
  deps.trust->log_event(p.tenant, trust::grant_change_event(grant, trust::GrantChange::kCreate, p.account_id, now), {});
  return created(trust::to_json(grant, now));
}

http::Response change_grant_state(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  Json body = json_body(request);
  std::string action = required_string(body, "action");
  trust::GrantChange change;
  if (action == "suspend") {
    change = trust::GrantChange::kSuspend;
  } else if (action == "resume") {
    change = trust::GrantChange::kResume;
  } else if (action == "revoke") {
    change = trust::GrantChange::kRevoke;
  } else {
    throw Error(ErrorType::kBadRequestData, "action must be suspend, resume or revoke");
  }
  TimeMs now = now_ms();
  auto grant = privacy_of(request, deps)->change_grant(request.path_params["id"], change, p.account_id, now);
  deps.trust->log_event(p.tenant, trust::grant_change_event(grant, change, p.account_id, now), {});
  return json_response(200, trust::to_json(grant, now));
}

}  // namespace

void register_privacy_routes(http::Router& router, ApiDeps deps) {
  auto bind = [deps](http::Response (*fn)(http::Request&, ApiDeps)) {
    return [deps, fn](http::Request& r) { return fn(r, deps); };
  };
  router.add("GET", kBase + "/purposes",
             [](http::Request&) { return json_response(200, trust::purposes().to_json()); });
  router.add("GET", kBase + "/personal-types", bind(list_personal_types));
  router.add("PUT", kBase + "/personal-types/{type}", bind(put_personal_type));
  router.add("GET", kBase + "/purpose-settings", bind(list_settings));
  router.add("PUT", kBase + "/purpose-settings/{purpose}", bind(put_setting));
  router.add("GET", kBase + "/notices", bind(list_notices));
  router.add("POST", kBase + "/notices", bind(publish_notice));
  router.add("GET", kBase + "/consents", bind(list_consents));
  router.add("POST", kBase + "/consents", bind(create_consent));
  router.add("GET", kBase + "/consents/{id}", bind(get_consent));
  router.add("POST", kBase + "/consents/{id}/events", bind(add_consent_event));
  router.add("GET", kBase + "/grants", bind(list_grants));
  router.add("POST", kBase + "/grants", bind(create_grant));
  router.add("GET", kBase + "/grants/{id}", bind(get_grant));
  router.add("POST", kBase + "/grants/{id}/state", bind(change_grant_state));
}

}  // namespace machi::api
