#include "store/entity_writer.h"

#include <algorithm>
#include <iterator>

#include "core/stored_json.h"
#include "store/history.h"

namespace machi::store {
namespace {

void check_document(const Json& doc, const std::string& entity_id) {
  if (!doc.is_object()) throw Error(ErrorType::kInternalError, "a mutation returned a non-object entity");
  auto id = doc.find("id");
  if (id == doc.end() || !id->is_string() || id->get_ref<const std::string&>() != entity_id) {
    throw Error(ErrorType::kInternalError, "a mutation of " + entity_id + " returned an entity with another id");
  }
}

template <class Set>
Set minus(const Set& a, const Set& b) {
  Set out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

std::set<std::tuple<std::string, std::string, std::string>> type_attr_triples(const DocIndex& index) {
  std::set<std::tuple<std::string, std::string, std::string>> out;
  for (const auto& type : index.types) {
    for (const auto& [attr, attr_type] : index.attr_types) out.emplace(type, attr, attr_type);
  }
  return out;
}

int64_t geo_id(int64_t rowid, size_t k) { return (rowid << kGeoIdBits) | static_cast<int64_t>(k); }

// machi::Error keeps its type (a mutator's rejection); anything else is a
// bug or a storage failure.
Error as_error(std::exception_ptr failure, const std::string& context) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    return e;
  } catch (const std::exception& e) {
    return Error(ErrorType::kInternalError, context + ": " + e.what());
  } catch (...) {
    return Error(ErrorType::kInternalError, context);
  }
}

}  // namespace

EntityWriter::Doc EntityWriter::read_row(Db& db, const std::string& entity_id) {
  Doc doc;
  Stmt& select = db.cached("SELECT rowid, doc FROM entities WHERE id = ?1");
  auto rows = select_rows(select, entity_id);
  if (!rows.next()) return doc;
  doc.rowid = rows->int64(0);
  doc.text = rows->str(1);
  return doc;
}

void EntityWriter::compute(const Mutation& mutation, Change& change) {
  try {
    if (change.current.rowid) change.current.json = parse_stored_json(change.current.text);
    change.next = mutation.apply(change.current.json);
    const Json* before = change.current.json ? &*change.current.json : nullptr;
    const Json* after = change.next ? &*change.next : nullptr;
    if (!before && !after) return;
    if (after) {
      check_document(*after, mutation.entity_id);
      change.next_text = after->dump();
      if (before && change.next_text == change.current.text) return;  // nothing changed
      change.after = index_doc(*after);
      if (change.after.geo.size() > kMaxGeoInstances) {
        throw Error(ErrorType::kBadRequestData, "too many GeoProperty instances");
      }
    }
    if (before) change.before = index_doc(*before);
    change.history = history_changes(before, after, now_ms());
    change.writes = true;
  } catch (...) {
    change.rejection = std::current_exception();
  }
}

void EntityWriter::compute_ahead(Db& reader, const Mutation& mutation, Change& change) {
  change.current = read_row(reader, mutation.entity_id);
  compute(mutation, change);
}

void EntityWriter::store(Db& db, const std::string& entity_id, const Change& change) {
  int64_t rowid = write_row(db, entity_id, change.current, change.next, change.next_text, change.after);
  write_sets(db, rowid, change.before, change.after);
  write_values(db, rowid, change.before, change.after);
  write_geo(db, rowid, change.before, change.after);
  count_type_attrs(db, change.before, change.after);
  append_history(db, entity_id, change.history, [&](const std::string& iri) { return term(db, iri); });
  // The change feed row, in the same transaction (and savepoint).
  std::set<std::string> attrs;
  for (const HistoryChange& h : change.history) attrs.insert(h.attr);
  ChangeKind kind = !change.current.rowid ? ChangeKind::kCreated : change.next ? ChangeKind::kUpdated : ChangeKind::kDeleted;
  Json attr_list = Json::array();
  for (const auto& a : attrs) attr_list.push_back(a);
  db.cached("INSERT INTO changes(entity_id, kind, attrs, time) VALUES(?1, ?2, ?3, ?4)")
      .exec(entity_id, static_cast<int64_t>(kind), attr_list.dump(), now_ms());
  batch_last_seq_ = db.last_insert_rowid();
}

void EntityWriter::apply(Db& db, const Mutation& mutation, Change* ahead, MutationResult& result) {
  result = MutationResult{};
  result.entity_id = mutation.entity_id;
  // Everything that can reject the mutation runs before its first write, so
  // that a rejection needs no rollback.
  Change local;
  Change* chosen = &local;
  try {
    local.current = read_row(db, mutation.entity_id);
    if (ahead && ahead->current.rowid == local.current.rowid && ahead->current.text == local.current.text) {
      chosen = ahead;  // nothing wrote this entity since: the change stands
    } else {
      compute(mutation, local);
    }
  } catch (...) {
    if (!db.in_transaction()) throw;  // SQLite dropped the whole transaction
    result.error = as_error(std::current_exception(), "mutation of " + mutation.entity_id + " failed");
    return;
  }
  const Change& change = *chosen;
  result.existed = result.exists = change.current.rowid.has_value();
  if (change.rejection) {
    result.error = as_error(change.rejection, "mutation of " + mutation.entity_id + " failed");
    return;
  }
  if (!change.writes) {
    result.ok = true;
    return;
  }
  // Recorded before the attempt: a mutation rolled back costs at most a
  // needless cache invalidation.
  batch_written_.push_back(mutation.entity_id);
  db.cached("SAVEPOINT mutation").exec();
  try {
    store(db, mutation.entity_id, change);
    db.cached("RELEASE mutation").exec();
  } catch (...) {
    if (!db.in_transaction()) throw;
    db.cached("ROLLBACK TO mutation").exec();
    db.cached("RELEASE mutation").exec();
    for (const auto& iri : mutation_terms_) terms_.erase(iri);
    mutation_terms_.clear();
    mutation_counts_.clear();
    Error error = as_error(std::current_exception(), "storing " + mutation.entity_id + " failed");
    result.error = Error(ErrorType::kInternalError, error.what());
    return;
  }
  for (const auto& [key, delta] : mutation_counts_) batch_counts_[key] += delta;
  mutation_counts_.clear();
  mutation_terms_.clear();
  result.ok = true;
  result.exists = change.next.has_value();
}

// Inserts and updates say OR IGNORE although no conflict can happen: a
// statement that may abort on a constraint makes SQLite open a statement
// journal inside the transaction and copy every page it touches, which cost
// about a fifth of the write time. Each mutation has its own savepoint anyway.
int64_t EntityWriter::write_row(Db& db, const std::string& entity_id, const Doc& current,
                                const std::optional<Json>& next, const std::string& next_text, const DocIndex& index) {
  if (!next) {
    db.cached("DELETE FROM entities WHERE rowid = ?1").exec(*current.rowid);
    return *current.rowid;
  }
  if (current.rowid) {
    db.cached("UPDATE OR IGNORE entities SET doc = ?2, created_at = ?3, modified_at = ?4 WHERE rowid = ?1")
        .exec(*current.rowid, next_text, index.created_at, index.modified_at);
    if (sqlite3_changes(db.get()) != 1) throw Error(ErrorType::kInternalError, "entity row not updated: " + entity_id);
    return *current.rowid;
  }
  db.cached("INSERT OR IGNORE INTO entities(id, doc, created_at, modified_at) VALUES(?1, ?2, ?3, ?4)")
      .exec(entity_id, next_text, index.created_at, index.modified_at);
  if (sqlite3_changes(db.get()) != 1) throw Error(ErrorType::kInternalError, "entity row not inserted: " + entity_id);
  return db.last_insert_rowid();
}

void EntityWriter::write_sets(Db& db, int64_t rowid, const DocIndex& before, const DocIndex& after) {
  for (const auto& type : minus(before.types, after.types))
    db.cached("DELETE FROM entity_types WHERE type = ?1 AND entity = ?2").exec(term(db, type), rowid);
  for (const auto& type : minus(after.types, before.types))
    db.cached("INSERT OR IGNORE INTO entity_types(type, entity) VALUES(?1, ?2)").exec(term(db, type), rowid);
  for (const auto& attr : minus(before.attrs, after.attrs))
    db.cached("DELETE FROM entity_attrs WHERE attr = ?1 AND entity = ?2").exec(term(db, attr), rowid);
  for (const auto& attr : minus(after.attrs, before.attrs))
    db.cached("INSERT OR IGNORE INTO entity_attrs(attr, entity) VALUES(?1, ?2)").exec(term(db, attr), rowid);
}

void EntityWriter::write_values(Db& db, int64_t rowid, const DocIndex& before, const DocIndex& after) {
  static const std::vector<IndexedValue> kNone;
  auto values_of = [](const DocIndex& index, const std::string& attr) -> const std::vector<IndexedValue>& {
    auto it = index.values.find(attr);
    return it == index.values.end() ? kNone : it->second;
  };
  std::set<std::string> attrs;
  for (const auto& [attr, values] : before.values) attrs.insert(attr);
  for (const auto& [attr, values] : after.values) attrs.insert(attr);
  for (const auto& attr : attrs) {
    const auto& old_values = values_of(before, attr);
    const auto& new_values = values_of(after, attr);
    if (old_values == new_values) continue;
    int64_t attr_id = term(db, attr);
    if (!old_values.empty()) db.cached("DELETE FROM attr_values WHERE entity = ?1 AND attr = ?2").exec(rowid, attr_id);
    Stmt& insert = db.cached("INSERT OR IGNORE INTO attr_values(entity, attr, seq, num, str, tm) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    for (size_t seq = 0; seq < new_values.size(); ++seq) {
      const IndexedValue& v = new_values[seq];
      insert.exec(rowid, attr_id, seq, v.num, v.str, v.tm);
    }
  }
}

void EntityWriter::write_geo(Db& db, int64_t rowid, const DocIndex& before, const DocIndex& after) {
  size_t n = std::max(before.geo.size(), after.geo.size());
  for (size_t k = 0; k < n; ++k) {
    int64_t id = geo_id(rowid, k);
    if (k >= after.geo.size()) {
      db.cached("DELETE FROM geo WHERE id = ?1").exec(id);
      continue;
    }
    const GeoEntry& g = after.geo[k];
    if (k < before.geo.size() && before.geo[k] == g) continue;
    const char* sql = k < before.geo.size()
                          ? "UPDATE geo SET min_lon = ?2, max_lon = ?3, min_lat = ?4, max_lat = ?5, attr = ?6, geom = ?7 "
                            "WHERE id = ?1"
                          : "INSERT INTO geo(id, min_lon, max_lon, min_lat, max_lat, attr, geom) "
                            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    db.cached(sql).exec(id, g.box.min_lon, g.box.max_lon, g.box.min_lat, g.box.max_lat, term(db, g.attr), g.geometry);
  }
}

void EntityWriter::count_type_attrs(Db& db, const DocIndex& before, const DocIndex& after) {
  if (before.types == after.types && before.attr_types == after.attr_types) return;
  auto old_triples = type_attr_triples(before);
  auto new_triples = type_attr_triples(after);
  for (const auto& [type, attr, attr_type] : minus(old_triples, new_triples))
    mutation_counts_[{term(db, type), term(db, attr), term(db, attr_type)}] -= 1;
  for (const auto& [type, attr, attr_type] : minus(new_triples, old_triples))
    mutation_counts_[{term(db, type), term(db, attr), term(db, attr_type)}] += 1;
}

int64_t EntityWriter::term(Db& db, const std::string& iri) {
  if (auto it = terms_.find(iri); it != terms_.end()) return it->second;
  int64_t id;
  {
    auto rows = select_rows(db.cached("SELECT id FROM terms WHERE iri = ?1"), iri);
    if (rows.next()) {
      id = rows->int64(0);
      terms_.emplace(iri, id);
      return id;
    }
  }
  db.cached("INSERT INTO terms(iri) VALUES(?1)").exec(iri);
  id = db.last_insert_rowid();
  terms_.emplace(iri, id);
  mutation_terms_.push_back(iri);
  return id;
}

void EntityWriter::before_commit(Db& db) {
  for (const auto& [key, delta] : batch_counts_) {
    if (delta == 0) continue;
    const auto& [type, attr, attr_type] = key;
    db.cached(
          "INSERT INTO type_attrs(type, attr, attr_type, n) VALUES(?1, ?2, ?3, ?4) "
          "ON CONFLICT(type, attr, attr_type) DO UPDATE SET n = n + excluded.n")
        .exec(type, attr, attr_type, delta);
    if (delta < 0) {
      db.cached("DELETE FROM type_attrs WHERE type = ?1 AND attr = ?2 AND attr_type = ?3 AND n <= 0")
          .exec(type, attr, attr_type);
    }
  }
  batch_counts_.clear();
}

void EntityWriter::after_batch(bool committed) {
  int64_t last = batch_last_seq_;
  batch_last_seq_ = 0;
  batch_written_.clear();
  if (committed) {
    if (last > 0 && on_commit_) on_commit_(last);
    return;
  }
  // The batch's inserts into terms are gone: forget every cached id (they
  // are cheap to look up again).
  terms_.clear();
  mutation_terms_.clear();
  mutation_counts_.clear();
  batch_counts_.clear();
}

}  // namespace machi::store
