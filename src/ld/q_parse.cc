// The q parser: a hand-written recursive descent over the syntax in q.h.
// Everything that can be decided at parse time is: literals are typed and
// converted, patterns compiled, so that evaluation only compares.
#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "core/error.h"
#include "core/time.h"
#include "ld/context.h"
#include "ld/q_internal.h"

namespace machi::ld::q_internal {
namespace {

constexpr size_t kMaxLength = 8192;
constexpr int kMaxDepth = 32;
constexpr int kMaxPatterns = 32;
// Bounds what one pattern may cost to compile and run (RE2 fails the compile
// of anything larger, which becomes a BadRequestData).
constexpr int64_t kRegexMaxMem = 1 << 20;

const std::string kMembers[] = {"observedAt", "unitCode", "datasetId", "createdAt", "modifiedAt"};

}  // namespace

const std::string* member_for(std::string_view name) {
  if (name.starts_with(kNgsiLdPrefix)) name.remove_prefix(std::strlen(kNgsiLdPrefix));
  for (const std::string& m : kMembers) {
    if (name == m) return &m;
  }
  return nullptr;
}

namespace {


bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_high(char c) { return static_cast<unsigned char>(c) >= 0x80; }

// Attribute names and keys: term characters plus what IRIs need, and any
// non-ASCII text (terms may be Japanese).
bool is_name_byte(char c) {
  return is_alpha(c) || is_digit(c) || is_high(c) || std::strchr("_-.:/#@%+", c) != nullptr;
}

// Unquoted values (numbers, date-times, URIs): up to a delimiter.
bool is_bare_byte(char c) {
  if (is_high(c)) return true;
  if (c <= 0x20 || c == 0x7f) return false;
  return std::strchr("\"();|,[]<>\\{}`^", c) == nullptr;
}

// Length of the valid UTF-8 sequence at s[i], 0 when invalid.
size_t utf8_length(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF8 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};  // shorter forms are overlong
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Error details end up in JSON problem details, which must be valid UTF-8.
std::string sanitize(std::string_view s, size_t max = 40) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_length(s, i);
    if (out.size() + std::max<size_t>(n, 1) > max) return out + "...";
    if (n == 0) {
      out += '?';
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string quote(std::string_view s) { return "'" + sanitize(s) + "'"; }

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) return out.push_back(static_cast<char>(cp));
  int n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  static constexpr unsigned kLead[] = {0, 0, 0xC0, 0xE0, 0xF0};
  out += static_cast<char>(kLead[n] | (cp >> (6 * (n - 1))));
  for (int k = n - 2; k >= 0; --k) out += static_cast<char>(0x80 | ((cp >> (6 * k)) & 0x3F));
}

// JSON-like number syntax: -?digits[.digits][(e|E)[+-]digits].
bool is_number_syntax(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    size_t from = i;
    while (i < t.size() && is_digit(t[i])) ++i;
    return i > from;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (!digits()) return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}


}  // namespace

// "hh:mm:ss[.fff][Z]" -> ms of the day (the NGSI-LD Time type).
std::optional<int64_t> parse_time(std::string_view t) {
  auto two = [&](size_t at) { return (t[at] - '0') * 10 + (t[at + 1] - '0'); };
  if (t.size() < 8 || t[2] != ':' || t[5] != ':') return std::nullopt;
  for (size_t at : {0, 1, 3, 4, 6, 7}) {
    if (!is_digit(t[at])) return std::nullopt;
  }
  int h = two(0), m = two(3), s = two(6);
  if (h > 23 || m > 59 || s > 60) return std::nullopt;
  int64_t ms = 0;
  size_t i = 8;
  if (i < t.size() && t[i] == '.') {
    size_t from = ++i;
    for (int scale = 100; i < t.size() && is_digit(t[i]); ++i, scale /= 10) ms += (t[i] - '0') * scale;
    if (i == from) return std::nullopt;
  }
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) ++i;
  if (i != t.size()) return std::nullopt;
  return ((h * 60 + m) * 60 + s) * 1000LL + ms;
}


namespace {

// scheme ":" something (RFC 3986 scheme syntax); covers URNs and compact IRIs.
bool is_uri(std::string_view t) {
  if (t.empty() || !is_alpha(t[0])) return false;
  size_t i = 1;
  while (i < t.size() && (is_alpha(t[i]) || is_digit(t[i]) || t[i] == '+' || t[i] == '-' || t[i] == '.')) ++i;
  return i < t.size() && t[i] == ':' && i + 1 < t.size();
}

bool is_ordered_kind(Literal::Kind k) {
  using K = Literal::Kind;
  return k == K::kNumber || k == K::kString || k == K::kDateTime || k == K::kTime;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Node parse() {
    check_text();
    Node root = parse_logical(0, '|');
    if (i_ < s_.size()) fail("unmatched ')'", i_);  // terms end only at ';', '|', ')' or the end
    return root;
  }

 private:
  struct Value {
    Literal lo;
    std::optional<Literal> hi;  // set for a range
  };

  [[noreturn]] void fail(const std::string& what, size_t pos, bool with_found = false) const {
    std::string detail = "q: " + what + " at position " + std::to_string(pos);
    if (with_found) detail += ", found " + found(pos);
    throw Error(ErrorType::kBadRequestData, detail);
  }

  std::string found(size_t pos) const {
    if (pos >= s_.size()) return "the end";
    return quote(s_.substr(pos, std::max<size_t>(utf8_length(s_, pos), 1)));
  }

  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool at(std::string_view t) const { return s_.substr(std::min(i_, s_.size())).starts_with(t); }
  bool at_term_end() const { return i_ >= s_.size() || at(';') || at('|') || at(')'); }

  // Everything below may then assume valid UTF-8 without control characters.
  void check_text() const {
    if (s_.empty()) throw Error(ErrorType::kBadRequestData, "q: the expression is empty");
    if (s_.size() > kMaxLength) {
      throw Error(ErrorType::kBadRequestData, "q: the expression is longer than " + std::to_string(kMaxLength) + " bytes");
    }
    for (size_t i = 0; i < s_.size();) {
      auto c = static_cast<unsigned char>(s_[i]);
      if (c < 0x20 || c == 0x7f) {
        static constexpr char kHex[] = "0123456789abcdef";
        fail(std::string("control character 0x") + kHex[c >> 4] + kHex[c & 15], i);
      }
      size_t n = utf8_length(s_, i);
      if (n == 0) fail("invalid UTF-8", i);
      i += n;
    }
  }

  // Or = And *("|" And), And = Primary *(";" Primary): one function for both levels.
  Node parse_logical(int depth, char op) {
    auto operand = [&] { return op == '|' ? parse_logical(depth, ';') : parse_primary(depth); };
    Node first = operand();
    if (!at(op)) return first;
    Node node{op == '|' ? Node::Kind::kOr : Node::Kind::kAnd, {}, {}};
    node.children.push_back(std::move(first));
    while (at(op)) {
      ++i_;
      node.children.push_back(operand());
    }
    return node;
  }

  Node parse_primary(int depth) {
    if (!at('(')) return parse_term();
    // The depth bound keeps the recursion (a few frames per level) far from the stack limit.
    if (depth >= kMaxDepth) fail("parentheses nested deeper than " + std::to_string(kMaxDepth), i_);
    size_t open = i_++;
    Node inner = parse_logical(depth + 1, '|');
    if (!at(')')) {
      throw Error(ErrorType::kBadRequestData, "q: expected ')' at position " + std::to_string(i_) + ", found " +
                                                  found(i_) + " (to close the '(' at position " + std::to_string(open) + ")");
    }
    ++i_;
    return inner;
  }

  Node parse_term() {
    Node node;
    Term& t = node.term;
    parse_attribute(t);
    if (at_term_end()) return node;  // a bare attribute: existence test
    t.op = parse_operator(t);
    if (t.op == Op::kMatch || t.op == Op::kNoMatch) {
      parse_pattern(t);
    } else {
      parse_values(t);
    }
    if (!at_term_end()) fail("expected ';', '|', ')' or the end after the value", i_, true);
    return node;
  }

  void parse_attribute(Term& t) {
    size_t start = i_;
    while (i_ < s_.size() && is_name_byte(s_[i_])) ++i_;
    std::string_view text = s_.substr(start, i_ - start);
    if (text.empty()) fail("expected an attribute name", start, true);
    for (size_t p = 0;;) {
      size_t dot = text.find('.', p);
      std::string_view seg = text.substr(p, dot == std::string_view::npos ? dot : dot - p);
      // A full or compact IRI may contain dots itself: it is taken whole.
      if (seg.find(':') != std::string_view::npos) seg = text.substr(p), dot = std::string_view::npos;
      if (seg.empty()) fail("empty name in attribute path " + quote(text), start + p);
      add_step(t, seg, start + p);
      if (dot == std::string_view::npos) break;
      p = dot + 1;
    }
    while (at('[')) parse_key(t);
    if (t.path.back().member && !t.keys.empty()) fail(quote(t.path.back().name) + " has no compound value", i_);
  }

  void add_step(Term& t, std::string_view name, size_t pos) {
    if (!t.path.empty() && t.path.back().member) fail(quote(t.path.back().name) + " has no sub-attributes", pos);
    Step step;
    step.name = std::string(name);
    if (!t.path.empty()) step.member = member_for(name);
    t.path.push_back(std::move(step));
  }

  void parse_key(Term& t) {
    size_t start = ++i_;
    while (i_ < s_.size() && is_name_byte(s_[i_])) ++i_;
    if (!at(']')) fail("expected ']'", i_, true);
    if (i_ == start) fail("empty key in '[]'", start);
    t.keys.emplace_back(s_.substr(start, i_ - start));
    ++i_;
  }

  Op parse_operator(const Term& t) {
    static constexpr std::pair<std::string_view, Op> kOps[] = {
        {"==", Op::kEq}, {"!=", Op::kNe}, {"!~=", Op::kNoMatch}, {"~=", Op::kMatch},
        {">=", Op::kGe}, {">", Op::kGt},  {"<=", Op::kLe},       {"<", Op::kLt}};
    for (const auto& [text, op] : kOps) {
      if (at(text)) {
        i_ += text.size();
        return op;
      }
    }
    if (at('=')) fail("'=' is not an operator (use '==')", i_);
    std::string attr(s_.substr(0, i_).substr(s_.substr(0, i_).find_last_of(";|(") + 1));
    fail("expected an operator after " + quote(attr), i_, true);
  }

  void parse_values(Term& t) {
    size_t start = i_;
    Value first = parse_value();
    if (first.hi) {
      if (at(',')) fail("a range cannot be part of a value list", i_);
      t.shape = Term::Shape::kRange;
      t.values = {std::move(first.lo), std::move(*first.hi)};
    } else {
      t.values.push_back(std::move(first.lo));
      while (at(',')) {
        size_t pos = ++i_;
        Value next = parse_value();
        if (next.hi) fail("a range cannot be part of a value list", pos);
        t.values.push_back(std::move(next.lo));
      }
      if (t.values.size() > 1) t.shape = Term::Shape::kList;
    }
    bool equality = t.op == Op::kEq || t.op == Op::kNe;
    if (!equality && t.shape != Term::Shape::kSingle) fail("a range or value list needs '==' or '!='", start);
    if (!equality && !is_ordered_kind(t.values[0].kind)) {
      fail("'<', '<=', '>' and '>=' need a number, a quoted string, a date-time or a time", start);
    }
  }

  Value parse_value() {
    size_t start = i_;
    if (at('"')) {
      Literal lo = parse_quoted();
      if (!at("..")) return {std::move(lo), std::nullopt};
      i_ += 2;
      return {std::move(lo), range_end(lo, start)};
    }
    std::string_view token = scan_bare();
    size_t dots = token.find("..");
    if (dots != std::string_view::npos && dots > 0) {
      // "1..5", "2018-01-01..2018-12-31": a range when the left part is a
      // comparable literal; otherwise the dots belong to a URI.
      std::optional<Literal> lo = classify(token.substr(0, dots), start);
      if (lo && is_ordered_kind(lo->kind)) {
        i_ = start + dots + 2;
        return {*lo, range_end(*lo, start)};
      }
    }
    return {bare_literal(token, start), std::nullopt};
  }

  Literal range_end(const Literal& lo, size_t start) {
    size_t pos = i_;
    Literal hi = at('"') ? parse_quoted() : bare_literal(scan_bare(), pos);
    if (lo.kind != hi.kind || !is_ordered_kind(lo.kind)) {
      fail("the bounds of a range must both be numbers, quoted strings, date-times or times", start);
    }
    return hi;
  }

  std::string_view scan_bare() {
    size_t start = i_;
    while (i_ < s_.size() && is_bare_byte(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }

  Literal bare_literal(std::string_view token, size_t pos) {
    if (token.empty()) fail("expected a value", pos, true);
    std::optional<Literal> lit = classify(token, pos);
    if (!lit) {
      fail("unquoted value " + quote(token) +
               " is not a number, true/false, date-time, time or URI (quote strings with \"...\")",
           pos);
    }
    return std::move(*lit);
  }

  std::optional<Literal> classify(std::string_view token, size_t pos) {
    using K = Literal::Kind;
    Literal lit;
    if (token == "true" || token == "false") {
      lit.kind = K::kBool;
      lit.boolean = token == "true";
    } else if (is_number_syntax(token)) {
      lit.kind = K::kNumber;
      auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), lit.number);
      if (ec != std::errc() || end != token.data() + token.size()) fail("number " + quote(token) + " out of range", pos);
    } else if (auto ms = is_digit(token[0]) ? parse_datetime(token) : std::nullopt) {
      lit.kind = K::kDateTime;
      lit.ms = *ms;
      lit.text = std::string(token);
    } else if (auto tod = parse_time(token)) {
      lit.kind = K::kTime;
      lit.ms = *tod;
    } else if (is_uri(token)) {
      lit.kind = K::kUri;
      lit.text = std::string(token);
    } else {
      return std::nullopt;
    }
    return lit;
  }

  // A JSON-style string: \" \\ \/ \b \f \n \r \t \uXXXX (with surrogate pairs).
  Literal parse_quoted() {
    size_t start = i_++;
    Literal lit;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string", start);
      char c = s_[i_++];
      if (c == '"') break;
      if (c != '\\') {
        lit.text += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated string", start);
      char e = s_[i_++];
      static constexpr std::string_view kFrom = "\"\\/bfnrt", kTo = "\"\\/\b\f\n\r\t";
      if (size_t k = kFrom.find(e); k != std::string_view::npos) {
        lit.text += kTo[k];
      } else if (e == 'u') {
        append_utf8(lit.text, parse_unicode_escape());
      } else {
        fail("invalid escape in string", i_ - 2, true);
      }
    }
    return lit;
  }

  // After "\u": four hex digits, and a second \uXXXX for a surrogate pair.
  uint32_t parse_unicode_escape() {
    size_t pos = i_ - 2;
    auto hex4 = [&]() -> uint32_t {
      uint32_t v = 0;
      if (i_ + 4 > s_.size()) fail("\\u needs four hex digits", pos);
      auto [end, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, v, 16);
      if (ec != std::errc() || end != s_.data() + i_ + 4) fail("\\u needs four hex digits", pos);
      i_ += 4;
      return v;
    };
    uint32_t cp = hex4();
    if (cp >= 0xDC00 && cp <= 0xDFFF) fail("unpaired surrogate in \\u escape", pos);
    if (cp < 0xD800 || cp > 0xDBFF) return cp;
    if (!at("\\u")) fail("unpaired surrogate in \\u escape", pos);
    i_ += 2;
    uint32_t low = hex4();
    if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate in \\u escape", pos);
    return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }

  void parse_pattern(Term& t) {
    size_t start = i_;
    std::string pattern = at('"') ? scan_quoted_pattern() : scan_pattern();
    if (pattern.empty()) fail("expected a regular expression", start, true);
    if (++patterns_ > kMaxPatterns) fail("more than " + std::to_string(kMaxPatterns) + " patterns", start);
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(kRegexMaxMem);
    auto re = std::make_shared<const RE2>(pattern, options);
    if (!re->ok()) fail("invalid regular expression (" + sanitize(re->error(), 120) + ")", start);
    t.regex = std::move(re);
  }

  // "..." with only \" unescaped: other backslashes are the regex's own.
  std::string scan_quoted_pattern() {
    size_t start = i_++;
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated pattern", start);
      char c = s_[i_++];
      if (c == '"') return out;
      if (c == '\\' && at('"')) {
        c = s_[i_++];
      } else if (c == '\\' && i_ < s_.size()) {
        out += c;  // the regex's own escape; copying the pair keeps "\\" from escaping the quote
        c = s_[i_++];
      }
      out += c;
    }
  }

  // Unquoted: up to ';', '|' or ')' that are not inside the pattern's own
  // parentheses or character classes and not escaped.
  std::string scan_pattern() {
    size_t start = i_;
    int parens = 0;
    bool in_class = false;
    for (; i_ < s_.size(); ++i_) {
      char c = s_[i_];
      if (c == '\\') {
        if (i_ + 1 < s_.size()) ++i_;
      } else if (in_class) {
        in_class = c != ']';
      } else if (c == '[') {
        in_class = true;
        if (at("[^")) ++i_;
        if (i_ + 1 < s_.size() && s_[i_ + 1] == ']') ++i_;  // "[]...]": a leading ']' is literal
      } else if (c == '(') {
        ++parens;
      } else if (c == ')') {
        if (parens == 0) break;
        --parens;
      } else if ((c == ';' || c == '|') && parens == 0) {
        break;
      }
    }
    return std::string(s_.substr(start, i_ - start));
  }

  std::string_view s_;
  size_t i_ = 0;
  int patterns_ = 0;
};

}  // namespace

Node parse_expression(std::string_view text) { return Parser(text).parse(); }

}  // namespace machi::ld::q_internal
