#include "notify/subscription_api.h"

#include <algorithm>

#include "core/error.h"
#include "notify/subscription_store.h"
#include "trust/principal.h"

namespace machi::notify {

Owner owner_of(const trust::Principal& p, const http::Request& request) {
  Owner o;
  o.kind = p.kind == trust::PrincipalKind::kClient ? "client" : p.kind == trust::PrincipalKind::kAccount ? "account" : "";
  o.tenant = p.tenant;
  o.account_id = p.account_id;
  o.client_id = p.client_id;
  o.grant_id = std::string(request.header("Machi-Grant"));
  o.purpose = std::string(request.header("Machi-Purpose"));
  return o;
}

bool visible_to(const Subscription& sub, const trust::Principal& p) {
  if (p.has(trust::Role::kAdmin)) return true;
  const Owner& o = sub.owner;
  if (o.kind.empty()) return !p.authenticated();
  return o.tenant == p.tenant && o.account_id == p.account_id && o.client_id == p.client_id;
}

bool is_owner(const Subscription& sub, const trust::Principal& caller) {
  return sub.owner.tenant == caller.tenant && sub.owner.account_id == caller.account_id &&
         sub.owner.client_id == caller.client_id;
}

namespace {

using broker::LdRequest;

const std::string kBase = "/ngsi-ld/v1/subscriptions";
constexpr size_t kDefaultLimit = 20;
constexpr size_t kMaxLimit = 1000;

Notifier& need(Notifier* notifier) {
  if (!notifier) throw Error(ErrorType::kServiceUnavailable, "notifications are not running");
  return *notifier;
}

}  // namespace

trust::ReadAccess::Selection selection_of(const Subscription& sub) {
  trust::ReadAccess::Selection selection;
  if (sub.q) selection.attributes = sub.q->attributes();
  if (sub.v2) {
    for (const auto* v2q : {&sub.v2->q, &sub.v2->mq}) {
      if (!*v2q) continue;
      for (auto& a : (*v2q)->attributes()) selection.attributes.push_back(std::move(a));
    }
  }
  if (sub.geo) selection.attributes.push_back(sub.geo->geoproperty());
  for (const auto& a : sub.watched) selection.attributes.push_back(a);
  for (const auto& a : sub.attrs) selection.attributes.push_back(a);
  for (const auto& s : sub.entities) selection.by_id = selection.by_id || !s.id.empty() || !s.id_pattern.empty();
  return selection;
}

// Personal data may be subscribed to only under a grant (or by the data
// subject for their own data); the grant and purpose are kept with the
// subscription, and every notification passes the enforcement point.
void check_personal(trust::ReadAccess& read, Subscription& sub) {
  auto* access = &read;
  sub.personal = access->could_touch_personal(sub.types());
  if (!sub.personal) return;
  access->check_selection(selection_of(sub));
  const trust::AccessScope& scope = access->scope();
  if (!scope.has_grant() && scope.principal.subject.empty()) {
    std::string reason(scope.deny_reason.empty() ? "no_grant" : scope.deny_reason);
    throw Error(ErrorType::kForbidden,
                "these entities can be personal data: a subscription needs a grant for them (Machi-Grant and "
                "Machi-Purpose headers); " + reason);
  }
}

namespace {

void check_personal(const LdRequest& ld, Subscription& sub) { check_personal(*ld.begin_read(), sub); }

Json render(const LdRequest& ld, const Subscription& sub, const DeliveryStatus& status, size_t pending) {
  Json out = sub.document;
  out["id"] = sub.id;
  out["type"] = "Subscription";
  TimeMs now = now_ms();
  out["status"] = sub.status(now);
  out["isActive"] = sub.is_active;
  if (sub.context.is_string()) out["jsonldContext"] = sub.context;
  Json& n = out["notification"];
  status.render_into(n);
  n["pending"] = pending;
  out["createdAt"] = format_datetime(sub.created_at);
  out["modifiedAt"] = format_datetime(sub.modified_at);
  if (ld.accept() == broker::MediaType::kJsonLd) out["@context"] = sub.context.is_null() ? Json(ld::kCoreContextUrl) : sub.context;
  return out;
}

Subscription find_visible(const LdRequest& ld, store::TenantStore& tenant, const std::string& id) {
  auto sub = load_subscription(tenant, *ld.deps().contexts, id);
  // NGSIv2 subscriptions are served by /v2/subscriptions only (docs/ngsiv2.md).
  if (!sub || sub->dialect != Dialect::kLd || !visible_to(*sub, trust::principal_in(ld.http().auth))) {
    throw Error(ErrorType::kResourceNotFound, "subscription " + id + " not found");
  }
  return *sub;
}

http::Response create(http::Request& request, broker::BrokerDeps deps, Notifier* notifier) {
  LdRequest ld(request, deps, true);
  Json body = ld.take_body();
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a Subscription object");
  Subscription sub;
  if (body.contains("id")) {
    if (!body["id"].is_string() || body["id"].get_ref<const std::string&>().find(':') == std::string::npos) {
      throw Error(ErrorType::kBadRequestData, "id must be a URI");
    }
    sub.id = body["id"].get<std::string>();
  } else {
    sub.id = new_subscription_id();
  }
  body.erase("id");
  body.erase("status");
  body.erase("jsonldContext");
  if (body.contains("notification") && body["notification"].is_object()) {
    for (const char* member : {"timesSent", "timesFailed", "lastNotification", "lastSuccess", "lastFailure", "status",
                               "pending", "droppedNotifications", "lastDropped"}) {
      body["notification"].erase(member);
    }
  }
  if (body.contains("type") && body["type"] != "Subscription") {
    throw Error(ErrorType::kBadRequestData, "type must be \"Subscription\"");
  }
  body["type"] = "Subscription";
  sub.document = body;
  sub.context = ld.context().source();
  sub.bind(ld.context());
  check_personal(ld, sub);
  sub.owner = owner_of(trust::principal_in(request.auth), request);
  sub.created_at = sub.modified_at = now_ms();
  auto tenant = ld.tenant_for_write();
  if (tenant->record(kSubscriptionCollection, sub.id)) {
    throw Error(ErrorType::kAlreadyExists, "subscription " + sub.id + " already exists");
  }
  save_subscription(*tenant, sub);
  if (notifier) notifier->subscriptions_changed(ld.tenant_name());
  http::Response response;
  response.status = 201;
  response.set_header("Location", kBase + "/" + http::percent_encode(sub.id));
  return response;
}

http::Response list(http::Request& request, broker::BrokerDeps deps, Notifier* notifier) {
  LdRequest ld(request, deps, false);
  size_t limit = kDefaultLimit, offset = 0;
  if (const std::string* v = request.param("limit")) limit = broker::parse_count("limit", *v);
  if (limit > kMaxLimit) throw Error(ErrorType::kTooManyResults, "limit is over the maximum of 1000");
  if (const std::string* v = request.param("offset")) offset = broker::parse_count("offset", *v);
  const std::string* count_param = request.param("count");
  bool count = (count_param && *count_param == "true") || broker::has_option(request, "count");
  if (limit == 0 && !count) throw Error(ErrorType::kBadRequestData, "limit=0 is only allowed with count=true");
  auto tenant = ld.tenant_for_read();
  const trust::Principal& principal = trust::principal_in(request.auth);
  std::vector<Subscription> visible;
  for (auto& sub : load_subscriptions(*tenant, *deps.contexts)) {
    if (sub.dialect == Dialect::kLd && visible_to(sub, principal)) visible.push_back(std::move(sub));
  }
  Json body = Json::array();
  for (size_t i = offset; i < visible.size() && i < offset + limit; ++i) {
    const Subscription& sub = visible[i];
    body.push_back(render(ld, sub, need(notifier).status(ld.tenant_name(), sub.id),
                          need(notifier).pending(ld.tenant_name(), sub.id)));
  }
  http::Response response = ld.json_response(200, body);
  if (count) response.set_header("NGSILD-Results-Count", std::to_string(visible.size()));
  return response;
}

http::Response get(http::Request& request, broker::BrokerDeps deps, Notifier* notifier) {
  LdRequest ld(request, deps, false);
  const std::string& id = request.path_params["id"];
  auto tenant = ld.tenant_for_read();
  Subscription sub = find_visible(ld, *tenant, id);
  return ld.json_response(200, render(ld, sub, need(notifier).status(ld.tenant_name(), id),
                                      need(notifier).pending(ld.tenant_name(), id)));
}

http::Response update(http::Request& request, broker::BrokerDeps deps, Notifier* notifier) {
  LdRequest ld(request, deps, true);
  const std::string& id = request.path_params["id"];
  auto tenant = ld.tenant_for_read();
  Subscription sub = find_visible(ld, *tenant, id);
  Json fragment = ld.take_body();
  if (fragment.is_object() && fragment.contains("notification") && fragment["notification"].is_object()) {
    for (const char* member : {"timesSent", "timesFailed", "lastNotification", "lastSuccess", "lastFailure", "status",
                               "pending", "droppedNotifications", "lastDropped"}) {
      fragment["notification"].erase(member);
    }
  }
  // A personal-data subscription reads under its owner's grant: anyone
  // else (an administrator) may pause, resume or end it, nothing more, so
  // that no one redirects or widens reads that the ledger puts on the owner.
  const trust::Principal& caller = trust::principal_in(request.auth);
  bool owner = sub.owner.tenant == caller.tenant && sub.owner.account_id == caller.account_id &&
               sub.owner.client_id == caller.client_id;
  if (sub.personal && !owner && fragment.is_object()) {
    for (const auto& [key, value] : fragment.items()) {
      if (key != "isActive" && key != "expiresAt" && key != "id" && key != "type") {
        throw Error(ErrorType::kForbidden,
                    "only the owner may change " + key + " of a subscription to personal data; others may set "
                    "isActive or expiresAt");
      }
    }
  }
  Json document = sub.document;
  document["id"] = id;
  merge_patch(document, fragment);
  document.erase("id");
  sub.document = document;
  // The patch's names are in the request's context: it becomes the subscription's.
  if (!request.header("Link").empty() || ld.body_has_context()) sub.context = ld.context().source();
  auto ctx = sub.context.is_null() ? deps.contexts->core() : deps.contexts->resolve(sub.context);
  sub.bind(*ctx);
  bool was_personal = sub.personal;
  if (was_personal && (!owner || request.header("Machi-Grant").empty())) {
    // Stays under the grant it was created with; the selection is checked again.
    if (owner) ld.begin_read()->check_selection(selection_of(sub));
  } else {
    check_personal(ld, sub);
    if (sub.personal) {
      // The grant and purpose of this request apply from now on.
      Owner owner = owner_of(trust::principal_in(request.auth), request);
      sub.owner.grant_id = owner.grant_id;
      sub.owner.purpose = owner.purpose;
    }
    sub.personal = sub.personal || was_personal;
  }
  sub.modified_at = now_ms();
  save_subscription(*tenant, sub);
  if (notifier) notifier->subscriptions_changed(ld.tenant_name());
  return broker::no_content();
}

http::Response remove(http::Request& request, broker::BrokerDeps deps, Notifier* notifier) {
  LdRequest ld(request, deps, false);
  const std::string& id = request.path_params["id"];
  auto tenant = ld.tenant_for_read();
  find_visible(ld, *tenant, id);
  erase_subscription(*tenant, id);
  if (notifier) notifier->subscription_deleted(ld.tenant_name(), id);
  return broker::no_content();
}

}  // namespace

void register_subscription_routes(http::Router& router, broker::BrokerDeps deps, Notifier* notifier) {
  router.add("POST", kBase, [deps, notifier](http::Request& r) { return create(r, deps, notifier); });
  router.add("GET", kBase, [deps, notifier](http::Request& r) { return list(r, deps, notifier); });
  router.add("GET", kBase + "/{id}", [deps, notifier](http::Request& r) { return get(r, deps, notifier); });
  router.add("PATCH", kBase + "/{id}", [deps, notifier](http::Request& r) { return update(r, deps, notifier); });
  router.add("DELETE", kBase + "/{id}", [deps, notifier](http::Request& r) { return remove(r, deps, notifier); });
}

}  // namespace machi::notify
