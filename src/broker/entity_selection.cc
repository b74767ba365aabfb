#include "broker/entity_selection.h"

#include "broker/ld_request.h"
#include "core/error.h"

namespace machi::broker {
namespace {

constexpr size_t kDefaultLimit = 20;
constexpr size_t kMaxLimit = 1000;

// Splits a type selection: "A,B" and "A|B" both mean either type.
std::vector<std::string> split_types(const std::string& text) {
  if (text.find_first_of(";()") != std::string::npos) {
    throw Error(ErrorType::kOperationNotSupported, "type selections with ';' or parentheses are not supported");
  }
  std::string normalized = text;
  for (char& c : normalized) {
    if (c == '|') c = ',';
  }
  return split_list(normalized);
}

}  // namespace

QueryText query_text_from_params(const http::Request& request) {
  QueryText text;
  if (auto* v = request.param("type")) text.types = split_types(*v);
  if (auto* v = request.param("id")) text.ids = split_list(*v);
  if (auto* v = request.param("idPattern")) text.id_pattern = *v;
  if (auto* v = request.param("attrs")) text.attrs = split_list(*v);
  if (auto* v = request.param("q")) text.q = *v;
  const std::string* georel = request.param("georel");
  const std::string* geometry = request.param("geometry");
  const std::string* coordinates = request.param("coordinates");
  if (georel || geometry || coordinates) {
    if (!georel || !geometry || !coordinates) {
      throw Error(ErrorType::kBadRequestData, "a geo-query needs georel, geometry and coordinates together");
    }
    text.has_geo = true;
    text.georel = *georel;
    text.geometry = *geometry;
    text.coordinates = Json(*coordinates);
    if (auto* v = request.param("geoproperty")) text.geoproperty = *v;
  }
  return text;
}

QueryText query_text_from_body(const Json& body) {
  QueryText text;
  if (body.contains("entities")) {
    const Json& entities = body["entities"];
    if (!entities.is_array()) throw Error(ErrorType::kBadRequestData, "entities must be an array");
    for (const Json& selector : entities) {
      if (!selector.is_object()) throw Error(ErrorType::kBadRequestData, "each entities item must be an object");
      if (selector.contains("type")) {
        for (const auto& t : string_or_list(selector["type"], "type")) {
          for (const auto& one : split_types(t)) text.types.push_back(one);
        }
      }
      if (selector.contains("id")) {
        for (const auto& id : string_or_list(selector["id"], "id")) text.ids.push_back(id);
      }
      if (selector.contains("idPattern")) text.id_pattern = string_or_list(selector["idPattern"], "idPattern")[0];
    }
  }
  if (body.contains("attrs")) text.attrs = string_or_list(body["attrs"], "attrs");
  if (body.contains("q")) {
    if (!body["q"].is_string()) throw Error(ErrorType::kBadRequestData, "q must be a string");
    text.q = body["q"];
  }
  if (body.contains("geoQ")) {
    const Json& geo = body["geoQ"];
    if (!geo.is_object() || !geo.contains("georel") || !geo.contains("geometry") || !geo.contains("coordinates") ||
        !geo["georel"].is_string() || !geo["geometry"].is_string()) {
      throw Error(ErrorType::kBadRequestData, "geoQ needs georel, geometry and coordinates");
    }
    text.has_geo = true;
    text.georel = geo["georel"];
    text.geometry = geo["geometry"];
    text.coordinates = geo["coordinates"];
    if (geo.contains("geoproperty") && geo["geoproperty"].is_string()) text.geoproperty = geo["geoproperty"];
  }
  return text;
}

store::EntityQuery build_query(const QueryText& text, const ld::Context& ctx) {
  store::EntityQuery query;
  for (const auto& type : text.types) query.types.push_back(ctx.expand(type));
  query.ids = text.ids;
  query.id_pattern = text.id_pattern;
  for (const auto& attr : text.attrs) query.attrs.push_back(ctx.expand(attr));
  if (!text.q.empty()) {
    query.q = ld::Query::parse(text.q);
    query.q->bind(ctx);
  }
  if (text.has_geo) {
    query.geo = ld::GeoQuery::parse(text.georel, text.geometry, text.coordinates,
                                    text.geoproperty.empty() ? "location" : text.geoproperty);
    query.geo->set_geoproperty(ctx.expand(query.geo->geoproperty()));
  }
  return query;
}

void read_paging(const http::Request& request, store::EntityQuery& query) {
  query.limit = kDefaultLimit;
  if (const std::string* limit = request.param("limit")) query.limit = parse_count("limit", *limit);
  if (query.limit > kMaxLimit) {
    throw Error(ErrorType::kTooManyResults,
                "limit " + std::to_string(query.limit) + " is over the maximum of " + std::to_string(kMaxLimit));
  }
  if (const std::string* offset = request.param("offset")) query.offset = parse_count("offset", *offset);
  const std::string* count = request.param("count");
  query.count = (count && *count == "true") || has_option(request, "count");
  if (query.limit == 0 && !query.count) {
    throw Error(ErrorType::kBadRequestData, "limit=0 is only allowed with count=true");
  }
}

trust::ReadAccess::Selection selection_of(const store::EntityQuery& query) {
  trust::ReadAccess::Selection selection;
  if (query.q) selection.attributes = query.q->attributes();
  if (query.geo) selection.attributes.push_back(query.geo->geoproperty());
  for (const auto& attr : query.attrs) selection.attributes.push_back(attr);
  selection.by_id = !query.ids.empty() || !query.id_pattern.empty();
  return selection;
}

std::vector<std::string> string_or_list(const Json& value, const char* what) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    for (const Json& item : value) {
      if (!item.is_string()) throw Error(ErrorType::kBadRequestData, std::string(what) + " must be strings");
      out.push_back(item.get<std::string>());
    }
  } else {
    throw Error(ErrorType::kBadRequestData, std::string(what) + " must be a string or an array of strings");
  }
  return out;
}

}  // namespace machi::broker
