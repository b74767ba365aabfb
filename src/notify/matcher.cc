#include "notify/matcher.h"

#include <algorithm>

#include <re2/re2.h>

namespace machi::notify {
namespace {

bool has_type(const Json& stored, const std::string& type) {
  auto types = stored.find("type");
  if (types == stored.end()) return false;
  if (types->is_string()) return *types == type;
  if (types->is_array()) return std::find(types->begin(), types->end(), Json(type)) != types->end();
  return false;
}

bool geo_matches(const Json& stored, const ld::GeoQuery& geo) {
  auto attrs = stored.find("attrs");
  if (attrs == stored.end()) return false;
  auto instances = attrs->find(geo.geoproperty());
  if (instances == attrs->end() || !instances->is_array()) return false;
  for (const Json& instance : *instances) {
    auto value = instance.find("value");
    if (instance.value("type", "") == "GeoProperty" && value != instance.end() && geo.matches(*value)) return true;
  }
  return false;
}

}  // namespace

bool selects_entity(const Subscription& sub, const Json& stored) {
  const std::string id = stored.value("id", "");
  if (sub.entities.empty()) return true;  // watchedAttributes alone: any entity
  for (const EntitySelector& s : sub.entities) {
    if (!s.type.empty() && !has_type(stored, s.type)) continue;
    if (!s.id.empty() && s.id != id) continue;
    if (!s.id_pattern.empty() && (!s.pattern || !RE2::FullMatch(id, *s.pattern))) continue;
    return true;
  }
  return false;
}

bool passes_filters(const Subscription& sub, const Json& stored) {
  if (sub.q && !sub.q->matches(stored)) return false;
  if (sub.geo && !geo_matches(stored, *sub.geo)) return false;
  return true;
}

bool triggers(const Subscription& sub, const store::EntityChange& change, const std::optional<Json>& stored, TimeMs now) {
  if (!sub.can_notify(now) || sub.time_interval_ms > 0) return false;
  if (!stored || change.kind == store::ChangeKind::kDeleted) return false;
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
