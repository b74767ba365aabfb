#include "notify/matcher.h"

#include <algorithm>

#include <re2/re2.h>

#include "ngsiv2/v2_entity.h"

namespace machi::notify {
namespace {

bool has_type(const Json& stored, const std::string& type) {
  auto types = stored.find("type");
  if (types == stored.end()) return false;
  if (types->is_string()) return *types == type;
  if (types->is_array()) return std::find(types->begin(), types->end(), Json(type)) != types->end();
  return false;
}

// NGSIv2 georel applies to the entity's geo attributes, whatever their name.
bool any_geo_matches(const Json& stored, const ld::GeoQuery& geo) {
  auto attrs = stored.find("attrs");
  if (attrs == stored.end() || !attrs->is_object()) return false;
  for (const auto& [name, instances] : attrs->items()) {
    const Json* instance = ngsiv2::visible_instance(instances);
    if (!instance || instance->value("type", "") != "GeoProperty") continue;
    auto value = instance->find("value");
    if (value != instance->end() && geo.matches(*value)) return true;
  }
  return false;
}

// The v2 type as Orion's typePattern sees it: the compacted name.
bool type_pattern_matches(const Json& stored, const re2::RE2& pattern, const std::string& type_prefix) {
  auto types = stored.find("type");
  if (types == stored.end()) return false;
  auto one = [&](const Json& t) {
    if (!t.is_string()) return false;
    const std::string& iri = t.get_ref<const std::string&>();
    std::string name = !type_prefix.empty() && iri.rfind(type_prefix, 0) == 0 ? iri.substr(type_prefix.size()) : iri;
    return RE2::FullMatch(name, pattern) || RE2::FullMatch(iri, pattern);
  };
  if (types->is_array()) return std::any_of(types->begin(), types->end(), one);
  return one(*types);
}

// Orion's subscription service path: the path itself, or its subtree with "/#".
bool in_service_path(const Json& stored, const std::string& path) {
  if (path == "/#") return true;
  std::string entity_path = ngsiv2::service_path_of(stored);
  if (path.size() >= 2 && path.compare(path.size() - 2, 2, "/#") == 0) {
    std::string base = path.substr(0, path.size() - 2);
    return entity_path == base || entity_path.rfind(base + "/", 0) == 0;
  }
  return entity_path == path;
}

}  // namespace

bool selects_entity(const Subscription& sub, const Json& stored) {
  const std::string id = stored.value("id", "");
  if (sub.entities.empty()) return true;  // watchedAttributes alone: any entity
  for (const EntitySelector& s : sub.entities) {
    if (!s.type.empty() && !has_type(stored, s.type)) continue;
    if (!s.id.empty() && s.id != id) continue;
    if (!s.id_pattern.empty() && (!s.pattern || !RE2::FullMatch(id, *s.pattern))) continue;
    if (s.type_pattern && !type_pattern_matches(stored, *s.type_pattern, sub.v2 ? sub.v2->type_prefix : "")) continue;
    return true;
  }
  return false;
}

bool passes_filters(const Subscription& sub, const Json& stored) {
  if (sub.q && !sub.q->matches(stored)) return false;
  if (sub.v2) {
    if (!in_service_path(stored, sub.service_path)) return false;
    if (sub.v2->q && !sub.v2->q->matches(stored)) return false;
    if (sub.v2->mq && !sub.v2->mq->matches(stored)) return false;
    // For personal data only location counts, the attribute the enforcement point checks.
    if (sub.geo && !(sub.personal ? ld::stored_geo_matches(stored, *sub.geo) : any_geo_matches(stored, *sub.geo))) {
      return false;
    }
    return true;
  }
  if (sub.geo && !ld::stored_geo_matches(stored, *sub.geo)) return false;
  return true;
}

bool triggers(const Subscription& sub, const store::EntityChange& change, const std::optional<Json>& stored, TimeMs now) {
  if (!sub.can_notify(now) || sub.time_interval_ms > 0) return false;
  if (!stored || change.kind == store::ChangeKind::kDeleted) return false;
  if (sub.v2 && !(change.kind == store::ChangeKind::kCreated ? sub.v2->on_create : sub.v2->on_update)) return false;
  if (!sub.watched.empty()) {
    bool any = std::any_of(sub.watched.begin(), sub.watched.end(), [&](const std::string& w) {
      return std::find(change.attrs.begin(), change.attrs.end(), w) != change.attrs.end();
    });
    if (!any) return false;
  }
  return selects_entity(sub, *stored) && passes_filters(sub, *stored);
}

bool throttled(const Subscription& sub, TimeMs last_sent, TimeMs now) {
  return sub.throttling_ms > 0 && last_sent > 0 && now - last_sent < sub.throttling_ms;
}

}  // namespace machi::notify
