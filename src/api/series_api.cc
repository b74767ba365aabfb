// GET /machi/v1/series: aggregates of many entities' history, grouped by
// the current value of one of their attributes (a district, a kind of
// facility): "the hourly average PM2.5 per district over 30 days".
//
// NGSI-LD aggregates one entity at a time; a city asks about areas. The
// groups pool their members' points (an average is over all points of the
// group, not an average of averages). Personal data is refused here: its
// aggregates need the k-threshold and noise of the privacy-preserving
// aggregates, not raw pooling.
#include <map>

#include "api/api.h"
#include "api/json_io.h"
#include "broker/entity_selection.h"
#include "broker/ld_request.h"
#include "broker/temporal.h"
#include "core/error.h"

namespace machi::api {
namespace {

constexpr size_t kMaxEntities = 10000;

// The group an entity belongs to: its attribute's value (or a
// Relationship's object) as text; empty when it has none.
std::string group_key(const Json& stored, const std::string& attr) {
  auto attrs = stored.find("attrs");
  if (attrs == stored.end()) return "";
  auto it = attrs->find(attr);
  if (it == attrs->end() || !it->is_array() || it->empty()) return "";
  const Json& instance = it->front();
  for (const char* member : {"object", "value", "vocab"}) {
    auto v = instance.find(member);
    if (v == instance.end()) continue;
    return v->is_string() ? v->get<std::string>() : v->dump();
  }
  return "";
}

struct Group {
  std::map<std::string, ld::PeriodAggregator> by_attr;
  size_t entities = 0;
};

Json group_json(const std::string& key, const std::string& attr, size_t entities, const ld::PeriodAggregator& aggregator,
                const broker::TemporalRequest& t, const ld::Context& ctx) {
  Json item = {{"group", key.empty() ? Json(nullptr) : Json(key)}, {"attribute", ctx.compact(attr)}, {"entities", entities}};
  for (auto m : t.methods) item[ld::aggr_method_name(m)] = aggregator.entries(m);
  return item;
}

// Whole-hour periods from the window's start: the store adds up each
// group's hourly summaries, so that a month of 500 sensors reads one row
// per group, attribute and period.
Json group_totals(store::TenantStore& tenant, const broker::LdRequest& ld, const broker::TemporalRequest& t,
                  const std::vector<Json>& entities, const std::vector<std::string>& keys,
                  const std::vector<std::string>& attrs, const std::string& group_by) {
  std::map<std::string, std::vector<std::string>> members;
  for (size_t i = 0; i < entities.size(); ++i) members[keys[i]].push_back(entities[i].at("id").get<std::string>());
  Json out = Json::array();
  for (auto& [key, ids] : members) {
    size_t count = ids.size();
    store::HistoryRead read;
    read.entity_ids = std::move(ids);
    read.attrs = attrs;
    read.from = t.window.from;
    read.to = t.window.to;
    std::map<std::string, ld::PeriodAggregator> by_attr;
    for (const auto& total : tenant.history_totals(read, t.window.from, t.period.ms)) {
      auto it = by_attr.find(total.attr);
      if (it == by_attr.end()) it = by_attr.emplace(total.attr, ld::PeriodAggregator(t.window.from, t.window.to, t.period)).first;
      it->second.add_sums(t.window.from + total.index * t.period.ms, total.count, total.numbers, total.sum, total.sumsq,
                          total.min, total.max);
    }
    for (const auto& [attr, aggregator] : by_attr) out.push_back(group_json(key, attr, count, aggregator, t, ld.context()));
  }
  return Json{{"groupBy", group_by}, {"series", std::move(out)}};
}

http::Response series(http::Request& request, ApiDeps deps) {
  broker::LdRequest ld(request, {deps.store, deps.contexts, deps.trust}, false);
  broker::QueryText text = broker::query_text_from_params(request);
  if (text.types.empty()) throw Error(ErrorType::kBadRequestData, "series needs type");
  const std::string* group_by = request.param("groupBy");
  if (!group_by || group_by->empty()) throw Error(ErrorType::kBadRequestData, "series needs groupBy (an attribute)");
  broker::TemporalRequest t = broker::temporal_from_params(request);
  if (t.kind != broker::TemporalKind::kAggregated) throw Error(ErrorType::kBadRequestData, "series needs aggrMethods");
  if (t.last_n) throw Error(ErrorType::kBadRequestData, "series does not take lastN");
  std::vector<std::string> attrs = std::move(text.attrs);
  text.attrs.clear();
  store::EntityQuery query = broker::build_query(text, ld.context());
  query.limit = kMaxEntities + 1;
  std::vector<std::string> expanded_attrs;
  for (const auto& a : attrs) expanded_attrs.push_back(ld.context().expand(a));
  auto access = ld.begin_read();
  if (access->could_touch_personal(query.types)) {
    throw Error(ErrorType::kForbidden,
                "series pool raw values and are not offered for personal data; use the privacy-preserving aggregates");
  }
  auto tenant = ld.tenant_for_read();
  store::QueryResult selected = tenant->query(query);
  if (selected.entities.size() > kMaxEntities) {
    throw Error(ErrorType::kTooManyResults, "more than " + std::to_string(kMaxEntities) + " entities match");
  }
  std::string group_attr = ld.context().expand(*group_by);
  std::vector<std::string> keys;
  for (const Json& e : selected.entities) keys.push_back(group_key(e, group_attr));
  if (broker::uses_hourly_summaries(t) && t.window.bounded_from() && !t.period.zero()) {
    return json_response(200, group_totals(*tenant, ld, t, selected.entities, keys, expanded_attrs, *group_by));
  }
  auto history = broker::read_temporal(*tenant, std::move(selected.entities), t, expanded_attrs);

  // The periods start where the window starts, else at the earliest point.
  TimeMs first = INT64_MAX;
  for (const auto& e : history) {
    for (const auto& p : e.points) first = std::min(first, p.time);
    for (const auto& h : e.hours) first = std::min(first, h.hour);
  }
  TimeMs origin = ld::period_origin(t.window, first == INT64_MAX ? 0 : first, t.period);
  bool distinct = std::any_of(t.methods.begin(), t.methods.end(), [](auto m) { return m == ld::AggrMethod::kDistinctCount; });
  std::map<std::string, Group> groups;
  for (size_t i = 0; i < history.size(); ++i) {
    Group& g = groups[keys[i]];
    ++g.entities;
    auto series_of = [&](const std::string& attr) -> ld::PeriodAggregator& {
      auto it = g.by_attr.find(attr);
      if (it == g.by_attr.end()) it = g.by_attr.emplace(attr, ld::PeriodAggregator(origin, t.window.to, t.period)).first;
      return it->second;
    };
    for (const auto& p : history[i].points) {
      if (distinct && p.instance.is_null()) continue;
      std::string value;
      if (distinct) value = p.instance.contains("value") ? p.instance["value"].dump() : p.instance.dump();
      series_of(p.attr).add({p.time, p.number, std::move(value)});
    }
    for (const auto& h : history[i].hours) series_of(h.attr).add_sums(h.hour, h.count, h.numbers, h.sum, h.sumsq, h.min, h.max);
  }
  Json out = Json::array();
  for (const auto& [key, g] : groups) {
    for (const auto& [attr, aggregator] : g.by_attr) out.push_back(group_json(key, attr, g.entities, aggregator, t, ld.context()));
  }
  return json_response(200, Json{{"groupBy", *group_by}, {"series", std::move(out)}});
}

}  // namespace

void register_series_routes(http::Router& router, ApiDeps deps) {
  router.add("GET", "/machi/v1/series", [deps](http::Request& r) { return series(r, deps); });
}

}  // namespace machi::api
