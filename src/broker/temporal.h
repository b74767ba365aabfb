// Temporal requests: what they ask for (window, lastN, representation,
// aggregation), reading the history of selected entities, the temporal
// representations of an entity (clause 4.5.7 normalized temporal, 4.5.9
// simplified "temporalValues", 4.5.19 aggregated), and the reading of a
// temporal entity payload into history points.
#pragma once

#include <string>
#include <vector>

#include "broker/ld_request.h"
#include "core/json.h"
#include "ld/temporal.h"
#include "store/store.h"
#include "trust/read_access.h"

namespace machi::broker {

enum class TemporalKind { kNormalized, kTemporalValues, kAggregated };

// What a temporal request asks for besides the entity selection.
struct TemporalRequest {
  ld::TimeWindow window;
  size_t last_n = 0;
  std::string time_property = "observedAt";
  TemporalKind kind = TemporalKind::kNormalized;
  std::vector<ld::AggrMethod> methods;
  ld::Duration period;  // zero: the whole window
};

// One selected entity with the history read for it: points, or hourly
// summaries when the aggregation can use them.
struct TemporalEntity {
  Json current;  // stored form, already admitted by the enforcement point
  std::vector<store::HistoryPoint> points;
  std::vector<store::HourSummary> hours;
};

// The temporal part of a request, from URL parameters (timerel, timeAt,
// endTimeAt, lastN, timeproperty, options/format, aggrMethods,
// aggrPeriodDuration) or a Query body's temporalQ (plus the URL's
// representation parameters). Throws Error(BadRequestData).
TemporalRequest temporal_from_params(const http::Request& request);
TemporalRequest temporal_from_body(const http::Request& request, const Json& body);

// True when the request's aggregates can come from the store's hourly
// summaries: fixed whole-hour periods (or the whole window), an
// hour-aligned window, no distinctCount, no lastN.
bool uses_hourly_summaries(const TemporalRequest& request);

// The history of entities already selected and admitted, one TemporalEntity
// per entity in the same order: hourly summaries when the aggregation can
// use them (fixed whole-hour periods, hour-aligned window, no
// distinctCount), else points. Error(TooManyResults) past a bound.
std::vector<TemporalEntity> read_temporal(store::TenantStore& tenant, std::vector<Json> entities,
                                          const TemporalRequest& request, const std::vector<std::string>& attrs);

// Renders an entity's history as asked, in the shape the grant allows
// (access.shape decides which attributes leave and how the id reads).
Json render_temporal(const LdRequest& ld, const trust::ReadAccess& access, const TemporalEntity& entity,
                     const TemporalRequest& request);

// A temporal entity payload ({"id", "type", "<attr>": [instances]}) as
// history points. Each instance needs observedAt. `latest` holds the newest
// instance of each attribute instance (attribute, datasetId), `points` the
// others.
struct TemporalPayload {
  std::string id;
  Json types;  // expanded
  std::vector<store::HistoryPoint> points;
  std::vector<store::HistoryPoint> latest;
};
TemporalPayload expand_temporal_entity(const LdRequest& ld, const Json& body, TimeMs now);

}  // namespace machi::broker
