#include "notify/matcher.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace machi::notify {
namespace {

constexpr TimeMs kNow = 1'700'000'000'000;

class MatcherTest : public ::testing::Test {
 protected:
  ld::ContextResolver resolver{nullptr, nullptr, {}, "http://machi.local"};
  ld::ContextPtr core = resolver.core();

  Json entity(const char* text) { return ld::expand_entity(parse_json(text), *core, ld::PayloadKind::kEntity, kNow); }

  Subscription sub(const char* text) {
    Subscription s;
    s.id = "urn:ngsi-ld:Subscription:1";
    s.document = parse_json(text);
    s.bind(*core);
    return s;
  }

  store::EntityChange change(const Json& stored, std::vector<std::string> attrs,
                             store::ChangeKind kind = store::ChangeKind::kUpdated) {
    store::EntityChange c;
    c.seq = 1;
    c.entity_id = stored["id"].get<std::string>();
    c.kind = kind;
    for (auto& a : attrs) c.attrs.push_back(core->expand(a));
    c.time = kNow;
    return c;
  }
};

constexpr const char* kEndpoint = R"("notification": {"endpoint": {"uri": "http://127.0.0.1:9/n"}})";

TEST_F(MatcherTest, SelectsByTypeIdAndPattern) {
  Json room = entity(R"({"id": "urn:ngsi-ld:Room:1", "type": "Room", "temperature": {"type": "Property", "value": 20}})");
  Json lot = entity(R"({"id": "urn:ngsi-ld:Lot:1", "type": "Lot"})");
  auto by_type = sub((std::string(R"({"entities": [{"type": "Room"}], )") + kEndpoint + "}").c_str());
  EXPECT_TRUE(selects_entity(by_type, room));
  EXPECT_FALSE(selects_entity(by_type, lot));
  auto by_id = sub((std::string(R"({"entities": [{"type": "Room", "id": "urn:ngsi-ld:Room:2"}], )") + kEndpoint + "}").c_str());
  EXPECT_FALSE(selects_entity(by_id, room));
  auto by_pattern =
      sub((std::string(R"({"entities": [{"type": "Room", "idPattern": "urn:ngsi-ld:Room:[0-9]+"}], )") + kEndpoint + "}").c_str());
  EXPECT_TRUE(selects_entity(by_pattern, room));
  auto two = sub((std::string(R"({"entities": [{"type": "Room", "id": "urn:x"}, {"type": "Lot"}], )") + kEndpoint + "}").c_str());
  EXPECT_FALSE(selects_entity(two, room));
  EXPECT_TRUE(selects_entity(two, lot));
}

TEST_F(MatcherTest, WatchedAttributesMustHaveChanged) {
  Json room = entity(R"({"id": "urn:ngsi-ld:Room:1", "type": "Room", "temperature": {"type": "Property", "value": 20},
                         "humidity": {"type": "Property", "value": 40}})");
  auto s = sub((std::string(R"({"entities": [{"type": "Room"}], "watchedAttributes": ["temperature"], )") + kEndpoint + "}").c_str());
  EXPECT_TRUE(triggers(s, change(room, {"temperature"}), room, kNow));
  EXPECT_FALSE(triggers(s, change(room, {"humidity"}), room, kNow));
  auto all = sub((std::string(R"({"entities": [{"type": "Room"}], )") + kEndpoint + "}").c_str());
  EXPECT_TRUE(triggers(all, change(room, {"humidity"}), room, kNow));
  // A deletion notifies nobody (the default triggers are creations and updates).
  EXPECT_FALSE(triggers(all, change(room, {"humidity"}, store::ChangeKind::kDeleted), std::nullopt, kNow));
}

TEST_F(MatcherTest, QAndGeoQ) {
  Json warm = entity(R"({"id": "urn:ngsi-ld:Room:1", "type": "Room", "temperature": {"type": "Property", "value": 30},
                        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [139.70, 35.68]}}})");
  Json cold = entity(R"({"id": "urn:ngsi-ld:Room:2", "type": "Room", "temperature": {"type": "Property", "value": 10},
                        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [135.50, 34.69]}}})");
  auto q = sub((std::string(R"({"entities": [{"type": "Room"}], "q": "temperature>25", )") + kEndpoint + "}").c_str());
  EXPECT_TRUE(triggers(q, change(warm, {"temperature"}), warm, kNow));
  EXPECT_FALSE(triggers(q, change(cold, {"temperature"}), cold, kNow));
  auto near = sub((std::string(R"({"entities": [{"type": "Room"}], "geoQ": {"georel": "near;maxDistance==10000",
      "geometry": "Point", "coordinates": [139.70, 35.68]}, )") + kEndpoint + "}").c_str());
  EXPECT_TRUE(triggers(near, change(warm, {"temperature"}), warm, kNow));
  EXPECT_FALSE(triggers(near, change(cold, {"temperature"}), cold, kNow));
}

TEST_F(MatcherTest, ExpiryPauseAndThrottling) {
  Json room = entity(R"({"id": "urn:ngsi-ld:Room:1", "type": "Room", "temperature": {"type": "Property", "value": 20}})");
  auto expired = sub((std::string(R"({"entities": [{"type": "Room"}], "expiresAt": "2020-01-01T00:00:00Z", )") + kEndpoint + "}").c_str());
  EXPECT_EQ(expired.status(kNow), "expired");
  EXPECT_FALSE(triggers(expired, change(room, {"temperature"}), room, kNow));
  auto paused = sub((std::string(R"({"entities": [{"type": "Room"}], "isActive": false, )") + kEndpoint + "}").c_str());
  EXPECT_EQ(paused.status(kNow), "paused");
  EXPECT_FALSE(triggers(paused, change(room, {"temperature"}), room, kNow));
  auto throttled_sub = sub((std::string(R"({"entities": [{"type": "Room"}], "throttling": 5, )") + kEndpoint + "}").c_str());
  EXPECT_FALSE(throttled(throttled_sub, 0, kNow));
  EXPECT_TRUE(throttled(throttled_sub, kNow - 4000, kNow));
  EXPECT_FALSE(throttled(throttled_sub, kNow - 5000, kNow));
}

TEST_F(MatcherTest, InvalidSubscriptionsAreBadRequestData) {
  for (const char* text : {
           R"({"notification": {"endpoint": {"uri": "http://a/"}}})",                              // no entities
           R"({"entities": [{"type": "Room"}]})",                                                    // no notification
           R"({"entities": [{"type": "Room"}], "notification": {"endpoint": {"uri": "ftp://a/"}}})",
           R"({"entities": [{"type": "Room"}], "q": "temperature>>", "notification": {"endpoint": {"uri": "http://a/"}}})",
           R"({"entities": [{"type": "Room"}], "throttling": -1, "notification": {"endpoint": {"uri": "http://a/"}}})",
           R"({"entities": [{"type": "Room"}], "expiresAt": "soon", "notification": {"endpoint": {"uri": "http://a/"}}})",
           R"({"entities": [{"type": "Room"}], "notification": {"format": "x", "endpoint": {"uri": "http://a/"}}})",
           R"({"entities": [{"type": "Room", "idPattern": "("}], "notification": {"endpoint": {"uri": "http://a/"}}})",
       }) {
    try {
      sub(text);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const Error& e) {
      EXPECT_TRUE(e.type() == ErrorType::kBadRequestData || e.type() == ErrorType::kInvalidRequest) << text;
    }
  }
}

TEST(MergePatch, MergesNotificationAndEndpoint) {
  Json doc = parse_json(R"({"id": "urn:s:1", "q": "a>1", "notification": {"format": "keyValues",
      "endpoint": {"uri": "http://a/", "accept": "application/json"}}})");
  merge_patch(doc, parse_json(R"({"q": null, "throttling": 2, "notification": {"endpoint": {"uri": "http://b/"}}})"));
  EXPECT_FALSE(doc.contains("q"));
  EXPECT_EQ(doc["throttling"], 2);
  EXPECT_EQ(doc["notification"]["format"], "keyValues");
  EXPECT_EQ(doc["notification"]["endpoint"]["uri"], "http://b/");
  EXPECT_EQ(doc["notification"]["endpoint"]["accept"], "application/json");
  EXPECT_THROW(merge_patch(doc, parse_json(R"({"id": "urn:s:2"})")), Error);
}

}  // namespace
}  // namespace machi::notify
