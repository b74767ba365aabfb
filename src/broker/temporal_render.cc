#include "broker/temporal.h"

#include <map>
#include <set>

#include "core/error.h"
#include "ld/entity.h"

namespace machi::broker {
namespace {

using SeriesKey = std::pair<std::string, std::string>;  // (attribute IRI, datasetId)

const char* instance_type(const Json& instance) {
  auto t = instance.find("type");
  if (t != instance.end() && t->is_string()) {
    for (const char* name : {"Property", "Relationship", "GeoProperty", "LanguageProperty", "VocabProperty",
                             "JsonProperty", "ListProperty", "ListRelationship"}) {
      if (*t == name) return name;
    }
  }
  return "Property";
}

// The member that holds an instance's value, and its plural in the
// simplified temporal representation (clause 4.5.9).
std::pair<const char*, const char*> value_members(const std::string& type) {
  if (type == "Relationship") return {"object", "objects"};
  if (type == "LanguageProperty") return {"languageMap", "languageMaps"};
  if (type == "VocabProperty") return {"vocab", "vocabs"};
  if (type == "JsonProperty") return {"json", "jsons"};
  if (type == "ListProperty") return {"valueList", "valueLists"};
  if (type == "ListRelationship") return {"objectList", "objectLists"};
  return {"value", "values"};
}

// The stored-form document of the entity's history: its id and types, and
// per attribute the history's instances (each with its instanceId). For
// aggregates, one placeholder instance per series stands for the series,
// so that the enforcement point's shape decides on it like on any attribute.
Json history_doc(const TemporalEntity& entity, bool placeholders, std::set<std::string>& from_history) {
  Json doc = {{"id", entity.current.at("id")}, {"type", entity.current.at("type")}, {"attrs", Json::object()}};
  if (auto scope = entity.current.find("scope"); scope != entity.current.end()) doc["scope"] = *scope;
  Json& attrs = doc["attrs"];
  auto current_type = [&](const std::string& attr) -> const char* {
    auto a = entity.current.find("attrs");
    if (a == entity.current.end()) return "Property";
    auto it = a->find(attr);
    if (it == a->end() || !it->is_array() || it->empty()) return "Property";
    return instance_type(it->front());
  };
  std::set<SeriesKey> seen;
  auto placeholder = [&](const std::string& attr, const std::string& dataset_id, const char* type) {
    if (!seen.insert({attr, dataset_id}).second) return;
    Json instance = {{"type", type}, {"value", 0}};
    if (!dataset_id.empty()) instance["datasetId"] = dataset_id;
    attrs[attr].push_back(std::move(instance));
  };
  for (const auto& p : entity.points) {
    from_history.insert(p.attr);
    if (placeholders) {
      placeholder(p.attr, p.dataset_id, current_type(p.attr));
      continue;
    }
    if (p.instance.is_null()) continue;  // a removal: not an instance
    Json instance = p.instance;
    instance["instanceId"] = "urn:ngsi-ld:attribute:instance:" + p.key;
    attrs[p.attr].push_back(std::move(instance));
  }
  for (const auto& h : entity.hours) {
    from_history.insert(h.attr);
    placeholder(h.attr, h.dataset_id, current_type(h.attr));
  }
  // The current attributes the history did not bring stay in for the
  // enforcement point's decision (the data subject's attribute, above all)
  // and are taken out after it.
  if (auto current = entity.current.find("attrs"); current != entity.current.end() && current->is_object()) {
    for (const auto& [attr, instances] : current->items()) {
      if (!attrs.contains(attr)) attrs[attr] = instances;
    }
  }
  return doc;
}

Json simplified_attribute(const Json& instances) {
  std::map<std::string, Json> by_dataset;
  for (const Json& instance : instances) {
    std::string type = instance_type(instance);
    std::string dataset = instance.value("datasetId", "");
    auto [member, plural] = value_members(type);
    Json& out = by_dataset[dataset];
    if (out.is_null()) {
      out = {{"type", type}, {plural, Json::array()}};
      if (!dataset.empty()) out["datasetId"] = dataset;
    }
    Json value = instance.contains(member) ? instance[member] : Json(nullptr);
    // Instances without observedAt are dated by their write (modifiedAt), as the store dates them.
    std::string time = instance.value("observedAt", instance.value("modifiedAt", ""));
    out[plural].push_back(Json::array({std::move(value), std::move(time)}));
  }
  if (by_dataset.size() == 1) return std::move(by_dataset.begin()->second);
  Json out = Json::array();
  for (auto& [dataset, attribute] : by_dataset) out.push_back(std::move(attribute));
  return out;
}

std::string value_text(const store::HistoryPoint& p) {
  if (p.instance.is_null()) return "";
  auto [member, plural] = value_members(instance_type(p.instance));
  auto it = p.instance.find(member);
  return it == p.instance.end() ? std::string("null") : it->dump();
}

// Aggregates of the series kept by the shape, one attribute object per
// series, in the order of the history.
Json aggregated_attribute(const TemporalEntity& entity, const TemporalRequest& request, const std::string& attr,
                          const Json& kept_instances) {
  std::map<std::string, ld::PeriodAggregator> series;
  TimeMs first = INT64_MAX;
  for (const auto& p : entity.points) {
    if (p.attr == attr) first = std::min(first, p.time);
  }
  for (const auto& h : entity.hours) {
    if (h.attr == attr) first = std::min(first, h.hour);
  }
  if (first == INT64_MAX) return nullptr;
  TimeMs origin = ld::period_origin(request.window, first, request.period);
  bool distinct = std::any_of(request.methods.begin(), request.methods.end(),
                              [](auto m) { return m == ld::AggrMethod::kDistinctCount; });
  auto aggregator = [&](const std::string& dataset) -> ld::PeriodAggregator& {
    auto it = series.find(dataset);
    if (it == series.end()) it = series.emplace(dataset, ld::PeriodAggregator(origin, request.window.to, request.period)).first;
    return it->second;
  };
  for (const auto& p : entity.points) {
    if (p.attr != attr) continue;
    // A removal is not an instance (numbers-only reads leave removals out).
    if (distinct && p.instance.is_null()) continue;
    aggregator(p.dataset_id).add({p.time, p.number, distinct ? value_text(p) : std::string()});
  }
  for (const auto& h : entity.hours) {
    if (h.attr == attr) aggregator(h.dataset_id).add_sums(h.hour, h.count, h.numbers, h.sum, h.sumsq, h.min, h.max);
  }
  Json out = Json::array();
  for (const Json& instance : kept_instances) {
    std::string dataset = instance.value("datasetId", "");
    auto it = series.find(dataset);
    if (it == series.end()) continue;
    Json attribute = {{"type", instance_type(instance)}};
    if (!dataset.empty()) attribute["datasetId"] = dataset;
    for (auto m : request.methods) attribute[ld::aggr_method_name(m)] = it->second.entries(m);
    out.push_back(std::move(attribute));
  }
  if (out.empty()) return nullptr;
  if (out.size() == 1) return std::move(out.front());
  return out;
}

}  // namespace

Json render_temporal(const LdRequest& ld, const trust::ReadAccess& access, const TemporalEntity& entity,
                     const TemporalRequest& request) {
  bool aggregated = request.kind == TemporalKind::kAggregated;
  std::set<std::string> from_history;
  Json shaped = access.shape(history_doc(entity, aggregated, from_history));
  Json& attrs = shaped["attrs"];
  for (auto it = attrs.begin(); it != attrs.end();) {
    it = from_history.count(it.key()) ? std::next(it) : attrs.erase(it);
  }
  ld::RenderOptions options;
  options.sys_attrs = has_option(ld.http(), "sysAttrs");
  if (const std::string* lang = ld.http().param("lang")) options.lang = *lang;
  Json out;
  if (request.kind == TemporalKind::kNormalized) {
    out = ld::render_entity(shaped, ld.context(), options);
    // Temporal attributes are always arrays of instances.
    for (auto& [key, value] : out.items()) {
      if (key != "id" && key != "type" && key != "scope" && value.is_object()) value = Json::array({value});
    }
  } else {
    Json head = shaped;
    head["attrs"] = Json::object();
    out = ld::render_entity(head, ld.context(), options);
    for (const auto& [attr, instances] : attrs.items()) {
      Json rendered = aggregated ? aggregated_attribute(entity, request, attr, instances) : simplified_attribute(instances);
      if (!rendered.is_null()) out[ld.context().compact(attr)] = std::move(rendered);
    }
  }
  if (ld.accept() == MediaType::kJsonLd) out["@context"] = ld.context().source();
  return out;
}

TemporalPayload expand_temporal_entity(const LdRequest& ld, const Json& body, TimeMs now) {
  TemporalPayload out;
  Json head = Json::object();
  for (const char* key : {"id", "type", "scope"}) {
    if (body.contains(key)) head[key] = body[key];
  }
  Json expanded_head = ld::expand_entity(head, ld.context(), ld::PayloadKind::kEntity, now);
  out.id = expanded_head.at("id").get<std::string>();
  out.types = expanded_head.at("type");
  std::map<SeriesKey, size_t> newest;  // series -> index in points
  for (const auto& [key, value] : body.items()) {
    if (key == "id" || key == "type" || key == "scope" || key == "@context") continue;
    Json instances = value.is_array() ? value : Json::array({value});
    if (instances.empty()) throw Error(ErrorType::kBadRequestData, "attribute " + key + " has no instance");
    // The attribute's name is checked and expanded once, through a
    // one-attribute entity; its instances one by one.
    Json probe = head;
    probe[key] = instances.front();
    Json probed = ld::expand_entity(probe, ld.context(), ld::PayloadKind::kEntity, now);
    if (probed["attrs"].size() != 1) throw Error(ErrorType::kBadRequestData, "attribute " + key + " is not valid");
    std::string attr = probed["attrs"].begin().key();
    for (const Json& instance : instances) {
      if (!instance.is_object()) {
        throw Error(ErrorType::kBadRequestData, "each instance of " + key + " must be an object with observedAt");
      }
      Json inst = ld::expand_attribute(instance, ld.context(), now);
      auto observed = inst.find("observedAt");
      if (observed == inst.end()) throw Error(ErrorType::kBadRequestData, "every instance of " + key + " needs observedAt");
      store::HistoryPoint p;
      p.entity_id = out.id;
      p.attr = attr;
      p.dataset_id = inst.value("datasetId", "");
      p.time = *parse_datetime(observed->get<std::string>());
      p.instance = std::move(inst);
      SeriesKey series{p.attr, p.dataset_id};
      auto it = newest.find(series);
      if (it == newest.end() || out.points[it->second].time <= p.time) newest[series] = out.points.size();
      out.points.push_back(std::move(p));
    }
  }
  std::vector<bool> is_latest(out.points.size());
  for (const auto& [series, index] : newest) is_latest[index] = true;
  std::vector<store::HistoryPoint> others;
  for (size_t i = 0; i < out.points.size(); ++i) {
    (is_latest[i] ? out.latest : others).push_back(std::move(out.points[i]));
  }
  out.points = std::move(others);
  return out;
}

}  // namespace machi::broker
