#include "ngsiv2/forwarding.h"

#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "core/error.h"
#include "core/time.h"
#include "http/client.h"
#include "ngsiv2/v2_entity.h"

namespace machi::ngsiv2 {
namespace {

// A member of an object, or null (const access that never asserts).
const Json& at(const Json& j, const char* key) {
  static const Json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

// A string member, or "" when absent or not a string.
std::string str(const Json& j, const char* key) {
  const Json& v = at(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

bool pattern_matches(const std::string& pattern, const std::string& text) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(1 << 20);
  RE2 re(pattern, options);
  return re.ok() && RE2::PartialMatch(text, re);
}

// How many brokers a forwarded request has passed (machi's own header), so
// that registrations that point back (directly or around a loop) end.
constexpr int kMaxHops = 3;

int hops_of(const V2Request& request) {
  std::string_view text = request.http().header("Machi-Forward-Hops");
  if (text.empty() || text.size() > 2 || text.find_first_not_of("0123456789") != std::string_view::npos) return 0;
  return std::stoi(std::string(text));
}

std::vector<std::pair<std::string, std::string>> provider_headers(const V2Request& request,
                                                                  const Json& registration) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
  headers.emplace_back("Machi-Forward-Hops", std::to_string(hops_of(request) + 1));
  if (!request.tenant_name().empty()) headers.emplace_back("Fiware-Service", request.tenant_name());
  headers.emplace_back("Fiware-ServicePath", request.service_path());
  // machi's extension: headers to send to the provider (e.g. its credentials).
  const Json& http = at(at(registration, "provider"), "http");
  if (http.contains("headers") && http["headers"].is_object()) {
    for (const auto& [name, value] : http["headers"].items()) {
      if (value.is_string()) headers.emplace_back(name, value.get<std::string>());
    }
  }
  return headers;
}

std::string provider_url(const Json& registration) {
  const Json& http = at(at(registration, "provider"), "http");
  std::string url = str(http, "url");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::vector<Json> load_registrations(store::TenantStore& tenant) {
  std::vector<Json> out;
  for (const auto& record : tenant.records(kRegistrationCollection)) {
    try {
      out.push_back(parse_json(record.text));
    } catch (const Error&) {
      // a damaged record is skipped, not fatal
    }
  }
  return out;
}

bool registration_usable(const Json& registration, std::string_view mode) {
  if (!registration.is_object() || (registration.contains("status") && str(registration, "status") != "active")) return false;
  if (registration.contains("expires") && registration["expires"].is_string()) {
    auto expires = parse_datetime(registration["expires"].get<std::string>());
    if (expires && *expires <= now_ms()) return false;
  }
  const Json& provider = at(registration, "provider");
  std::string forwarding = str(provider, "supportedForwardingMode").empty() ? "all" : str(provider, "supportedForwardingMode");
  if (forwarding == "none") return false;
  if (forwarding != "all" && forwarding != mode) return false;
  return !provider_url(registration).empty();
}

bool covers_entity(const Json& registration, const std::string& id, const std::string& type) {
  const Json& entities = at(at(registration, "dataProvided"), "entities");
  if (!entities.is_array()) return false;
  for (const Json& selector : entities) {
    if (!selector.is_object()) continue;
    if (selector.contains("type") && !type.empty() && str(selector, "type") != type) continue;
    if (selector.contains("typePattern") && !type.empty() &&
        !pattern_matches(str(selector, "typePattern"), type)) {
      continue;
    }
    if (selector.contains("id") && str(selector, "id") != id) continue;
    if (selector.contains("idPattern") && !pattern_matches(str(selector, "idPattern"), id)) continue;
    return true;
  }
  return false;
}

bool covers_attr(const Json& registration, const std::string& attr) {
  const Json& attrs = at(at(registration, "dataProvided"), "attrs");
  if (!attrs.is_array() || attrs.empty()) return true;
  return std::find(attrs.begin(), attrs.end(), Json(attr)) != attrs.end();
}

std::vector<Json> forward_query(const V2Request& request, const std::vector<std::string>& types,
                                const std::vector<std::string>& ids, const std::string& id_pattern,
                                const std::vector<std::string>& attrs) {
  std::vector<Json> out;
  auto tenant = request.tenant_for_read();
  if (!tenant || hops_of(request) >= kMaxHops) return out;
  for (const Json& registration : load_registrations(*tenant)) {
    if (!registration_usable(registration, "query")) continue;
    const Json& selectors = at(at(registration, "dataProvided"), "entities");
    if (!selectors.is_array()) continue;
    Json entities = Json::array();
    for (const Json& selector : selectors) {
      if (!selector.is_object()) continue;
      std::string type = str(selector, "type");
      if (!types.empty() && !type.empty() && std::find(types.begin(), types.end(), type) == types.end()) continue;
      if (!ids.empty() && selector.contains("id") &&
          std::find(ids.begin(), ids.end(), str(selector, "id")) == ids.end()) {
        continue;
      }
      entities.push_back(selector);
    }
    if (entities.empty()) continue;
    Json query = {{"entities", entities}};
    Json wanted = Json::array();
    for (const auto& attr : attrs) {
      if (covers_attr(registration, attr)) wanted.push_back(attr);
    }
    if (!attrs.empty() && wanted.empty()) continue;
    const Json& provided = at(at(registration, "dataProvided"), "attrs");
    if (wanted.empty() && provided.is_array() && !provided.empty()) wanted = provided;
    if (!wanted.empty()) query["attrs"] = wanted;
    auto response = http::http_request("POST", provider_url(registration) + "/op/query?limit=1000",
                                       provider_headers(request, registration), query.dump(),
                                       std::chrono::milliseconds(request.deps().forward_timeout_ms), 8 << 20,
                                       request.deps().outbound.get());
    if (!response || response->status != 200) continue;
    Json answer;
    try {
      answer = parse_json(response->body);
    } catch (const Error&) {
      continue;
    }
    if (!answer.is_array()) continue;
    for (const Json& entity : answer) {
      if (!entity.is_object() || !entity.contains("id") || !entity["id"].is_string()) continue;
      std::string id = entity["id"].get<std::string>();
      std::string type = str(entity, "type");
      if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
      if (!types.empty() && std::find(types.begin(), types.end(), type) == types.end()) continue;
      if (!id_pattern.empty() && !pattern_matches(id_pattern, id)) continue;
      if (!covers_entity(registration, id, type)) continue;
      // Only the attributes the registration provides are taken.
      Json filtered = Json::object();
      for (const auto& [name, value] : entity.items()) {
        if (name == "id" || name == "type" || covers_attr(registration, name)) filtered[name] = value;
      }
      try {
        out.push_back(entity_to_stored(filtered, request.context(), false, request.service_path(), now_ms()));
      } catch (const Error&) {
        // a provider's invalid entity is left out
      }
    }
  }
  return out;
}

bool forward_update(const V2Request& request, const Json& registration, const std::string& id,
                    const std::string& type, const Json& attrs) {
  Json entity = attrs;
  entity["id"] = id;
  if (!type.empty()) entity["type"] = type;
  Json body = {{"actionType", "update"}, {"entities", Json::array({entity})}};
  auto response = http::http_request("POST", provider_url(registration) + "/op/update",
                                     provider_headers(request, registration), body.dump(),
                                     std::chrono::milliseconds(request.deps().forward_timeout_ms), 1 << 20,
                                     request.deps().outbound.get());
  return response && response->status >= 200 && response->status < 300;
}

std::vector<std::string> forward_missing(const V2Request& r, const std::string& id, const std::string& type,
                                         const std::vector<std::string>& missing, const Json& v2_attrs) {
  if (missing.empty()) return missing;
  auto tenant = r.tenant_for_read();
  if (!tenant || hops_of(r) >= kMaxHops) return missing;
  auto registrations = load_registrations(*tenant);
  if (registrations.empty()) return missing;
  std::vector<std::string> left;
  std::map<size_t, Json> batches;  // registration index -> v2 attributes
  for (const auto& iri : missing) {
    std::string name = r.context().compact(iri);
    bool taken = false;
    for (size_t i = 0; i < registrations.size() && !taken; ++i) {
      const Json& reg = registrations[i];
      if (registration_usable(reg, "update") && covers_entity(reg, id, type) && covers_attr(reg, name) &&
          v2_attrs.is_object() && v2_attrs.contains(name)) {
        batches[i][name] = v2_attrs[name];
        taken = true;
      }
    }
    if (!taken) left.push_back(iri);
  }
  for (auto& [index, attrs] : batches) {
    if (!forward_update(r, registrations[index], id, type, attrs)) {
      for (const auto& [name, value] : attrs.items()) left.push_back(r.context().expand(name));
    }
  }
  return left;
}

}  // namespace machi::ngsiv2
