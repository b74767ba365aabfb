// /v2/subscriptions: Orion's subscription CRUD on machi's notifier. The
// subscriptions are the same records as NGSI-LD's (Dialect::kV2), so they
// share the change feed, the durable outbox, retries, throttling and the
// policy enforcement point; each API serves only its own dialect.
#include "notify/v2_subscription_api.h"

#include "core/error.h"
#include "notify/subscription_api.h"
#include "notify/subscription_store.h"
#include "notify/v2_subscription.h"
#include "trust/principal.h"

namespace machi::notify {
namespace {

using ngsiv2::V2Deps;
using ngsiv2::V2Error;
using ngsiv2::V2Request;

const std::string kBase = "/v2/subscriptions";

[[noreturn]] void subscription_not_found() {
  throw V2Error(404, "NotFound", "The requested subscription has not been found. Check id");
}

Notifier& need(Notifier* notifier) {
  if (!notifier) throw Error(ErrorType::kServiceUnavailable, "notifications are not running");
  return *notifier;
}

// A subscription's service path: the request's Fiware-ServicePath (one
// path, "/#" subtrees allowed), "/#" (all) without the header, as Orion.
std::string subscription_path(const http::Request& request) {
  std::string path(request.header("Fiware-ServicePath"));
  if (path.empty()) return "/#";
  if (path.find(',') != std::string::npos) ngsiv2::bad_request("a subscription takes one service path");
  if (path != "/#") ngsiv2::check_service_path(path, true);
  return path;
}

Subscription find_visible(const V2Request& r, const std::string& id) {
  auto tenant = r.tenant_for_read();
  if (!tenant || !is_v2_subscription_id(id)) subscription_not_found();
  auto sub = load_subscription(*tenant, *r.deps().contexts, id);
  if (!sub || sub->dialect != Dialect::kV2 || !visible_to(*sub, trust::principal_in(r.http().auth))) {
    subscription_not_found();
  }
  return *sub;
}

http::Response create(http::Request& request, const V2Deps& deps, Notifier* notifier) {
  V2Request r(request, deps, true);
  Json body = r.body();
  strip_v2_status_members(body);
  Subscription sub;
  sub.dialect = Dialect::kV2;
  sub.id = new_v2_subscription_id();
  sub.document = std::move(body);
  sub.service_path = subscription_path(request);
  sub.context = r.context().source();
  sub.bind(r.context());
  check_personal(*r.begin_read(), sub);
  sub.owner = owner_of(trust::principal_in(request.auth), request);
  sub.created_at = sub.modified_at = now_ms();
  auto tenant = r.tenant_for_write();
  save_subscription(*tenant, sub);
  if (notifier) notifier->subscriptions_changed(r.tenant_name());
  http::Response response;
  response.status = 201;
  response.set_header("Location", kBase + "/" + sub.id);
  return response;
}

http::Response list(http::Request& request, const V2Deps& deps, Notifier* notifier) {
  V2Request r(request, deps, false);
  size_t limit = ngsiv2::parse_limit(r.param("limit"));
  size_t offset = ngsiv2::parse_offset(r.param("offset"));
  std::string path(request.header("Fiware-ServicePath"));
  auto tenant = r.tenant_for_read();
  const trust::Principal& principal = trust::principal_in(request.auth);
  std::vector<Subscription> visible;
  if (tenant) {
    for (auto& sub : load_subscriptions(*tenant, *deps.contexts)) {
      if (sub.dialect != Dialect::kV2 || !visible_to(sub, principal)) continue;
      if (!path.empty() && sub.service_path != path) continue;  // the header selects its own subscriptions
      visible.push_back(std::move(sub));
    }
  }
  TimeMs now = now_ms();
  Json page = Json::array();
  for (size_t i = offset; i < visible.size() && page.size() < limit; ++i) {
    page.push_back(render_v2_subscription(visible[i], need(notifier).status(r.tenant_name(), visible[i].id), now));
  }
  http::Response response = ngsiv2::json_response(200, page);
  if (r.has_option("count")) response.set_header("Fiware-Total-Count", std::to_string(visible.size()));
  return response;
}

http::Response get(http::Request& request, const V2Deps& deps, Notifier* notifier) {
  V2Request r(request, deps, false);
  Subscription sub = find_visible(r, request.path_params["id"]);
  return ngsiv2::json_response(200, render_v2_subscription(sub, need(notifier).status(r.tenant_name(), sub.id), now_ms()));
}

// A personal-data subscription reads under its owner's grant: anyone else
// (an administrator) may pause, resume or end it, nothing more.
void check_patch_rights(const Subscription& sub, const trust::Principal& caller, const Json& fragment) {
  if (!sub.personal || is_owner(sub, caller) || !fragment.is_object()) return;
  for (const auto& [key, value] : fragment.items()) {
    if (key != "status" && key != "expires") {
      throw Error(ErrorType::kForbidden, "only the owner may change " + key +
                                             " of a subscription to personal data; others may set status or expires");
    }
  }
}

http::Response update(http::Request& request, const V2Deps& deps, Notifier* notifier) {
  V2Request r(request, deps, true);
  Subscription sub = find_visible(r, request.path_params["id"]);
  Json fragment = r.body();
  strip_v2_status_members(fragment);
  const trust::Principal& caller = trust::principal_in(request.auth);
  check_patch_rights(sub, caller, fragment);
  merge_v2_patch(sub.document, fragment);
  auto ctx = sub.context.is_null() ? deps.contexts->core() : deps.contexts->resolve(sub.context);
  sub.bind(*ctx);
  bool owner = is_owner(sub, caller);
  bool was_personal = sub.personal;
  if (was_personal && (!owner || request.header("Machi-Grant").empty())) {
    // Stays under the grant it was created with; the selection is checked again.
    if (owner) r.begin_read()->check_selection(selection_of(sub));
  } else {
    check_personal(*r.begin_read(), sub);
    if (sub.personal) {
      Owner now_owner = owner_of(caller, request);
      sub.owner.grant_id = now_owner.grant_id;
      sub.owner.purpose = now_owner.purpose;
    }
    sub.personal = sub.personal || was_personal;
  }
  sub.modified_at = now_ms();
  save_subscription(*r.tenant_for_write(), sub);
  if (notifier) notifier->subscriptions_changed(r.tenant_name());
  return ngsiv2::no_content();
}

http::Response remove(http::Request& request, const V2Deps& deps, Notifier* notifier) {
  V2Request r(request, deps, false);
  const std::string& id = request.path_params["id"];
  find_visible(r, id);
  erase_subscription(*r.tenant_for_read(), id);
  if (notifier) notifier->subscription_deleted(r.tenant_name(), id);
  return ngsiv2::no_content();
}

}  // namespace

void register_v2_subscription_routes(http::Router& router, ngsiv2::V2Deps deps, Notifier* notifier) {
  auto shared = std::make_shared<const V2Deps>(std::move(deps));
  auto bind = [&](http::Response (*handler)(http::Request&, const V2Deps&, Notifier*)) {
    return ngsiv2::bind_v2_function(
        [handler, notifier](http::Request& request, const V2Deps& d) { return handler(request, d, notifier); }, shared);
  };
  router.add("POST", kBase, bind(create));
  router.add("GET", kBase, bind(list));
  router.add("GET", kBase + "/{id}", bind(get));
  router.add("PATCH", kBase + "/{id}", bind(update));
  router.add("DELETE", kBase + "/{id}", bind(remove));
}

}  // namespace machi::notify
