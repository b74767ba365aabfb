#include "core/stored_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace machi {
namespace {

// Stored documents nest a few levels deeper than the client input they come
// from (which parse_json limits to 64); this only guards the recursion.
constexpr int kMaxDepth = 512;

class Reader {
 public:
  explicit Reader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  Json document() {
    Json out = value(0);
    skip_ws();
    if (p_ != end_) fail("trailing characters");
    return out;
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw Error(ErrorType::kInternalError, std::string("stored JSON is malformed: ") + what);
  }

  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  void expect(char c) {
    skip_ws();
    if (p_ == end_ || *p_ != c) fail("unexpected character");
    ++p_;
  }

  void literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) fail("bad literal");
    p_ += word.size();
  }

  Json value(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    skip_ws();
    if (p_ == end_) fail("unexpected end");
    switch (*p_) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': ++p_; return Json(string());
      case 't': literal("true"); return Json(true);
      case 'f': literal("false"); return Json(false);
      case 'n': literal("null"); return Json(nullptr);
      default: return number();
    }
  }

  // Members are gathered in a scratch vector of this depth, then moved into
  // a vector of the exact size: growing ordered_map's own vector would copy
  // every member at each reallocation (a pair with a const key is not
  // nothrow-movable, so std::vector copies it, value and all).
  Json object(int depth) {
    ++p_;  // '{'
    Json out(Json::value_t::object);
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return out;
    }
    if (scratch_.size() <= static_cast<size_t>(depth)) scratch_.resize(depth + 1);
    size_t first = scratch_[depth].size();  // always 0: each depth has one open object
    for (;;) {
      expect('"');
      std::string key = string();
      expect(':');
      Json v = value(depth + 1);
      scratch_[depth].emplace_back(std::move(key), std::move(v));
      skip_ws();
      if (p_ == end_) fail("unexpected end in an object");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != '}') fail("expected , or }");
      ++p_;
      break;
    }
    // Appended without ordered_map's duplicate search: dump() never writes
    // duplicate keys.
    auto& members = static_cast<Json::object_t::Container&>(out.get_ref<Json::object_t&>());
    auto& gathered = scratch_[depth];
    members.reserve(gathered.size() - first);
    for (size_t i = first; i < gathered.size(); ++i) {
      members.emplace_back(std::move(gathered[i].first), std::move(gathered[i].second));
    }
    gathered.resize(first);
    return out;
  }

  Json array(int depth) {
    ++p_;  // '['
    Json out(Json::value_t::array);
    auto& elements = out.get_ref<Json::array_t&>();
    skip_ws();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return out;
    }
    for (;;) {
      elements.push_back(value(depth + 1));
      skip_ws();
      if (p_ == end_) fail("unexpected end in an array");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != ']') fail("expected , or ]");
      ++p_;
      return out;
    }
  }

  // After the opening quote; leaves p_ after the closing one.
  std::string string() {
    const char* start = p_;
    while (p_ != end_ && *p_ != '"' && *p_ != '\\') {
      if (static_cast<unsigned char>(*p_) < 0x20) fail("control character in a string");
      ++p_;
    }
    if (p_ == end_) fail("unterminated string");
    std::string out(start, p_);
    if (*p_ == '"') {
      ++p_;
      return out;
    }
    for (;;) {  // the slow path: escapes
      if (p_ == end_) fail("unterminated string");
      char c = *p_++;
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (p_ == end_) fail("unterminated escape");
      switch (char e = *p_++) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': unicode_escape(out); break;
        default: (void)e; fail("bad escape");
      }
    }
  }

  unsigned hex4() {
    if (end_ - p_ < 4) fail("short \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = *p_++;
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else fail("bad \\u escape");
    }
    return v;
  }

  void unicode_escape(std::string& out) {
    unsigned cp = hex4();
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') fail("lone surrogate");
      p_ += 2;
      unsigned low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail("bad surrogate pair");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      fail("lone surrogate");
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // RFC 8259 grammar; the kinds follow nlohmann's lexer: an integer that
  // does not fit its 64-bit kind becomes a float.
  Json number() {
    const char* start = p_;
    bool negative = p_ != end_ && *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || !digit(*p_)) fail("bad value");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || !digit(*p_)) fail("bad number");
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !digit(*p_)) fail("bad number");
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (integral) {
      if (negative) {
        int64_t v = 0;
        auto [at, ec] = std::from_chars(start, p_, v);
        if (ec == std::errc() && at == p_) return Json(static_cast<Json::number_integer_t>(v));
      } else {
        uint64_t v = 0;
        auto [at, ec] = std::from_chars(start, p_, v);
        if (ec == std::errc() && at == p_) return Json(static_cast<Json::number_unsigned_t>(v));
      }
    }
    double d = 0;
    auto [at, ec] = std::from_chars(start, p_, d);
    if (at != p_ || (ec != std::errc() && ec != std::errc::result_out_of_range)) fail("bad number");
    if (ec == std::errc::result_out_of_range) d = std::strtod(std::string(start, p_).c_str(), nullptr);
    if (!std::isfinite(d)) fail("number out of range");
    return Json(static_cast<Json::number_float_t>(d));
  }

  const char* p_;
  const char* end_;
  std::vector<std::vector<std::pair<std::string, Json>>> scratch_;  // per depth
};

}  // namespace

Json parse_stored_json(std::string_view text) { return Reader(text).document(); }

}  // namespace machi
