#include "ngsiv2/v2_query.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <numbers>

#include "core/error.h"
#include "ld/q.h"
#include "ngsiv2/forwarding.h"
#include "ngsiv2/v2_entity.h"
#include "ngsiv2/v2_q.h"

namespace machi::ngsiv2 {
namespace {

// orderBy sorts in memory, over at most this many matches.
constexpr size_t kSortCap = 10000;

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t at = text.find(sep, start);
    if (at == std::string::npos) at = text.size();
    out.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  return out;
}

double number(const std::string& text, const char* what) {
  if (text.empty() || text.size() > 40) bad_request(std::string("invalid ") + what + ": '" + text + "'");
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) {
    bad_request(std::string("invalid ") + what + ": '" + text + "'");
  }
  return v;
}

std::shared_ptr<RE2> compile(const std::string& pattern, const char* what) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(1 << 20);
  auto re = std::make_shared<RE2>(pattern, options);
  if (!re->ok()) bad_request(std::string("invalid regular expression in ") + what);
  return re;
}

// only: when not empty, the one geo attribute to look at.
bool geo_matches(const ld::GeoQuery& geo, const Json& stored, const std::string& only) {
  auto attrs = stored.find("attrs");
  if (attrs == stored.end() || !attrs->is_object()) return false;
  for (const auto& [iri, instances] : attrs->items()) {
    if (!only.empty() && iri != only) continue;
    const Json* instance = visible_instance(instances);
    if (!instance || instance->value("type", "") != "GeoProperty" || !instance->contains("value")) continue;
    if (geo.matches((*instance)["value"])) return true;
  }
  return false;
}

// Order of values of different JSON types (as MongoDB sorts them).
int rank(const Json* v) {
  if (!v || v->is_null()) return 0;
  if (v->is_number()) return 1;
  if (v->is_string()) return 2;
  if (v->is_object()) return 3;
  if (v->is_array()) return 4;
  return 5;
}

int compare_values(const Json* a, const Json* b) {
  int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 0) return 0;
  if (*a < *b) return -1;
  if (*b < *a) return 1;
  return 0;
}

// Metres between two (lon, lat) points on the sphere.
double distance_m(double lon1, double lat1, double lon2, double lat2) {
  constexpr double kRadius = 6371008.8, kRad = std::numbers::pi / 180.0;
  double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kRadius * std::asin(std::min(1.0, std::sqrt(a)));
}

// The distance from a reference point to the entity's first geo attribute
// (a point, else the centre of its bounding box); null without one.
Json geo_distance(const Json& stored, double lon, double lat, const std::string& only) {
  auto attrs = stored.find("attrs");
  if (attrs == stored.end() || !attrs->is_object()) return Json();
  for (const auto& [iri, instances] : attrs->items()) {
    if (!only.empty() && iri != only) continue;
    const Json* instance = visible_instance(instances);
    if (!instance || instance->value("type", "") != "GeoProperty" || !instance->contains("value")) continue;
    try {
      const Json& geometry = (*instance)["value"];
      ld::validate_geojson(geometry);
      ld::BBox box = ld::bbox_of(geometry);
      return distance_m(lon, lat, (box.min_lon + box.max_lon) / 2, (box.min_lat + box.max_lat) / 2);
    } catch (const Error&) {
      continue;  // an invalid stored geometry has no distance
    }
  }
  return Json();
}

struct SortKey {
  std::string name;  // "id", "type", "dateCreated", "dateModified", "geo:distance" or an attribute IRI
  bool descending = false;
  bool builtin = false;
};

Json sort_value(const Json& stored, const SortKey& key, const ld::Context& ctx,
               const std::optional<std::pair<double, double>>& near, const std::string& geo_only) {
  if (key.name == "geo:distance") return near ? geo_distance(stored, near->first, near->second, geo_only) : Json();
  if (key.builtin) {
    if (key.name == "id") return stored.contains("id") ? stored["id"] : Json();
    if (key.name == "type") return entity_type_of(stored, ctx);
    const char* member = key.name == "dateCreated" ? "createdAt" : "modifiedAt";
    return stored.contains(member) ? stored[member] : Json();
  }
  auto attrs = stored.find("attrs");
  if (attrs == stored.end() || !attrs->is_object()) return Json();
  auto it = attrs->find(key.name);
  if (it == attrs->end()) return Json();
  const Json* instance = visible_instance(*it);
  return instance ? attr_value_of(*instance, ctx) : Json();
}

// near: the reference point (lon, lat) of a near query, for geo:distance
// (measured to geo_only when not empty, else to the first geo attribute).
void sort_entities(std::vector<Json>& entities, const std::string& order_by, const ld::Context& ctx,
                   const std::optional<std::pair<double, double>>& near, const std::string& geo_only) {
  std::vector<SortKey> keys;
  for (std::string item : split(order_by, ',')) {
    if (item.empty()) bad_request("empty item in orderBy");
    SortKey key;
    if (item[0] == '!') {
      key.descending = true;
      item.erase(0, 1);
    }
    if (!valid_identifier(item)) bad_request("invalid attribute name in orderBy: " + item);
    if (item == "geo:distance" && !near) bad_request("orderBy=geo:distance needs georel=near");
    key.builtin = item == "id" || item == "type" || item == "dateCreated" || item == "dateModified" ||
                  item == "geo:distance";
    key.name = key.builtin ? item : ctx.expand(item);
    keys.push_back(key);
  }
  // Keys computed once per entity.
  std::vector<std::pair<std::vector<Json>, size_t>> rows;
  rows.reserve(entities.size());
  for (size_t i = 0; i < entities.size(); ++i) {
    std::vector<Json> values;
    for (const auto& key : keys) values.push_back(sort_value(entities[i], key, ctx, near, geo_only));
    rows.emplace_back(std::move(values), i);
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    for (size_t k = 0; k < keys.size(); ++k) {
      const Json* va = a.first[k].is_null() ? nullptr : &a.first[k];
      const Json* vb = b.first[k].is_null() ? nullptr : &b.first[k];
      int c = compare_values(va, vb);
      if (c != 0) return keys[k].descending ? c > 0 : c < 0;
    }
    return false;
  });
  std::vector<Json> sorted;
  sorted.reserve(entities.size());
  for (auto& row : rows) sorted.push_back(std::move(entities[row.second]));
  entities = std::move(sorted);
}

}  // namespace

ld::GeoQuery parse_geo(const std::string& georel, const std::string& geometry, const std::string& coords) {
  auto parts = split(georel, ';');
  std::string rel = parts[0];
  std::string ld_rel;
  if (rel == "near") {
    if (geometry != "point") bad_request("georel /near/ used with geometry different than point");
    ld_rel = "near";
    bool modifier = false;
    for (size_t i = 1; i < parts.size(); ++i) {
      size_t colon = parts[i].find(':');
      std::string name = parts[i].substr(0, colon);
      if (colon == std::string::npos || (name != "maxDistance" && name != "minDistance")) {
        bad_request("unknown near relation modifier: " + parts[i]);
      }
      std::string value = parts[i].substr(colon + 1);
      if (number(value, "distance") < 0) bad_request("invalid distance: " + value);
      ld_rel += ";" + name + "==" + value;
      modifier = true;
    }
    if (!modifier) bad_request("georel /near/ without minDistance or maxDistance");
  } else if (rel == "coveredBy" || rel == "intersects" || rel == "equals" || rel == "disjoint") {
    if (parts.size() > 1) bad_request("georel /" + rel + "/ takes no modifiers");
    ld_rel = rel == "coveredBy" ? "within" : rel;
  } else {
    bad_request("Invalid georel: " + georel);
  }
  std::vector<std::pair<double, double>> points;  // (lon, lat)
  for (const auto& item : split(coords, ';')) {
    auto latlon = split(item, ',');
    if (latlon.size() != 2) bad_request("invalid coordinates: " + coords);
    double lat = number(latlon[0], "latitude"), lon = number(latlon[1], "longitude");
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) bad_request("invalid coordinates: " + coords);
    points.emplace_back(lon, lat);
    if (points.size() > 10000) bad_request("too many coordinates");
  }
  auto pos = [](const std::pair<double, double>& p) { return Json::array({p.first, p.second}); };
  Json coordinates;
  std::string ld_geometry;
  if (geometry == "point") {
    if (points.size() != 1) bad_request("a point geometry needs exactly one coordinate");
    ld_geometry = "Point";
    coordinates = pos(points[0]);
  } else if (geometry == "line") {
    if (points.size() < 2) bad_request("a line geometry needs at least two coordinates");
    ld_geometry = "LineString";
    coordinates = Json::array();
    for (const auto& p : points) coordinates.push_back(pos(p));
  } else if (geometry == "polygon") {
    if (points.size() < 4) bad_request("a polygon needs at least four coordinates");
    if (points.front() != points.back()) bad_request("the first and last coordinates of a polygon must be equal");
    ld_geometry = "Polygon";
    Json ring = Json::array();
    for (const auto& p : points) ring.push_back(pos(p));
    coordinates = Json::array({ring});
  } else if (geometry == "box") {
    if (points.size() != 2) bad_request("a box geometry needs exactly two coordinates");
    double w = std::min(points[0].first, points[1].first), e = std::max(points[0].first, points[1].first);
    double s = std::min(points[0].second, points[1].second), n = std::max(points[0].second, points[1].second);
    if (w == e || s == n) bad_request("a box must have an area");
    ld_geometry = "Polygon";
    coordinates = Json::array({Json::array({pos({w, s}), pos({e, s}), pos({e, n}), pos({w, n}), pos({w, s})})});
  } else {
    bad_request("Invalid geometry: " + geometry);
  }
  try {
    return ld::GeoQuery::parse(ld_rel, ld_geometry, coordinates, "location");
  } catch (const Error& e) {
    bad_request(std::string("invalid geo-query: ") + e.what());
  }
}

QuerySpec spec_from_params(const V2Request& request) {
  QuerySpec spec;
  const std::string* type = request.param("type");
  const std::string* type_pattern = request.param("typePattern");
  const std::string* id = request.param("id");
  const std::string* id_pattern = request.param("idPattern");
  if (id && id_pattern) bad_request("Incompatible parameters: id, IdPattern");
  if (type && type_pattern) bad_request("Incompatible parameters: type, typePattern");
  if (type) {
    spec.types = split_list(*type);
    for (const auto& t : spec.types) check_identifier("entity type", Json(t));
  }
  if (type_pattern) spec.type_pattern = *type_pattern;
  if (id) {
    spec.ids = split_list(*id);
    for (const auto& i : spec.ids) check_identifier("entity id", Json(i));
  }
  if (id_pattern) spec.id_pattern = *id_pattern;
  if (const std::string* q = request.param("q")) spec.q = *q;
  if (const std::string* mq = request.param("mq")) spec.mq = *mq;
  const std::string* georel = request.param("georel");
  const std::string* geometry = request.param("geometry");
  const std::string* coords = request.param("coords");
  if (georel || geometry || coords) {
    if (!georel || !geometry || !coords) bad_request("georel, geometry and coords must be used together");
    spec.has_geo = true;
    spec.georel = *georel;
    spec.geometry = *geometry;
    spec.coords = *coords;
  }
  if (const std::string* order = request.param("orderBy")) spec.order_by = *order;
  if (const std::string* attrs = request.param("attrs")) spec.attrs = split_list(*attrs);
  spec.limit = parse_limit(request.param("limit"));
  spec.offset = parse_offset(request.param("offset"));
  spec.count = request.has_option("count");
  return spec;
}

QueryOutcome run_query(const V2Request& request, const QuerySpec& spec) {
  const ld::Context& ctx = request.context();
  QueryOutcome out;
  std::optional<V2Query> q, mq;
  if (!spec.q.empty()) q = V2Query::parse(spec.q, V2Query::Kind::kQ).bind(ctx);
  if (!spec.mq.empty()) mq = V2Query::parse(spec.mq, V2Query::Kind::kMq).bind(ctx);
  std::optional<ld::GeoQuery> geo;
  if (spec.has_geo) geo = parse_geo(spec.georel, spec.geometry, spec.coords);
  std::shared_ptr<RE2> type_re;
  if (!spec.type_pattern.empty()) type_re = compile(spec.type_pattern, "typePattern");

  store::EntityQuery query;
  for (const auto& type : spec.types) query.types.push_back(ctx.expand(type));
  // Numeric comparisons also go to the store as NGSI-LD q, so that its value
  // index narrows the candidates; the v2 expression decides (filter below).
  if (q) {
    std::string prefilter = q->ld_prefilter();
    if (!prefilter.empty()) {
      try {
        query.q = ld::Query::parse(prefilter);
        query.q->bind(ctx);
      } catch (const Error&) {
        query.q.reset();  // not expressible after all: the v2 filter alone decides
      }
    }
  }
  query.ids = spec.ids;
  if (!spec.id_pattern.empty()) {
    compile(spec.id_pattern, "idPattern");
    query.id_pattern = ".*(?:" + spec.id_pattern + ").*";  // Orion's patterns match anywhere
  }
  auto tenant = request.tenant_for_read();
  auto access = request.begin_read();
  bool enforced = access->could_touch_personal(query.types);
  bool by_id = !query.ids.empty() || !query.id_pattern.empty();
  if (enforced) {
    trust::ReadAccess::Selection selection;
    if (q) selection.attributes = q->attributes();
    if (mq) {
      for (auto& a : mq->attributes()) selection.attributes.push_back(a);
    }
    // Under enforcement a geo-query reads "location" only, the attribute the
    // grant check covers (otherwise any geo attribute, as Orion).
    if (geo) selection.attributes.push_back(ctx.expand("location"));
    // Sorting by an attribute reveals its order: it counts as a selection too.
    for (std::string item : split(spec.order_by, ',')) {
      if (!item.empty() && item[0] == '!') item.erase(0, 1);
      if (item.empty() || item == "id" || item == "type" || item == "dateCreated" || item == "dateModified" ||
          item == "geo:distance") {
        continue;
      }
      selection.attributes.push_back(ctx.expand(item));
    }
    selection.by_id = by_id;
    access->check_selection(selection);
  }
  const std::string geo_only = enforced ? ctx.expand("location") : std::string();
  auto filter = [&](const Json& stored) {
    if (!request.in_read_scope(stored)) return false;
    if (type_re && !RE2::PartialMatch(entity_type_of(stored, ctx), *type_re)) return false;
    if (q && !q->matches(stored)) return false;
    if (mq && !mq->matches(stored)) return false;
    if (geo && !geo_matches(*geo, stored, geo_only)) return false;
    return true;
  };
  query.admit = [&](const Json& stored) { return filter(stored) && (!enforced || access->admit(stored, by_id)); };

  // Context providers' entities join the local ones before sorting and paging.
  std::vector<Json> forwarded;
  if (spec.forward && tenant && !load_registrations(*tenant).empty()) {
    forwarded = forward_query(request, spec.types, spec.ids, spec.id_pattern, spec.attrs);
  }
  bool in_memory = !spec.order_by.empty() || !forwarded.empty();
  std::vector<Json> entities;
  if (!tenant) {
    // an unknown tenant holds nothing
  } else if (in_memory) {
    query.offset = 0;
    query.limit = kSortCap + 1;
    entities = tenant->query(query).entities;
    if (entities.size() > kSortCap) {
      bad_request("orderBy over more than " + std::to_string(kSortCap) + " matching entities is not supported");
    }
  } else {
    query.offset = spec.offset;
    query.limit = spec.limit;
    query.count = spec.count;
    store::QueryResult result = tenant->query(query);
    entities = std::move(result.entities);
    out.total = result.total;
  }
  for (Json& entity : forwarded) {
    if (!filter(entity)) continue;
    auto same = std::find_if(entities.begin(), entities.end(),
                             [&](const Json& e) { return e.value("id", Json()) == entity["id"]; });
    if (same != entities.end()) {
      for (auto& [iri, instances] : entity["attrs"].items()) {
        if (!(*same)["attrs"].contains(iri)) (*same)["attrs"][iri] = instances;
      }
      continue;
    }
    if (enforced && !access->admit(entity, by_id)) continue;
    entities.push_back(std::move(entity));
  }
  if (in_memory) {
    if (!spec.order_by.empty()) {
      std::optional<std::pair<double, double>> near;
      if (spec.has_geo && spec.georel.starts_with("near")) {
        size_t comma = spec.coords.find(',');
        near.emplace(std::strtod(spec.coords.c_str() + comma + 1, nullptr), std::strtod(spec.coords.c_str(), nullptr));
      }
      sort_entities(entities, spec.order_by, ctx, near, geo_only);
    }
    out.total = entities.size();
    size_t begin = std::min(spec.offset, entities.size());
    size_t end = std::min(begin + spec.limit, entities.size());
    entities = std::vector<Json>(std::make_move_iterator(entities.begin() + begin),
                                 std::make_move_iterator(entities.begin() + end));
    if (!spec.count) out.total.reset();
  }
  access->commit();  // the decision is in the ledger before any data leaves
  for (Json& entity : entities) out.entities.push_back(enforced ? access->shape(std::move(entity)) : std::move(entity));
  return out;
}

}  // namespace machi::ngsiv2
