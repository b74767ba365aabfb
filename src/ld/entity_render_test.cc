// write_entity (text) must say exactly what render_entity (tree) says, for
// every representation option: the GET and query responses use the first,
// everything else the second.
#include <gtest/gtest.h>

#include "ld/entity.h"

namespace machi::ld {
namespace {

constexpr TimeMs kNow = 1767225600000;

const char* kPayloads[] = {
    R"({"id": "urn:ngsi-ld:OffStreetParking:Downtown1", "type": ["OffStreetParking", "Place"],
        "scope": "/Tokyo/Chiyoda",
        "name": {"type": "Property", "value": "千代田駐車場 \"本館\"\n\t🅿"},
        "availableSpotNumber": {"type": "Property", "value": 121, "observedAt": "2026-01-01T08:00:00.000Z",
          "unitCode": "C62", "reliability": {"type": "Property", "value": 0.7},
          "providedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Camera:C1"}},
        "isNear": {"type": "Relationship", "object": ["urn:ngsi-ld:Station:1", "urn:ngsi-ld:Station:2"],
          "objectType": "Station"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [139.75, 35.69]}},
        "area": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]},
          "note": {"type": "Property", "value": "x"}},
        "street": {"type": "LanguageProperty", "languageMap": {"ja": "大手町", "en-GB": "Otemachi", "@none": "Ō"}},
        "category": {"type": "VocabProperty", "vocab": ["Public", "Covered"]},
        "kind": {"type": "VocabProperty", "vocab": "Public"},
        "config": {"type": "JsonProperty", "json": {"a": [1, 2.5e-7, -3], "type": "x"}},
        "history": {"type": "ListProperty", "valueList": [1, 2, 3]},
        "operators": {"type": "ListRelationship", "objectList": [{"object": "urn:ngsi-ld:Org:1"}]},
        "address": {"type": "Property", "value": {"streetAddress": "丸の内1-1"}},
        "shape": {"type": "Property", "value": {"type": "Point", "coordinates": [0, 0]}},
        "list": {"type": "Property", "value": [1, {"k": null}, true]}})",
    R"({"id": "urn:a:1", "type": "T", "speed": [
        {"type": "Property", "value": 10, "datasetId": "urn:d:1"},
        {"type": "Property", "value": 12},
        {"type": "Property", "value": 14, "datasetId": "urn:d:2", "unit": {"type": "Property", "value": "km/h"}}]})",
    R"({"id": "urn:ngsi-ld:避難所:1", "type": "避難所", "名称": "千代田区立小学校 🏫", "収容人数": 300})",
    R"({"id": "urn:a:2", "type": "T"})",
};

class EntityRenderTest : public ::testing::Test {
 protected:
  ContextResolver resolver{nullptr, nullptr, {}, "http://machi.local"};

  std::vector<Json> stored_entities() {
    std::vector<Json> out;
    for (const char* payload : kPayloads) {
      out.push_back(expand_entity(Json::parse(payload), *resolver.core(), PayloadKind::kEntity, kNow));
    }
    // What a stored document could hold without having come from a client.
    out.push_back(Json::parse(R"({"id": "urn:a:1", "attrs": {"x": 5, "y": [5, {"type": 3}], "z": {}}})"));
    out.push_back(Json::parse(R"({"id": "urn:a:1", "type": "T", "attrs": [1]})"));
    out.push_back(Json::parse(R"([1])"));
    out.push_back(Json{{"id", "urn:bad:\xff"}, {"attrs", {{"https://x/\xfe", {{{"type", "Property"}, {"value", "\xc3"}}}}}}});
    return out;
  }

  std::vector<RenderOptions> all_options() {
    std::vector<RenderOptions> out;
    for (Format format : {Format::kNormalized, Format::kConcise, Format::kKeyValues}) {
      for (bool sys_attrs : {false, true}) {
        for (const char* lang : {"", "en", "fr,ja;q=0.5", "*"}) {
          RenderOptions options;
          options.format = format;
          options.sys_attrs = sys_attrs;
          options.lang = lang;
          out.push_back(options);
          options.attrs = {"https://uri.etsi.org/ngsi-ld/default-context/name",
                           "https://uri.etsi.org/ngsi-ld/default-context/speed"};
          out.push_back(options);
        }
      }
    }
    return out;
  }

  static std::string dump(const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); }

  void expect_same_text(const Context& ctx) {
    size_t checked = 0;
    for (const Json& stored : stored_entities()) {
      for (const RenderOptions& options : all_options()) {
        Json tree = render_entity(stored, ctx, options);
        std::string text;
        write_entity(stored, ctx, options, text);
        ASSERT_EQ(text, dump(tree)) << stored.dump(2, ' ', false, Json::error_handler_t::replace);
        EXPECT_TRUE(Json::accept(text)) << text;
        ++checked;
      }
    }
    EXPECT_EQ(checked, 8u * 48u);
  }
};

TEST_F(EntityRenderTest, TextEqualsTheTreeUnderTheCoreContext) { expect_same_text(*resolver.core()); }

TEST_F(EntityRenderTest, TextEqualsTheTreeUnderAUserContext) {
  auto ctx = resolver.resolve(Json::parse(R"({"spot": "https://uri.etsi.org/ngsi-ld/default-context/speed",
      "T": "https://uri.etsi.org/ngsi-ld/default-context/T", "p": "https://uri.etsi.org/ngsi-ld/default-context/"})"));
  expect_same_text(*ctx);
}

TEST_F(EntityRenderTest, ContextMemberComesLast) {
  Json stored = expand_entity(Json::parse(kPayloads[1]), *resolver.core(), PayloadKind::kEntity, kNow);
  Json context = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";
  Json tree = render_entity(stored, *resolver.core(), {});
  tree["@context"] = context;
  std::string text;
  write_entity(stored, *resolver.core(), {}, text, &context);
  EXPECT_EQ(text, dump(tree));
  EXPECT_EQ(Json::parse(text).items().begin().key(), "id");

  std::string empty;
  write_entity(Json::parse("[1]"), *resolver.core(), {}, empty, &context);
  EXPECT_EQ(empty, R"({"@context":"https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"})");
}

TEST_F(EntityRenderTest, AppendsToTheBody) {
  std::string body = "[";
  Json stored = expand_entity(Json::parse(kPayloads[3]), *resolver.core(), PayloadKind::kEntity, kNow);
  write_entity(stored, *resolver.core(), {}, body);
  body += ",";
  write_entity(stored, *resolver.core(), {}, body);
  body += "]";
  EXPECT_EQ(Json::parse(body), Json::parse(R"([{"id": "urn:a:2", "type": "T"}, {"id": "urn:a:2", "type": "T"}])"));
}

}  // namespace
}  // namespace machi::ld
