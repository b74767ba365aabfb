#include "ld/q.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <string>

#include "core/error.h"

// Counts heap allocations, to check that matches() makes none.
std::atomic<long> g_allocations{0};
void* operator new(size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace machi::ld {
namespace {

// Stands in for Context::expand: IRIs stay, "ex:" is a prefix, and any other
// term goes under https://ex.org/ (like @vocab).
std::string expand(std::string_view term) {
  if (term.find("://") != std::string_view::npos || term.starts_with("urn:")) return std::string(term);
  if (term.starts_with("ex:")) return "https://ex.org/" + std::string(term.substr(3));
  return "https://ex.org/" + std::string(term);
}

Query bound(std::string_view text) {
  Query q = Query::parse(text);
  q.bind(expand);
  return q;
}

// One entity in stored form with an attribute of every kind.
const Json& entity() {
  static const Json e = Json::parse(R"({
    "id": "urn:ngsi-ld:Station:1",
    "type": ["https://ex.org/Station"],
    "createdAt": "2026-01-01T00:00:00.000Z",
    "modifiedAt": "2026-01-01T00:00:00.000Z",
    "attrs": {
      "https://ex.org/temperature": [{
        "type": "Property", "value": 21.5, "unitCode": "CEL", "observedAt": "2018-12-04T12:00:00.000Z",
        "createdAt": "2026-01-01T00:00:00.000Z", "modifiedAt": "2026-01-02T00:00:00.000Z",
        "attrs": {
          "https://ex.org/accuracy": {"type": "Property", "value": 0.5},
          "https://ex.org/sensor": {"type": "Relationship", "object": "urn:ngsi-ld:Sensor:1"}
        }
      }],
      "https://ex.org/count": [{"type": "Property", "value": 7}],
      "https://ex.org/name": [{"type": "Property", "value": "デモ市中央駅"}],
      "https://ex.org/status": [{"type": "Property", "value": "open"}],
      "https://ex.org/active": [{"type": "Property", "value": true}],
      "https://ex.org/opened": [{"type": "Property", "value": "2020-04-01T09:00:00Z"}],
      "https://ex.org/checked": [{"type": "Property", "value": {"@type": "DateTime", "@value": "2021-01-01T00:00:00Z"}}],
      "https://ex.org/openTime": [{"type": "Property", "value": "09:30:00Z"}],
      "https://ex.org/tags": [{"type": "Property", "value": ["a", "b", "c"]}],
      "https://ex.org/scores": [{"type": "Property", "value": [1, 5, 9]}],
      "https://ex.org/address": [{"type": "Property", "value": {
        "streetAddress": "1-1 Chuo", "postalCode": "100-0001", "geo": {"lat": 35.6},
        "floors": [{"n": 1}, {"n": 2}]}}],
      "https://ex.org/speed": [
        {"type": "Property", "value": 50, "datasetId": "urn:ds:gps"},
        {"type": "Property", "value": 80, "datasetId": "urn:ds:radar"}],
      "https://ex.org/refParking": [{"type": "Relationship", "object": "urn:ngsi-ld:Parking:1"}],
      "https://ex.org/refStops": [{"type": "Relationship", "object": ["urn:ngsi-ld:Stop:1", "urn:ngsi-ld:Stop:2"]}],
      "https://ex.org/label": [{"type": "LanguageProperty", "languageMap": {"en": "Central Station", "ja": "中央駅"}}],
      "https://ex.org/category": [{"type": "VocabProperty", "vocab": "https://ex.org/Commercial"}],
      "https://ex.org/config": [{"type": "JsonProperty", "json": {"mode": "eco", "level": 3}}],
      "https://ex.org/readings": [{"type": "ListProperty", "valueList": [10, 20, 30]}],
      "https://ex.org/location": [{"type": "GeoProperty", "value": {"type": "Point", "coordinates": [139.7, 35.6]}}],
      "https://ex.org/code": [{"type": "Property", "value": "12"}],
      "https://ex.org/v1.2/rating": [{"type": "Property", "value": 4}],
      "https://ex.org/empty": [{"type": "Property", "value": []}],
      "https://ex.org/quoted": [{"type": "Property", "value": "say \"hi\"\\now"}]
    }
  })");
  return e;
}

struct MatchCase {
  const char* q;
  bool expected;
};

void PrintTo(const MatchCase& c, std::ostream* os) { *os << c.q << " -> " << c.expected; }

class MatchTest : public testing::TestWithParam<MatchCase> {};

TEST_P(MatchTest, AgainstEntity) {
  const MatchCase& c = GetParam();
  EXPECT_EQ(bound(c.q).matches(entity()), c.expected) << c.q;
}

const MatchCase kMatchCases[] = {
    // existence
    {"temperature", true},
    {"humidity", false},
    {"temperature.accuracy", true},
    {"temperature.precision", false},
    {"temperature.observedAt", true},
    {"count.observedAt", false},
    {"address[postalCode]", true},
    {"address[country]", false},
    {"empty", true},
    // numbers, every operator
    {"temperature==21.5", true},
    {"temperature==21", false},
    {"temperature!=21", true},
    {"temperature!=21.5", false},
    {"temperature>21", true},
    {"temperature>21.5", false},
    {"temperature>=21.5", true},
    {"temperature<22", true},
    {"temperature<21.5", false},
    {"temperature<=21.5", true},
    {"count==7", true},
    {"count==7.0", true},
    {"count==7e0", true},
    {"count>-1", true},
    {"count<7E-1", false},
    {"count>0.7e1", false},
    // strings
    {"status==\"open\"", true},
    {"status==\"closed\"", false},
    {"status!=\"closed\"", true},
    {"status!=\"open\"", false},
    {"status>\"n\"", true},
    {"status<\"n\"", false},
    {"status<=\"open\"", true},
    {"name==\"デモ市中央駅\"", true},
    {"quoted==\"say \\\"hi\\\"\\\\now\"", true},
    {"status==\"\\u006fpen\"", true},
    // booleans
    {"active==true", true},
    {"active==false", false},
    {"active!=false", true},
    {"active!=true", false},
    // date-times, dates and times: compared as instants, not as text
    {"opened==2020-04-01T09:00:00Z", true},
    {"opened==2020-04-01T09:00:00.000Z", true},
    {"opened==2020-04-01T18:00:00+09:00", true},
    {"opened>2020-04-01", true},
    {"opened<2020-04-01", false},
    {"opened>=2020-04-01T09:00:00Z", true},
    {"opened<2020-04-01T09:00:01Z", true},
    {"opened!=2020-04-01T09:00:00Z", false},
    {"checked==2021-01-01T00:00:00Z", true},
    {"temperature.observedAt>=2018-12-04T12:00:00Z", true},
    {"temperature.observedAt>2018-12-04T12:00:00Z", false},
    {"openTime>09:00:00Z", true},
    {"openTime<09:00:00", false},
    {"openTime==09:30:00.000Z", true},
    // ranges (inclusive)
    {"temperature==20..22", true},
    {"temperature==21.5..22", true},
    {"temperature==20..21.5", true},
    {"temperature==22..30", false},
    {"temperature!=22..30", true},
    {"temperature!=20..30", false},
    {"status==\"a\"..\"p\"", true},
    {"status==\"p\"..\"z\"", false},
    {"opened==2020-01-01..2020-12-31", true},
    {"opened==2020-04-01T09:00:01Z..2020-12-31T00:00:00Z", false},
    {"openTime==09:00:00Z..10:00:00Z", true},
    // value lists
    {"count==1,7,9", true},
    {"count==1,2,3", false},
    {"count!=1,2,3", true},
    {"count!=1,7", false},
    {"status==\"closed\",\"open\"", true},
    {"status==\"closed\",7", false},
    {"opened==2019-01-01,2020-04-01T09:00:00Z", true},
    // array values: any element for == and ordering, no element for !=
    {"tags==\"b\"", true},
    {"tags==\"d\"", false},
    {"tags!=\"d\"", true},
    {"tags!=\"b\"", false},
    {"scores>8", true},
    {"scores>9", false},
    {"scores==4..6", true},
    {"empty==1", false},
    {"empty!=1", false},
    // logic: ';' binds tighter than '|'
    {"count==7;status==\"open\"", true},
    {"count==7;status==\"closed\"", false},
    {"count==1|status==\"open\"", true},
    {"count==1|status==\"closed\"", false},
    {"count==1;status==\"closed\"|active==true", true},
    {"active==true|count==1;status==\"closed\"", true},
    {"count==1;(status==\"closed\"|active==true)", false},
    {"(count==1|count==7);(status==\"closed\"|active==true)", true},
    {"((((count==7))))", true},
    {"count==7;status==\"open\";active==true;temperature>20", true},
    {"count==0|count==1|count==2|count==7", true},
    // sub-attributes and instance members
    {"temperature.accuracy==0.5", true},
    {"temperature.accuracy>0.5", false},
    {"temperature.unitCode==\"CEL\"", true},
    {"temperature.unitCode==\"FAH\"", false},
    {"temperature.sensor==urn:ngsi-ld:Sensor:1", true},
    {"temperature.modifiedAt==2026-01-02", true},
    {"temperature.https://uri.etsi.org/ngsi-ld/unitCode==\"CEL\"", true},
    {"speed.datasetId==urn:ds:radar", true},
    {"speed.datasetId==urn:ds:other", false},
    // compound values
    {"address[postalCode]==\"100-0001\"", true},
    {"address[streetAddress]~=Chuo", true},
    {"address[geo][lat]>35", true},
    {"address[geo][lat]>36", false},
    {"address[floors][n]==2", true},
    {"address[floors][n]==3", false},
    {"address[postalCode][x]", false},
    {"location[type]==\"Point\"", true},
    {"config[mode]==\"eco\"", true},
    {"config[level]>=3", true},
    // multiple datasetId instances: any instance
    {"speed==80", true},
    {"speed==50", true},
    {"speed>70", true},
    {"speed>90", false},
    {"speed!=50", true},  // the radar instance is not 50
    {"speed!=60", true},
    // relationships
    {"refParking==urn:ngsi-ld:Parking:1", true},
    {"refParking==urn:ngsi-ld:Parking:2", false},
    {"refParking!=urn:ngsi-ld:Parking:2", true},
    {"refParking==\"urn:ngsi-ld:Parking:1\"", true},
    {"refStops==urn:ngsi-ld:Stop:2", true},
    {"refStops!=urn:ngsi-ld:Stop:2", false},
    {"refStops==urn:ngsi-ld:Stop:3,urn:ngsi-ld:Stop:1", true},
    {"refParking~=Parking", true},
    // language, vocab, json, list properties
    {"label==\"中央駅\"", true},
    {"label==\"Central Station\"", true},
    {"label[ja]==\"中央駅\"", true},
    {"label[en]==\"中央駅\"", false},
    {"label~=駅", true},
    {"label!=\"Nowhere\"", true},
    {"category==\"Commercial\"", true},
    {"category==ex:Commercial", true},
    {"category==\"https://ex.org/Commercial\"", true},
    {"category==\"Residential\"", false},
    {"category!=\"Commercial\"", false},
    {"readings==20", true},
    {"readings>25", true},
    {"readings>30", false},
    // missing attributes fail every operator, != included
    {"humidity==1", false},
    {"humidity!=1", false},
    {"humidity!~=x", false},
    {"temperature.precision!=1", false},
    // type mismatches are false, not errors
    {"code==12", false},
    {"code==\"12\"", true},
    {"count==\"7\"", false},
    {"count!=\"7\"", false},
    {"status>5", false},
    {"active==1", false},
    {"status==true", false},
    {"status==2020-04-01", false},
    {"count~=7", false},
    // patterns (RE2, partial match)
    {"name~=駅", true},
    {"name~=^デモ市", true},
    {"name~=東京", false},
    {"name!~=東京", true},
    {"name!~=駅$", false},
    {"status~=(?i)OPEN", true},
    {"status~=^op.n$", true},
    {"status~=\"^(open|closed)$\"", true},
    {"status~=(open|closed);count==7", true},
    {"status~=x|count==7", true},
    {"(status~=^(x|y)$)|count==7", true},
    {"status~=[)]|count==7", true},
    {"status~=o\\;|count==7", true},
    {"tags~=^b$", true},
    {"label~=(?i)central", true},
    // full and compact IRIs as names: dots inside are not path separators
    {"https://ex.org/v1.2/rating==4", true},
    {"https://ex.org/count==7", true},
    {"ex:count==7", true},
    {"ex:count.observedAt", false},  // one name "ex:count.observedAt": no such attribute
    {"https://ex.org/address[postalCode]==\"100-0001\"", true},
};

INSTANTIATE_TEST_SUITE_P(Table, MatchTest, testing::ValuesIn(kMatchCases));

TEST(QueryMatches, DoesNotAllocate) {
  for (const MatchCase& c : kMatchCases) {
    Query q = bound(c.q);
    q.matches(entity());  // warms up RE2's lazily built DFA
    long before = g_allocations.load();
    EXPECT_EQ(q.matches(entity()), c.expected);
    EXPECT_EQ(g_allocations.load() - before, 0) << c.q;
  }
}

struct ErrorCase {
  const char* q;
  const char* detail;  // expected as a substring of the error detail
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.q; }

class ErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ErrorTest, IsBadRequestData) {
  const ErrorCase& c = GetParam();
  try {
    Query::parse(c.q);
    ADD_FAILURE() << "parsed: " << c.q;
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kBadRequestData) << c.q;
    EXPECT_NE(std::string(e.what()).find(c.detail), std::string::npos) << c.q << " -> " << e.what();
  }
}

const ErrorCase kErrorCases[] = {
    {"", "q: the expression is empty"},
    {"temperature 5", "q: expected an operator after 'temperature' at position 11, found ' '"},
    {"temperature=5", "'=' is not an operator (use '==') at position 11"},
    {"temperature!5", "expected an operator after 'temperature' at position 11, found '!'"},
    {"temperature==", "expected a value at position 13, found the end"},
    {"temperature==;a", "expected a value at position 13, found ';'"},
    {"temperature==5 ", "expected ';', '|', ')' or the end after the value at position 14, found ' '"},
    {"temperature==5x", "unquoted value '5x' is not a number"},
    {"status==open", "unquoted value 'open' is not a number, true/false, date-time, time or URI"},
    {"status==\"open", "unterminated string at position 8"},
    {"status==\"a\\qb\"", "invalid escape in string at position 10"},
    {"status==\"\\u12\"", "\\u needs four hex digits"},
    {"status==\"\\ud800\"", "unpaired surrogate"},
    {"==5", "expected an attribute name at position 0, found '='"},
    {";a", "expected an attribute name at position 0"},
    {"a;", "expected an attribute name at position 2, found the end"},
    {"a||b", "expected an attribute name at position 2, found '|'"},
    {"()", "expected an attribute name at position 1, found ')'"},
    {"(a", "expected ')' at position 2, found the end (to close the '(' at position 0)"},
    {"a)", "unmatched ')' at position 1"},
    {"(a))", "unmatched ')' at position 3"},
    {"a..b==1", "empty name in attribute path 'a..b' at position 2"},
    {"a.==1", "empty name in attribute path"},
    {".a==1", "empty name in attribute path '.a' at position 0"},
    {"a[]==1", "empty key in '[]' at position 2"},
    {"a[b==1", "expected ']' at position 3, found '='"},
    {"a[b].c==1", "expected an operator after 'a[b]' at position 4, found '.'"},
    {"a.observedAt.x", "'observedAt' has no sub-attributes at position 13"},
    {"a.unitCode[x]", "'unitCode' has no compound value"},
    {"a>1..5", "a range or value list needs '==' or '!='"},
    {"a<1,2", "a range or value list needs '==' or '!='"},
    {"a>true", "'<', '<=', '>' and '>=' need a number"},
    {"a>urn:x:y", "'<', '<=', '>' and '>=' need a number"},
    {"a==1..\"z\"", "the bounds of a range must both be"},
    {"a==true..false", "unquoted value 'true..false'"},
    {"a==1..", "expected a value at position 6"},
    {"a==1..5,7", "a range cannot be part of a value list at position 7"},
    {"a==1...5", "unquoted value '.5'"},
    {"a==1e999", "number '1e999' out of range"},
    {"a~=", "expected a regular expression at position 3, found the end"},
    {"a~=(x", "invalid regular expression (missing )"},
    {"a~=x(?=y)", "invalid regular expression"},
    {"a~=\"x", "unterminated pattern"},
    {"a~=\"x\"y", "expected ';', '|', ')' or the end after the value"},
    {"a==\"x\"\"y\"", "expected ';', '|', ')' or the end after the value"},
    {"temperature\x01", "control character 0x01 at position 11"},
    {"a==\"\xff\"", "invalid UTF-8 at position 4"},
    {"a==\"\xe3\x81\"", "invalid UTF-8 at position 4"},
    {"name==駅", "unquoted value '駅'"},
    {"a&&b", "expected an operator after 'a' at position 1, found '&'"},
};

INSTANTIATE_TEST_SUITE_P(Table, ErrorTest, testing::ValuesIn(kErrorCases));

TEST(QueryLimits, NestingDepthIsBounded) {
  auto nested = [](int depth) { return std::string(depth, '(') + "count==7" + std::string(depth, ')'); };
  EXPECT_TRUE(bound(nested(32)).matches(entity()));
  try {
    Query::parse(nested(33));
    ADD_FAILURE() << "33 levels parsed";
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kBadRequestData);
    EXPECT_STREQ(e.what(), "q: parentheses nested deeper than 32 at position 32");
  }
  // What a fuzzer would try: no stack overflow, just an error.
  EXPECT_THROW(Query::parse(std::string(8000, '(')), Error);
}

TEST(QueryLimits, LengthIsBounded) {
  std::string q = "count==7";
  while (q.size() <= 8192) q += ";count==7";
  try {
    Query::parse(q);
    ADD_FAILURE() << "too long a query parsed";
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kBadRequestData);
    EXPECT_STREQ(e.what(), "q: the expression is longer than 8192 bytes");
  }
  EXPECT_TRUE(bound(q.substr(0, 8189)).matches(entity()));  // 910 terms, ending on a whole one
}

TEST(QueryLimits, PatternCountIsBounded) {
  std::string q = "status~=o";
  for (int i = 1; i < 32; ++i) q += ";status~=o";
  EXPECT_TRUE(bound(q).matches(entity()));
  EXPECT_THROW(Query::parse(q + ";status~=o"), Error);
}

TEST(QueryLimits, HugePatternIsRejected) {
  // RE2 refuses programs over its memory budget instead of growing without bound.
  EXPECT_THROW(Query::parse("a~=((((((a{100}){100}){100}){100}){100}){100})"), Error);
  EXPECT_THROW(Query::parse("a~=(\\pL{1000}){1000}"), Error);
}

TEST(QueryPatterns, CatastrophicBacktrackingPatternRunsInLinearTime) {
  Json e = Json::parse(R"({"attrs": {"https://ex.org/text": [{"type": "Property", "value": ""}]}})");
  e["attrs"]["https://ex.org/text"][0]["value"] = std::string(100000, 'a') + "!";
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(bound("text~=^(a+)+$").matches(e));
  EXPECT_FALSE(bound("text~=(a|aa)+$;text~=^x").matches(e));
  EXPECT_TRUE(bound("text~=(a|a)+!$").matches(e));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(QueryPatterns, QuotedPatternKeepsRegexEscapes) {
  Json e = Json::parse(R"({"attrs": {"https://ex.org/t": [{"type": "Property", "value": "a|b \"q\" 42;"}]}})");
  EXPECT_TRUE(bound(R"(t~="\d+;")").matches(e));
  EXPECT_TRUE(bound(R"(t~="a\|b")").matches(e));
  EXPECT_TRUE(bound(R"(t~="\"q\"")").matches(e));
  EXPECT_FALSE(bound(R"(t~="^\d")").matches(e));
  EXPECT_FALSE(bound(R"(t~="\\"|t==1)").matches(e));  // a backslash: none in the value
}

TEST(QueryBind, UnboundQueryIsAnInternalError) {
  Query q = Query::parse("count==7");
  try {
    q.matches(entity());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kInternalError);
  }
  EXPECT_THROW(q.index_terms(), Error);
  EXPECT_THROW(Query().bind(expand), Error);
}

TEST(QueryBind, BindingACopyLeavesTheOriginal) {
  Query a = Query::parse("count==7");
  a.bind(expand);
  Query b = a;
  b.bind([](std::string_view t) { return "https://other.org/" + std::string(t); });
  EXPECT_TRUE(a.matches(entity()));
  EXPECT_FALSE(b.matches(entity()));
}

TEST(QueryBind, ContextTermForObservedAtNamesTheMember) {
  auto core = [](std::string_view t) {
    if (t == "seen") return std::string("https://uri.etsi.org/ngsi-ld/observedAt");
    return expand(t);
  };
  Query q = Query::parse("temperature.seen==2018-12-04T12:00:00Z");
  q.bind(core);
  EXPECT_TRUE(q.matches(entity()));
  q.bind(expand);  // bound again: "seen" is now an ordinary sub-attribute
  EXPECT_FALSE(q.matches(entity()));
  EXPECT_TRUE(Query::parse("temperature.seen").bind(core).matches(entity()));
}

// Through the real @context machinery: user terms, the core context's
// observedAt, a compact IRI and a VocabProperty value expanded by @vocab.
TEST(QueryBind, WithAResolvedContext) {
  ContextResolver resolver(nullptr, nullptr, {}, "http://machi.local:1026/");
  ContextPtr ctx = resolver.resolve(Json::parse(R"({"ex": "https://ex.org/", "temperature": "ex:temperature",
                                                    "cat": "ex:category", "@vocab": "https://ex.org/"})"));
  auto matches = [&](const char* text) { return Query::parse(text).bind(*ctx).matches(entity()); };
  EXPECT_TRUE(matches("temperature.observedAt==2018-12-04T12:00:00Z"));
  EXPECT_TRUE(matches("temperature.unitCode==\"CEL\";ex:count==7"));
  EXPECT_TRUE(matches("cat==\"Commercial\""));
  EXPECT_FALSE(matches("cat==\"Residential\""));
  EXPECT_FALSE(matches("humidity"));
}

TEST(QueryMatches, ToleratesOddShapes) {
  for (const char* text : {R"({})", R"({"attrs": 5})", R"({"attrs": {"https://ex.org/a": 5}})",
                           R"({"attrs": {"https://ex.org/a": [5, null, {"type": 3}]}})",
                           R"({"attrs": {"https://ex.org/a": [{"type": "Property", "value": 1, "attrs": []}]}})"}) {
    Json e = Json::parse(text);
    for (const char* q : {"a==1", "a!=2", "a.b==1", "a[k]==1", "a~=x", "a.observedAt"}) {
      EXPECT_NO_THROW(bound(q).matches(e)) << q << " on " << text;
    }
  }
  // A single instance object instead of an array is read as one instance.
  Json single = Json::parse(R"({"attrs": {"https://ex.org/a": {"type": "Property", "value": 1}}})");
  EXPECT_TRUE(bound("a==1").matches(single));
  EXPECT_TRUE(bound("a").matches(Json::parse(R"({"attrs": {"https://ex.org/a": [{"type": "Property"}]}})")));
}

TEST(QueryMatches, ErrorPositionsAreByteOffsets) {
  try {
    Query::parse("名前==x");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "q: unquoted value 'x' is not a number, true/false, date-time, time or URI "
                           "(quote strings with \"...\") at position 8");
  }
}

// ---- index_terms ----

std::vector<IndexTerm> terms(std::string_view q) { return bound(q).index_terms(); }

TEST(QueryIndexTerms, SingleComparisons) {
  auto t = terms("count==7");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].attr, "https://ex.org/count");
  EXPECT_EQ(t[0].op, IndexTerm::Op::kEq);
  EXPECT_EQ(t[0].number, 7.0);
  EXPECT_FALSE(t[0].text);

  t = terms("temperature>=20.5");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].op, IndexTerm::Op::kGe);
  EXPECT_EQ(t[0].number, 20.5);

  t = terms("status<\"m\"");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].op, IndexTerm::Op::kLt);
  EXPECT_EQ(t[0].text, "m");

  t = terms("opened>2020-04-01T18:00:00+09:00");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].op, IndexTerm::Op::kGt);
  EXPECT_EQ(t[0].text, "2020-04-01T09:00:00.000Z");

  t = terms("opened<=2020-04-01");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].op, IndexTerm::Op::kLe);
  EXPECT_EQ(t[0].text, "2020-04-01T00:00:00.000Z");
}

TEST(QueryIndexTerms, StringEqualityListsTheExpandedFormToo) {
  auto t = terms("status==\"open\"");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].op, IndexTerm::Op::kEq);
  EXPECT_EQ(t[0].any_of, (std::vector<Json>{"open", "https://ex.org/open"}));
  t = terms("refParking==urn:ngsi-ld:Parking:1");  // an IRI expands to itself
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].text, "urn:ngsi-ld:Parking:1");
  EXPECT_TRUE(t[0].any_of.empty());
}

TEST(QueryIndexTerms, RangesAndLists) {
  auto t = terms("count==1..9");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].op, IndexTerm::Op::kRange);
  EXPECT_EQ(t[0].number, 1.0);
  EXPECT_EQ(t[0].number_hi, 9.0);

  t = terms("opened==2020-01-01..2020-12-31T23:59:59Z");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].op, IndexTerm::Op::kRange);
  EXPECT_EQ(t[0].text, "2020-01-01T00:00:00.000Z");
  EXPECT_EQ(t[0].text_hi, "2020-12-31T23:59:59.000Z");

  t = terms("status==\"a\"..\"m\"");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].text, "a");
  EXPECT_EQ(t[0].text_hi, "m");

  t = terms("count==1,2,3");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].op, IndexTerm::Op::kEq);
  EXPECT_EQ(t[0].any_of, (std::vector<Json>{1.0, 2.0, 3.0}));

  t = terms("x==urn:a:b,2020-01-01");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].any_of, (std::vector<Json>{"urn:a:b", "2020-01-01T00:00:00.000Z"}));
}

TEST(QueryIndexTerms, OnlyTheTopLevelAndSpine) {
  auto t = terms("count==7;(status==\"x\"|speed>3);temperature<30;(active==true;readings>1)");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].attr, "https://ex.org/count");
  EXPECT_EQ(t[1].attr, "https://ex.org/temperature");
  EXPECT_EQ(t[2].attr, "https://ex.org/readings");
  EXPECT_TRUE(terms("count==7|temperature<30").empty());
  EXPECT_TRUE(terms("(count==7)").size() == 1);
}

TEST(QueryIndexTerms, SkipsWhatAnIndexCannotAnswer) {
  for (const char* q : {"count!=7", "status~=x", "status!~=x", "count", "temperature.accuracy>1", "address[geo]==1",
                        "active==true", "openTime>09:00:00", "count==1,true", "openTime==09:00:00..10:00:00",
                        "temperature.observedAt>2020-01-01"}) {
    EXPECT_TRUE(terms(q).empty()) << q;
  }
}

}  // namespace
}  // namespace machi::ld

namespace machi::ld {
namespace {

TEST(QueryAttributes, TopLevelAttributesOnceInOrder) {
  Query q = bound("(count>1|address[city]==\"x\");count<9;status.observedAt>2020-01-01T00:00:00Z");
  EXPECT_EQ(q.attributes(),
            (std::vector<std::string>{"https://ex.org/count", "https://ex.org/address", "https://ex.org/status"}));
  EXPECT_THROW(Query::parse("a==1").attributes(), Error);  // not bound
}

}  // namespace
}  // namespace machi::ld
