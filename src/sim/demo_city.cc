#include "sim/demo_city.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "sim/boundaries.h"
#include "sim/entity_json.h"
#include "sim/environment.h"
#include "sim/facilities.h"
#include "sim/hazards.h"
#include "sim/readings.h"
#include "sim/transport.h"

namespace machi::sim {
namespace {

constexpr size_t kEntitiesPerWrite = 1000;
constexpr size_t kPointsPerImport = 25000;

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Writes stored-form entities in batches through TenantStore::write.
class EntitySink {
 public:
  EntitySink(store::TenantStore& tenant, TimeMs now, DemoCityReport& report)
      : tenant_(tenant), now_(now), report_(report) {}

  void add(const Json& payload) {
    auto doc = std::make_shared<const Json>(stored_.expand(payload, now_));
    std::string id = payload["id"];
    report_.entities[payload["type"].get<std::string>()]++;
    batch_.push_back({id, [doc](const std::optional<Json>&) -> std::optional<Json> { return *doc; }});
    if (batch_.size() >= kEntitiesPerWrite) flush();
  }

  void flush() {
    if (batch_.empty()) return;
    auto results = tenant_.write(std::move(batch_));
    batch_.clear();
    for (const auto& r : results) {
      if (!r.ok) throw r.error.value_or(Error(ErrorType::kInternalError, "writing " + r.entity_id + " failed"));
    }
  }

  const StoredForm& stored() const { return stored_; }

 private:
  store::TenantStore& tenant_;
  TimeMs now_;
  DemoCityReport& report_;
  StoredForm stored_;
  std::vector<store::Mutation> batch_;
};

// Imports past readings through TenantStore::append_history in large calls.
class HistorySink {
 public:
  // Readings observed before `from` are left out.
  HistorySink(store::TenantStore& tenant, const StoredForm& stored, DemoCityReport& report, TimeMs from)
      : tenant_(tenant), stored_(stored), report_(report), from_(from) {}

  // All readings but the last, which the entity itself carries (its write
  // records it in the history like any update). Imported instances are as
  // observed: value, observedAt and unit, without invented system times.
  void add(const std::string& entity_id, const Series& series, const Environment& env) {
    std::string attr = stored_.iri(series.attr);
    for (size_t k = 0; k + 1 < series.values.size(); ++k) {
      if (env.time(series.slot(env, k)) < from_) continue;
      points_.push_back({entity_id, attr, "", env.time(series.slot(env, k)),
                         observed(series.values[k], env.stamp(series.slot(env, k)), series.unit)});
    }
    if (points_.size() >= kPointsPerImport) flush();
  }

  void flush() {
    if (points_.empty()) return;
    tenant_.append_history(points_);
    report_.history_points += points_.size();
    points_.clear();
  }

 private:
  store::TenantStore& tenant_;
  const StoredForm& stored_;
  DemoCityReport& report_;
  TimeMs from_;
  std::vector<store::HistoryPoint> points_;
};

Json marker_entity(const DemoCityOptions& options, const DemoCityReport& report, const CityLayout& layout) {
  Json counts = Json::object();
  for (const auto& [type, n] : report.entities) counts[type] = n;
  return {{"id", kDemoMarkerId},
          {"type", "SyntheticDataset"},
          {"name", property("デモ市 合成データ")},
          {"description", property("machi demo が生成した架空の市のデータ。実在の人物・場所を含みません。")},
          {"generator", property({{"name", "machi sim"}, {"version", kDemoGeneratorVersion}})},
          {"seed", property(std::to_string(options.seed))},
          {"residents", property(options.residents)},
          {"generatedAt", property(format_datetime(report.generated_at))},
          {"entityCounts", property(counts)},
          {"historyPoints", property(report.history_points)},
          {"refMunicipality", relationship(layout.municipality_id())}};
}

void say(const DemoCityOptions& options, const char* format, auto... args) {
  if (!options.progress) return;
  char line[256];
  std::snprintf(line, sizeof line, format, args...);
  options.progress(line);
}

}  // namespace

DemoCityPlan plan_demo_city(uint64_t seed, size_t residents) {
  DemoCityPlan plan{CityLayout(seed), {}, {}, {}};
  const CityLayout& layout = plan.layout;
  plan.population = generate_population(layout, residents, seed);
  Rng place_rng(seed, "places");
  PlaceMaker maker(layout, place_rng);
  auto facilities = make_facilities(layout, maker, place_rng);
  Transport transport = make_transport(layout, maker);
  plan.sensors = make_sensors(layout, maker, place_rng, facilities, transport);
  plan.entities = boundary_entities(layout, plan.population);
  for (const Place& p : facilities) plan.entities.push_back(place_entity(p, layout));
  for (const Place& p : transport.stops) plan.entities.push_back(place_entity(p, layout));
  for (Json& line : transport.lines) plan.entities.push_back(std::move(line));
  for (Json& zone : hazard_entities(layout, seed)) plan.entities.push_back(std::move(zone));
  for (Json& resident : resident_entities(plan.population, layout)) plan.entities.push_back(std::move(resident));
  return plan;
}

Json sensor_entity(const Sensor& sensor, const std::vector<Series>& readings, const Environment& env,
                   const CityLayout& layout) {
  Json e = place_entity(sensor.place, layout);
  for (const Series& s : readings) {
    size_t last = s.values.size() - 1;
    e[s.attr] = observed(s.values[last], env.stamp(s.slot(env, last)), s.unit);
  }
  return e;
}

bool demo_city_present(store::TenantStore& tenant) { return tenant.get(kDemoMarkerId).has_value(); }

DemoCityReport generate_demo_city(store::TenantStore& tenant, const DemoCityOptions& options) {
  auto started = Clock::now();
  DemoCityReport report;
  report.generated_at = options.now ? options.now : now_ms();
  DemoCityPlan plan = plan_demo_city(options.seed, options.residents);
  say(options, "planned %zu districts, %zu areas, %zu residents in %zu households, %zu sensors (%.1f s)",
      plan.layout.districts().size(), plan.layout.areas().size(), plan.population.residents.size(),
      plan.population.households.size(), plan.sensors.size(), since(started));

  EntitySink entities(tenant, report.generated_at, report);
  for (const Json& e : plan.entities) entities.add(e);
  entities.flush();
  say(options, "wrote %zu entities (%.1f s)", plan.entities.size(), since(started));

  Environment env(report.generated_at, options.seed);
  if (options.history_days < 0 || options.history_days > kReadingDays) {
    throw Error(ErrorType::kInternalError, "history_days must be 0.." + std::to_string(kReadingDays));
  }
  HistorySink history(tenant, entities.stored(), report, env.end() - options.history_days * kDayMs);
  for (const Sensor& sensor : plan.sensors) {
    auto readings = sensor_readings(sensor, env, options.seed);
    for (const Series& s : readings) history.add(sensor.place.id, s, env);
    entities.add(sensor_entity(sensor, readings, env, plan.layout));
  }
  history.flush();
  entities.flush();
  say(options, "wrote %zu sensors with %d days of readings: %zu history points (%.1f s)", plan.sensors.size(),
      options.history_days, report.history_points, since(started));

  report.seconds = since(started);
  entities.add(marker_entity(options, report, plan.layout));
  entities.flush();
  report.entities.erase("SyntheticDataset");
  return report;
}

}  // namespace machi::sim
