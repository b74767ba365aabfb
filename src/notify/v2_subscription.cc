#include "notify/v2_subscription.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <map>

#include <re2/re2.h>

#include "core/error.h"
#include "http/message.h"
#include "ngsiv2/v2_entity.h"
#include "ngsiv2/v2_query.h"
#include "ngsiv2/v2_request.h"

namespace machi::notify {
namespace {

using ngsiv2::bad_request;

[[noreturn]] void not_supported(const std::string& what) {
  throw Error(ErrorType::kOperationNotSupported, what + " is not supported by machi (see docs/ngsiv2.md)");
}

const Json& member(const Json& object, const char* key) {
  static const Json null;
  if (!object.is_object()) return null;
  auto it = object.find(key);
  return it == object.end() ? null : *it;
}

void only_members(const Json& object, std::initializer_list<const char*> allowed, const std::string& where) {
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      bad_request("Invalid JSON payload: unrecognized field /" + where + key + "/");
    }
  }
}

const std::string& text(const Json& value, const std::string& what) {
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) bad_request(what + " must be a non-empty string");
  return value.get_ref<const std::string&>();
}

// An array of attribute (or metadata) names.
std::vector<std::string> names(const Json& value, const std::string& what) {
  if (value.is_null()) return {};
  if (!value.is_array()) bad_request(what + " must be an array of strings");
  std::vector<std::string> out;
  for (const Json& item : value) {
    ngsiv2::check_identifier(what, item);
    out.push_back(item.get<std::string>());
  }
  return out;
}

// Orion's patterns match anywhere in the text (as /v2/entities?idPattern=
// does); the matcher runs full matches, hence the wrapping.
std::shared_ptr<const re2::RE2> pattern(const Json& value, const std::string& what) {
  const std::string& source = text(value, what);
  if (!RE2(source, RE2::Quiet).ok()) bad_request(what + " is not a valid regular expression");
  return std::make_shared<RE2>(".*(?:" + source + ").*", RE2::Quiet);
}

EntitySelector bind_selector(const Json& item, const ld::Context& ctx) {
  if (!item.is_object()) bad_request("each subject.entities item must be an object");
  only_members(item, {"id", "idPattern", "type", "typePattern"}, "subject/entities/");
  if (item.contains("id") && item.contains("idPattern")) bad_request("subject.entities: id and idPattern cannot be combined");
  if (item.contains("type") && item.contains("typePattern")) {
    bad_request("subject.entities: type and typePattern cannot be combined");
  }
  EntitySelector s;
  if (item.contains("id")) {
    ngsiv2::check_identifier("entity id", item["id"]);
    s.id = item["id"].get<std::string>();
  }
  if (item.contains("idPattern")) {
    s.pattern = pattern(item["idPattern"], "idPattern");
    s.id_pattern = item["idPattern"].get<std::string>();
    if (s.id_pattern == ".*") s.id_pattern.clear(), s.pattern.reset();  // any id, without running the pattern
  }
  if (item.contains("type")) {
    ngsiv2::check_identifier("entity type", item["type"]);
    s.type = ctx.expand(item["type"].get<std::string>());
  }
  if (item.contains("typePattern")) s.type_pattern = pattern(item["typePattern"], "typePattern");
  return s;
}

void bind_condition(Subscription& sub, V2Params& v2, const Json& condition, const ld::Context& ctx) {
  if (condition.is_null()) return;
  if (!condition.is_object()) bad_request("subject.condition must be an object");
  only_members(condition, {"attrs", "expression", "alterationTypes", "notifyOnMetadataChange"}, "subject/condition/");
  for (const auto& a : names(member(condition, "attrs"), "subject.condition.attrs")) sub.watched.push_back(ctx.expand(a));
  const Json& expression = member(condition, "expression");
  if (!expression.is_null()) {
    if (!expression.is_object()) bad_request("subject.condition.expression must be an object");
    only_members(expression, {"q", "mq", "georel", "geometry", "coords"}, "subject/condition/expression/");
    if (expression.contains("q")) {
      v2.q = ngsiv2::V2Query::parse(text(expression["q"], "expression.q"), ngsiv2::V2Query::Kind::kQ);
      v2.q->bind(ctx);
    }
    if (expression.contains("mq")) {
      v2.mq = ngsiv2::V2Query::parse(text(expression["mq"], "expression.mq"), ngsiv2::V2Query::Kind::kMq);
      v2.mq->bind(ctx);
    }
    int geo_members = expression.contains("georel") + expression.contains("geometry") + expression.contains("coords");
    if (geo_members != 0 && geo_members != 3) bad_request("georel, geometry and coords go together");
    if (geo_members == 3) {
      sub.geo = ngsiv2::parse_geo(text(expression["georel"], "expression.georel"),
                                  text(expression["geometry"], "expression.geometry"),
                                  text(expression["coords"], "expression.coords"));
      sub.geo->set_geoproperty(ctx.expand("location"));
    }
  }
  const Json& types = member(condition, "alterationTypes");
  if (!types.is_null()) {
    if (!types.is_array() || types.empty()) bad_request("subject.condition.alterationTypes must be a non-empty array");
    v2.on_create = v2.on_update = false;
    for (const Json& t : types) {
      if (t == "entityCreate") {
        v2.on_create = true;
      } else if (t == "entityChange" || t == "entityUpdate") {
        v2.on_update = true;
      } else if (t == "entityDelete") {
        not_supported("alterationTypes entityDelete");
      } else {
        bad_request("unknown alterationType: " + (t.is_string() ? t.get<std::string>() : t.dump()));
      }
    }
  }
  const Json& on_metadata = member(condition, "notifyOnMetadataChange");
  if (!on_metadata.is_null() && !on_metadata.is_boolean()) bad_request("notifyOnMetadataChange must be true or false");
}

void check_header(const std::string& name, const std::string& value) {
  if (name.empty() || name.find_first_of(":\r\n \t") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
    bad_request("httpCustom.headers must be valid header names and values");
  }
}

void bind_endpoint(Subscription& sub, V2Params& v2, const Json& n) {
  bool plain = n.contains("http"), custom = n.contains("httpCustom");
  if (n.contains("mqtt") || n.contains("mqttCustom")) not_supported("notification.mqtt");
  if (plain == custom) bad_request("notification needs one of http or httpCustom");
  const Json& endpoint = plain ? n["http"] : n["httpCustom"];
  if (!endpoint.is_object()) bad_request("notification.http must be an object");
  if (plain) {
    only_members(endpoint, {"url", "timeout"}, "notification/http/");
  } else {
    only_members(endpoint, {"url", "headers", "qs", "method", "timeout", "payload", "json", "ngsi"}, "notification/httpCustom/");
    for (const char* templ : {"payload", "json", "ngsi"}) {
      if (endpoint.contains(templ)) not_supported(std::string("httpCustom.") + templ);
    }
  }
  sub.uri = text(member(endpoint, "url"), "notification.http.url");
  if (sub.uri.rfind("https://", 0) == 0) not_supported("https:// notification urls");
  if (sub.uri.rfind("http://", 0) != 0 || sub.uri.size() <= 7 || sub.uri[7] == '/') {
    bad_request("Invalid URL: notification url must be http://host[:port]/path");
  }
  if (sub.uri.find_first_of(" \r\n") != std::string::npos) bad_request("Invalid URL");
  const Json& headers = member(endpoint, "headers");
  if (!headers.is_null()) {
    if (!headers.is_object()) bad_request("httpCustom.headers must be an object");
    for (const auto& [name, value] : headers.items()) {
      if (!value.is_string()) bad_request("httpCustom.headers values must be strings");
      check_header(name, value.get<std::string>());
      sub.receiver_info.emplace_back(name, value.get<std::string>());
    }
  }
  const Json& qs = member(endpoint, "qs");
  if (!qs.is_null()) {
    if (!qs.is_object()) bad_request("httpCustom.qs must be an object");
    for (const auto& [name, value] : qs.items()) {
      if (!value.is_string() || name.empty()) bad_request("httpCustom.qs values must be strings");
      v2.qs.emplace_back(name, value.get<std::string>());
    }
  }
  const Json& method = member(endpoint, "method");
  if (!method.is_null()) {
    v2.method = text(method, "httpCustom.method");
    static const char* kMethods[] = {"POST", "PUT", "PATCH", "GET", "DELETE"};
    if (std::none_of(std::begin(kMethods), std::end(kMethods), [&](const char* m) { return v2.method == m; })) {
      bad_request("httpCustom.method must be POST, PUT, PATCH, GET or DELETE");
    }
  }
  const Json& timeout = member(endpoint, "timeout");
  if (!timeout.is_null() && (!timeout.is_number() || timeout.get<double>() < 0)) bad_request("timeout must be a number");
}

void bind_notification(Subscription& sub, V2Params& v2, const Json& n, const ld::Context& ctx) {
  if (!n.is_object()) bad_request("notification is missing or not an object");
  only_members(n, {"http", "httpCustom", "mqtt", "mqttCustom", "attrs", "exceptAttrs", "attrsFormat", "metadata",
                   "onlyChangedAttrs", "maxFailsLimit", "covered"},
               "notification/");
  bind_endpoint(sub, v2, n);
  if (n.contains("attrs") && n.contains("exceptAttrs")) bad_request("notification: attrs and exceptAttrs cannot be combined");
  v2.attrs = names(member(n, "attrs"), "notification.attrs");
  v2.except_attrs = names(member(n, "exceptAttrs"), "notification.exceptAttrs");
  v2.metadata = names(member(n, "metadata"), "notification.metadata");
  for (const auto& a : v2.attrs) sub.attrs.push_back(ctx.expand(a));
  const Json& format = member(n, "attrsFormat");
  if (!format.is_null()) {
    v2.attrs_format = text(format, "attrsFormat");
    if (v2.attrs_format == "simplifiedNormalized" || v2.attrs_format == "simplifiedKeyValues" ||
        v2.attrs_format == "legacy") {
      not_supported("attrsFormat " + v2.attrs_format);
    }
    if (v2.attrs_format != "normalized" && v2.attrs_format != "keyValues" && v2.attrs_format != "values") {
      bad_request("invalid attrsFormat: " + v2.attrs_format);
    }
  }
  const Json& changed = member(n, "onlyChangedAttrs");
  if (!changed.is_null() && !changed.is_boolean()) bad_request("onlyChangedAttrs must be true or false");
  if (changed == true) not_supported("onlyChangedAttrs");
  const Json& covered = member(n, "covered");
  if (!covered.is_null() && !covered.is_boolean()) bad_request("covered must be true or false");
  if (covered == true) not_supported("covered");
  if (n.contains("maxFailsLimit")) not_supported("maxFailsLimit");
}

std::string hex(size_t bytes) {
  std::vector<unsigned char> b(bytes);
  if (RAND_bytes(b.data(), static_cast<int>(bytes)) != 1) throw Error(ErrorType::kInternalError, "no randomness for an id");
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) out += digits[c >> 4], out += digits[c & 15];
  return out;
}

}  // namespace

void Subscription::bind_v2(const ld::Context& ctx) {
  const Json& d = document;
  if (!d.is_object()) bad_request("the body must be a JSON object");
  only_members(d, {"description", "subject", "notification", "expires", "status", "throttling"}, "");
  V2Params params;
  std::string vocab = ctx.expand("X");
  params.type_prefix = vocab.substr(0, vocab.size() - 1);
  entities.clear();
  watched.clear();
  attrs.clear();
  receiver_info.clear();
  q.reset();
  geo.reset();
  time_interval_ms = 0;
  format = ld::Format::kNormalized;
  if (d.contains("description")) {
    if (!d["description"].is_string()) bad_request("description must be a string");
    if (d["description"].get_ref<const std::string&>().size() > 1024) bad_request("description is over 1024 characters");
  }
  const Json& subject = member(d, "subject");
  if (!subject.is_object()) bad_request("subject is missing or not an object");
  only_members(subject, {"entities", "condition"}, "subject/");
  const Json& list = member(subject, "entities");
  if (!list.is_array() || list.empty()) bad_request("subject.entities must be a non-empty array");
  for (const Json& item : list) entities.push_back(bind_selector(item, ctx));
  bind_condition(*this, params, member(subject, "condition"), ctx);
  bind_notification(*this, params, member(d, "notification"), ctx);
  throttling_ms = 0;
  if (const Json& t = member(d, "throttling"); !t.is_null()) {
    if (!t.is_number() || t.get<double>() < 0) bad_request("throttling must be a non-negative number of seconds");
    throttling_ms = static_cast<int64_t>(t.get<double>() * 1000);
  }
  expires_at.reset();
  if (const Json& e = member(d, "expires"); !e.is_null()) {
    expires_at = parse_datetime(text(e, "expires"));
    if (!expires_at) bad_request("expires is not a valid date-time");
  }
  is_active = true;
  if (const Json& s = member(d, "status"); !s.is_null()) {
    if (s == "oneshot") not_supported("status oneshot");
    if (s != "active" && s != "inactive") bad_request("status must be active or inactive");
    is_active = s == "active";
  }
  v2 = std::move(params);
}

std::string new_v2_subscription_id() { return hex(12); }

bool is_v2_subscription_id(const std::string& text) {
  return text.size() == 24 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

void strip_v2_status_members(Json& body) {
  if (!body.is_object()) return;
  body.erase("id");
  if (body.contains("notification") && body["notification"].is_object()) {
    for (const char* m : {"timesSent", "lastNotification", "lastSuccess", "lastSuccessCode", "lastFailure",
                          "lastFailureReason", "failsCounter"}) {
      body["notification"].erase(m);
    }
  }
  // A read-back's "expired" is derived from expires, not a settable status.
  if (body.contains("status") && body["status"] == "expired") body.erase("status");
}

void merge_v2_patch(Json& document, const Json& fragment) {
  if (!fragment.is_object() || fragment.empty()) bad_request("the body must be a non-empty JSON object");
  for (const auto& [key, value] : fragment.items()) {
    if (value.is_null()) {
      document.erase(key);
    } else {
      document[key] = value;
    }
  }
}

Json render_v2_subscription(const Subscription& sub, const DeliveryStatus& status, TimeMs now) {
  const Json& d = sub.document;
  Json out = Json::object();
  out["id"] = sub.id;
  if (d.contains("description")) out["description"] = d["description"];
  Json subject = d.at("subject");
  if (!subject.contains("condition")) subject["condition"] = Json::object();
  if (!subject["condition"].contains("attrs")) subject["condition"]["attrs"] = Json::array();
  out["subject"] = std::move(subject);
  Json n = d.at("notification");
  if (!n.contains("attrs") && !n.contains("exceptAttrs")) n["attrs"] = Json::array();
  if (!n.contains("onlyChangedAttrs")) n["onlyChangedAttrs"] = false;
  if (!n.contains("attrsFormat")) n["attrsFormat"] = "normalized";
  if (!n.contains("covered")) n["covered"] = false;
  if (status.times_sent > 0) n["timesSent"] = status.times_sent;
  if (status.last_notification) n["lastNotification"] = format_datetime(status.last_notification);
  if (status.last_success) {
    n["lastSuccess"] = format_datetime(status.last_success);
    n["lastSuccessCode"] = status.last_success_code;
  }
  if (status.last_failure) {
    n["lastFailure"] = format_datetime(status.last_failure);
    n["lastFailureReason"] = status.last_failure_reason;
  }
  if (status.fails_counter > 0) n["failsCounter"] = status.fails_counter;
  out["notification"] = std::move(n);
  if (d.contains("expires")) out["expires"] = d["expires"];
  std::string state = sub.status(now);
  out["status"] = state == "paused" ? "inactive" : state;
  if (d.contains("throttling")) out["throttling"] = d["throttling"];
  return out;
}

std::vector<V2Notification> render_v2_notifications(const Subscription& sub, const std::vector<Json>& entities,
                                                    const ld::Context& ctx, size_t max_entities) {
  const V2Params& v2 = *sub.v2;
  ngsiv2::RenderOptions options;
  options.mode = v2.attrs_format == "keyValues" ? ngsiv2::RenderOptions::Mode::kKeyValues
                 : v2.attrs_format == "values"  ? ngsiv2::RenderOptions::Mode::kValues
                                                : ngsiv2::RenderOptions::Mode::kNormalized;
  options.attrs = v2.attrs;
  options.metadata = v2.metadata;
  // Entities grouped by service path (one Fiware-ServicePath per POST), in order.
  std::vector<std::pair<std::string, Json>> groups;
  std::map<std::string, size_t> group_of;
  for (const Json& stored : entities) {
    ngsiv2::RenderOptions entity_options = options;
    if (!v2.except_attrs.empty()) {
      // exceptAttrs: every attribute the entity has but those.
      ngsiv2::RenderOptions all;
      Json full = ngsiv2::render_entity(stored, ctx, all);
      for (const auto& [name, value] : full.items()) {
        if (name != "id" && name != "type" &&
            std::find(v2.except_attrs.begin(), v2.except_attrs.end(), name) == v2.except_attrs.end()) {
          entity_options.attrs.push_back(name);
        }
      }
      if (entity_options.attrs.empty()) entity_options.attrs.push_back(" none");  // no attribute at all
    }
    std::string path = ngsiv2::service_path_of(stored);
    auto [it, fresh] = group_of.emplace(path, groups.size());
    if (fresh) groups.emplace_back(path, Json::array());
    Json& data = groups[it->second].second;
    data.push_back(ngsiv2::render_entity(stored, ctx, entity_options));
  }
  std::vector<V2Notification> out;
  for (auto& [path, data] : groups) {
    for (size_t start = 0; start < data.size(); start += max_entities) {
      Json chunk = Json::array();
      for (size_t i = start; i < std::min(data.size(), start + max_entities); ++i) chunk.push_back(std::move(data[i]));
      // Members in this order: the outbox splices "data" arrays when it merges a backlog.
      Json body = Json::object();
      body["subscriptionId"] = sub.id;
      body["data"] = std::move(chunk);
      out.push_back({body.dump(-1, ' ', false, Json::error_handler_t::replace), path});
    }
  }
  return out;
}

V2Delivery v2_notification_request(const Subscription& sub, const std::string& tenant, const std::string& service_path) {
  V2Delivery out;
  const V2Params& v2 = *sub.v2;
  out.method = v2.method;
  out.url = sub.uri;
  for (const auto& [name, value] : v2.qs) {
    out.url += out.url.find('?') == std::string::npos ? '?' : '&';
    out.url += http::percent_encode(name) + "=" + http::percent_encode(value);
  }
  out.headers = {{"Content-Type", "application/json"},
                 {"Ngsiv2-AttrsFormat", v2.attrs_format},
                 {"Fiware-ServicePath", service_path.empty() ? "/" : service_path},
                 {"Fiware-Correlator", hex(16)}};
  if (!tenant.empty()) out.headers.emplace_back("Fiware-Service", tenant);
  // httpCustom.headers replace machi's of the same name.
  for (const auto& header : sub.receiver_info) {
    // Named, not a structured binding: clang 14 cannot capture bindings in lambdas.
    const std::string& name = header.first;
    const std::string& value = header.second;
    auto same = [&](const auto& h) {
      return std::equal(h.first.begin(), h.first.end(), name.begin(), name.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    };
    out.headers.erase(std::remove_if(out.headers.begin(), out.headers.end(), same), out.headers.end());
    out.headers.emplace_back(name, value);
  }
  return out;
}

}  // namespace machi::notify
