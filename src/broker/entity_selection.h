// How a request selects entities, shared by the entity queries, the
// temporal queries and subscriptions: the selection as the client wrote it
// (URL parameters or a Query body), its expansion into a store query, paging,
// and what the enforcement point must check of it.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"
#include "http/message.h"
#include "ld/context.h"
#include "store/store.h"
#include "trust/read_access.h"

namespace machi::broker {

// The parts of a query that both forms share, as text from the client.
struct QueryText {
  std::vector<std::string> types, ids, attrs;
  std::string id_pattern, q;
  bool has_geo = false;
  std::string georel, geometry, geoproperty;
  Json coordinates;
};

// From URL parameters: type, id, idPattern, attrs, q, georel, geometry,
// coordinates, geoproperty.
QueryText query_text_from_params(const http::Request& request);
// From a Query body (clause 5.2.23): entities, attrs, q, geoQ.
QueryText query_text_from_body(const Json& body);

// Expands names with the context and parses q and the geo-query.
store::EntityQuery build_query(const QueryText& text, const ld::Context& ctx);

// Reads limit, offset and count into the query.
void read_paging(const http::Request& request, store::EntityQuery& query);

// What the query selects by, for the enforcement point's check.
trust::ReadAccess::Selection selection_of(const store::EntityQuery& query);

// A string or an array of strings; Error(BadRequestData) naming `what` otherwise.
std::vector<std::string> string_or_list(const Json& value, const char* what);

}  // namespace machi::broker
