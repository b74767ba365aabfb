#include "notify/subscription.h"

#include <openssl/rand.h>

#include <cstdio>

#include <re2/re2.h>

#include "core/error.h"
#include "notify/mqtt_publisher.h"

namespace machi::notify {
namespace {

[[noreturn]] void bad(const std::string& message) { throw Error(ErrorType::kBadRequestData, message); }

std::vector<std::string> strings_of(const Json& value, const char* what) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
    return out;
  }
  if (!value.is_array()) bad(std::string(what) + " must be an array of strings");
  for (const Json& item : value) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      bad(std::string(what) + " must be an array of non-empty strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::string uuid4() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw Error(ErrorType::kInternalError, "no randomness for an id");
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

bool is_uri(const std::string& text) {
  auto colon = text.find(':');
  return colon != std::string::npos && colon > 0 && text.find(' ') == std::string::npos;
}

int64_t seconds_field(const Json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return 0;
  if (!it->is_number() || it->get<double>() < 0) bad(std::string(name) + " must be a non-negative number of seconds");
  return static_cast<int64_t>(it->get<double>() * 1000);
}

}  // namespace

Json Owner::to_json() const {
  return {{"kind", kind},           {"tenant", tenant},     {"accountId", account_id},
          {"clientId", client_id},  {"grantId", grant_id},  {"purpose", purpose}};
}

Owner Owner::from_json(const Json& j) {
  Owner o;
  o.kind = j.value("kind", "");
  o.tenant = j.value("tenant", "");
  o.account_id = j.value("accountId", "");
  o.client_id = j.value("clientId", "");
  o.grant_id = j.value("grantId", "");
  o.purpose = j.value("purpose", "");
  return o;
}

void Subscription::bind(const ld::Context& ctx) {
  if (dialect == Dialect::kV2) return bind_v2(ctx);
  v2.reset();
  const Json& d = document;
  if (!d.is_object()) bad("a subscription must be a JSON object");
  if (d.contains("type") && d["type"] != "Subscription") bad("type must be \"Subscription\"");
  for (const char* unsupported : {"temporalQ", "scopeQ", "csf", "lang"}) {
    if (d.contains(unsupported)) throw Error(ErrorType::kOperationNotSupported, std::string(unsupported) + " is not supported");
  }
  entities.clear();
  if (d.contains("entities")) {
    const Json& list = d["entities"];
    if (!list.is_array() || list.empty()) bad("entities must be a non-empty array");
    for (const Json& item : list) {
      if (!item.is_object()) bad("each entities item must be an object");
      EntitySelector s;
      if (!item.contains("type") || !item["type"].is_string() || item["type"].get_ref<const std::string&>().empty()) {
        bad("each entities item needs a type");
      }
      s.type = ctx.expand(item["type"].get<std::string>());
      if (item.contains("id")) {
        if (!item["id"].is_string() || !is_uri(item["id"].get<std::string>())) bad("entities[].id must be a URI");
        s.id = item["id"].get<std::string>();
      }
      if (item.contains("idPattern")) {
        if (!item["idPattern"].is_string()) bad("entities[].idPattern must be a string");
        s.id_pattern = item["idPattern"].get<std::string>();
        auto re = std::make_shared<RE2>(s.id_pattern, RE2::Quiet);
        s.pattern = re;
        if (!re->ok()) bad("entities[].idPattern is not a valid regular expression");
      }
      entities.push_back(std::move(s));
    }
  }
  watched.clear();
  if (d.contains("watchedAttributes")) {
    auto names = strings_of(d["watchedAttributes"], "watchedAttributes");
    if (names.empty()) bad("watchedAttributes must not be empty");
    for (const auto& n : names) watched.push_back(ctx.expand(n));
  }
  q.reset();
  if (d.contains("q")) {
    if (!d["q"].is_string()) bad("q must be a string");
    q = ld::Query::parse(d["q"].get<std::string>());
    q->bind(ctx);
  }
  geo.reset();
  if (d.contains("geoQ")) {
    const Json& g = d["geoQ"];
    if (!g.is_object() || !g.contains("georel") || !g.contains("geometry") || !g.contains("coordinates") ||
        !g["georel"].is_string() || !g["geometry"].is_string()) {
      bad("geoQ needs georel, geometry and coordinates");
    }
    std::string property = g.contains("geoproperty") && g["geoproperty"].is_string() ? g["geoproperty"].get<std::string>()
                                                                                       : std::string("location");
    geo = ld::GeoQuery::parse(g["georel"].get<std::string>(), g["geometry"].get<std::string>(), g["coordinates"], property);
    geo->set_geoproperty(ctx.expand(geo->geoproperty()));
  }
  if (entities.empty() && watched.empty()) bad("a subscription needs entities or watchedAttributes");
  throttling_ms = seconds_field(d, "throttling");
  time_interval_ms = seconds_field(d, "timeInterval");
  if (d.contains("timeInterval") && time_interval_ms <= 0) bad("timeInterval must be a positive number of seconds");
  if (time_interval_ms > 0 && (d.contains("watchedAttributes") || d.contains("throttling"))) {
    bad("timeInterval cannot be combined with watchedAttributes or throttling");
  }
  expires_at.reset();
  if (d.contains("expiresAt")) {
    if (!d["expiresAt"].is_string()) bad("expiresAt must be a date-time string");
    expires_at = parse_datetime(d["expiresAt"].get<std::string>());
    if (!expires_at) bad("expiresAt must be a date-time");
  }
  is_active = true;
  if (d.contains("isActive")) {
    if (!d["isActive"].is_boolean()) bad("isActive must be true or false");
    is_active = d["isActive"].get<bool>();
  }
  if (!d.contains("notification") || !d["notification"].is_object()) bad("a subscription needs a notification object");
  const Json& n = d["notification"];
  attrs.clear();
  if (n.contains("attributes")) {
    for (const auto& a : strings_of(n["attributes"], "notification.attributes")) attrs.push_back(ctx.expand(a));
  }
  format = ld::Format::kNormalized;
  if (n.contains("format")) {
    if (!n["format"].is_string()) bad("notification.format must be a string");
    std::string f = n["format"].get<std::string>();
    if (f == "keyValues" || f == "simplified") {
      format = ld::Format::kKeyValues;
    } else if (f == "concise") {
      format = ld::Format::kConcise;
    } else if (f != "normalized") {
      bad("notification.format must be normalized, keyValues or concise");
    }
  }
  if (!n.contains("endpoint") || !n["endpoint"].is_object()) bad("notification.endpoint is required");
  const Json& e = n["endpoint"];
  if (!e.contains("uri") || !e["uri"].is_string()) bad("notification.endpoint.uri is required");
  uri = e["uri"].get<std::string>();
  mqtt_qos = 1;
  if (uri.rfind("mqtt://", 0) == 0) {
    if (!MqttPublisher::available()) {
      throw Error(ErrorType::kOperationNotSupported, "this machi was built without MQTT notifications");
    }
    if (!parse_mqtt_url(uri)) bad("notification.endpoint.uri must be mqtt://host[:port]/topic (no wildcards)");
    if (e.contains("notifierInfo")) {
      const Json& info = e["notifierInfo"];
      if (!info.is_array()) bad("notification.endpoint.notifierInfo must be an array of key-value pairs");
      for (const Json& kv : info) {
        if (!kv.is_object() || !kv.contains("key") || !kv.contains("value") || !kv["key"].is_string() ||
            !kv["value"].is_string()) {
          bad("each notifierInfo item needs a string key and value");
        }
        if (kv["key"] == "MQTT-QoS") {
          std::string q = kv["value"].get<std::string>();
          if (q != "0" && q != "1" && q != "2") bad("MQTT-QoS must be 0, 1 or 2");
          mqtt_qos = q[0] - '0';
        } else if (kv["key"] == "MQTT-Version" && kv["value"] != "mqtt3.1.1") {
          throw Error(ErrorType::kOperationNotSupported, "only MQTT-Version mqtt3.1.1 is supported");
        }
      }
    }
  } else if (uri.rfind("http://", 0) != 0) {
    if (uri.rfind("https://", 0) == 0 || uri.rfind("mqtts://", 0) == 0) {
      throw Error(ErrorType::kOperationNotSupported, "only http:// and mqtt:// notification endpoints are supported");
    }
    bad("notification.endpoint.uri must be an http:// or mqtt:// URI");
  } else if (uri.size() <= 7 || uri[7] == '/') {
    bad("notification.endpoint.uri needs a host");
  }
  accept = "application/json";
  if (e.contains("accept")) {
    if (e["accept"] != "application/json" && e["accept"] != "application/ld+json") {
      bad("notification.endpoint.accept must be application/json or application/ld+json");
    }
    accept = e["accept"].get<std::string>();
  }
  receiver_info.clear();
  if (e.contains("receiverInfo")) {
    const Json& info = e["receiverInfo"];
    if (!info.is_array()) bad("notification.endpoint.receiverInfo must be an array of key-value pairs");
    for (const Json& kv : info) {
      if (!kv.is_object() || !kv.contains("key") || !kv.contains("value") || !kv["key"].is_string() ||
          !kv["value"].is_string()) {
        bad("each receiverInfo item needs a string key and value");
      }
      std::string key = kv["key"].get<std::string>(), value = kv["value"].get<std::string>();
      if (key.empty() || key.find_first_of(":\r\n ") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
        bad("receiverInfo keys and values must be valid header names and values");
      }
      receiver_info.emplace_back(key, value);
    }
  }
}

std::string Subscription::status(TimeMs now) const {
  if (expires_at && *expires_at <= now) return "expired";
  return is_active ? "active" : "paused";
}

std::vector<std::string> Subscription::types() const {
  std::vector<std::string> out;
  for (const auto& s : entities) {
    if (s.type.empty()) return {};
    out.push_back(s.type);
  }
  return out;
}

Json Subscription::to_record() const {
  return {{"id", id},
          {"dialect", dialect == Dialect::kV2 ? "v2" : "ld"},
          {"document", document},
          {"context", context},
          {"owner", owner.to_json()},
          {"personal", personal},
          {"createdAt", created_at},
          {"modifiedAt", modified_at},
          {"servicePath", service_path}};
}

Subscription Subscription::from_record(const Json& record) {
  Subscription s;
  s.id = record.at("id").get<std::string>();
  s.dialect = record.value("dialect", "ld") == "v2" ? Dialect::kV2 : Dialect::kLd;
  s.document = record.at("document");
  s.service_path = record.value("servicePath", "/#");
  s.context = record.value("context", Json());
  s.owner = Owner::from_json(record.value("owner", Json::object()));
  s.personal = record.value("personal", false);
  s.created_at = record.value("createdAt", TimeMs{0});
  s.modified_at = record.value("modifiedAt", TimeMs{0});
  return s;
}

void merge_patch(Json& document, const Json& fragment) {
  if (!fragment.is_object() || fragment.empty()) bad("the body must be a non-empty object");
  if (fragment.contains("id") && fragment["id"] != document.value("id", Json())) bad("the id cannot be changed");
  if (fragment.contains("type") && fragment["type"] != "Subscription") bad("type must be \"Subscription\"");
  for (const auto& [key, value] : fragment.items()) {
    if (key == "id" || key == "type" || key == "status") continue;
    if (key == "notification" && value.is_object() && document.contains("notification") &&
        document["notification"].is_object()) {
      Json& n = document["notification"];
      for (const auto& [nk, nv] : value.items()) {
        if (nk == "endpoint" && nv.is_object() && n.contains("endpoint") && n["endpoint"].is_object()) {
          for (const auto& [ek, ev] : nv.items()) {
            if (ev.is_null()) n["endpoint"].erase(ek); else n["endpoint"][ek] = ev;
          }
        } else if (nv.is_null()) {
          n.erase(nk);
        } else {
          n[nk] = nv;
        }
      }
      continue;
    }
    if (value.is_null()) {
      document.erase(key);
    } else {
      document[key] = value;
    }
  }
}

std::string new_subscription_id() { return "urn:ngsi-ld:Subscription:" + uuid4(); }
std::string new_notification_id() { return "urn:ngsi-ld:Notification:" + uuid4(); }

}  // namespace machi::notify
