// Small helpers the /machi/v1 handlers share: JSON bodies in and out,
// parameters, times.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "http/message.h"
#include "trust/principal.h"

namespace machi::api {

// The body as a JSON object; 415 unless Content-Type is application/json,
// 400 for bad JSON or a non-object.
Json json_body(const http::Request& request);
http::Response json_response(int status, const Json& body);

// An optional string member; BadRequestData when present but not a string.
std::optional<std::string> string_member(const Json& body, const char* name);
std::string required_string(const Json& body, const char* name);
// An optional RFC 3339 time member.
std::optional<TimeMs> time_member(const Json& body, const char* name);
// ["resident", "city_staff"] -> RoleSet; BadRequestData for unknown names.
trust::RoleSet roles_member(const Json& body, const char* name);
std::vector<std::string> string_list_member(const Json& body, const char* name);

// A non-negative integer query parameter, or fallback when absent.
uint64_t uint_param(const http::Request& request, const char* name, uint64_t fallback);
uint64_t required_uint_param(const http::Request& request, const char* name);

Json principal_json(const trust::Principal& principal);

// 200 with a JSON array of to_json(item) for each item.
template <class Items, class ToJson>
http::Response list_response(const Items& items, ToJson to_json) {
  Json out = Json::array();
  for (const auto& item : items) out.push_back(to_json(item));
  return json_response(200, out);
}

}  // namespace machi::api
