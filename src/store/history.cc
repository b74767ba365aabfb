#include "store/history.h"

#include <unordered_map>

namespace machi::store {
namespace {

// The history key of an entity id, created on first use. Not cached: one
// primary-key probe per mutation, and a rolled-back insert needs no undo.
int64_t history_key(Db& db, const std::string& entity_id) {
  {
    auto rows = select_rows(db.cached("SELECT id FROM history_entities WHERE entity_id = ?1"), entity_id);
    if (rows.next()) return rows->int64(0);
  }
  db.cached("INSERT INTO history_entities(entity_id) VALUES(?1)").exec(entity_id);
  return db.last_insert_rowid();
}

// The id of an attribute IRI in terms, inserted when new. The entity
// writer's cache of term ids looks terms up on a miss, so it needs no news.
int64_t term_id(Db& db, const std::string& iri) {
  {
    auto rows = select_rows(db.cached("SELECT id FROM terms WHERE iri = ?1"), iri);
    if (rows.next()) return rows->int64(0);
  }
  db.cached("INSERT INTO terms(iri) VALUES(?1)").exec(iri);
  return db.last_insert_rowid();
}

[[noreturn]] void bad_point(size_t i, const HistoryPoint& p, const std::string& why) {
  throw Error(ErrorType::kBadRequestData,
              "history point " + std::to_string(i) + " (" + p.entity_id + " " + p.attr + "): " + why);
}

bool is_instance_type(const std::string& type) {
  for (const char* t : {"Property", "Relationship", "GeoProperty", "LanguageProperty", "VocabProperty", "JsonProperty",
                        "ListProperty", "ListRelationship"}) {
    if (type == t) return true;
  }
  return false;
}

TimeMs check_point(size_t i, const HistoryPoint& p) {
  if (p.entity_id.empty()) bad_point(i, p, "no entity id");
  if (p.attr.empty()) bad_point(i, p, "no attribute");
  const Json& instance = p.instance;
  if (!instance.is_object()) bad_point(i, p, "the instance must be an object");
  auto type = instance.find("type");
  if (type == instance.end() || !type->is_string() || !is_instance_type(type->get_ref<const std::string&>()))
    bad_point(i, p, "the instance has no attribute type");
  auto observed = instance.find("observedAt");
  std::optional<TimeMs> time;
  if (observed != instance.end() && observed->is_string()) time = parse_datetime(observed->get_ref<const std::string&>());
  if (!time) bad_point(i, p, "the instance has no valid observedAt");
  if (p.time != 0 && p.time != *time) bad_point(i, p, "time differs from observedAt");
  auto dataset = instance.find("datasetId");
  const std::string none;
  const std::string& dataset_id = dataset != instance.end() && dataset->is_string() ? dataset->get_ref<const std::string&>() : none;
  if (dataset_id != p.dataset_id) bad_point(i, p, "dataset_id differs from the instance's datasetId");
  return *time;
}

}  // namespace

std::vector<ImportedPoint> prepare_import(const std::vector<HistoryPoint>& points) {
  std::vector<ImportedPoint> out;
  out.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    TimeMs time = check_point(i, points[i]);
    out.push_back({&points[i], time, points[i].instance.dump()});
  }
  return out;
}

void import_history(Db& db, const std::vector<ImportedPoint>& points) {
  // Imports come grouped by entity and attribute: remembering the last key
  // saves most map lookups.
  std::unordered_map<std::string, int64_t> entities, attrs;
  auto key_of = [&db](std::unordered_map<std::string, int64_t>& cache, const std::string& name, auto intern) {
    auto it = cache.find(name);
    if (it == cache.end()) it = cache.emplace(name, intern(db, name)).first;
    return it->second;
  };
  Stmt& insert = db.cached("INSERT OR IGNORE INTO history(entity, attr, dataset_id, time, instance) VALUES(?1, ?2, ?3, ?4, ?5)");
  const std::string* last_entity = nullptr;
  const std::string* last_attr = nullptr;
  int64_t entity = 0, attr = 0;
  for (const ImportedPoint& p : points) {
    if (!last_entity || *last_entity != p.point->entity_id) {
      last_entity = &p.point->entity_id;
      entity = key_of(entities, *last_entity, history_key);
    }
    if (!last_attr || *last_attr != p.point->attr) {
      last_attr = &p.point->attr;
      attr = key_of(attrs, *last_attr, term_id);
    }
    insert.exec(entity, attr, p.point->dataset_id, static_cast<int64_t>(p.time), p.text);
  }
}

void append_history(Db& db, const std::string& entity_id, const std::vector<HistoryChange>& changes,
                    const TermIds& term) {
  if (changes.empty()) return;
  int64_t key = history_key(db, entity_id);
  // OR IGNORE: no statement journal (see entity_writer.cc); nothing conflicts.
  Stmt& insert = db.cached("INSERT OR IGNORE INTO history(entity, attr, dataset_id, time, instance) VALUES(?1, ?2, ?3, ?4, ?5)");
  for (const HistoryChange& change : changes) {
    std::optional<std::string> text;
    if (change.instance) text = change.instance->dump();
    insert.exec(key, term(change.attr), change.dataset_id, static_cast<int64_t>(change.time), text);
  }
}

std::vector<HistoryPoint> read_history(Db& db, const std::string& entity_id, const std::string& attr, TimeMs from,
                                       TimeMs to) {
  // rowid breaks ties between points of the same millisecond: write order.
  static const std::string kSelect =
      "SELECT t.iri, h.dataset_id, h.time, h.instance FROM history h JOIN terms t ON t.id = h.attr "
      "WHERE h.entity = (SELECT id FROM history_entities WHERE entity_id = ?1) AND h.time >= ?2 AND h.time < ?3 ";
  Stmt& stmt = attr.empty() ? db.cached(kSelect + "ORDER BY h.time, h.rowid")
                            : db.cached(kSelect + "AND h.attr = (SELECT id FROM terms WHERE iri = ?4) "
                                                  "ORDER BY h.time, h.rowid");
  auto rows = attr.empty() ? select_rows(stmt, entity_id, static_cast<int64_t>(from), static_cast<int64_t>(to))
                           : select_rows(stmt, entity_id, static_cast<int64_t>(from), static_cast<int64_t>(to), attr);
  std::vector<HistoryPoint> points;
  while (rows.next()) {
    HistoryPoint point;
    point.entity_id = entity_id;
    point.attr = rows->str(0);
    point.dataset_id = rows->str(1);
    point.time = rows->int64(2);
    if (!rows->is_null(3)) point.instance = Json::parse(rows->text(3));
    points.push_back(std::move(point));
  }
  return points;
}

}  // namespace machi::store
