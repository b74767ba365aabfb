#include "ngsiv2/v2_entity.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "ld/context.h"
#include "ngsiv2/v2_write.h"

namespace machi::ngsiv2 {
namespace {

const ld::Context& core() {
  static ld::ContextResolver resolver(nullptr, nullptr, {}, "http://localhost");
  static ld::ContextPtr ctx = resolver.core();
  return *ctx;
}

const std::string kVocab = "https://uri.etsi.org/ngsi-ld/default-context/";

Json room() {
  return Json::parse(R"({
    "id": "Room1", "type": "Room",
    "temperature": {"value": 23.5, "type": "Float",
                    "metadata": {"accuracy": {"value": 0.5, "type": "Number"},
                                 "unitCode": {"value": "CEL", "type": "Text"},
                                 "TimeInstant": {"value": "2026-01-02T03:04:05Z", "type": "DateTime"}}},
    "pressure": {"value": 720},
    "owner": {"type": "Relationship", "value": "urn:ngsi-ld:Person:1"},
    "location": {"type": "geo:json", "value": {"type": "Point", "coordinates": [139.7, 35.6]}},
    "entrance": {"type": "geo:point", "value": "35.5, 139.5"}
  })");
}

TEST(V2Entity, MapsToStoredForm) {
  Json body = room();
  Json stored = entity_to_stored(body, core(), false, "/Tokyo/Chiyoda", 0);
  EXPECT_EQ(stored["id"], "Room1");
  EXPECT_EQ(stored["type"], Json::array({kVocab + "Room"}));
  EXPECT_EQ(stored["scope"], Json::array({"/Tokyo/Chiyoda"}));
  const Json& t = stored["attrs"][kVocab + "temperature"][0];
  EXPECT_EQ(t["type"], "Property");
  EXPECT_EQ(t["value"], 23.5);
  EXPECT_EQ(t["unitCode"], "CEL");
  EXPECT_EQ(t["observedAt"], "2026-01-02T03:04:05.000Z");
  EXPECT_EQ(t["attrs"][kAttrTypeIri]["value"], "Float");
  EXPECT_EQ(t["attrs"][kVocab + "accuracy"]["value"], 0.5);
  const Json& p = stored["attrs"][kVocab + "pressure"][0];
  EXPECT_FALSE(p.contains("attrs"));  // Number is the default: nothing kept
  const Json& owner = stored["attrs"][kVocab + "owner"][0];
  EXPECT_EQ(owner["type"], "Relationship");
  EXPECT_EQ(owner["object"], "urn:ngsi-ld:Person:1");
  const Json& location = stored["attrs"]["https://uri.etsi.org/ngsi-ld/location"][0];
  EXPECT_EQ(location["type"], "GeoProperty");
  const Json& entrance = stored["attrs"][kVocab + "entrance"][0];
  EXPECT_EQ(entrance["type"], "GeoProperty");
  EXPECT_EQ(entrance["value"]["coordinates"], Json::parse("[139.5, 35.5]"));
}

TEST(V2Entity, RoundTripsWhatAClientWrote) {
  Json body = room();
  Json stored = entity_to_stored(body, core(), false, "/", 0);
  EXPECT_FALSE(stored.contains("scope"));
  Json back = render_entity(stored, core(), {});
  EXPECT_EQ(back["id"], "Room1");
  EXPECT_EQ(back["type"], "Room");
  EXPECT_EQ(back["temperature"]["type"], "Float");
  EXPECT_EQ(back["temperature"]["value"], 23.5);
  EXPECT_EQ(back["temperature"]["metadata"]["accuracy"], Json::parse(R"({"type":"Number","value":0.5})"));
  EXPECT_EQ(back["temperature"]["metadata"]["unitCode"], Json::parse(R"({"type":"Text","value":"CEL"})"));
  EXPECT_EQ(back["temperature"]["metadata"]["TimeInstant"]["type"], "DateTime");
  EXPECT_FALSE(back["temperature"]["metadata"].contains("observedAt"));  // shown as TimeInstant
  EXPECT_EQ(back["pressure"], Json::parse(R"({"type":"Number","value":720,"metadata":{}})"));
  EXPECT_EQ(back["owner"]["type"], "Relationship");
  EXPECT_EQ(back["owner"]["value"], "urn:ngsi-ld:Person:1");
  EXPECT_EQ(back["location"]["type"], "geo:json");
  EXPECT_EQ(back["entrance"]["type"], "geo:point");
  EXPECT_EQ(back["entrance"]["value"], "35.5, 139.5");
}

TEST(V2Entity, KeyValuesValuesAndUnique) {
  Json body = Json::parse(R"({"id": "E1", "type": "T", "a": 1, "b": "x", "c": 1})");
  Json stored = entity_to_stored(body, core(), true, "/", 0);
  RenderOptions kv;
  kv.mode = RenderOptions::Mode::kKeyValues;
  EXPECT_EQ(render_entity(stored, core(), kv), Json::parse(R"({"id":"E1","type":"T","a":1,"b":"x","c":1})"));
  RenderOptions values;
  values.mode = RenderOptions::Mode::kValues;
  values.attrs = {"c", "b"};
  EXPECT_EQ(render_entity(stored, core(), values), Json::parse(R"([1, "x"])"));
  RenderOptions unique;
  unique.mode = RenderOptions::Mode::kUnique;
  EXPECT_EQ(render_entity(stored, core(), unique), Json::parse(R"([1, "x"])"));
}

TEST(V2Entity, DefaultTypes) {
  EXPECT_EQ(default_type_of(Json(1)), "Number");
  EXPECT_EQ(default_type_of(Json("a")), "Text");
  EXPECT_EQ(default_type_of(Json(true)), "Boolean");
  EXPECT_EQ(default_type_of(Json()), "None");
  EXPECT_EQ(default_type_of(Json::object()), "StructuredValue");
  EXPECT_EQ(default_type_of(Json::array()), "StructuredValue");
}

TEST(V2Entity, RejectsForbiddenCharacters) {
  for (const char* id : {"a b", "a<b", "a>b", "a\"b", "a'b", "a=b", "a;b", "a(b", "a)b", ""}) {
    Json body = {{"id", id}, {"type", "T"}};
    EXPECT_THROW(entity_to_stored(body, core(), false, "/", 0), Error) << id;
  }
  EXPECT_THROW(entity_to_stored(Json::parse(R"({"id":"E","type":"T","a(":1})"), core(), true, "/", 0), Error);
  EXPECT_THROW(entity_to_stored(Json::parse(R"({"id":"E","type":"T","a":{"value":1,"x":2}})"), core(), false, "/", 0),
               Error);
  EXPECT_THROW(entity_to_stored(Json::parse(R"({"id":"E","type":"T","a":5})"), core(), false, "/", 0), Error);
  EXPECT_THROW(entity_to_stored(Json::parse(R"({"id":"E","type":"T","l":{"type":"geo:json","value":{"type":"Point"}}})"),
                                core(), false, "/", 0),
               Error);
  EXPECT_THROW(entity_to_stored(Json::parse(R"({"id":5})"), core(), false, "/", 0), Error);
  EXPECT_THROW(entity_to_stored(Json::parse(R"({"type":"T"})"), core(), false, "/", 0), Error);
}

TEST(V2Entity, ReadsNgsiLdEntities) {
  Json stored = Json::parse(R"({
    "id": "urn:ngsi-ld:Shelter:1", "type": ["https://uri.etsi.org/ngsi-ld/default-context/Shelter"],
    "attrs": {
      "https://uri.etsi.org/ngsi-ld/default-context/capacity": [
        {"type": "Property", "value": 120, "unitCode": "C62", "observedAt": "2026-01-01T00:00:00.000Z"},
        {"type": "Property", "value": 5, "datasetId": "urn:d:1"}],
      "https://uri.etsi.org/ngsi-ld/default-context/label": [
        {"type": "LanguageProperty", "languageMap": {"ja": "避難所"}}]
    }})");
  Json v2 = render_entity(stored, core(), {});
  EXPECT_EQ(v2["id"], "urn:ngsi-ld:Shelter:1");
  EXPECT_EQ(v2["type"], "Shelter");
  EXPECT_EQ(v2["capacity"]["value"], 120);  // the default instance
  EXPECT_EQ(v2["capacity"]["metadata"]["unitCode"]["value"], "C62");
  EXPECT_EQ(v2["capacity"]["metadata"]["observedAt"]["type"], "DateTime");
  EXPECT_EQ(v2["label"]["type"], "LanguageProperty");
  EXPECT_EQ(v2["label"]["value"]["ja"], "避難所");
}

TEST(V2Write, UpdateKeepsMetadataAndStrictAppendRefuses) {
  Json stored = entity_to_stored(room(), core(), false, "/", 0);
  Json fragment = attrs_to_fragment(Json::parse(R"({"temperature": {"value": 25}})"), core(), false, 1000);
  AttrChange change = apply_attrs(stored, fragment, AttrMode::kUpdate, false, 1000);
  const Json& t = change.entity["attrs"][kVocab + "temperature"][0];
  EXPECT_EQ(t["value"], 25);
  EXPECT_EQ(t["unitCode"], "CEL");
  EXPECT_TRUE(t["attrs"].contains(kVocab + "accuracy"));
  EXPECT_FALSE(t["attrs"].contains(kAttrTypeIri));  // now a plain Number
  AttrChange overridden = apply_attrs(stored, fragment, AttrMode::kUpdate, true, 1000);
  EXPECT_FALSE(overridden.entity["attrs"][kVocab + "temperature"][0].contains("unitCode"));
  Json missing = attrs_to_fragment(Json::parse(R"({"nothing": 1})"), core(), true, 1000);
  EXPECT_EQ(apply_attrs(stored, missing, AttrMode::kUpdate, false, 1000).missing.size(), 1u);
  EXPECT_EQ(apply_attrs(stored, fragment, AttrMode::kAppendStrict, false, 1000).existing.size(), 1u);
  AttrChange replaced = apply_attrs(stored, missing, AttrMode::kReplace, false, 1000);
  EXPECT_EQ(replaced.entity["attrs"].size(), 1u);
}

}  // namespace
}  // namespace machi::ngsiv2
