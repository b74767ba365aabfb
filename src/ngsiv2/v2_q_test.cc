#include "ngsiv2/v2_q.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "ngsiv2/v2_entity.h"

namespace machi::ngsiv2 {
namespace {

const ld::Context& core() {
  static ld::ContextResolver resolver(nullptr, nullptr, {}, "http://localhost");
  static ld::ContextPtr ctx = resolver.core();
  return *ctx;
}

const Json& entity() {
  static const Json stored = entity_to_stored(Json::parse(R"({
    "id": "Room1", "type": "Room",
    "temperature": {"value": 23.5, "metadata": {"accuracy": {"value": 0.5}, "unitCode": {"value": "CEL"}}},
    "status": {"value": "open"},
    "code": {"value": "40"},
    "count": {"value": 40},
    "tags": {"value": ["a", "b"]},
    "active": {"value": true},
    "address": {"value": {"city": "Tokyo", "ward": "Chiyoda", "a.b": 1}},
    "since": {"value": "2026-01-02T00:00:00Z", "type": "DateTime"}
  })"), core(), false, "/", 0);
  return stored;
}

bool q(const std::string& text) { return V2Query::parse(text, V2Query::Kind::kQ).bind(core()).matches(entity()); }
bool mq(const std::string& text) { return V2Query::parse(text, V2Query::Kind::kMq).bind(core()).matches(entity()); }

TEST(V2Q, Comparisons) {
  EXPECT_TRUE(q("temperature>20"));
  EXPECT_FALSE(q("temperature>30"));
  EXPECT_TRUE(q("temperature>=23.5;temperature<=23.5"));
  EXPECT_TRUE(q("temperature<24"));
  EXPECT_TRUE(q("status==open"));
  EXPECT_TRUE(q("status=='open'"));
  EXPECT_FALSE(q("status==closed"));
  EXPECT_TRUE(q("status!=closed"));
  EXPECT_FALSE(q("status!=open"));
  EXPECT_TRUE(q("status==closed,open"));
  EXPECT_FALSE(q("status!=closed,open"));
  EXPECT_TRUE(q("temperature==20..30"));
  EXPECT_FALSE(q("temperature==24..30"));
  EXPECT_TRUE(q("temperature!=24..30"));
  EXPECT_TRUE(q("status==a..z"));
  EXPECT_TRUE(q("active==true"));
  EXPECT_FALSE(q("active==false"));
}

TEST(V2Q, NumbersMatchTextOnEquality) {
  EXPECT_TRUE(q("code==40"));
  EXPECT_TRUE(q("count==40"));
  EXPECT_FALSE(q("count=='40'"));
  EXPECT_TRUE(q("code=='40'"));
  EXPECT_FALSE(q("code>30"));  // a string is not ordered against a number
}

TEST(V2Q, ExistenceArraysCompoundsAndDates) {
  EXPECT_TRUE(q("status"));
  EXPECT_FALSE(q("!status"));
  EXPECT_TRUE(q("!missing"));
  EXPECT_FALSE(q("missing"));
  EXPECT_FALSE(q("missing!=1"));
  EXPECT_TRUE(q("tags==b"));
  EXPECT_FALSE(q("tags!=b"));
  EXPECT_TRUE(q("address.city==Tokyo"));
  EXPECT_TRUE(q("address.'a.b'==1"));
  EXPECT_FALSE(q("address.city==Osaka"));
  EXPECT_TRUE(q("since>2026-01-01T00:00:00Z"));
  EXPECT_FALSE(q("since>2026-01-03"));
  EXPECT_TRUE(q("dateCreated<2000-01-01T00:00:00Z"));  // created at time 0
  EXPECT_TRUE(q("status~=^op"));
  EXPECT_FALSE(q("status~=^cl"));
  EXPECT_TRUE(q("status~=(?i)OPEN"));
}

TEST(V2Q, Metadata) {
  EXPECT_TRUE(mq("temperature.accuracy<1"));
  EXPECT_FALSE(mq("temperature.accuracy>1"));
  EXPECT_TRUE(mq("temperature.unitCode==CEL"));
  EXPECT_TRUE(mq("temperature.accuracy"));
  EXPECT_TRUE(mq("!temperature.nothing"));
  EXPECT_THROW(V2Query::parse("temperature", V2Query::Kind::kMq), Error);
}

TEST(V2Q, SyntaxErrors) {
  for (const char* text : {"", ";", "a==", "==1", "a=1", "a>1,2", "a>1..2", "a=='x", "a~=(", "a b==1", "a;;b",
                           "a.==1"}) {
    EXPECT_THROW(V2Query::parse(text, V2Query::Kind::kQ), Error) << text;
  }
  EXPECT_THROW(V2Query::parse(std::string(9000, 'a'), V2Query::Kind::kQ), Error);
}

TEST(V2Q, LdPrefilterKeepsOnlyWhatNgsiLdReadsTheSame) {
  auto pre = [](const char* text) { return V2Query::parse(text, V2Query::Kind::kQ).ld_prefilter(); };
  EXPECT_EQ(pre("temperature>20;status==open;count==1..5;a<=-2.5;b>=3"), "temperature>20;count==1..5;a<=-2.5;b>=3");
  EXPECT_EQ(pre("count==40"), "");         // v2 also matches the text "40"
  EXPECT_EQ(pre("a>'20'"), "");            // quoted: text
  EXPECT_EQ(pre("a>1e5;a.b>1;dateCreated>1"), "");
  EXPECT_EQ(pre("x-y>1;!a;a"), "");
  EXPECT_EQ(V2Query::parse("a.b>1", V2Query::Kind::kMq).ld_prefilter(), "");
}

TEST(V2Q, Attributes) {
  auto query = V2Query::parse("temperature>1;status;!x;dateCreated>2020-01-01", V2Query::Kind::kQ).bind(core());
  auto attrs = query.attributes();
  ASSERT_EQ(attrs.size(), 3u);
  EXPECT_EQ(attrs[0], "https://uri.etsi.org/ngsi-ld/default-context/temperature");
}

}  // namespace
}  // namespace machi::ngsiv2
