#include "ngsiv2/v2_q.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "core/error.h"
#include "core/time.h"
#include "ngsiv2/v2_entity.h"

namespace machi::ngsiv2 {

struct Literal {
  std::string text;
  bool quoted = false;
  std::optional<double> number;
  std::optional<bool> boolean;
  std::optional<TimeMs> time;
};

enum class Op { kExists, kNotExists, kEq, kNe, kGt, kLt, kGe, kLe, kMatch };

struct V2Term {
  Op op = Op::kExists;
  std::vector<std::string> path;  // as written, unquoted
  std::string attr_iri, md_iri;   // bound names
  std::vector<Literal> values;    // list for ==/!=, one otherwise
  bool range = false;             // values = {lo, hi}
  std::shared_ptr<RE2> pattern;
};

namespace {

constexpr size_t kMaxText = 8192;
constexpr size_t kMaxTerms = 64;

[[noreturn]] void bad(const std::string& detail) { throw Error(ErrorType::kBadRequestData, detail); }

// Splits at `sep` outside single quotes.
std::vector<std::string> split_outside_quotes(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') quoted = !quoted;
    if (c == sep && !quoted) {
      out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (quoted) bad("unterminated quote in query: " + std::string(text));
  out.push_back(current);
  return out;
}

std::string unquote(const std::string& text) {
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') return text.substr(1, text.size() - 2);
  if (text.find('\'') != std::string::npos) bad("misplaced quote in query: " + text);
  return text;
}

Literal literal(const std::string& raw) {
  if (raw.empty()) bad("empty right-hand side in query");
  Literal lit;
  lit.quoted = raw.front() == '\'';
  lit.text = unquote(raw);
  if (lit.quoted) return lit;
  if (lit.text == "true" || lit.text == "false") {
    lit.boolean = lit.text == "true";
    return lit;
  }
  const char* begin = lit.text.c_str();
  char* end = nullptr;
  if (lit.text.size() < 64) {
    double v = std::strtod(begin, &end);
    if (end == begin + lit.text.size() && std::isfinite(v) && lit.text.find_first_of("xXnN") == std::string::npos) {
      lit.number = v;
    }
  }
  if (!lit.number && lit.text.size() >= 10 && lit.text[4] == '-') lit.time = parse_datetime(lit.text);
  return lit;
}

// The path "a.'b.c'.d" -> {"a", "b.c", "d"}.
std::vector<std::string> parse_path(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& segment : split_outside_quotes(text, '.')) {
    std::string name = unquote(segment);
    if (name.empty()) bad("empty attribute name in query path: " + text);
    out.push_back(name);
  }
  return out;
}

// Finds the operator of a statement outside quotes: position and length.
std::pair<size_t, size_t> find_operator(const std::string& s, Op& op) {
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (c == '=' && next == '=') return (op = Op::kEq, std::make_pair(i, size_t{2}));
    if (c == '!' && next == '=') return (op = Op::kNe, std::make_pair(i, size_t{2}));
    if (c == '~' && next == '=') return (op = Op::kMatch, std::make_pair(i, size_t{2}));
    if (c == '>' && next == '=') return (op = Op::kGe, std::make_pair(i, size_t{2}));
    if (c == '<' && next == '=') return (op = Op::kLe, std::make_pair(i, size_t{2}));
    if (c == '>') return (op = Op::kGt, std::make_pair(i, size_t{1}));
    if (c == '<') return (op = Op::kLt, std::make_pair(i, size_t{1}));
    if (c == '=') bad("unknown operator '=' in query statement: " + s + " (use ==)");
  }
  return {std::string::npos, 0};
}

V2Term parse_statement(const std::string& s, V2Query::Kind kind) {
  V2Term term;
  Op op = Op::kExists;
  auto [at, len] = find_operator(s, op);
  if (at == std::string::npos) {
    std::string path = s;
    term.op = Op::kExists;
    if (!path.empty() && path[0] == '!') {
      term.op = Op::kNotExists;
      path.erase(0, 1);
    }
    term.path = parse_path(path);
  } else {
    term.op = op;
    term.path = parse_path(s.substr(0, at));
    std::string rhs = s.substr(at + len);
    if (rhs.empty()) bad("empty right-hand side in query statement: " + s);
    if (op == Op::kMatch) {
      std::string pattern = unquote(rhs);
      RE2::Options options;
      options.set_log_errors(false);
      options.set_max_mem(1 << 20);
      term.pattern = std::make_shared<RE2>(pattern, options);
      if (!term.pattern->ok()) bad("invalid pattern in query: " + term.pattern->error());
    } else {
      split_outside_quotes(rhs, '\0');  // validates the quotes
      size_t dots = std::string::npos;
      bool quoted = false;
      for (size_t i = 0; i + 1 < rhs.size(); ++i) {
        if (rhs[i] == '\'') quoted = !quoted;
        if (!quoted && rhs[i] == '.' && rhs[i + 1] == '.') {
          dots = i;
          break;
        }
      }
      if (dots != std::string::npos) {
        if (op != Op::kEq && op != Op::kNe) bad("ranges are only allowed with == and !=: " + s);
        term.range = true;
        term.values.push_back(literal(rhs.substr(0, dots)));
        term.values.push_back(literal(rhs.substr(dots + 2)));
      } else {
        for (const auto& item : split_outside_quotes(rhs, ',')) term.values.push_back(literal(item));
        if (term.values.size() > 1 && op != Op::kEq && op != Op::kNe) {
          bad("lists are only allowed with == and !=: " + s);
        }
      }
    }
  }
  size_t min = kind == V2Query::Kind::kMq ? 2 : 1;
  if (term.path.size() < min) bad("a metadata query needs attribute.metadata: " + s);
  for (const auto& name : {term.path[0], kind == V2Query::Kind::kMq ? term.path[1] : term.path[0]}) {
    if (!valid_identifier(name)) bad("invalid characters in query attribute name: " + name);
  }
  return term;
}

// The member of an instance that holds its value, as stored.
const Json* main_value(const Json& instance) {
  for (const char* member : {"value", "object", "languageMap", "vocab", "json", "valueList", "objectList"}) {
    auto it = instance.find(member);
    if (it != instance.end()) return &*it;
  }
  return nullptr;
}

// Compares a value with a literal: <0, 0, >0, or nullopt when incomparable.
std::optional<int> compare(const Json& v, const Literal& lit, bool equality) {
  if (v.is_number() && lit.number) {
    double a = v.get<double>();
    return a < *lit.number ? -1 : (a > *lit.number ? 1 : 0);
  }
  if (v.is_boolean() && lit.boolean) return v.get<bool>() == *lit.boolean ? 0 : 1;
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  if (lit.time) {
    if (auto t = parse_datetime(s)) return *t < *lit.time ? -1 : (*t > *lit.time ? 1 : 0);
  }
  if (lit.boolean && !equality) return std::nullopt;
  if (lit.number && !equality) return std::nullopt;
  int c = s.compare(lit.text);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool scalar_matches(const Json& v, const V2Term& term) {
  switch (term.op) {
    case Op::kEq:
    case Op::kNe: {
      if (term.range) {
        auto lo = compare(v, term.values[0], false);
        auto hi = compare(v, term.values[1], false);
        return lo && hi && *lo >= 0 && *hi <= 0;
      }
      for (const auto& lit : term.values) {
        auto c = compare(v, lit, true);
        if (c && *c == 0) return true;
      }
      return false;
    }
    case Op::kGt:
    case Op::kLt:
    case Op::kGe:
    case Op::kLe: {
      auto c = compare(v, term.values[0], false);
      if (!c) return false;
      if (term.op == Op::kGt) return *c > 0;
      if (term.op == Op::kLt) return *c < 0;
      if (term.op == Op::kGe) return *c >= 0;
      return *c <= 0;
    }
    case Op::kMatch:
      return v.is_string() && RE2::PartialMatch(v.get_ref<const std::string&>(), *term.pattern);
    default:
      return false;
  }
}

// Evaluates a comparison on a selected value (arrays: any element).
bool value_matches(const Json& v, const V2Term& term) {
  if (term.op == Op::kNe) {
    // Holds when no element equals (as == would select).
    V2Term eq = term;
    eq.op = Op::kEq;
    if (v.is_array()) {
      return std::none_of(v.begin(), v.end(), [&](const Json& e) { return scalar_matches(e, eq); });
    }
    return !scalar_matches(v, eq);
  }
  if (v.is_array()) return std::any_of(v.begin(), v.end(), [&](const Json& e) { return scalar_matches(e, term); });
  return scalar_matches(v, term);
}

// Steps into a compound value along path[from..].
const Json* step(const Json* v, const std::vector<std::string>& path, size_t from) {
  for (size_t i = from; v && i < path.size(); ++i) {
    if (!v->is_object()) return nullptr;
    auto it = v->find(path[i]);
    v = it == v->end() ? nullptr : &*it;
  }
  return v;
}

}  // namespace

V2Query V2Query::parse(std::string_view text, Kind kind) {
  if (text.empty()) bad("empty query");
  if (text.size() > kMaxText) bad("query longer than 8 KiB");
  V2Query out;
  out.kind_ = kind;
  out.terms_ = std::make_shared<std::vector<V2Term>>();
  for (const auto& statement : split_outside_quotes(text, ';')) {
    if (statement.empty()) bad("empty statement in query");
    if (out.terms_->size() >= kMaxTerms) bad("more than 64 statements in query");
    out.terms_->push_back(parse_statement(statement, kind));
  }
  return out;
}

V2Query& V2Query::bind(const ld::Context& ctx) {
  auto bound = std::make_shared<std::vector<V2Term>>(*terms_);
  for (V2Term& term : *bound) {
    const std::string& attr = term.path[0];
    if (kind_ == Kind::kQ && (attr == "dateCreated" || attr == "dateModified")) {
      term.attr_iri = attr;
    } else {
      term.attr_iri = ctx.expand(attr);
    }
    if (kind_ == Kind::kMq) {
      const std::string& md = term.path[1];
      bool member = md == "unitCode" || md == "observedAt" || md == "dateCreated" || md == "dateModified";
      term.md_iri = member ? md : ctx.expand(md);
    }
  }
  terms_ = std::move(bound);
  return *this;
}

bool V2Query::matches(const Json& stored) const {
  auto attrs = stored.find("attrs");
  for (const V2Term& term : *terms_) {
    const Json* selected = nullptr;
    if (kind_ == Kind::kQ && (term.attr_iri == "dateCreated" || term.attr_iri == "dateModified")) {
      auto it = stored.find(term.attr_iri == "dateCreated" ? "createdAt" : "modifiedAt");
      selected = it == stored.end() ? nullptr : &*it;
    } else if (attrs != stored.end() && attrs->is_object()) {
      auto it = attrs->find(term.attr_iri);
      const Json* instance = it == attrs->end() ? nullptr : visible_instance(*it);
      if (instance && kind_ == Kind::kQ) {
        selected = step(main_value(*instance), term.path, 1);
      } else if (instance) {
        const std::string& md = term.md_iri;
        if (md == "unitCode" || md == "observedAt" || md == "dateCreated" || md == "dateModified") {
          const char* member = md == "dateCreated" ? "createdAt" : (md == "dateModified" ? "modifiedAt" : md.c_str());
          auto m = instance->find(member);
          selected = m == instance->end() ? nullptr : step(&*m, term.path, 2);
        } else if (auto subs = instance->find("attrs"); subs != instance->end() && subs->is_object()) {
          auto sub = subs->find(md);
          if (sub != subs->end() && sub->is_object()) selected = step(main_value(*sub), term.path, 2);
        }
      }
    }
    bool ok = false;
    if (term.op == Op::kExists) {
      ok = selected != nullptr;
    } else if (term.op == Op::kNotExists) {
      ok = selected == nullptr;
    } else {
      ok = selected != nullptr && value_matches(*selected, term);
    }
    if (!ok) return false;
  }
  return true;
}

namespace {

bool plain_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool plain_number(const Literal& lit) {
  if (lit.quoted || !lit.number || lit.text.empty() || lit.text.size() > 20) return false;
  size_t i = lit.text[0] == '-' ? 1 : 0;
  size_t digits = 0, dots = 0;
  for (; i < lit.text.size(); ++i) {
    char c = lit.text[i];
    if (c == '.') {
      if (++dots > 1 || digits == 0) return false;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    } else {
      ++digits;
    }
  }
  return digits > 0 && lit.text.back() != '.';
}

}  // namespace

std::string V2Query::ld_prefilter() const {
  if (kind_ != Kind::kQ) return "";
  std::string out;
  for (const V2Term& term : *terms_) {
    if (term.path.size() != 1 || !plain_name(term.path[0])) continue;
    const std::string& name = term.path[0];
    if (name == "dateCreated" || name == "dateModified") continue;
    std::string item;
    if (term.op == Op::kEq && term.range && plain_number(term.values[0]) && plain_number(term.values[1])) {
      item = name + "==" + term.values[0].text + ".." + term.values[1].text;
    } else if (!term.range && term.values.size() == 1 && plain_number(term.values[0])) {
      const char* op = term.op == Op::kGt ? ">" : term.op == Op::kLt ? "<" : term.op == Op::kGe ? ">=" : term.op == Op::kLe ? "<=" : nullptr;
      if (op) item = name + op + term.values[0].text;
    }
    if (!item.empty()) out += (out.empty() ? "" : ";") + item;
  }
  return out;
}

std::vector<std::string> V2Query::attributes() const {
  std::vector<std::string> out;
  for (const V2Term& term : *terms_) {
    if (term.attr_iri.empty() || term.attr_iri == "dateCreated" || term.attr_iri == "dateModified") continue;
    if (std::find(out.begin(), out.end(), term.attr_iri) == out.end()) out.push_back(term.attr_iri);
  }
  return out;
}

}  // namespace machi::ngsiv2
