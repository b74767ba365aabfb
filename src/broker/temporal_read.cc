// Reading temporal requests and the history they ask for.
#include <algorithm>
#include <map>

#include "broker/temporal.h"
#include "core/error.h"

namespace machi::broker {
namespace {

// A response holds at most this many points; past it the client is told to
// narrow the window, use lastN or aggregate.
constexpr size_t kMaxPoints = 200000;

// ---- Reading the request ----------------------------------------------------

void read_temporal_values(const http::Request& request, TemporalRequest& t) {
  const std::string* format = request.param("format");
  if (format && *format != "normalized" && *format != "concise" && *format != "temporalValues" &&
      *format != "simplified" && *format != "keyValues" && *format != "aggregatedValues") {
    throw Error(ErrorType::kBadRequestData, "format must be normalized, temporalValues or aggregatedValues");
  }
  // The simplified temporal representation is temporalValues.
  for (const char* simplified : {"temporalValues", "simplified", "keyValues"}) {
    if (has_option(request, simplified) || (format && *format == simplified)) t.kind = TemporalKind::kTemporalValues;
  }
  if (has_option(request, "aggregatedValues") || (format && *format == "aggregatedValues")) {
    t.kind = TemporalKind::kAggregated;
  }
  if (const std::string* methods = request.param("aggrMethods")) {
    t.methods = ld::parse_aggr_methods(*methods);
    t.kind = TemporalKind::kAggregated;
  }
  if (const std::string* period = request.param("aggrPeriodDuration")) {
    auto d = ld::parse_duration(*period);
    if (!d) throw Error(ErrorType::kBadRequestData, "aggrPeriodDuration is not an ISO 8601 duration: " + *period);
    t.period = *d;
  }
}

void check_temporal(TemporalRequest& t) {
  if (t.kind == TemporalKind::kAggregated && t.methods.empty()) {
    throw Error(ErrorType::kBadRequestData, "aggregated values need aggrMethods");
  }
  if (t.time_property != "observedAt") {
    throw Error(ErrorType::kOperationNotSupported,
                "timeproperty " + t.time_property + " is not supported: history is kept by observedAt");
  }
}

}  // namespace

TemporalRequest temporal_from_params(const http::Request& request) {
  TemporalRequest t;
  t.window = ld::parse_time_window(request.param("timerel"), request.param("timeAt"), request.param("endTimeAt"));
  if (const std::string* last_n = request.param("lastN")) {
    t.last_n = parse_count("lastN", *last_n);
    if (t.last_n == 0) throw Error(ErrorType::kBadRequestData, "lastN must be at least 1");
  }
  if (const std::string* p = request.param("timeproperty")) t.time_property = *p;
  read_temporal_values(request, t);
  check_temporal(t);
  return t;
}

namespace {

const std::string* string_member(const Json& object, const char* key, std::string& holder) {
  auto it = object.find(key);
  if (it == object.end()) return nullptr;
  if (!it->is_string()) throw Error(ErrorType::kBadRequestData, std::string(key) + " must be a string");
  holder = it->get<std::string>();
  return &holder;
}

}  // namespace

TemporalRequest temporal_from_body(const http::Request& request, const Json& body) {
  TemporalRequest t;
  auto q = body.find("temporalQ");
  if (q != body.end()) {
    if (!q->is_object()) throw Error(ErrorType::kBadRequestData, "temporalQ must be an object");
    std::string rel, at, end, property;
    t.window = ld::parse_time_window(string_member(*q, "timerel", rel), string_member(*q, "timeAt", at),
                                     string_member(*q, "endTimeAt", end));
    if (string_member(*q, "timeproperty", property)) t.time_property = property;
    if (auto n = q->find("lastN"); n != q->end()) {
      if (!n->is_number_unsigned() || n->get<uint64_t>() == 0) {
        throw Error(ErrorType::kBadRequestData, "lastN must be a positive integer");
      }
      t.last_n = n->get<size_t>();
    }
  }
  read_temporal_values(request, t);
  check_temporal(t);
  return t;
}

namespace {

// ---- Reading history ------------------------------------------------------------

// Hour-aligned, summable aggregates over fixed periods read the hourly
// summaries instead of the points.
}  // namespace

bool uses_hourly_summaries(const TemporalRequest& t) {
  constexpr TimeMs kHour = 3600000;
  if (t.kind != TemporalKind::kAggregated || t.last_n > 0 || t.period.months != 0) return false;
  if (t.period.ms % kHour != 0) return false;
  for (auto m : t.methods) {
    if (!ld::summable(m)) return false;
  }
  if (t.window.bounded_from() && t.window.from % kHour != 0) return false;
  if (t.window.bounded_to() && t.window.to % kHour != 0) return false;
  return true;
}

namespace {

store::HistoryRead history_read(const TemporalRequest& t, std::vector<std::string> ids,
                                const std::vector<std::string>& attrs) {
  store::HistoryRead read;
  read.entity_ids = std::move(ids);
  read.attrs = attrs;
  read.from = t.window.from;
  read.to = t.window.to;
  read.last_n = t.last_n;
  read.numbers_only = t.kind == TemporalKind::kAggregated &&
                      std::none_of(t.methods.begin(), t.methods.end(),
                                   [](auto m) { return m == ld::AggrMethod::kDistinctCount; });
  return read;
}

}  // namespace

// The history of the selected entities, grouped by entity (same order as
// `entities`), under the enforcement point's decisions already taken.
std::vector<TemporalEntity> read_temporal(store::TenantStore& tenant, std::vector<Json> entities,
                                          const TemporalRequest& t, const std::vector<std::string>& attrs) {
  std::vector<std::string> ids;
  for (const Json& e : entities) ids.push_back(e.at("id").get<std::string>());
  store::HistoryRead read = history_read(t, ids, attrs);
  std::vector<TemporalEntity> out(entities.size());
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < entities.size(); ++i) {
    out[i].current = std::move(entities[i]);
    index.emplace(ids[i], i);
  }
  if (uses_hourly_summaries(t)) {
    for (auto& h : tenant.hourly_history(read)) out[index.at(h.entity_id)].hours.push_back(std::move(h));
    return out;
  }
  auto points = tenant.history(read);
  if (points.size() > kMaxPoints) {
    throw Error(ErrorType::kTooManyResults, "the request matches " + std::to_string(points.size()) +
                                                " history points, more than " + std::to_string(kMaxPoints) +
                                                ": narrow the time window, use lastN or aggregate");
  }
  for (auto& p : points) out[index.at(p.entity_id)].points.push_back(std::move(p));
  return out;
}

}  // namespace machi::broker
