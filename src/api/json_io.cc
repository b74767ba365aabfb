#include "api/json_io.h"

#include <charconv>

#include "core/error.h"

namespace machi::api {

Json json_body(const http::Request& request) {
  std::string_view type = request.header("Content-Type");
  std::string_view media = type.substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media != "application/json") {
    throw Error(ErrorType::kUnsupportedMediaType, "the body must be application/json");
  }
  Json body = parse_json(request.body);
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "the body must be a JSON object");
  return body;
}

http::Response json_response(int status, const Json& body) {
  http::Response response;
  response.status = status;
  response.set_header("Content-Type", "application/json");
  response.set_header("Cache-Control", "no-store");
  response.body = body.dump();
  return response;
}

std::optional<std::string> string_member(const Json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw Error(ErrorType::kBadRequestData, std::string(name) + " must be a string");
  return it->get<std::string>();
}

std::string required_string(const Json& body, const char* name) {
  auto value = string_member(body, name);
  if (!value || value->empty()) throw Error(ErrorType::kBadRequestData, std::string(name) + " is required");
  return *value;
}

std::optional<TimeMs> time_member(const Json& body, const char* name) {
  auto text = string_member(body, name);
  if (!text) return std::nullopt;
  auto t = parse_datetime(*text);
  if (!t) throw Error(ErrorType::kBadRequestData, std::string(name) + " must be an RFC 3339 date-time");
  return *t;
}

std::vector<std::string> string_list_member(const Json& body, const char* name) {
  std::vector<std::string> out;
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) throw Error(ErrorType::kBadRequestData, std::string(name) + " must be an array of strings");
  for (const Json& item : *it) {
    if (!item.is_string()) throw Error(ErrorType::kBadRequestData, std::string(name) + " must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

trust::RoleSet roles_member(const Json& body, const char* name) {
  trust::RoleSet roles;
  for (const auto& text : string_list_member(body, name)) {
    auto role = trust::parse_role(text);
    if (!role) throw Error(ErrorType::kBadRequestData, "unknown role '" + text + "'");
    roles.add(*role);
  }
  return roles;
}

uint64_t uint_param(const http::Request& request, const char* name, uint64_t fallback) {
  const std::string* text = request.param(name);
  if (!text) return fallback;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || text->empty()) {
    throw Error(ErrorType::kBadRequestData, std::string(name) + " must be a non-negative integer");
  }
  return value;
}

uint64_t required_uint_param(const http::Request& request, const char* name) {
  if (!request.param(name)) throw Error(ErrorType::kBadRequestData, std::string(name) + " is required");
  return uint_param(request, name, 0);
}

Json principal_json(const trust::Principal& p) {
  Json out = Json::object();
  out["kind"] = p.kind == trust::PrincipalKind::kClient ? "client"
                : p.kind == trust::PrincipalKind::kAccount ? "account"
                                                            : "anonymous";
  out["tenant"] = p.tenant;
  if (!p.account_id.empty()) out["accountId"] = p.account_id;
  if (!p.client_id.empty()) out["clientId"] = p.client_id;
  if (!p.display_name.empty()) out["displayName"] = p.display_name;
  out["roles"] = Json::array();
  for (auto r : p.roles.roles()) out["roles"].push_back(std::string(trust::role_name(r)));
  if (!p.subject.empty()) out["subject"] = p.subject;
  out["wards"] = p.wards;
  if (!p.grant_ids.empty()) out["grants"] = p.grant_ids;
  if (!p.issuer.empty()) out["issuer"] = p.issuer;
  return out;
}

}  // namespace machi::api
