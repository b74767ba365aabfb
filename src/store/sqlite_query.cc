#include "store/sqlite_query.h"

#include <re2/re2.h>
#include <sqlite3.h>

#include <algorithm>
#include <variant>

#include "core/stored_json.h"
#include "store/doc_index.h"
#include "store/entity_writer.h"

namespace machi::store {

namespace {

// An rtree entry or node: its box against the circle in the parameters.
int near_callback(sqlite3_rtree_query_info* info) {
  if (info->nParam != 3 || info->nCoord != 4) return SQLITE_ERROR;
  ld::BBox box{info->aCoord[0], info->aCoord[2], info->aCoord[1], info->aCoord[3]};
  ld::GeoQuery::Circle circle{info->aParam[0], info->aParam[1], info->aParam[2]};
  info->eWithin = ld::box_may_touch(box, circle) ? PARTLY_WITHIN : NOT_WITHIN;
  info->rScore = info->iLevel;  // leaves first: the depth-first order of a plain box search
  return SQLITE_OK;
}

}  // namespace

void register_query_functions(Db& db) {
  if (sqlite3_rtree_query_callback(db.get(), "machi_near", near_callback, nullptr, nullptr) != SQLITE_OK) {
    throw Error(ErrorType::kInternalError, std::string("cannot register machi_near: ") + sqlite3_errmsg(db.get()));
  }
}

std::optional<int64_t> lookup_term(Db& db, const std::string& iri) {
  auto rows = select_rows(db.cached("SELECT id FROM terms WHERE iri = ?1"), iri);
  if (!rows.next()) return std::nullopt;
  return rows->int64(0);
}

namespace {

using Param = std::variant<int64_t, double, std::string>;

// One restriction of the candidate rows. The plan lets the most selective
// one (lowest rank) drive the scan as `rowid IN (subquery)`, which SQLite
// answers from an index; the others become correlated EXISTS tests, one
// index probe per candidate, instead of being materialized in full (a
// materialized IN costs as much as the rows it selects, whatever LIMIT says).
struct Condition {
  int rank = 0;
  std::string driver;
  std::vector<Param> driver_params;
  std::string filter;
  std::vector<Param> filter_params;
  // A condition on one name of entity_types/entity_attrs can instead drive
  // the scan by walking that table's primary key (name, entity): rows come
  // in entity order, so "type=X&limit=20" reads 20 rows, not every X.
  std::string join_table, join_column;
};

// Expected selectivity, most selective first. A geo box ranks before an
// equality term: city queries ask for a few hundred metres around a point,
// while an equality such as status=="free" often holds for half the rows.
enum Rank { kIds, kGeoBox, kEqualTerm, kOrderTerm, kAttrs, kTypes, kGeoAttr };

std::string placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ",?" : "?";
  return out;
}

void bind_params(Stmt& stmt, const std::vector<Param>& params) {
  int i = 0;
  for (const Param& p : params) std::visit([&](const auto& v) { stmt.bind(++i, v); }, p);
}

// A predicate on one attr_values row `v`.
struct Alternative {
  std::string sql;
  std::vector<Param> params;
};

const char* sql_op(ld::IndexTerm::Op op, bool strict) {
  switch (op) {
    case ld::IndexTerm::Op::kLt: return strict ? "<" : "<=";
    case ld::IndexTerm::Op::kLe: return "<=";
    case ld::IndexTerm::Op::kGt: return strict ? ">" : ">=";
    case ld::IndexTerm::Op::kGe: return ">=";
    default: return "=";
  }
}

// Text is indexed by prefix (see doc_index.h). Comparing prefixes keeps every
// match: prefix() is monotonic, and for a literal shorter than the prefix
// length strict comparisons stay strict.
void text_alternatives(ld::IndexTerm::Op op, const std::string& text, std::vector<Alternative>& out) {
  bool strict = text.size() < kMaxIndexedText;
  out.push_back({std::string("v.str ") + sql_op(op, strict) + " ? AND v.str IS NOT NULL", {indexed_text(text)}});
  if (auto tm = parse_datetime(text)) out.push_back({std::string("v.tm ") + sql_op(op, true) + " ?", {*tm}});
}

// The index predicates of a q term; false when the term cannot be answered
// from the index (the full expression still runs in memory).
bool term_alternatives(const ld::IndexTerm& term, std::vector<Alternative>& out) {
  using Op = ld::IndexTerm::Op;
  if (term.op == Op::kNe) return false;
  if (term.op == Op::kRange) {
    if (term.number && term.number_hi) {
      out.push_back({"v.num BETWEEN ? AND ?", {*term.number, *term.number_hi}});
      return true;
    }
    if (!term.text || !term.text_hi) return false;
    out.push_back({"v.str BETWEEN ? AND ?", {indexed_text(*term.text), indexed_text(*term.text_hi)}});
    auto lo = parse_datetime(*term.text), hi = parse_datetime(*term.text_hi);
    if (lo && hi) out.push_back({"v.tm BETWEEN ? AND ?", {*lo, *hi}});
    return true;
  }
  if (term.op == Op::kEq && !term.any_of.empty()) {
    std::vector<Param> numbers, texts, times;
    for (const Json& v : term.any_of) {
      if (v.is_number()) {
        numbers.push_back(v.get<double>());
      } else if (v.is_boolean()) {
        numbers.push_back(v.get<bool>() ? 1.0 : 0.0);
      } else if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        texts.push_back(indexed_text(s));
        if (auto tm = parse_datetime(s)) times.push_back(*tm);
      } else {
        return false;
      }
    }
    if (!numbers.empty()) out.push_back({"v.num IN (" + placeholders(numbers.size()) + ")", numbers});
    if (!texts.empty()) out.push_back({"v.str IN (" + placeholders(texts.size()) + ")", texts});
    if (!times.empty()) out.push_back({"v.tm IN (" + placeholders(times.size()) + ")", times});
    return true;
  }
  if (term.number) {
    out.push_back({std::string("v.num ") + sql_op(term.op, true) + " ?", {*term.number}});
    return true;
  }
  if (term.text) {
    text_alternatives(term.op, *term.text, out);
    return true;
  }
  return false;
}

Condition value_condition(int64_t attr, const std::vector<Alternative>& alternatives, int rank) {
  Condition c;
  c.rank = rank;
  std::string unions, ors;
  for (const Alternative& a : alternatives) {
    // One SELECT per alternative so that each can use its own partial index.
    if (!unions.empty()) unions += " UNION ALL ";
    unions += "SELECT v.entity FROM attr_values v WHERE v.attr = ? AND " + a.sql;
    c.driver_params.push_back(attr);
    c.driver_params.insert(c.driver_params.end(), a.params.begin(), a.params.end());
    if (!ors.empty()) ors += " OR ";
    ors += "(" + a.sql + ")";
    c.filter_params.insert(c.filter_params.end(), a.params.begin(), a.params.end());
  }
  c.driver = "e.rowid IN (" + unions + ")";
  c.filter = "EXISTS (SELECT 1 FROM attr_values v WHERE v.entity = e.rowid AND v.attr = ? AND (" + ors + "))";
  c.filter_params.insert(c.filter_params.begin(), attr);
  return c;
}

Condition name_condition(const char* table, const char* column, const std::vector<int64_t>& ids, int rank) {
  Condition c;
  c.rank = rank;
  std::string in = std::string(column) + " IN (" + placeholders(ids.size()) + ")";
  c.driver = std::string("e.rowid IN (SELECT entity FROM ") + table + " WHERE " + in + ")";
  c.filter = std::string("EXISTS (SELECT 1 FROM ") + table + " WHERE " + in + " AND entity = e.rowid)";
  for (int64_t id : ids) c.driver_params.push_back(id);
  c.filter_params = c.driver_params;
  if (ids.size() == 1) {
    c.join_table = table;
    c.join_column = column;
  }
  return c;
}

struct Plan {
  bool no_match = false;          // a name that every match needs was never stored
  std::vector<Condition> conditions;
  std::optional<int64_t> geo_attr;
};

// Term ids of the names that exist; empty when none does.
std::vector<int64_t> known_terms(Db& db, const std::vector<std::string>& iris) {
  std::vector<int64_t> ids;
  for (const auto& iri : iris) {
    if (auto id = lookup_term(db, iri)) ids.push_back(*id);
  }
  return ids;
}

void plan_names(Db& db, const EntityQuery& q, Plan& plan) {
  if (!q.ids.empty()) {
    Condition c;
    c.rank = kIds;
    c.driver = c.filter = "e.id IN (" + placeholders(q.ids.size()) + ")";
    for (const auto& id : q.ids) c.driver_params.push_back(id);
    c.filter_params = c.driver_params;
    plan.conditions.push_back(std::move(c));
  }
  if (!q.types.empty()) {
    auto ids = known_terms(db, q.types);
    if (ids.empty()) plan.no_match = true;
    else plan.conditions.push_back(name_condition("entity_types", "type", ids, kTypes));
  }
  if (!q.attrs.empty()) {
    auto ids = known_terms(db, q.attrs);
    if (ids.empty()) plan.no_match = true;
    else plan.conditions.push_back(name_condition("entity_attrs", "attr", ids, kAttrs));
  }
}

void plan_q(Db& db, const ld::Query& query, Plan& plan) {
  for (const ld::IndexTerm& term : query.index_terms()) {
    std::vector<Alternative> alternatives;
    if (!term_alternatives(term, alternatives)) continue;
    auto attr = lookup_term(db, term.attr);
    if (!attr) {
      plan.no_match = true;  // every match has this attribute
      return;
    }
    bool equal = term.op == ld::IndexTerm::Op::kEq;
    plan.conditions.push_back(value_condition(*attr, alternatives, equal ? kEqualTerm : kOrderTerm));
  }
}

void plan_geo(Db& db, const ld::GeoQuery& geo, Plan& plan) {
  plan.geo_attr = lookup_term(db, geo.geoproperty());
  if (!plan.geo_attr) {
    plan.no_match = true;
    return;
  }
  auto box = geo.search_box();
  if (!box) {
    plan.conditions.push_back(name_condition("entity_attrs", "attr", {*plan.geo_attr}, kGeoAttr));
    return;
  }
  // The rtree stores float32 boxes rounded outwards, so this test keeps
  // every geometry whose true box intersects the search box. The attribute
  // is not tested here: an rtree auxiliary column costs a lookup per row in
  // the box (it made this scan 4x slower), and the exact test in memory
  // checks the attribute of every candidate anyway.
  Condition c;
  c.rank = kGeoBox;
  std::string in_box = "max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?";
  c.driver_params = {box->min_lon, box->max_lon, box->min_lat, box->max_lat};
  if (auto circle = geo.search_circle()) {
    in_box += " AND id MATCH machi_near(?, ?, ?)";
    c.driver_params.insert(c.driver_params.end(), {circle->lon, circle->lat, circle->max_metres});
  }
  c.driver = "e.rowid IN (SELECT id >> 16 FROM geo WHERE " + in_box + ")";
  // As a filter the exact test in memory does the work: the rtree cannot be
  // probed by entity.
  plan.conditions.push_back(std::move(c));
}

// The SQL of a plan: the rows to scan, in entity order, with the parameters
// of the WHERE clause in order.
struct Select {
  std::string from;        // FROM ... WHERE ... for the candidate rows (e = entities)
  std::string order;       // the key to order by
  std::string count_from;  // FROM ... WHERE ... for counting, without the entities table when it can
  std::vector<Param> params;
};

Select build_select(Plan& plan) {
  Select out{" FROM entities e", "e.rowid", " FROM entities e", {}};
  if (plan.conditions.empty()) return out;
  std::stable_sort(plan.conditions.begin(), plan.conditions.end(),
                   [](const Condition& a, const Condition& b) { return a.rank < b.rank; });
  const Condition& driver = plan.conditions[0];
  std::string filters;
  out.params = driver.driver_params;
  for (size_t i = 1; i < plan.conditions.size(); ++i) {
    const Condition& c = plan.conditions[i];
    if (c.filter.empty()) continue;
    filters += " AND " + c.filter;
    out.params.insert(out.params.end(), c.filter_params.begin(), c.filter_params.end());
  }
  if (driver.join_table.empty()) {
    out.from += " WHERE " + driver.driver + filters;
    out.count_from = out.from;
    return out;
  }
  std::string where = " WHERE d." + driver.join_column + " = ?";
  out.from = " FROM " + driver.join_table + " d JOIN entities e ON e.rowid = d.entity" + where + filters;
  out.order = "d.entity";
  // Filters only probe other tables by the entity's rowid (the id list, the
  // one filter that reads entities, always drives), so counting needs no
  // entity row at all.
  std::string count_filters = filters;
  for (size_t at; (at = count_filters.find("e.rowid")) != std::string::npos;) count_filters.replace(at, 7, "d.entity");
  out.count_from = " FROM " + driver.join_table + " d" + where + count_filters;
  return out;
}

Json fetch_doc(Db& db, int64_t rowid) {
  auto rows = select_rows(db.cached("SELECT doc FROM entities WHERE rowid = ?1"), rowid);
  if (!rows.next()) throw Error(ErrorType::kInternalError, "entity row vanished during a read transaction");
  return parse_stored_json(rows->text(0));
}

// The geo rows of an entity have dense ids rowid << 16 | 0, 1, 2 ...
bool geo_matches_rows(Db& db, int64_t rowid, int64_t attr, const ld::GeoQuery& geo) {
  Stmt& stmt = db.cached("SELECT attr, geom FROM geo WHERE id = ?1");
  for (size_t k = 0; k < kMaxGeoInstances; ++k) {
    auto rows = select_rows(stmt, (rowid << kGeoIdBits) | static_cast<int64_t>(k));
    if (!rows.next()) return false;
    if (rows->int64(0) == attr && geo.matches(parse_stored_json(rows->text(1)))) return true;
  }
  return false;
}

std::unique_ptr<RE2> compile_pattern(const std::string& pattern) {
  if (pattern.empty()) return nullptr;
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) throw Error(ErrorType::kBadRequestData, "invalid idPattern: " + re->error());
  return re;
}

// No predicate left for memory: SQL pages and counts by itself, and only the
// returned documents are read.
QueryResult run_in_sql(Db& db, const Select& select, const EntityQuery& q) {
  QueryResult result;
  if (q.limit > 0) {
    Stmt& stmt = db.cached("SELECT e.doc" + select.from + " ORDER BY " + select.order + " LIMIT ? OFFSET ?");
    stmt.clear();
    bind_params(stmt, select.params);
    int n = static_cast<int>(select.params.size());
    stmt.bind(n + 1, static_cast<int64_t>(std::min<size_t>(q.limit, INT64_MAX)));
    stmt.bind(n + 2, static_cast<int64_t>(std::min<size_t>(q.offset, INT64_MAX)));
    Rows rows(stmt);
    while (rows.next()) result.entities.push_back(parse_stored_json(rows->text(0)));
  }
  if (q.count) {
    Stmt& stmt = db.cached("SELECT count(*)" + select.count_from);
    stmt.clear();
    bind_params(stmt, select.params);
    Rows rows(stmt);
    rows.next();
    result.total = static_cast<size_t>(rows->int64(0));
  }
  return result;
}

QueryResult run_in_memory(Db& db, const Select& select, const EntityQuery& q, const Plan& plan, const RE2* pattern) {
  QueryResult result;
  // The document is read with the candidates only when q needs it anyway.
  bool needs_doc = q.q || q.admit;
  std::string sql = std::string("SELECT e.rowid, e.id") + (needs_doc ? ", e.doc" : "") + select.from + " ORDER BY " +
                    select.order;
  Stmt& stmt = db.cached(sql);
  stmt.clear();
  bind_params(stmt, select.params);
  Rows rows(stmt);
  size_t matched = 0;
  while (rows.next()) {
    int64_t rowid = rows->int64(0);
    if (pattern && !RE2::FullMatch(rows->text(1), *pattern)) continue;
    std::optional<Json> doc;
    if (needs_doc) doc = parse_stored_json(rows->text(2));
    if (q.q && !q.q->matches(*doc)) continue;
    if (q.geo) {
      bool hit = doc ? ld::stored_geo_matches(*doc, *q.geo) : geo_matches_rows(db, rowid, *plan.geo_attr, *q.geo);
      if (!hit) continue;
    }
    if (q.admit && !q.admit(*doc)) continue;
    ++matched;
    if (matched > q.offset && result.entities.size() < q.limit) {
      result.entities.push_back(doc ? std::move(*doc) : fetch_doc(db, rowid));
    }
    if (!q.count && result.entities.size() >= q.limit) break;
  }
  if (q.count) result.total = matched;
  return result;
}

}  // namespace

QueryResult run_query(Db& db, const EntityQuery& q) {
  auto pattern = compile_pattern(q.id_pattern);
  if (q.limit == 0 && !q.count) return {};
  ReadSnapshot snapshot(db);
  Plan plan;
  plan_names(db, q, plan);
  if (!plan.no_match && q.q) plan_q(db, *q.q, plan);
  if (!plan.no_match && q.geo) plan_geo(db, *q.geo, plan);
  if (plan.no_match) {
    QueryResult empty;
    if (q.count) empty.total = 0;
    return empty;
  }
  Select select = build_select(plan);
  QueryResult result = (pattern || q.q || q.geo || q.admit) ? run_in_memory(db, select, q, plan, pattern.get())
                                                 : run_in_sql(db, select, q);
  return result;
}

}  // namespace machi::store
