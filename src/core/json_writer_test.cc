#include "core/json_writer.h"

#include <gtest/gtest.h>

namespace machi {
namespace {

std::string dump(const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); }

// Writes v through the writer's member-by-member interface, as a renderer would.
void write(JsonWriter& w, const Json& v) {
  if (v.is_object()) {
    w.begin_object();
    for (const auto& [key, member] : v.items()) {
      w.key(key);
      write(w, member);
    }
    w.end_object();
  } else if (v.is_array()) {
    w.begin_array();
    for (const Json& element : v) write(w, element);
    w.end_array();
  } else if (v.is_string()) {
    w.string(v.get_ref<const std::string&>());
  } else {
    w.value(v);
  }
}

std::string written(const Json& v) {
  std::string out;
  JsonWriter w(out);
  write(w, v);
  return out;
}

TEST(JsonWriter, WritesWhatDumpWrites) {
  for (const char* text : {
           R"({})", R"([])", R"("")", "0", "-1", "1.5", "-2.25e-3", "18446744073709551615", "true", "null",
           R"({"b":[1,2,{}],"a":{"x":[]},"c":[[],[{}]]})",
           R"({"s":"a\"b\\c/d\b\f\n\r\t\u0001\u007f\u00e9\u20ac\ud83d\ude00"})",
           R"({"名前":"まち","emoji😀":["三",{"ü":1e-7}]})",
       }) {
    Json v = Json::parse(text);
    EXPECT_EQ(written(v), dump(v)) << text;
  }
}

TEST(JsonWriter, ValuesWrittenWholeEqualDump) {
  Json v = Json::parse(R"({"type":"Point","coordinates":[139.76,35.68],"s":"\u0000x"})");
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.value(v);
  w.value(v["s"]);
  w.value(Json());
  w.end_array();
  EXPECT_EQ(out, dump(Json::array({v, v["s"], nullptr})));
}

TEST(JsonWriter, ReplacesInvalidUtf8AsDumpDoes) {
  std::string bad = "ok\xff\xfe end";
  Json v = {{bad, bad}, {"list", {bad, 1}}};
  EXPECT_EQ(written(v), dump(v));
  EXPECT_NE(written(v).find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
}

TEST(JsonWriter, AppendsToWhatIsThere) {
  std::string out = "prefix:";
  JsonWriter w(out);
  w.begin_object();
  w.key("a");
  w.string("b");
  w.end_object();
  EXPECT_EQ(out, R"(prefix:{"a":"b"})");
}

}  // namespace
}  // namespace machi
