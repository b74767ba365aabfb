#include "ld/entity.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace machi::ld {
namespace {

const std::string kVocab = "https://uri.etsi.org/ngsi-ld/default-context/";
const std::string kNgsi = "https://uri.etsi.org/ngsi-ld/";
constexpr TimeMs kNow = 1767225600000;  // 2026-01-01T00:00:00.000Z
const std::string kStamp = "2026-01-01T00:00:00.000Z";

Json J(const char* text) { return Json::parse(text); }

class EntityTest : public ::testing::Test {
 protected:
  ContextResolver resolver{nullptr, nullptr, {}, "http://machi.local"};
  const Context& core = *resolver.core();

  Json expand(const Json& payload, PayloadKind kind = PayloadKind::kEntity) {
    return expand_entity(payload, core, kind, kNow);
  }
  Json render(const Json& stored, Format format, bool sys_attrs = false, std::vector<std::string> attrs = {},
              std::string lang = "") {
    RenderOptions options;
    options.format = format;
    options.sys_attrs = sys_attrs;
    options.attrs = std::move(attrs);
    options.lang = std::move(lang);
    return render_entity(stored, core, options);
  }
  // The detail of the BadRequestData error that expanding payload throws.
  std::string error_detail(const Json& payload, PayloadKind kind = PayloadKind::kEntity) {
    try {
      expand(payload, kind);
    } catch (const Error& e) {
      EXPECT_EQ(e.type(), ErrorType::kBadRequestData) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "accepted: " << payload.dump();
    return "";
  }
};

const char* kParking = R"({
  "id": "urn:ngsi-ld:OffStreetParking:Downtown1",
  "type": "OffStreetParking",
  "scope": "/Tokyo/Chiyoda",
  "name": {"type": "Property", "value": "千代田駐車場"},
  "availableSpotNumber": {"type": "Property", "value": 121, "observedAt": "2026-01-01T08:00:00.000Z", "unitCode": "C62",
    "reliability": {"type": "Property", "value": 0.7},
    "providedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Camera:C1"}},
  "isNear": {"type": "Relationship", "object": ["urn:ngsi-ld:Station:1", "urn:ngsi-ld:Station:2"], "objectType": "Station"},
  "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [139.75, 35.69]}},
  "street": {"type": "LanguageProperty", "languageMap": {"ja": "大手町", "en": "Otemachi"}},
  "category": {"type": "VocabProperty", "vocab": "Public"},
  "config": {"type": "JsonProperty", "json": {"a": [1, 2], "type": "x"}},
  "history": {"type": "ListProperty", "valueList": [1, 2, 3]},
  "operators": {"type": "ListRelationship", "objectList": [{"object": "urn:ngsi-ld:Org:1"}]},
  "address": {"type": "Property", "value": {"streetAddress": "丸の内1-1"}}
})";

const char* kParkingConcise = R"({
  "id": "urn:ngsi-ld:OffStreetParking:Downtown1",
  "type": "OffStreetParking",
  "scope": "/Tokyo/Chiyoda",
  "name": "千代田駐車場",
  "availableSpotNumber": {"value": 121, "observedAt": "2026-01-01T08:00:00.000Z", "unitCode": "C62",
    "reliability": 0.7, "providedBy": {"object": "urn:ngsi-ld:Camera:C1"}},
  "isNear": {"object": ["urn:ngsi-ld:Station:1", "urn:ngsi-ld:Station:2"], "objectType": "Station"},
  "location": {"type": "Point", "coordinates": [139.75, 35.69]},
  "street": {"languageMap": {"ja": "大手町", "en": "Otemachi"}},
  "category": {"vocab": "Public"},
  "config": {"json": {"a": [1, 2], "type": "x"}},
  "history": {"valueList": [1, 2, 3]},
  "operators": {"objectList": [{"object": "urn:ngsi-ld:Org:1"}]},
  "address": {"value": {"streetAddress": "丸の内1-1"}}
})";

const char* kParkingKeyValues = R"({
  "id": "urn:ngsi-ld:OffStreetParking:Downtown1",
  "type": "OffStreetParking",
  "scope": "/Tokyo/Chiyoda",
  "name": "千代田駐車場",
  "availableSpotNumber": 121,
  "isNear": ["urn:ngsi-ld:Station:1", "urn:ngsi-ld:Station:2"],
  "location": {"type": "Point", "coordinates": [139.75, 35.69]},
  "street": {"ja": "大手町", "en": "Otemachi"},
  "category": "Public",
  "config": {"a": [1, 2], "type": "x"},
  "history": [1, 2, 3],
  "operators": [{"object": "urn:ngsi-ld:Org:1"}],
  "address": {"streetAddress": "丸の内1-1"}
})";

TEST_F(EntityTest, StoredForm) {
  Json stored = expand(J(kParking));
  EXPECT_EQ(stored.at("id"), "urn:ngsi-ld:OffStreetParking:Downtown1");
  EXPECT_EQ(stored.at("type"), Json::array({kVocab + "OffStreetParking"}));
  EXPECT_EQ(stored.at("scope"), Json::array({"/Tokyo/Chiyoda"}));
  EXPECT_EQ(stored.at("createdAt"), kStamp);
  EXPECT_EQ(stored.at("modifiedAt"), kStamp);
  const Json& attrs = stored.at("attrs");
  EXPECT_EQ(attrs.size(), 10u);
  const Json& spots = attrs.at(kVocab + "availableSpotNumber");
  ASSERT_EQ(spots.size(), 1u);
  EXPECT_EQ(spots[0].at("type"), "Property");
  EXPECT_EQ(spots[0].at("value"), 121);
  EXPECT_EQ(spots[0].at("createdAt"), kStamp);
  EXPECT_EQ(spots[0].at("attrs").at(kVocab + "reliability").at("value"), 0.7);
  EXPECT_EQ(spots[0].at("attrs").at(kVocab + "reliability").at("modifiedAt"), kStamp);
  EXPECT_EQ(spots[0].at("attrs").at(kVocab + "providedBy").at("object"), "urn:ngsi-ld:Camera:C1");
  EXPECT_EQ(attrs.at(kNgsi + "location")[0].at("type"), "GeoProperty");
  EXPECT_EQ(attrs.at(kVocab + "category")[0].at("vocab"), kVocab + "Public");
  EXPECT_EQ(attrs.at(kVocab + "isNear")[0].at("objectType"), kVocab + "Station");
  EXPECT_EQ(attrs.at(kVocab + "name")[0].at("value"), "千代田駐車場");  // Japanese text untouched
}

TEST_F(EntityTest, NormalizedRoundTrip) {
  Json stored = expand(J(kParking));
  EXPECT_EQ(render(stored, Format::kNormalized), J(kParking));
}

TEST_F(EntityTest, ConciseAndKeyValuesRendering) {
  Json stored = expand(J(kParking));
  EXPECT_EQ(render(stored, Format::kConcise), J(kParkingConcise));
  EXPECT_EQ(render(stored, Format::kKeyValues), J(kParkingKeyValues));
}

TEST_F(EntityTest, ConciseInputGivesTheSameStoredForm) { EXPECT_EQ(expand(J(kParkingConcise)), expand(J(kParking))); }

// Concise is lossless: whatever is stored comes back the same through it.
TEST_F(EntityTest, ConciseIsLossless) {
  for (
      const char* payload : {
          kParking,
          R"({"id": "urn:a:1", "type": ["A", "B"], "p": {"type": "Property", "value": {"type": "Point", "coordinates": [1, 2]}}})",
          R"({"id": "urn:a:1", "type": "A", "g": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]},
                "observedAt": "2026-01-01T00:00:00.000Z"}})",
          R"({"id": "urn:a:1", "type": "A", "arr": [1, 2, 3], "objs": [{"a": 1}], "obj": {"a": {"value": 1}},
                "empty": [], "str": "urn:ngsi-ld:looks-like-a-uri", "nested": [[1], [2]]})",
          R"({"id": "urn:a:1", "type": "A", "t": [{"type": "Property", "value": 1},
                {"type": "Property", "value": {"x": 1}, "datasetId": "urn:ds:2"}, {"object": "urn:b:1", "datasetId": "urn:ds:3"}]})",
          R"({"id": "urn:a:1", "type": "A", "p": {"value": 1, "sub": {"value": 2, "subsub": {"value": [{"k": 1}]}}}})",
      }) {
    Json stored = expand(J(payload));
    Json concise = render(stored, Format::kConcise);
    EXPECT_EQ(expand(concise), stored) << concise.dump();
    EXPECT_EQ(expand(render(stored, Format::kNormalized)), stored);
  }
}

TEST_F(EntityTest, ConciseInference) {
  Json stored = expand(J(R"({"id": "urn:a:1", "type": "A",
      "bare": 5, "valued": {"value": "x"}, "rel": {"object": "urn:b:1"}, "text": {"languageMap": {"en": "x"}},
      "voc": {"vocab": ["A", "B"]}, "js": {"json": [1]}, "list": {"valueList": []}, "rlist": {"objectList": ["urn:c:1"]},
      "geo": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
      "geoWithSub": {"value": {"type": "Point", "coordinates": [1, 2]}, "accuracy": 3},
      "structured": {"streetAddress": "x", "postalCode": "100-0001"}})"));
  auto type_of = [&](const char* name) {
    return stored.at("attrs").at(kVocab + name)[0].at("type").get<std::string>();
  };
  EXPECT_EQ(type_of("bare"), "Property");
  EXPECT_EQ(type_of("valued"), "Property");
  EXPECT_EQ(type_of("rel"), "Relationship");
  EXPECT_EQ(type_of("text"), "LanguageProperty");
  EXPECT_EQ(type_of("voc"), "VocabProperty");
  EXPECT_EQ(type_of("js"), "JsonProperty");
  EXPECT_EQ(type_of("list"), "ListProperty");
  EXPECT_EQ(type_of("rlist"), "ListRelationship");
  EXPECT_EQ(type_of("geo"), "GeoProperty");
  EXPECT_EQ(type_of("geoWithSub"), "GeoProperty");
  EXPECT_EQ(type_of("structured"), "Property");
  EXPECT_EQ(stored.at("attrs").at(kVocab + "voc")[0].at("vocab"), Json::array({kVocab + "A", kVocab + "B"}));
  EXPECT_EQ(stored.at("attrs").at(kVocab + "structured")[0].at("value").at("postalCode"), "100-0001");
}

TEST_F(EntityTest, MultiInstanceAttributes) {
  Json payload = J(R"({"id": "urn:ngsi-ld:Sensor:1", "type": "Sensor",
      "temperature": [{"type": "Property", "value": 20},
                      {"type": "Property", "value": 21, "datasetId": "urn:ngsi-ld:Dataset:b"}]})");
  Json stored = expand(payload);
  EXPECT_EQ(stored.at("attrs").at(kVocab + "temperature").size(), 2u);
  EXPECT_EQ(render(stored, Format::kNormalized), payload);
  EXPECT_EQ(render(stored, Format::kConcise).at("temperature"),
            J(R"([{"value": 20}, {"value": 21, "datasetId": "urn:ngsi-ld:Dataset:b"}])"));
  EXPECT_EQ(render(stored, Format::kKeyValues).at("temperature"), J("[20, 21]"));
  // Two names for one IRI merge into one attribute.
  Json merged = expand(J(R"({"id": "urn:a:1", "type": "A", "speed": 1,
      "https://uri.etsi.org/ngsi-ld/default-context/speed": {"value": 2, "datasetId": "urn:ds:1"}})"));
  EXPECT_EQ(merged.at("attrs").size(), 1u);
  EXPECT_EQ(merged.at("attrs").at(kVocab + "speed").size(), 2u);
}

TEST_F(EntityTest, ValidationErrors) {
  struct Case {
    const char* payload;
    const char* detail;
  };
  const Case cases[] = {
      {R"([])", "must be a JSON object"},
      {R"({"type": "T"})", "entity id is missing"},
      {R"({"id": "urn:a:1"})", "entity type is missing"},
      {R"({"id": "not a uri", "type": "T"})", "is not a URI"},
      {R"({"id": "abc", "type": "T"})", "is not a URI"},
      {R"({"id": "urn:a b", "type": "T"})", "is not a URI"},
      {R"({"id": 5, "type": "T"})", "entity id must be a string"},
      {R"({"id": "urn:a:1", "type": 5})", "entity type must be"},
      {R"({"id": "urn:a:1", "type": []})", "entity type must be"},
      {R"({"id": "urn:a:1", "type": ["A", 5]})", "is not a valid type name"},
      {R"({"id": "urn:a:1", "type": "bad type"})", "is not a valid type name"},
      {R"({"id": "urn:a:1", "type": "T", "scope": "Tokyo"})", "scope"},
      {R"({"id": "urn:a:1", "type": "T", "scope": ["/a", 5]})", "scope"},
      {R"({"id": "urn:a:1", "type": "T", "@id": "urn:a:1"})", "JSON-LD keyword"},
      {R"({"id": "urn:a:1", "type": "T", "bad name": 1})", "not a valid attribute name"},
      {R"({"id": "urn:a:1", "type": "T", "a<b": 1})", "not a valid attribute name"},
      {R"({"id": "urn:a:1", "type": "T", "x=y": 1})", "not a valid attribute name"},
      {R"x({"id": "urn:a:1", "type": "T", "f(x)": 1})x", "not a valid attribute name"},
      {R"({"id": "urn:a:1", "type": "T", "": 1})", "not a valid attribute name"},
      {R"({"id": "urn:a:1", "type": "T", "a": null})", "null is not a valid value"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": "Foo", "value": 1}})", "unknown attribute type 'Foo'"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": 5, "value": 1}})", "'type' must be a string"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": "Property"}})", "Property without 'value'"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": "Property", "value": null}})", "cannot be null"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": "Relationship"}})", "Relationship without 'object'"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": "Relationship", "object": "not a uri"}})", "must be a URI"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": "Relationship", "object": []}})", "must be a URI"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": "Relationship", "object": "urn:b:1", "value": 1}})",
       "cannot have 'value'"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [500, 0]}}})",
       "not a valid GeoJSON"},
      {R"x({"id": "urn:a:1", "type": "T", "a": {"type": "GeoProperty", "value": "POINT(1 2)"}})x",
       "not a valid GeoJSON"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": "Point", "coordinates": "x"}})", "not a valid GeoJSON"},
      {R"({"id": "urn:a:1", "type": "T", "location": 5})", "must be a GeoProperty"},
      {R"({"id": "urn:a:1", "type": "T", "location": {"type": "Property", "value": 5}})", "must be a GeoProperty"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "datasetId": "ds1"}})", "datasetId must be a URI"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "observedAt": "yesterday"}})", "observedAt must be"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "observedAt": 5}})", "observedAt must be"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "unitCode": 5}})", "unitCode"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "objectType": "T"}})", "objectType is only"},
      {R"({"id": "urn:a:1", "type": "T", "a": [{"value": 1, "datasetId": "urn:d:1"}, {"value": 2, "datasetId": "urn:d:1"}]})",
       "datasetId 'urn:d:1' given twice"},
      {R"({"id": "urn:a:1", "type": "T", "a": [{"value": 1}, {"value": 2}]})", "two instances without datasetId"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "object": "urn:b:1"}})", "ambiguous"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"observedAt": "2026-01-01T00:00:00Z"}})", "has no value"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"languageMap": {"not a tag": "x"}}})", "not a language tag"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"languageMap": {"en": 5}}})", "languageMap values"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"languageMap": {}}})", "non-empty object"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"vocab": 5}})", "vocab must hold names"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"valueList": 5}})", "valueList must be an array"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"objectList": ["nope"]}})", "objectList must hold"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "@foo": 1}})", "JSON-LD keyword '@foo'"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "sub": {"value": 2, "datasetId": "urn:d:1"}}})",
       "sub-attribute cannot have a datasetId"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "sub": [{"value": 2}, {"value": 3}]}})",
       "several instances"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "sub": null}})", "attribute 'a.sub': null"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "https://uri.etsi.org/ngsi-ld/hasValue": 2}})", "reserved"},
      {R"({"id": "urn:a:1", "type": "T", "ngsi-ld:createdAt": 1})", "reserved"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "id": "urn:a:2"}})", "reserved"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"type": "Relationship", "object": "urn:b:1", "objectType": []}})",
       "objectType cannot be an empty array"},
      {R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "observedAt": "2026-02-30T00:00:00Z"}})", "observedAt"},
  };
  for (const Case& c : cases) {
    std::string detail = error_detail(J(c.payload));
    EXPECT_NE(detail.find(c.detail), std::string::npos) << c.payload << " -> " << detail;
  }
}

TEST_F(EntityTest, HugeIdentifiersAreRejectedWithShortDetails) {
  std::string huge(100000, 'i');
  for (const Json& payload :
       {Json{{"id", "urn:ngsi-ld:G:" + huge}, {"type", "G"}}, Json{{"id", "urn:ngsi-ld:G:1"}, {"type", huge}},
        Json{{"id", "urn:ngsi-ld:G:1"}, {"type", "G"}, {huge, 1}},
        Json{{"id", "urn:ngsi-ld:G:1"}, {"type", "G"}, {"a", {{"value", 1}, {huge, 2}}}}}) {
    std::string detail = error_detail(payload);
    EXPECT_TRUE(detail.find("limited to") != std::string::npos || detail.find("longer than") != std::string::npos)
        << detail.substr(0, 200);
    EXPECT_LT(detail.size(), 300u);
  }
  EXPECT_NO_THROW(expand(Json{{"id", "urn:ngsi-ld:G:" + std::string(2000, 'i')}, {"type", "G"}}));
}

TEST_F(EntityTest, NullMappedNamesAreRejected) {
  auto ctx = resolver.resolve(J(R"({"hidden": null})"));
  try {
    expand_entity(J(R"({"id": "urn:a:1", "type": "T", "hidden": 1})"), *ctx, PayloadKind::kEntity, kNow);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("maps this name to null"), std::string::npos);
  }
}

TEST_F(EntityTest, IgnoredMembers) {
  Json stored = expand(J(R"({"@context": "https://example.org/ctx", "id": "urn:a:1", "type": "T",
      "createdAt": "2000-01-01T00:00:00Z", "modifiedAt": "x",
      "a": {"value": 1, "createdAt": "2000-01-01T00:00:00Z", "instanceId": "urn:i:1"}})"));
  EXPECT_EQ(stored.at("createdAt"), kStamp);
  EXPECT_EQ(stored.at("attrs").at(kVocab + "a")[0].at("createdAt"), kStamp);
  EXPECT_FALSE(stored.at("attrs").at(kVocab + "a")[0].contains("instanceId"));
}

TEST_F(EntityTest, ObservedAtIsNormalized) {
  Json stored =
      expand(J(R"({"id": "urn:a:1", "type": "T", "a": {"value": 1, "observedAt": "2026-01-01T09:00:00+09:00"}})"));
  EXPECT_EQ(stored.at("attrs").at(kVocab + "a")[0].at("observedAt"), "2026-01-01T00:00:00.000Z");
}

TEST_F(EntityTest, Fragments) {
  Json fragment = expand(J(R"({"speed": 5})"), PayloadKind::kFragment);
  EXPECT_FALSE(fragment.contains("id"));
  EXPECT_FALSE(fragment.contains("type"));
  EXPECT_EQ(fragment.at("attrs").at(kVocab + "speed")[0].at("value"), 5);
  Json typed = expand(J(R"({"type": "Car", "id": "urn:a:1"})"), PayloadKind::kFragment);
  EXPECT_EQ(typed.at("type"), Json::array({kVocab + "Car"}));
  EXPECT_TRUE(typed.at("attrs").empty());
  EXPECT_NE(error_detail(J(R"({"id": "bad"})"), PayloadKind::kFragment).find("not a URI"), std::string::npos);
}

TEST_F(EntityTest, PatchFragmentsMayLeaveOutValues) {
  Json patch = expand(J(R"({"floors": {"accuracy": "urn:ngsi-ld:null"},
      "height": {"observedAt": "2026-01-01T00:00:00Z", "unitCode": "MTR"},
      "label": "urn:ngsi-ld:null", "rel": {"type": "Relationship", "observedAt": "2026-01-01T00:00:00Z"},
      "address": {"value": {"streetAddress": "x"}}})"),
                      PayloadKind::kPatch);
  const Json& attrs = patch.at("attrs");
  const Json& floors = attrs.at(kVocab + "floors")[0];
  EXPECT_FALSE(floors.contains("type"));
  EXPECT_FALSE(floors.contains("value"));
  EXPECT_EQ(floors.at("attrs").at(kVocab + "accuracy").at("value"), "urn:ngsi-ld:null");
  const Json& height = attrs.at(kVocab + "height")[0];
  EXPECT_EQ(height.at("unitCode"), "MTR");
  EXPECT_FALSE(height.contains("value"));
  EXPECT_EQ(attrs.at(kVocab + "label")[0].at("value"), "urn:ngsi-ld:null");
  EXPECT_EQ(attrs.at(kVocab + "rel")[0].at("type"), "Relationship");
  EXPECT_FALSE(attrs.at(kVocab + "rel")[0].contains("object"));
  EXPECT_EQ(attrs.at(kVocab + "address")[0].at("value").at("streetAddress"), "x");
  // The same payload as a plain fragment is read as whole attributes.
  Json fragment = expand(J(R"({"floors": {"accuracy": 1}})"), PayloadKind::kFragment);
  EXPECT_EQ(fragment.at("attrs").at(kVocab + "floors")[0].at("value"), J(R"({"accuracy": 1})"));
  EXPECT_NE(error_detail(J(R"({"height": {"unitCode": "MTR"}})"), PayloadKind::kFragment).find("has no value"),
            std::string::npos);
  // Still validated.
  EXPECT_NE(error_detail(J(R"({"height": {"observedAt": "soon"}})"), PayloadKind::kPatch).find("observedAt"),
            std::string::npos);
  EXPECT_NE(error_detail(J(R"({"location": {"type": "Property"}})"), PayloadKind::kPatch).find("GeoProperty"),
            std::string::npos);
  // A partial instance renders without failing.
  EXPECT_NO_THROW(render(patch, Format::kConcise));
  EXPECT_NO_THROW(render(patch, Format::kKeyValues));
}

TEST_F(EntityTest, SingleAttribute) {
  Json instance = expand_attribute(J(R"({"value": 5, "datasetId": "urn:ds:1", "unit": "C"})"), core, kNow);
  EXPECT_EQ(instance.at("type"), "Property");
  EXPECT_EQ(instance.at("datasetId"), "urn:ds:1");
  EXPECT_EQ(instance.at("attrs").at(kVocab + "unit").at("value"), "C");
  EXPECT_EQ(expand_attribute(Json(5), core, kNow).at("value"), 5);
  EXPECT_THROW(expand_attribute(J(R"([{"value": 1}, {"value": 2, "datasetId": "urn:d:2"}])"), core, kNow), Error);
  EXPECT_THROW(expand_attribute(Json(), core, kNow), Error);
  // PATCH (partial) and PUT (a whole attribute, the default).
  Json partial = expand_attribute(J(R"({"accuracy": {"type": "Property", "value": 0.1}})"), core, kNow, true);
  EXPECT_FALSE(partial.contains("value"));
  EXPECT_EQ(partial.at("attrs").at(kVocab + "accuracy").at("value"), 0.1);
  Json metadata_only = J(R"({"type": "Property", "observedAt": "2026-01-01T00:00:00Z"})");
  EXPECT_THROW(expand_attribute(metadata_only, core, kNow), Error);
  EXPECT_EQ(expand_attribute(metadata_only, core, kNow, true).size(), 4u);
}

TEST_F(EntityTest, AttrsFilterAndSysAttrs) {
  Json stored = expand(J(kParking));
  Json out = render(stored, Format::kNormalized, true, {kVocab + "name", kNgsi + "location"});
  Json expected =
      J(R"({"id": "urn:ngsi-ld:OffStreetParking:Downtown1", "type": "OffStreetParking", "scope": "/Tokyo/Chiyoda",
      "createdAt": "2026-01-01T00:00:00.000Z", "modifiedAt": "2026-01-01T00:00:00.000Z",
      "name": {"type": "Property", "value": "千代田駐車場", "createdAt": "2026-01-01T00:00:00.000Z", "modifiedAt": "2026-01-01T00:00:00.000Z"},
      "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [139.75, 35.69]},
                   "createdAt": "2026-01-01T00:00:00.000Z", "modifiedAt": "2026-01-01T00:00:00.000Z"}})");
  EXPECT_EQ(out, expected);
  Json concise = render(stored, Format::kConcise, true, {kVocab + "name"});
  EXPECT_EQ(concise.at("name"), J(R"({"value": "千代田駐車場", "createdAt": "2026-01-01T00:00:00.000Z",
      "modifiedAt": "2026-01-01T00:00:00.000Z"})"));
  Json kv = render(stored, Format::kKeyValues, true, {kVocab + "name"});
  EXPECT_EQ(kv,
            J(R"({"id": "urn:ngsi-ld:OffStreetParking:Downtown1", "type": "OffStreetParking", "scope": "/Tokyo/Chiyoda",
      "createdAt": "2026-01-01T00:00:00.000Z", "modifiedAt": "2026-01-01T00:00:00.000Z", "name": "千代田駐車場"})"));
  EXPECT_EQ(render(stored, Format::kNormalized, false, {kVocab + "nothing"}).size(), 3u);  // id, type, scope
}

TEST_F(EntityTest, LanguageSelection) {
  Json stored = expand(J(R"({"id": "urn:a:1", "type": "T",
      "street": {"type": "LanguageProperty", "languageMap": {"ja": "大手町", "en-GB": "Otemachi", "@none": "Ōtemachi"}}})"));
  EXPECT_EQ(render(stored, Format::kNormalized, false, {}, "en").at("street"),
            J(R"({"type": "Property", "value": "Otemachi", "lang": "en-GB"})"));
  EXPECT_EQ(render(stored, Format::kConcise, false, {}, "ja").at("street"), J(R"({"value": "大手町", "lang": "ja"})"));
  EXPECT_EQ(render(stored, Format::kKeyValues, false, {}, "fr,ja;q=0.5").at("street"), "大手町");
  EXPECT_EQ(render(stored, Format::kKeyValues, false, {}, "de").at("street"), "Ōtemachi");
  EXPECT_EQ(render(stored, Format::kKeyValues, false, {}, "*").at("street"), "大手町");
  EXPECT_EQ(render(stored, Format::kKeyValues).at("street").at("en-GB"), "Otemachi");
}

TEST_F(EntityTest, UserContextNames) {
  auto ctx = resolver.resolve(J(R"({"spot": "https://parking.example/spot", "Lot": "https://parking.example/Lot",
      "p": "https://parking.example/"})"));
  Json stored = expand_entity(J(R"({"id": "urn:a:1", "type": "Lot", "spot": 1, "p:free": 2, "other": 3})"), *ctx,
                              PayloadKind::kEntity, kNow);
  EXPECT_EQ(stored.at("type"), Json::array({"https://parking.example/Lot"}));
  EXPECT_TRUE(stored.at("attrs").contains("https://parking.example/spot"));
  EXPECT_TRUE(stored.at("attrs").contains("https://parking.example/free"));
  RenderOptions options;
  options.format = Format::kKeyValues;
  EXPECT_EQ(render_entity(stored, *ctx, options),
            J(R"({"id": "urn:a:1", "type": "Lot", "spot": 1, "p:free": 2, "other": 3})"));
  // The same stored entity under the core context only shows full IRIs for the user terms.
  EXPECT_EQ(render_entity(stored, core, options),
            J(R"({"id": "urn:a:1", "type": "https://parking.example/Lot", "https://parking.example/spot": 1,
                  "https://parking.example/free": 2, "other": 3})"));
}

TEST_F(EntityTest, JapaneseNamesAndValues) {
  Json payload = J(R"({"id": "urn:ngsi-ld:避難所:1", "type": "避難所",
      "名称": {"type": "Property", "value": "千代田区立小学校 🏫"}, "収容人数": 300})");
  Json stored = expand(payload);
  EXPECT_EQ(stored.at("type"), Json::array({kVocab + "避難所"}));
  EXPECT_EQ(stored.at("attrs").at(kVocab + "名称")[0].at("value"), "千代田区立小学校 🏫");
  EXPECT_EQ(render(stored, Format::kKeyValues),
            J(R"({"id": "urn:ngsi-ld:避難所:1", "type": "避難所", "名称": "千代田区立小学校 🏫", "収容人数": 300})"));
}

TEST_F(EntityTest, GeoJsonFeature) {
  Json stored = expand(J(kParking));
  RenderOptions options;
  options.format = Format::kKeyValues;
  options.attrs = {kVocab + "name", kNgsi + "location"};
  Json feature = render_geojson_feature(stored, core, options, "");
  EXPECT_EQ(feature, J(R"({"id": "urn:ngsi-ld:OffStreetParking:Downtown1", "type": "Feature",
      "geometry": {"type": "Point", "coordinates": [139.75, 35.69]},
      "properties": {"type": "OffStreetParking", "scope": "/Tokyo/Chiyoda", "name": "千代田駐車場",
                     "location": {"type": "Point", "coordinates": [139.75, 35.69]}}})"));
  options.format = Format::kNormalized;
  options.attrs = {kVocab + "name"};
  Json normalized = render_geojson_feature(stored, core, options, kNgsi + "location");
  EXPECT_EQ(normalized.at("geometry").at("type"), "Point");  // the filter does not hide the geometry
  EXPECT_EQ(normalized.at("properties").at("name"), J(R"({"type": "Property", "value": "千代田駐車場"})"));
  // A geometry attribute that is absent or not a GeoProperty gives a null geometry.
  EXPECT_TRUE(render_geojson_feature(stored, core, options, kVocab + "name").at("geometry").is_null());
  EXPECT_TRUE(render_geojson_feature(stored, core, options, kVocab + "none").at("geometry").is_null());
  // Several instances: the default one is the geometry.
  Json multi = expand(J(R"({"id": "urn:a:1", "type": "T", "location": [
      {"value": {"type": "Point", "coordinates": [1, 1]}, "datasetId": "urn:d:1"},
      {"value": {"type": "Point", "coordinates": [2, 2]}}]})"));
  EXPECT_EQ(render_geojson_feature(multi, core, options, "").at("geometry").at("coordinates"), J("[2, 2]"));
}

TEST_F(EntityTest, RenderToleratesOddStoredData) {
  RenderOptions options;
  for (Format format : {Format::kNormalized, Format::kConcise, Format::kKeyValues}) {
    options.format = format;
    EXPECT_NO_THROW(
        render_entity(J(R"({"id": "urn:a:1", "attrs": {"x": 5, "y": [5, {"type": 3}], "z": {}}})"), core, options));
    EXPECT_NO_THROW(render_entity(J(R"([1])"), core, options));
  }
}

// Found by entity_fuzz: an @vocab with a quote in it made attribute and type
// IRIs that could be stored but whose rendering could not be read back.
TEST_F(EntityTest, FuzzRegressionIrisMustBeValidNames) {
  auto ctx = resolver.resolve(J(R"({"@vocab": "https:/'v.example/"})"));
  EXPECT_THROW(expand_entity(J(R"({"id": "urn:a:1", "type": "Car"})"), *ctx, PayloadKind::kEntity, kNow), Error);
  EXPECT_THROW(expand_entity(J(R"({"speed": 1})"), *ctx, PayloadKind::kFragment, kNow), Error);
  // A context term that is not a valid name is expanded but never rendered.
  auto odd = resolver.resolve(J(R"({"a b": "https://x.example/ab"})"));
  Json stored = expand_entity(J(R"({"id": "urn:a:1", "type": "T", "https://x.example/ab": 1})"), *odd,
                              PayloadKind::kEntity, kNow);
  Json rendered = render_entity(stored, *odd, RenderOptions{});
  EXPECT_TRUE(rendered.contains("https://x.example/ab"));
  EXPECT_EQ(expand_entity(rendered, *odd, PayloadKind::kEntity, kNow), stored);
}

}  // namespace
}  // namespace machi::ld
