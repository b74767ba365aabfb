#include "broker/ld_request.h"

#include <algorithm>

#include "core/error.h"

namespace machi::broker {
namespace {

constexpr std::string_view kContextRel = "http://www.w3.org/ns/json-ld#context";

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The media type of a Content-Type or Accept item, without parameters.
std::string media_type_of(std::string_view value) {
  size_t semicolon = value.find(';');
  std::string_view type = value.substr(0, semicolon);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return lower(type);
}

// The URL of a Link header whose rel is the JSON-LD context, if any.
std::optional<std::string> context_link(std::string_view link) {
  if (link.empty()) return std::nullopt;
  size_t open = link.find('<');
  size_t close = link.find('>', open);
  if (open == std::string_view::npos || close == std::string_view::npos) {
    throw Error(ErrorType::kBadRequestData, "malformed Link header");
  }
  std::string rest = lower(link.substr(close + 1));
  if (rest.find(std::string(kContextRel)) == std::string::npos) return std::nullopt;
  return std::string(link.substr(open + 1, close - open - 1));
}

std::string link_header_for(const ld::Context& ctx) {
  const Json& source = ctx.source();
  std::string url = source.is_string() ? source.get<std::string>() : std::string(ld::kCoreContextUrl);
  return "<" + url + ">; rel=\"" + std::string(kContextRel) + "\"; type=\"application/ld+json\"";
}

}  // namespace

LdRequest::LdRequest(const http::Request& request, BrokerDeps deps, bool expects_body)
    : request_(request), deps_(deps) {
  tenant_ = std::string(request.header("NGSILD-Tenant"));
  read_accept();
  if (expects_body) {
    read_body();
  } else {
    auto link = context_link(request.header("Link"));
    context_ = link ? deps_.contexts->resolve(Json(*link)) : deps_.contexts->core();
  }
}

void LdRequest::read_body() {
  std::string type = media_type_of(request_.header("Content-Type"));
  bool json_ld = type == "application/ld+json";
  if (type != "application/json" && !json_ld && type != "application/merge-patch+json") {
    throw Error(ErrorType::kUnsupportedMediaType,
                "Content-Type must be application/json or application/ld+json, not '" + type + "'");
  }
  if (request_.body.empty()) throw Error(ErrorType::kInvalidRequest, "the request needs a JSON body");
  body_ = parse_json(request_.body);
  body_has_context_ = body_.is_object() && body_.contains("@context");
  if (json_ld) {
    if (!body_has_context_) throw Error(ErrorType::kBadRequestData, "an application/ld+json body must have an @context");
    context_ = deps_.contexts->resolve(body_["@context"]);
    return;
  }
  if (body_has_context_) {
    throw Error(ErrorType::kBadRequestData, "an application/json body must not have an @context; use a Link header");
  }
  auto link = context_link(request_.header("Link"));
  context_ = link ? deps_.contexts->resolve(Json(*link)) : deps_.contexts->core();
}

void LdRequest::read_accept() {
  std::string_view accept = request_.header("Accept");
  if (accept.empty()) return;
  bool any = false;
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    if (comma == std::string_view::npos) comma = accept.size();
    std::string type = media_type_of(accept.substr(start, comma - start));
    start = comma + 1;
    if (type == "application/json") {
      accept_ = MediaType::kJson;
      return;
    }
    if (type == "application/ld+json") {
      accept_ = MediaType::kJsonLd;
      return;
    }
    if (type == "application/geo+json") {
      accept_ = MediaType::kGeoJson;
      return;
    }
    if (type == "*/*" || type == "application/*") any = true;
  }
  if (!any) {
    throw Error(ErrorType::kNotAcceptable,
                "Accept must allow application/json, application/ld+json or application/geo+json");
  }
}

std::shared_ptr<store::TenantStore> LdRequest::tenant_for_read() const {
  auto tenant = deps_.store->tenant(tenant_, false);
  if (!tenant) {
    if (tenant_.empty()) return deps_.store->tenant(tenant_, true);
    throw Error(ErrorType::kNonexistentTenant, "tenant '" + tenant_ + "' does not exist");
  }
  return tenant;
}

std::unique_ptr<trust::ReadAccess> LdRequest::begin_read() const {
  if (!deps_.trust) throw Error(ErrorType::kInternalError, "no enforcement point configured");
  return deps_.trust->begin_read(tenant_, trust::principal_in(request_.auth), request_.header("Machi-Grant"),
                                 request_.header("Machi-Purpose"), ledger_action(request_), now_ms());
}

std::shared_ptr<store::TenantStore> LdRequest::tenant_for_write() const { return deps_.store->tenant(tenant_, true); }

Json LdRequest::take_body() {
  Json body = std::move(body_);  // leaves body_ null
  if (body.is_object()) body.erase("@context");
  return body;
}

ld::RenderOptions LdRequest::render_options() const {
  ld::RenderOptions options;
  const std::string* format = request_.param("format");
  if (has_option(request_, "keyValues") || has_option(request_, "simplified")) options.format = ld::Format::kKeyValues;
  if (has_option(request_, "concise")) options.format = ld::Format::kConcise;
  if (has_option(request_, "normalized")) options.format = ld::Format::kNormalized;
  if (format) {
    if (*format == "simplified" || *format == "keyValues") {
      options.format = ld::Format::kKeyValues;
    } else if (*format == "concise") {
      options.format = ld::Format::kConcise;
    } else if (*format == "normalized") {
      options.format = ld::Format::kNormalized;
    } else {
      throw Error(ErrorType::kBadRequestData, "format must be normalized, concise or simplified");
    }
  }
  options.sys_attrs = has_option(request_, "sysAttrs");
  if (projection_) {
    options.attrs = *projection_;
  } else if (const std::string* attrs = request_.param("attrs")) {
    for (const auto& name : split_list(*attrs)) options.attrs.push_back(context_->expand(name));
  }
  if (const std::string* lang = request_.param("lang")) options.lang = *lang;
  return options;
}

Json LdRequest::render(const Json& stored) const {
  ld::RenderOptions options = render_options();
  if (accept_ == MediaType::kGeoJson) {
    std::string geo = context_->expand(request_.param("geometryProperty") ? *request_.param("geometryProperty")
                                                                          : std::string("location"));
    return ld::render_geojson_feature(stored, *context_, options, geo);
  }
  Json out = ld::render_entity(stored, *context_, options);
  if (accept_ == MediaType::kJsonLd) out["@context"] = context_->source();
  return out;
}

http::Response LdRequest::json_response(int status, const Json& body) const {
  return text_response(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

http::Response LdRequest::entity_response(const Json& stored) const {
  if (accept_ == MediaType::kGeoJson) return json_response(200, render(stored));
  std::string body;
  ld::write_entity(stored, *context_, render_options(), body, context_member());
  return text_response(200, std::move(body));
}

http::Response LdRequest::entities_response(const std::vector<Json>& stored) const {
  if (accept_ == MediaType::kGeoJson) {
    Json features = Json::array();
    for (const Json& entity : stored) features.push_back(render(entity));
    return json_response(200, Json{{"type", "FeatureCollection"}, {"features", std::move(features)}});
  }
  ld::RenderOptions options = render_options();
  const Json* context = context_member();
  std::string body = "[";
  for (const Json& entity : stored) {
    if (body.size() > 1) body += ',';
    ld::write_entity(entity, *context_, options, body, context);
  }
  body += ']';
  return text_response(200, std::move(body));
}

// A JSON-LD body carries its @context as a member; plain JSON names it in a Link header.
const Json* LdRequest::context_member() const {
  return accept_ == MediaType::kJsonLd ? &context_->source() : nullptr;
}

http::Response LdRequest::text_response(int status, std::string body) const {
  http::Response response;
  response.status = status;
  switch (accept_) {
    case MediaType::kJson:
      response.set_header("Content-Type", "application/json");
      response.set_header("Link", link_header_for(*context_));
      break;
    case MediaType::kJsonLd:
      response.set_header("Content-Type", "application/ld+json");
      break;
    case MediaType::kGeoJson:
      response.set_header("Content-Type", "application/geo+json");
      response.set_header("Link", link_header_for(*context_));
      break;
  }
  response.body = std::move(body);
  return response;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

size_t parse_count(const std::string& name, const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw Error(ErrorType::kBadRequestData, name + " must be a non-negative integer");
  }
  return static_cast<size_t>(std::stoul(text));
}

std::string ledger_action(const http::Request& request) {
  std::string path = request.raw_path;
  for (const auto& [name, value] : request.path_params) {
    std::string encoded = http::percent_encode(value);
    for (const std::string& form : {value, encoded}) {
      if (auto at = path.find(form); !form.empty() && at != std::string::npos) {
        path.replace(at, form.size(), "{" + name + "}");
        break;
      }
    }
  }
  std::string action = request.method + " " + path;
  for (size_t i = 0; i < request.query.size(); ++i) {
    const auto& [name, value] = request.query[i];
    action += (i == 0 ? "?" : "&") + name;
    if (name == "type") action += "=" + value;
  }
  return action;
}

bool has_option(const http::Request& request, std::string_view option) {
  for (const auto& [key, value] : request.query) {
    if (key != "options") continue;
    for (const auto& item : split_list(value)) {
      if (item == option) return true;
    }
  }
  return false;
}

http::Response no_content() {
  http::Response response;
  response.status = 204;
  return response;
}

}  // namespace machi::broker
