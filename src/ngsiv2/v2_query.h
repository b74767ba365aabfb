// NGSIv2 queries (GET /v2/entities, POST /v2/op/query) on the store, under
// the policy enforcement point: Orion's filters (type, typePattern, id,
// idPattern, q, mq, georel/geometry/coords, service path), orderBy, paging
// and the total count, plus the entities that context providers answer for
// registrations that cover the query (forwarding.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "ld/geo.h"
#include "ngsiv2/v2_request.h"

namespace machi::ngsiv2 {

struct QuerySpec {
  std::vector<std::string> types;  // v2 names; empty = any
  std::string type_pattern;
  std::vector<std::string> ids;
  std::string id_pattern;
  std::string q, mq;
  bool has_geo = false;
  std::string georel, geometry, coords;
  std::string order_by;
  std::vector<std::string> attrs;  // projection, forwarded to providers
  size_t limit = 20, offset = 0;
  bool count = false;
  bool forward = true;  // ask context providers too
};

struct QueryOutcome {
  std::vector<Json> entities;  // stored form, already shaped by the enforcement point
  std::optional<size_t> total;
};

// Builds Orion's geo-query (georel "near;maxDistance:1000", "coveredBy",
// "intersects", "disjoint", "equals"; geometry point, line, polygon, box;
// coords "lat,lon;lat,lon") as an NGSI-LD GeoQuery. Throws V2Error 400.
ld::GeoQuery parse_geo(const std::string& georel, const std::string& geometry, const std::string& coords);

QueryOutcome run_query(const V2Request& request, const QuerySpec& spec);

// Reads the query parameters of GET /v2/entities (and /v2/types) into a spec.
QuerySpec spec_from_params(const V2Request& request);

}  // namespace machi::ngsiv2
