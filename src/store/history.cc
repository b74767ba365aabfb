#include "store/history.h"

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

}  // namespace

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
