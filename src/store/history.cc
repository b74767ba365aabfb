#include "store/history.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace machi::store {
namespace {

constexpr TimeMs kHourMs = 3600000;

// ---- Partitions ------------------------------------------------------------

std::string partition_name(int64_t month) {
  char name[32];
  std::snprintf(name, sizeof name, "history_%04lld%02lld", static_cast<long long>(month / 12),
                static_cast<long long>(month % 12 + 1));
  return name;
}

// Months outside years 0..9999 have no partition name; observedAt cannot
// express them anyway (parse_datetime reads four-digit years).
int64_t checked_month(TimeMs time) {
  int64_t month = month_of(time);
  if (month < 0 || month >= 10000 * 12) {
    throw Error(ErrorType::kBadRequestData, "history time " + std::to_string(time) + " is outside years 0000-9999");
  }
  return month;
}

void recreate_view(Db& db) {
  std::string sql = "DROP VIEW IF EXISTS history; CREATE VIEW history AS ";
  auto rows = select_rows(db.cached("SELECT name FROM history_partitions ORDER BY month"));
  bool any = false;
  while (rows.next()) {
    if (any) sql += " UNION ALL ";
    sql += "SELECT entity, attr, dataset_id, time, num, instance FROM " + rows->str(0);
    any = true;
  }
  if (!any) sql += "SELECT NULL AS entity, NULL AS attr, NULL AS dataset_id, NULL AS time, NULL AS num, "
                   "NULL AS instance WHERE 0";
  db.exec(sql);
}

// The partition of a month, created when new (inside the writer's
// transaction, so a rolled-back batch takes its new partitions with it).
const std::string& ensure_partition(Db& db, int64_t month, std::map<int64_t, std::string>& known) {
  auto it = known.find(month);
  if (it != known.end()) return it->second;
  std::string name = partition_name(month);
  {
    auto rows = select_rows(db.cached("SELECT 1 FROM history_partitions WHERE month = ?1"), month);
    if (!rows.next()) {
      db.exec("CREATE TABLE " + name +
              "(entity INTEGER NOT NULL, attr INTEGER NOT NULL, dataset_id TEXT NOT NULL DEFAULT '', "
              "time INTEGER NOT NULL, num REAL, instance TEXT); "
              "CREATE INDEX " + name + "_by_entity ON " + name + "(entity, attr, dataset_id, time)");
      db.cached("INSERT INTO history_partitions(month, name) VALUES(?1, ?2)").exec(month, name);
      recreate_view(db);
    }
  }
  return known.emplace(month, std::move(name)).first->second;
}

struct Partition {
  int64_t month;
  std::string name;
};

// The partitions that may hold points of [from, to), oldest first.
std::vector<Partition> partitions_in(Db& db, TimeMs from, TimeMs to) {
  int64_t first = from <= kMinTime ? INT64_MIN : month_of(from);
  int64_t last = to >= kMaxTime ? INT64_MAX : month_of(to - 1);
  std::vector<Partition> out;
  auto rows = select_rows(db.cached("SELECT month, name FROM history_partitions WHERE month BETWEEN ?1 AND ?2 "
                                    "ORDER BY month"),
                          first, last);
  while (rows.next()) out.push_back({rows->int64(0), rows->str(1)});
  return out;
}

// ---- Interning -------------------------------------------------------------

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

std::optional<int64_t> existing_key(Db& db, const char* sql, const std::string& name) {
  auto rows = select_rows(db.cached(sql), name);
  if (rows.next()) return rows->int64(0);
  return std::nullopt;
}

std::optional<int64_t> entity_key(Db& db, const std::string& entity_id) {
  return existing_key(db, "SELECT id FROM history_entities WHERE entity_id = ?1", entity_id);
}

std::optional<int64_t> attr_key(Db& db, const std::string& iri) {
  return existing_key(db, "SELECT id FROM terms WHERE iri = ?1", iri);
}

// The id of an attribute IRI in terms, inserted when new. The entity
// writer's cache of term ids looks terms up on a miss, so it needs no news.
int64_t term_id(Db& db, const std::string& iri) {
  if (auto id = attr_key(db, iri)) return *id;
  db.cached("INSERT INTO terms(iri) VALUES(?1)").exec(iri);
  return db.last_insert_rowid();
}

// ---- Writing ---------------------------------------------------------------

// One row to insert, and what it adds to its hour's summary.
struct Row {
  int64_t entity;
  int64_t attr;
  const std::string* dataset_id;
  TimeMs time;
  std::optional<double> number;
  const std::string* text;  // null: a deletion marker (no summary)
};

struct HourKey {
  int64_t entity, attr;
  std::string dataset_id;
  TimeMs hour;
  bool operator<(const HourKey& o) const {
    return std::tie(entity, attr, dataset_id, hour) < std::tie(o.entity, o.attr, o.dataset_id, o.hour);
  }
};

struct HourSums {
  int64_t count = 0, numbers = 0;
  double sum = 0, sumsq = 0, min = 0, max = 0;
  void add(const std::optional<double>& number) {
    ++count;
    if (!number) return;
    double v = *number;
    if (numbers == 0 || v < min) min = v;
    if (numbers == 0 || v > max) max = v;
    ++numbers;
    sum += v;
    sumsq += v * v;
  }
};

TimeMs hour_of(TimeMs time) { return time >= 0 ? time / kHourMs * kHourMs : (time - kHourMs + 1) / kHourMs * kHourMs; }

// Inserts rows and adds them to the hourly summaries, one upsert per hour.
class RowWriter {
 public:
  explicit RowWriter(Db& db) : db_(db) {}

  void add(const Row& row) {
    const std::string& partition = ensure_partition(db_, checked_month(row.time), partitions_);
    std::optional<std::string_view> text;
    if (row.text) text = *row.text;
    // OR IGNORE: no statement journal (see entity_writer.cc); nothing conflicts.
    db_.cached("INSERT OR IGNORE INTO " + partition +
               "(entity, attr, dataset_id, time, num, instance) VALUES(?1, ?2, ?3, ?4, ?5, ?6)")
        .exec(row.entity, row.attr, *row.dataset_id, static_cast<int64_t>(row.time), row.number, text);
    if (row.text) hours_[{row.entity, row.attr, *row.dataset_id, hour_of(row.time)}].add(row.number);
  }

  void finish() {
    Stmt& upsert = db_.cached(
        "INSERT INTO history_hourly(entity, attr, dataset_id, hour, n, vn, sum, sumsq, min, max) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "ON CONFLICT(entity, attr, dataset_id, hour) DO UPDATE SET n = n + excluded.n, vn = vn + excluded.vn, "
        "sum = sum + excluded.sum, sumsq = sumsq + excluded.sumsq, "
        "min = CASE WHEN excluded.vn = 0 THEN min WHEN vn = 0 OR excluded.min < min THEN excluded.min ELSE min END, "
        "max = CASE WHEN excluded.vn = 0 THEN max WHEN vn = 0 OR excluded.max > max THEN excluded.max ELSE max END");
    for (const auto& [key, s] : hours_) {
      std::optional<double> min, max;
      if (s.numbers) min = s.min, max = s.max;
      upsert.exec(key.entity, key.attr, key.dataset_id, static_cast<int64_t>(key.hour), s.count, s.numbers, s.sum,
                  s.sumsq, min, max);
    }
    hours_.clear();
  }

 private:
  Db& db_;
  std::map<int64_t, std::string> partitions_;
  std::map<HourKey, HourSums> hours_;
};

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
  int64_t month = month_of(*time);
  if (month < 0 || month >= 10000 * 12) bad_point(i, p, "observedAt is outside years 0000-9999");
  return *time;
}

// ---- Reading ---------------------------------------------------------------

struct Keys {
  std::vector<std::pair<int64_t, const std::string*>> entities;  // (key, entity id)
  std::vector<std::pair<int64_t, const std::string*>> attrs;     // empty = all
  std::map<int64_t, std::string> attr_names;
  bool none = false;  // nothing can match
};

Keys resolve_keys(Db& db, const HistoryRead& read) {
  Keys keys;
  for (const auto& id : read.entity_ids) {
    if (auto key = entity_key(db, id)) keys.entities.emplace_back(*key, &id);
  }
  for (const auto& attr : read.attrs) {
    if (auto key = attr_key(db, attr)) keys.attrs.emplace_back(*key, &attr);
  }
  keys.none = keys.entities.empty() || (!read.attrs.empty() && keys.attrs.empty());
  return keys;
}

const std::string& attr_name(Db& db, Keys& keys, int64_t attr) {
  auto it = keys.attr_names.find(attr);
  if (it != keys.attr_names.end()) return it->second;
  auto rows = select_rows(db.cached("SELECT iri FROM terms WHERE id = ?1"), attr);
  return keys.attr_names.emplace(attr, rows.next() ? rows->str(0) : std::string()).first->second;
}

std::string attr_filter(const Keys& keys) {
  if (keys.attrs.empty()) return "";
  std::string sql = " AND attr IN (";
  for (size_t i = 0; i < keys.attrs.size(); ++i) sql += (i ? "," : "") + std::to_string(keys.attrs[i].first);
  return sql + ")";
}

void read_partition(Db& db, Keys& keys, const Partition& partition, int64_t entity, const std::string& entity_id,
                    const HistoryRead& read, std::vector<HistoryPoint>& out) {
  std::string columns = read.numbers_only ? "attr, dataset_id, time, num, NULL, rowid" : "attr, dataset_id, time, num, instance, rowid";
  Stmt& stmt = db.cached("SELECT " + columns + " FROM " + partition.name +
                         " WHERE entity = ?1 AND time >= ?2 AND time < ?3" + attr_filter(keys) +
                         (read.numbers_only ? " AND instance IS NOT NULL" : "") +
                         " ORDER BY attr, dataset_id, time, rowid");
  auto rows = select_rows(stmt, entity, static_cast<int64_t>(read.from), static_cast<int64_t>(read.to));
  char key[48];
  while (rows.next()) {
    HistoryPoint point;
    point.entity_id = entity_id;
    point.attr = attr_name(db, keys, rows->int64(0));
    point.dataset_id = rows->str(1);
    point.time = rows->int64(2);
    if (!rows->is_null(3)) point.number = rows->real(3);
    if (!rows->is_null(4)) point.instance = Json::parse(rows->text(4));
    std::snprintf(key, sizeof key, "%lld-%lld", static_cast<long long>(partition.month),
                  static_cast<long long>(rows->int64(5)));
    point.key = key;
    out.push_back(std::move(point));
  }
}

bool same_series(const HistoryPoint& a, const HistoryPoint& b) { return a.attr == b.attr && a.dataset_id == b.dataset_id; }

// Orders one entity's points by series then time (partitions come oldest
// first, each in series order), and keeps the last N of each series.
void order_series(std::vector<HistoryPoint>& points, size_t begin, size_t last_n) {
  std::stable_sort(points.begin() + begin, points.end(), [](const HistoryPoint& a, const HistoryPoint& b) {
    return std::tie(a.attr, a.dataset_id, a.time) < std::tie(b.attr, b.dataset_id, b.time);
  });
  if (last_n == 0) return;
  std::vector<HistoryPoint> kept;
  size_t i = begin;
  while (i < points.size()) {
    size_t j = i;
    while (j < points.size() && same_series(points[i], points[j])) ++j;
    for (size_t k = j - std::min(last_n, j - i); k < j; ++k) kept.push_back(std::move(points[k]));
    i = j;
  }
  points.resize(begin);
  for (auto& p : kept) points.push_back(std::move(p));
}

}  // namespace

void migrate_history_to_partitions(Db& db) {
  db.exec(R"sql(
CREATE TABLE history_partitions(
  month INTEGER PRIMARY KEY,   -- year * 12 + month - 1, UTC
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE history_hourly(
  entity INTEGER NOT NULL,
  attr INTEGER NOT NULL,
  dataset_id TEXT NOT NULL,
  hour INTEGER NOT NULL,       -- the hour's first millisecond
  n INTEGER NOT NULL,          -- instances
  vn INTEGER NOT NULL,         -- numeric instances
  sum REAL NOT NULL,
  sumsq REAL NOT NULL,
  min REAL,
  max REAL,
  PRIMARY KEY(entity, attr, dataset_id, hour)
) WITHOUT ROWID;
)sql");
  {
    RowWriter writer(db);
    auto rows = select_rows(db.cached("SELECT entity, attr, dataset_id, time, instance FROM history ORDER BY rowid"));
    while (rows.next()) {
      std::string dataset_id = rows->str(2);
      std::optional<std::string> text;
      std::optional<double> number;
      if (!rows->is_null(4)) {
        text = rows->str(4);
        number = instance_number(Json::parse(*text));
      }
      writer.add({rows->int64(0), rows->int64(1), &dataset_id, rows->int64(3), number, text ? &*text : nullptr});
    }
    writer.finish();
  }
  db.exec("DROP TABLE history");
  recreate_view(db);
}

std::optional<double> instance_number(const Json& instance) {
  auto type = instance.find("type");
  if (type == instance.end() || *type != "Property") return std::nullopt;
  auto value = instance.find("value");
  if (value == instance.end() || !value->is_number()) return std::nullopt;
  return value->get<double>();
}

std::vector<ImportedPoint> prepare_import(const std::vector<HistoryPoint>& points) {
  std::vector<ImportedPoint> out;
  out.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    TimeMs time = check_point(i, points[i]);
    out.push_back({&points[i], time, points[i].instance.dump(), instance_number(points[i].instance)});
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
  RowWriter writer(db);
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
    writer.add({entity, attr, &p.point->dataset_id, p.time, p.number, &p.text});
  }
  writer.finish();
}

void append_history(Db& db, const std::string& entity_id, const std::vector<HistoryChange>& changes,
                    const TermIds& term) {
  if (changes.empty()) return;
  int64_t key = history_key(db, entity_id);
  RowWriter writer(db);
  for (const HistoryChange& change : changes) {
    std::optional<std::string> text;
    std::optional<double> number;
    if (change.instance) {
      text = change.instance->dump();
      number = instance_number(*change.instance);
    }
    writer.add({key, term(change.attr), &change.dataset_id, change.time, number, text ? &*text : nullptr});
  }
  writer.finish();
}

std::vector<HistoryPoint> read_history(Db& db, const HistoryRead& read) {
  std::vector<HistoryPoint> points;
  if (read.from >= read.to) return points;
  Keys keys = resolve_keys(db, read);
  if (keys.none) return points;
  auto partitions = partitions_in(db, read.from, read.to);
  for (const auto& [entity, entity_id] : keys.entities) {
    size_t begin = points.size();
    for (const auto& partition : partitions) read_partition(db, keys, partition, entity, *entity_id, read, points);
    order_series(points, begin, read.last_n);
  }
  return points;
}

std::vector<HourSummary> read_hourly(Db& db, const HistoryRead& read) {
  std::vector<HourSummary> out;
  Keys keys = resolve_keys(db, read);
  if (keys.none) return out;
  TimeMs from = read.from <= kMinTime ? kMinTime : hour_of(read.from);
  TimeMs to = read.to >= kMaxTime ? kMaxTime : hour_of(read.to - 1) + kHourMs;
  Stmt& stmt = db.cached("SELECT attr, dataset_id, hour, n, vn, sum, sumsq, min, max FROM history_hourly "
                         "WHERE entity = ?1 AND hour >= ?2 AND hour < ?3" + attr_filter(keys) +
                         " ORDER BY attr, dataset_id, hour");
  for (const auto& [entity, entity_id] : keys.entities) {
    auto rows = select_rows(stmt, entity, static_cast<int64_t>(from), static_cast<int64_t>(to));
    size_t begin = out.size();
    while (rows.next()) {
      HourSummary s;
      s.entity_id = *entity_id;
      s.attr = attr_name(db, keys, rows->int64(0));
      s.dataset_id = rows->str(1);
      s.hour = rows->int64(2);
      s.count = rows->int64(3);
      s.numbers = rows->int64(4);
      s.sum = rows->real(5);
      s.sumsq = rows->real(6);
      if (!rows->is_null(7)) s.min = rows->real(7);
      if (!rows->is_null(8)) s.max = rows->real(8);
      out.push_back(std::move(s));
    }
    std::stable_sort(out.begin() + begin, out.end(), [](const HourSummary& a, const HourSummary& b) {
      return std::tie(a.attr, a.dataset_id, a.hour) < std::tie(b.attr, b.dataset_id, b.hour);
    });
  }
  return out;
}

std::vector<PeriodTotal> read_totals(Db& db, const HistoryRead& read, TimeMs origin, TimeMs period) {
  std::vector<PeriodTotal> out;
  if (period <= 0 || period % kHourMs != 0 || origin % kHourMs != 0) {
    throw Error(ErrorType::kInternalError, "history totals need whole-hour periods");
  }
  Keys keys = resolve_keys(db, read);
  if (keys.none) return out;
  TimeMs from = read.from <= kMinTime ? kMinTime : hour_of(read.from);
  TimeMs to = read.to >= kMaxTime ? kMaxTime : hour_of(read.to - 1) + kHourMs;
  // The entity keys go into the statement as literals: SQLite then walks
  // the primary key once per entity (the statement is not cached: its text
  // differs per call). The rows are added up here rather than by GROUP BY,
  // which would sort them first (about ten times slower).
  std::string entities;
  for (const auto& [key, id] : keys.entities) entities += (entities.empty() ? "" : ",") + std::to_string(key);
  Stmt stmt = db.prepare("SELECT attr, dataset_id, hour, n, vn, sum, sumsq, min, max FROM history_hourly WHERE entity IN (" +
                         entities + ") AND hour >= ?1 AND hour < ?2" + attr_filter(keys));
  TimeMs lower = std::max(from, origin);  // hours before the origin belong to no period
  auto rows = select_rows(stmt, static_cast<int64_t>(lower), static_cast<int64_t>(to));
  std::map<std::pair<int64_t, std::string>, std::map<int64_t, HourSums>> totals;
  std::map<int64_t, HourSums>* series = nullptr;
  int64_t last_attr = -1;
  std::string last_dataset;
  while (rows.next()) {
    int64_t attr = rows->int64(0);
    std::string_view dataset = rows->text(1);
    if (!series || attr != last_attr || dataset != last_dataset) {
      last_attr = attr;
      last_dataset = dataset;
      series = &totals[{attr, last_dataset}];
    }
    HourSums& sums = (*series)[(rows->int64(2) - origin) / period];
    int64_t numbers = rows->int64(4);
    sums.count += rows->int64(3);
    if (numbers == 0) continue;
    double lo = rows->real(7), hi = rows->real(8);
    if (sums.numbers == 0 || lo < sums.min) sums.min = lo;
    if (sums.numbers == 0 || hi > sums.max) sums.max = hi;
    sums.numbers += numbers;
    sums.sum += rows->real(5);
    sums.sumsq += rows->real(6);
  }
  for (const auto& [key, periods] : totals) {
    const std::string& attr = attr_name(db, keys, key.first);
    for (const auto& [index, s] : periods) {
      out.push_back({attr, key.second, index, s.count, s.numbers, s.sum, s.sumsq, s.min, s.max});
    }
  }
  // Attribute names sort by IRI, not by term id.
  std::stable_sort(out.begin(), out.end(), [](const PeriodTotal& a, const PeriodTotal& b) {
    return std::tie(a.attr, a.dataset_id, a.index) < std::tie(b.attr, b.dataset_id, b.index);
  });
  return out;
}

size_t expire_history(Db& db, const std::vector<std::string>& entity_ids, TimeMs before) {
  size_t deleted = 0;
  auto partitions = partitions_in(db, kMinTime, before);
  for (const auto& id : entity_ids) {
    auto entity = entity_key(db, id);
    if (!entity) continue;
    for (const auto& partition : partitions) {
      db.cached("DELETE FROM " + partition.name + " WHERE entity = ?1 AND time < ?2").exec(*entity, static_cast<int64_t>(before));
      deleted += static_cast<size_t>(db.changes());
    }
    // Hours that straddle `before` keep their summary: it still counts the
    // expired points until the hour itself expires.
    db.cached("DELETE FROM history_hourly WHERE entity = ?1 AND hour + 3600000 <= ?2").exec(*entity, static_cast<int64_t>(before));
  }
  bool dropped = false;
  for (const auto& partition : partitions) {
    if (db.scalar("SELECT count(*) FROM (SELECT 1 FROM " + partition.name + " LIMIT 1)").value_or(0) != 0) continue;
    db.exec("DROP TABLE " + partition.name);
    db.cached("DELETE FROM history_partitions WHERE month = ?1").exec(partition.month);
    dropped = true;
  }
  if (dropped) recreate_view(db);
  return deleted;
}

size_t erase_history(Db& db, const std::string& entity_id, const std::vector<std::string>& attrs) {
  auto entity = entity_key(db, entity_id);
  if (!entity) return 0;
  Keys keys;
  for (const auto& attr : attrs) {
    if (auto key = attr_key(db, attr)) keys.attrs.emplace_back(*key, &attr);
  }
  if (!attrs.empty() && keys.attrs.empty()) return 0;
  size_t deleted = 0;
  for (const auto& partition : partitions_in(db, kMinTime, kMaxTime)) {
    db.cached("DELETE FROM " + partition.name + " WHERE entity = ?1" + attr_filter(keys)).exec(*entity);
    deleted += static_cast<size_t>(db.changes());
  }
  db.cached("DELETE FROM history_hourly WHERE entity = ?1" + attr_filter(keys)).exec(*entity);
  return deleted;
}

}  // namespace machi::store
