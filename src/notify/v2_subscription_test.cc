#include "notify/v2_subscription.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "ngsiv2/v2_entity.h"
#include "ngsiv2/v2_request.h"
#include "notify/matcher.h"

namespace machi::notify {
namespace {

constexpr TimeMs kNow = 1'700'000'000'000;

class V2SubscriptionTest : public ::testing::Test {
 protected:
  ld::ContextResolver resolver{nullptr, nullptr, {}, "http://machi.local"};
  ld::ContextPtr core = resolver.core();

  Json entity(const char* text, const std::string& path = "/") {
    return ngsiv2::entity_to_stored(parse_json(text), *core, false, path, kNow);
  }

  Subscription sub(const std::string& text, const std::string& path = "/#") {
    Subscription s;
    s.dialect = Dialect::kV2;
    s.id = "5f0a0a0a0a0a0a0a0a0a0a0a";
    s.service_path = path;
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

  // The 400 (or 501) that an invalid document gets, as Orion's error name.
  std::string rejection(const std::string& text) {
    try {
      sub(text);
    } catch (const ngsiv2::V2Error& e) {
      return e.name;
    } catch (const Error& e) {
      return e.type() == ErrorType::kBadRequestData ? "BadRequest"
             : e.type() == ErrorType::kOperationNotSupported ? "NotImplemented"
                                                             : "other";
    }
    return "accepted";
  }
};

const std::string kHttp = R"("notification": {"http": {"url": "http://127.0.0.1:9/n"}})";

TEST_F(V2SubscriptionTest, BindsOrionsDocument) {
  Subscription s = sub(R"({"description": "rooms",
    "subject": {"entities": [{"idPattern": "Room.*", "type": "Room"}, {"id": "Car1", "typePattern": "C.*"}],
                "condition": {"attrs": ["temperature"], "expression": {"q": "temperature>20", "mq": "temperature.accuracy<1",
                              "georel": "near;maxDistance:1000", "geometry": "point", "coords": "35.68,139.76"},
                              "alterationTypes": ["entityUpdate"]}},
    "notification": {"httpCustom": {"url": "http://rx:8080/n", "headers": {"X-Auth-Token": "t"}, "qs": {"k": "v w"},
                                    "method": "PUT"},
                     "attrs": ["temperature"], "attrsFormat": "keyValues", "metadata": ["accuracy"]},
    "expires": "2040-01-01T00:00:00Z", "status": "inactive", "throttling": 5})");
  ASSERT_TRUE(s.v2);
  ASSERT_EQ(s.entities.size(), 2u);
  EXPECT_EQ(s.entities[0].type, core->expand("Room"));
  EXPECT_TRUE(s.entities[0].pattern);
  EXPECT_EQ(s.entities[1].id, "Car1");
  EXPECT_TRUE(s.entities[1].type_pattern);
  EXPECT_EQ(s.watched, std::vector<std::string>{core->expand("temperature")});
  EXPECT_TRUE(s.v2->q && s.v2->mq && s.geo);
  EXPECT_FALSE(s.v2->on_create);
  EXPECT_TRUE(s.v2->on_update);
  EXPECT_EQ(s.uri, "http://rx:8080/n");
  EXPECT_EQ(s.v2->method, "PUT");
  EXPECT_EQ(s.v2->attrs_format, "keyValues");
  EXPECT_EQ(s.throttling_ms, 5000);
  EXPECT_FALSE(s.is_active);
  EXPECT_EQ(s.status(kNow), "paused");
  EXPECT_EQ(render_v2_subscription(s, {}, kNow)["status"], "inactive");

  V2Delivery d = v2_notification_request(s, "city_a", "/a");
  EXPECT_EQ(d.method, "PUT");
  EXPECT_EQ(d.url, "http://rx:8080/n?k=v%20w");
  auto header = [&](const std::string& name) {
    for (const auto& [k, v] : d.headers) if (k == name) return v;
    return std::string("(none)");
  };
  EXPECT_EQ(header("Fiware-Service"), "city_a");
  EXPECT_EQ(header("Fiware-ServicePath"), "/a");
  EXPECT_EQ(header("Ngsiv2-AttrsFormat"), "keyValues");
  EXPECT_EQ(header("X-Auth-Token"), "t");
  EXPECT_EQ(header("Fiware-Correlator").size(), 32u);
}

TEST_F(V2SubscriptionTest, RejectsInvalidDocumentsAsOrion) {
  EXPECT_EQ(rejection("{}"), "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": []}, )" + kHttp + "}"), "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A", "idPattern": "B"}]}, )" + kHttp + "}"), "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}})"), "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "notification": {"http": {"url": "ftp://x"}}})"),
            "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"idPattern": "("}]}, )" + kHttp + "}"), "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}], "condition": {"expression": {"q": "a>1,2"}}}, )" + kHttp +
                      "}"),
            "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}], "condition": {"expression": {"georel": "near"}}}, )" +
                      kHttp + "}"),
            "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "bogus": 1, )" + kHttp + "}"), "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "status": "paused", )" + kHttp + "}"), "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "expires": "soon", )" + kHttp + "}"), "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "throttling": -1, )" + kHttp + "}"), "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "notification": {"http": {"url": "http://x/n"},
                         "attrs": ["a"], "exceptAttrs": ["b"]}})"),
            "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "notification": {"http": {"url": "http://x/n"},
                         "attrsFormat": "xml"}})"),
            "BadRequest");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "notification": {"httpCustom": {"url": "http://x/n",
                         "headers": {"Bad Name": "v"}}}})"),
            "BadRequest");
  // Orion features machi does not have: 501, never silently ignored.
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "status": "oneshot", )" + kHttp + "}"), "NotImplemented");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "notification": {"http": {"url": "http://x/n"},
                         "maxFailsLimit": 3}})"),
            "NotImplemented");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "notification": {"mqtt": {"url": "mqtt://x"}}})"),
            "NotImplemented");
  EXPECT_EQ(rejection(R"({"subject": {"entities": [{"id": "A"}]}, "notification": {"httpCustom": {"url": "http://x/n",
                         "payload": "x"}}})"),
            "NotImplemented");
}

TEST_F(V2SubscriptionTest, MatchesConditionExpressionAndServicePath) {
  Subscription s = sub(R"({"subject": {"entities": [{"idPattern": ".*", "type": "Room"}],
                                        "condition": {"attrs": ["temperature"], "expression": {"q": "temperature>20"}}}, )" +
                           kHttp + "}",
                       "/city/#");
  Json warm = entity(R"({"id": "R1", "type": "Room", "temperature": {"value": 25}, "pressure": {"value": 1}})", "/city/a");
  Json cold = entity(R"({"id": "R2", "type": "Room", "temperature": {"value": 15}})", "/city/a");
  Json elsewhere = entity(R"({"id": "R3", "type": "Room", "temperature": {"value": 25}})", "/town");
  EXPECT_TRUE(triggers(s, change(warm, {"temperature"}), warm, kNow));
  EXPECT_FALSE(triggers(s, change(warm, {"pressure"}), warm, kNow));   // not a condition attribute
  EXPECT_FALSE(triggers(s, change(cold, {"temperature"}), cold, kNow));  // q
  EXPECT_FALSE(triggers(s, change(elsewhere, {"temperature"}), elsewhere, kNow));  // service path

  Subscription exact = sub(R"({"subject": {"entities": [{"id": "R1"}]}, )" + kHttp + "}", "/city");
  EXPECT_FALSE(triggers(exact, change(warm, {"temperature"}), warm, kNow));  // /city/a is not /city

  Subscription on_create = sub(R"({"subject": {"entities": [{"typePattern": "Ro.*"}],
                                   "condition": {"alterationTypes": ["entityCreate"]}}, )" + kHttp + "}");
  EXPECT_TRUE(triggers(on_create, change(warm, {"temperature"}, store::ChangeKind::kCreated), warm, kNow));
  EXPECT_FALSE(triggers(on_create, change(warm, {"temperature"}), warm, kNow));

  Subscription geo = sub(R"({"subject": {"entities": [{"type": "Room"}], "condition": {"expression":
                           {"georel": "near;maxDistance:1000", "geometry": "point", "coords": "35.68,139.76"}}}, )" +
                         kHttp + "}");
  Json near = entity(R"({"id": "R4", "type": "Room", "position": {"type": "geo:point", "value": "35.681, 139.761"}})");
  Json far = entity(R"({"id": "R5", "type": "Room", "position": {"type": "geo:point", "value": "34.0, 135.0"}})");
  EXPECT_TRUE(passes_filters(geo, near));  // any geo attribute, as Orion
  EXPECT_FALSE(passes_filters(geo, far));
}

TEST_F(V2SubscriptionTest, RendersNotificationsPerAttrsFormat) {
  Json a = entity(R"({"id": "R1", "type": "Room", "temperature": {"value": 25, "type": "Float",
                     "metadata": {"accuracy": {"value": 0.5}}}, "pressure": {"value": 1000}})", "/city/a");
  Json b = entity(R"({"id": "R2", "type": "Room", "temperature": {"value": 21}})", "/city/b");
  auto render = [&](const std::string& notification) {
    Subscription s = sub(R"({"subject": {"entities": [{"type": "Room"}]}, "notification": )" + notification + "}");
    return render_v2_notifications(s, {a, b}, *core, 100);
  };
  auto normalized = render(R"({"http": {"url": "http://x/n"}})");
  ASSERT_EQ(normalized.size(), 2u);  // one per service path
  EXPECT_EQ(normalized[0].service_path, "/city/a");
  Json body = parse_json(normalized[0].body);
  EXPECT_EQ(body.begin().key(), "subscriptionId");
  EXPECT_EQ(body["subscriptionId"], "5f0a0a0a0a0a0a0a0a0a0a0a");
  EXPECT_EQ(body["data"][0]["id"], "R1");
  EXPECT_EQ(body["data"][0]["temperature"]["type"], "Float");
  EXPECT_EQ(body["data"][0]["temperature"]["metadata"]["accuracy"]["value"], 0.5);

  Json kv = parse_json(render(R"({"http": {"url": "http://x/n"}, "attrsFormat": "keyValues", "attrs": ["temperature"]})")[0].body);
  EXPECT_EQ(kv["data"][0], parse_json(R"({"id": "R1", "type": "Room", "temperature": 25})"));

  Json values = parse_json(render(R"({"http": {"url": "http://x/n"}, "attrsFormat": "values",
                                      "attrs": ["pressure", "temperature"]})")[0].body);
  EXPECT_EQ(values["data"][0], parse_json("[1000, 25]"));

  Json except = parse_json(render(R"({"http": {"url": "http://x/n"}, "attrsFormat": "keyValues",
                                      "exceptAttrs": ["temperature"]})")[0].body);
  EXPECT_EQ(except["data"][0], parse_json(R"({"id": "R1", "type": "Room", "pressure": 1000})"));

  Json no_metadata = parse_json(render(R"({"http": {"url": "http://x/n"}, "metadata": ["unitCode"]})")[0].body);
  EXPECT_FALSE(no_metadata["data"][0]["temperature"]["metadata"].contains("accuracy"));
}

TEST_F(V2SubscriptionTest, ReadBackShowsOrionsStatusMembers) {
  Subscription s = sub(R"({"subject": {"entities": [{"id": "R1", "type": "Room"}]}, )" + kHttp +
                       R"(, "expires": "2020-01-01T00:00:00Z"})");
  DeliveryStatus status;
  status.record_attempt(true, 204, kNow - 10, kNow);
  status.record_attempt(false, 0, kNow, kNow + 1);
  Json out = render_v2_subscription(s, status, kNow);
  EXPECT_EQ(out["id"], s.id);
  EXPECT_EQ(out["status"], "expired");
  EXPECT_EQ(out["subject"]["condition"]["attrs"], Json::array());
  const Json& n = out["notification"];
  EXPECT_EQ(n["timesSent"], 2);
  EXPECT_EQ(n["lastSuccessCode"], 204);
  EXPECT_EQ(n["failsCounter"], 1);
  EXPECT_TRUE(n.contains("lastFailureReason"));
  EXPECT_EQ(n["attrsFormat"], "normalized");
  EXPECT_EQ(n["http"]["url"], "http://127.0.0.1:9/n");

  Json back = out;
  strip_v2_status_members(back);
  EXPECT_FALSE(back.contains("id"));
  EXPECT_FALSE(back["notification"].contains("timesSent"));
  EXPECT_FALSE(back.contains("status"));  // "expired" is derived
  EXPECT_TRUE(is_v2_subscription_id(new_v2_subscription_id()));
  EXPECT_FALSE(is_v2_subscription_id("urn:ngsi-ld:Subscription:1"));
}

TEST_F(V2SubscriptionTest, SurvivesItsRecord) {
  Subscription s = sub(R"({"subject": {"entities": [{"id": "R1"}]}, )" + kHttp + "}", "/a/#");
  Subscription back = Subscription::from_record(s.to_record());
  EXPECT_EQ(back.dialect, Dialect::kV2);
  EXPECT_EQ(back.service_path, "/a/#");
  back.bind(*core);
  EXPECT_TRUE(back.v2);
}

}  // namespace
}  // namespace machi::notify
