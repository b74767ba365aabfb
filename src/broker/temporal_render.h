// The temporal representations of an entity (clause 4.5.7 normalized
// temporal, 4.5.9 simplified "temporalValues", 4.5.19 aggregated) and the
// reading of a temporal entity payload into history points.
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
