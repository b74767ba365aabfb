// The NGSI-LD query language (ETSI GS CIM 009 V1.8, clause 4.9).
//
// q_parse.cc turns q text into a small tree of AND/OR nodes and terms
// (q_internal.h). Everything that can be decided once is decided at
// parse time (literals are typed and converted, patterns compiled) or at bind
// time (names expanded), so that matches(), which runs for every candidate
// entity of a query, only walks JSON it is given and never allocates.
#include "ld/q.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/time.h"
#include "ld/q_internal.h"

namespace machi::ld {

using namespace q_internal;

namespace {

const std::string kAttrs = "attrs", kType = "type", kValue = "value", kObject = "object",
                  kLanguageMap = "languageMap", kVocab = "vocab", kJsonMember = "json", kValueList = "valueList",
                  kAtValue = "@value";

// ---- binding ----

using Expander = std::function<std::string(std::string_view)>;

void bind_node(Node& node, const Expander& expand) {
  for (Node& child : node.children) bind_node(child, expand);
  if (node.kind != Node::Kind::kTerm) return;
  Term& t = node.term;
  for (size_t k = 0; k < t.path.size(); ++k) {
    Step& step = t.path[k];
    step.member = k > 0 ? member_for(step.name) : nullptr;  // recomputed: a Query may be bound again
    if (step.member) continue;
    step.iri = expand(step.name);
    // A context term for ngsi-ld:observedAt etc. still names the member.
    if (k > 0) step.member = member_for(step.iri);
  }
  for (Literal& lit : t.values) {
    if (lit.kind == Literal::Kind::kString || lit.kind == Literal::Kind::kUri) lit.expanded = expand(lit.text);
  }
}

// ---- evaluation ----

// One stored value against the literal(s): of another type, or false, or true.
enum class Cmp { kMismatch, kFalse, kTrue };

Cmp to_cmp(bool b) { return b ? Cmp::kTrue : Cmp::kFalse; }

template <class T>
bool holds(Op op, const T& stored, const T& literal) {
  switch (op) {
    case Op::kLt: return stored < literal;
    case Op::kLe: return stored <= literal;
    case Op::kGt: return stored > literal;
    case Op::kGe: return stored >= literal;
    default: return stored == literal;  // == and != both test equality; != negates later
  }
}

const Json* find(const Json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// Date-times may be plain strings or {"@type": "DateTime", "@value": "..."}.
const std::string* temporal_text(const Json& v) {
  const Json* s = v.is_object() ? find(v, kAtValue) : &v;
  return s && s->is_string() ? &s->get_ref<const std::string&>() : nullptr;
}

Cmp compare(const Literal& lit, Op op, const Json& v, bool vocab) {
  using K = Literal::Kind;
  switch (lit.kind) {
    case K::kNumber:
      if (!v.is_number()) return Cmp::kMismatch;
      return to_cmp(holds(op, v.get<double>(), lit.number));
    case K::kBool:
      if (!v.is_boolean()) return Cmp::kMismatch;
      return to_cmp(v.get<bool>() == lit.boolean);
    case K::kString:
    case K::kUri: {
      if (!v.is_string()) return Cmp::kMismatch;
      const std::string& s = v.get_ref<const std::string&>();
      if (vocab && (op == Op::kEq || op == Op::kNe) && s == lit.expanded) return Cmp::kTrue;
      return to_cmp(holds<std::string_view>(op, s, lit.text));
    }
    case K::kDateTime:
    case K::kTime: {
      const std::string* s = temporal_text(v);
      if (!s) return Cmp::kMismatch;
      std::optional<int64_t> ms = lit.kind == K::kDateTime ? parse_datetime(*s) : parse_time(*s);
      if (!ms) return Cmp::kMismatch;
      return to_cmp(holds(op, *ms, lit.ms));
    }
  }
  return Cmp::kMismatch;
}

// The positive form of the term (equality for !=, match for !~=) on one value.
Cmp test(const Term& t, const Json& v, bool vocab) {
  if (t.regex) {
    if (!v.is_string()) return Cmp::kMismatch;
    return to_cmp(RE2::PartialMatch(v.get_ref<const std::string&>(), *t.regex));
  }
  if (t.shape == Term::Shape::kRange) {
    Cmp lo = compare(t.values[0], Op::kGe, v, false);
    if (lo == Cmp::kMismatch) return lo;
    return to_cmp(lo == Cmp::kTrue && compare(t.values[1], Op::kLe, v, false) == Cmp::kTrue);
  }
  Cmp result = Cmp::kMismatch;
  for (const Literal& lit : t.values) {  // one literal, or a value list: equal to any
    Cmp c = compare(lit, t.op, v, vocab);
    if (c == Cmp::kTrue) return c;
    if (c == Cmp::kFalse) result = c;
  }
  return result;
}

// What the values under one attribute instance gave: some value satisfied
// the positive test; some value had the literal's type.
struct Tally {
  bool positive = false;
  bool comparable = false;
};

void tally_value(const Term& t, const Json& v, bool vocab, Tally& tally) {
  auto one = [&](const Json& e) {
    Cmp c = test(t, e, vocab);
    tally.comparable |= c != Cmp::kMismatch;
    tally.positive |= c == Cmp::kTrue;
  };
  if (!v.is_array()) return one(v);
  for (const Json& e : v) {
    one(e);
    if (tally.positive) return;
  }
}

void collect_keys(const Term& t, const Json& v, size_t k, bool vocab, bool language_map, Tally& tally) {
  if (tally.positive) return;
  if (k == t.keys.size()) {
    if (t.op == Op::kExists) {
      tally.positive = true;
    } else if (language_map && v.is_object()) {
      for (const Json& text : v) tally_value(t, text, false, tally);
    } else {
      tally_value(t, v, vocab, tally);
    }
    return;
  }
  if (const Json* child = find(v, t.keys[k])) return collect_keys(t, *child, k + 1, vocab, false, tally);
  if (v.is_array()) {
    for (const Json& e : v) collect_keys(t, e, k, vocab, false, tally);  // any element with that key
  }
}

void collect_instance(const Term& t, const Json& inst, size_t step, Tally& tally) {
  if (tally.positive) return;
  if (step < t.path.size()) {
    const Step& s = t.path[step];
    if (s.member) {
      const Json* m = find(inst, *s.member);
      if (m && step + 1 == t.path.size()) collect_keys(t, *m, 0, false, false, tally);
      return;
    }
    const Json* attrs = find(inst, kAttrs);
    const Json* sub = attrs ? find(*attrs, s.iri) : nullptr;
    if (!sub) return;
    if (!sub->is_array()) return collect_instance(t, *sub, step + 1, tally);
    for (const Json& e : *sub) collect_instance(t, e, step + 1, tally);
    return;
  }
  if (t.op == Op::kExists && t.keys.empty()) {
    tally.positive = true;
    return;
  }
  const Json* type = find(inst, kType);
  std::string_view name = type && type->is_string() ? std::string_view(type->get_ref<const std::string&>()) : "";
  const std::string* member = &kValue;
  if (name == "Relationship") member = &kObject;
  else if (name == "LanguageProperty") member = &kLanguageMap;
  else if (name == "VocabProperty") member = &kVocab;
  else if (name == "JsonProperty") member = &kJsonMember;
  else if (name == "ListProperty") member = &kValueList;
  if (const Json* value = find(inst, *member)) {
    collect_keys(t, *value, 0, member == &kVocab, member == &kLanguageMap, tally);
  }
}

bool instance_matches(const Term& t, const Json& inst) {
  Tally tally;
  collect_instance(t, inst, 1, tally);
  if (t.op == Op::kNe || t.op == Op::kNoMatch) return tally.comparable && !tally.positive;
  return tally.positive;
}

bool term_matches(const Term& t, const Json& entity) {
  const Json* attrs = find(entity, kAttrs);
  const Json* instances = attrs ? find(*attrs, t.path[0].iri) : nullptr;
  if (!instances) return false;
  if (!instances->is_array()) return instance_matches(t, *instances);
  for (const Json& inst : *instances) {
    if (instance_matches(t, inst)) return true;
  }
  return false;
}

bool node_matches(const Node& node, const Json& entity) {
  auto child_matches = [&](const Node& c) { return node_matches(c, entity); };
  switch (node.kind) {
    case Node::Kind::kTerm: return term_matches(node.term, entity);
    case Node::Kind::kAnd: return std::all_of(node.children.begin(), node.children.end(), child_matches);
    case Node::Kind::kOr: return std::any_of(node.children.begin(), node.children.end(), child_matches);
  }
  return false;
}

// ---- index terms ----

// A literal as the store compares it; false when it cannot (booleans, times).
bool index_literal(const Literal& lit, std::optional<double>& number, std::optional<std::string>& text) {
  using K = Literal::Kind;
  switch (lit.kind) {
    case K::kNumber: number = lit.number; return true;
    case K::kString:
    case K::kUri: text = lit.text; return true;
    case K::kDateTime: text = format_datetime(lit.ms); return true;
    default: return false;
  }
}

// Appends the literal to any_of: as written, and expanded when that differs.
bool add_any_of(const Literal& lit, std::vector<Json>& any_of) {
  std::optional<double> number;
  std::optional<std::string> text;
  if (!index_literal(lit, number, text)) return false;
  if (number) {
    any_of.emplace_back(*number);
    return true;
  }
  any_of.emplace_back(*text);
  if (lit.kind != Literal::Kind::kDateTime && lit.expanded != lit.text) any_of.emplace_back(lit.expanded);
  return true;
}

std::optional<IndexTerm> index_term(const Term& t) {
  if (t.path.size() != 1 || !t.keys.empty() || t.regex || t.op == Op::kExists || t.op == Op::kNe) return std::nullopt;
  IndexTerm out;
  out.attr = t.path[0].iri;
  if (t.shape == Term::Shape::kRange) {
    out.op = IndexTerm::Op::kRange;
    bool ok = index_literal(t.values[0], out.number, out.text) && index_literal(t.values[1], out.number_hi, out.text_hi);
    return ok ? std::optional(out) : std::nullopt;
  }
  if (t.op == Op::kEq) {
    out.op = IndexTerm::Op::kEq;
    const Literal& lit = t.values[0];
    bool needs_list = t.shape == Term::Shape::kList || (lit.kind != Literal::Kind::kDateTime && lit.expanded != lit.text);
    if (!needs_list) return index_literal(lit, out.number, out.text) ? std::optional(out) : std::nullopt;
    for (const Literal& l : t.values) {
      if (!add_any_of(l, out.any_of)) return std::nullopt;
    }
    return out;
  }
  static constexpr std::pair<Op, IndexTerm::Op> kOrdering[] = {
      {Op::kLt, IndexTerm::Op::kLt}, {Op::kLe, IndexTerm::Op::kLe}, {Op::kGt, IndexTerm::Op::kGt}, {Op::kGe, IndexTerm::Op::kGe}};
  for (auto [op, index_op] : kOrdering) {
    if (op == t.op) out.op = index_op;
  }
  // Ordering on strings compares the literal as written, never expanded.
  return index_literal(t.values[0], out.number, out.text) ? std::optional(out) : std::nullopt;
}

void collect_spine(const Node& node, std::vector<IndexTerm>& out) {
  if (node.kind == Node::Kind::kAnd) {
    for (const Node& c : node.children) collect_spine(c, out);
  } else if (node.kind == Node::Kind::kTerm) {
    if (auto term = index_term(node.term)) out.push_back(std::move(*term));
  }
}

void collect_attributes(const Node& node, std::vector<std::string>& out) {
  if (node.kind != Node::Kind::kTerm) {
    for (const Node& c : node.children) collect_attributes(c, out);
  } else if (!node.term.path.empty()) {
    const std::string& iri = node.term.path[0].iri;
    if (std::find(out.begin(), out.end(), iri) == out.end()) out.push_back(iri);
  }
}

}  // namespace

class QueryExpression {
 public:
  Node root;
  bool bound = false;

  static const QueryExpression& bound_or_throw(const std::shared_ptr<QueryExpression>& e, const char* caller) {
    if (!e || !e->bound) throw Error(ErrorType::kInternalError, std::string("q: ") + caller + " before bind()");
    return *e;
  }
};

Query Query::parse(std::string_view text) {
  Query q;
  q.root_ = std::make_shared<QueryExpression>();
  q.root_->root = parse_expression(text);
  return q;
}

Query& Query::bind(const std::function<std::string(std::string_view)>& expand) {
  if (!root_) throw Error(ErrorType::kInternalError, "q: bind() before parse()");
  // Copies of this Query may be in use elsewhere: bind a private copy.
  auto bound = std::make_shared<QueryExpression>(*root_);
  bind_node(bound->root, expand);
  bound->bound = true;
  root_ = std::move(bound);
  return *this;
}

bool Query::matches(const Json& stored_entity) const {
  return node_matches(QueryExpression::bound_or_throw(root_, "matches()").root, stored_entity);
}

std::vector<IndexTerm> Query::index_terms() const {
  std::vector<IndexTerm> out;
  collect_spine(QueryExpression::bound_or_throw(root_, "index_terms()").root, out);
  return out;
}

std::vector<std::string> Query::attributes() const {
  std::vector<std::string> out;
  collect_attributes(QueryExpression::bound_or_throw(root_, "attributes()").root, out);
  return out;
}

}  // namespace machi::ld
