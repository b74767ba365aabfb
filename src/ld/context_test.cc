#include "ld/context.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "core/error.h"

namespace machi::ld {
namespace {

const std::string kNgsi = "https://uri.etsi.org/ngsi-ld/";
const std::string kVocab = "https://uri.etsi.org/ngsi-ld/default-context/";

class MemoryPersistence : public ContextPersistence {
 public:
  void save_context(const std::string& url, const std::string& text) override { docs[url] = text; }
  void remove_context(const std::string& url) override { docs.erase(url); }
  std::vector<std::pair<std::string, std::string>> load_contexts() override { return {docs.begin(), docs.end()}; }
  std::map<std::string, std::string> docs;
};

// Serves documents from a map and counts the calls.
struct FakeWeb {
  std::map<std::string, std::string> pages;
  std::atomic<int> calls{0};
  ContextFetcher fetcher() {
    return [this](const std::string& url) -> std::optional<std::string> {
      ++calls;
      auto it = pages.find(url);
      if (it == pages.end()) return std::nullopt;
      return it->second;
    };
  }
};

ContextResolver make_resolver(ContextFetcher fetcher = nullptr, ContextPersistence* persistence = nullptr) {
  return ContextResolver(persistence, std::move(fetcher), {"https://contexts.example.org/"},
                         "http://machi.local:1026/");
}

ErrorType error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.type();
  }
  ADD_FAILURE() << "no machi::Error thrown";
  return ErrorType::kInternalError;
}

TEST(CoreContext, DocumentHasTheAnnexBTerms) {
  const Json& ctx = core_context_document().at("@context");
  EXPECT_EQ(ctx.at("ngsi-ld"), kNgsi);
  EXPECT_EQ(ctx.at("geojson"), "https://purl.org/geojson/vocab#");
  EXPECT_EQ(ctx.at("id"), "@id");
  EXPECT_EQ(ctx.at("type"), "@type");
  EXPECT_EQ(ctx.at("@vocab"), kVocab);
  for (const char* term : {"Property",
                           "Relationship",
                           "GeoProperty",
                           "LanguageProperty",
                           "VocabProperty",
                           "JsonProperty",
                           "ListProperty",
                           "ListRelationship",
                           "value",
                           "object",
                           "languageMap",
                           "vocab",
                           "json",
                           "valueList",
                           "objectList",
                           "objectType",
                           "datasetId",
                           "createdAt",
                           "modifiedAt",
                           "observedAt",
                           "deletedAt",
                           "unitCode",
                           "location",
                           "observationSpace",
                           "operationSpace",
                           "scope",
                           "instanceId",
                           "Feature",
                           "FeatureCollection",
                           "Point",
                           "LineString",
                           "Polygon",
                           "MultiPoint",
                           "MultiLineString",
                           "MultiPolygon",
                           "GeometryCollection",
                           "bbox",
                           "coordinates",
                           "geometry",
                           "properties",
                           "features",
                           "Subscription",
                           "entities",
                           "watchedAttributes",
                           "q",
                           "geoQ",
                           "notification",
                           "endpoint",
                           "uri",
                           "accept",
                           "status",
                           "timeInterval",
                           "expiresAt",
                           "throttling"}) {
    EXPECT_TRUE(ctx.contains(term)) << term;
  }
  EXPECT_FALSE(ctx.contains("name"));  // not a core term in V1.8
}

TEST(CoreContext, ExpandsCoreTerms) {
  auto resolver = make_resolver();
  const Context& core = *resolver.core();
  EXPECT_TRUE(core.is_core_only());
  EXPECT_EQ(core.source(), kCoreContextUrl);
  EXPECT_EQ(core.expand("location"), kNgsi + "location");
  EXPECT_EQ(core.expand("observedAt"), kNgsi + "observedAt");
  EXPECT_EQ(core.expand("createdAt"), kNgsi + "createdAt");
  EXPECT_EQ(core.expand("value"), kNgsi + "hasValue");
  EXPECT_EQ(core.expand("object"), kNgsi + "hasObject");
  EXPECT_EQ(core.expand("Property"), kNgsi + "Property");
  EXPECT_EQ(core.expand("Point"), "https://purl.org/geojson/vocab#Point");
  EXPECT_EQ(core.expand("description"), "http://purl.org/dc/terms/description");
  EXPECT_EQ(core.expand("attributeCount"), kVocab + "attributeCount");  // maps to itself in Annex B
  EXPECT_EQ(core.expand("id"), "@id");
  EXPECT_EQ(core.expand("type"), "@type");
  EXPECT_EQ(core.expand("speed"), kVocab + "speed");
  EXPECT_EQ(core.expand("name"), kVocab + "name");
  EXPECT_EQ(core.expand("ngsi-ld:foo"), kNgsi + "foo");
  EXPECT_EQ(core.expand("https://example.org/a"), "https://example.org/a");
  EXPECT_EQ(core.expand("urn:ngsi-ld:x"), "urn:ngsi-ld:x");
  EXPECT_EQ(core.expand("温度"), kVocab + "温度");
}

TEST(CoreContext, CompactsBack) {
  auto resolver = make_resolver();
  const Context& core = *resolver.core();
  EXPECT_EQ(core.compact(kNgsi + "location"), "location");
  EXPECT_EQ(core.compact(kNgsi + "hasValue"), "value");
  EXPECT_EQ(core.compact(kVocab + "speed"), "speed");
  EXPECT_EQ(core.compact(kVocab + "温度"), "温度");
  EXPECT_EQ(core.compact(kNgsi + "foo"), "ngsi-ld:foo");
  EXPECT_EQ(core.compact("https://purl.org/geojson/vocab#Point"), "Point");
  EXPECT_EQ(core.compact("https://example.org/a"), "https://example.org/a");
  // default-context/location is not "location" (which is the core term): stays unambiguous.
  EXPECT_EQ(core.expand(core.compact(kVocab + "location")), kVocab + "location");
  EXPECT_EQ(core.expand(core.compact(kVocab + "a:b")), kVocab + "a:b");
}

TEST(CoreContext, AllCoreUrlsAreTheEmbeddedOne) {
  FakeWeb web;
  auto resolver = make_resolver(web.fetcher());
  for (int minor = 3; minor <= 9; ++minor) {
    std::string url = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1." + std::to_string(minor) + ".jsonld";
    EXPECT_EQ(resolver.resolve(url), resolver.core()) << url;
  }
  EXPECT_EQ(resolver.resolve("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"), resolver.core());
  EXPECT_EQ(resolver.resolve(nullptr), resolver.core());
  auto both = resolver.resolve(Json::array({kCoreContextUrl}));
  EXPECT_TRUE(both->is_core_only());
  EXPECT_EQ(web.calls, 0);
}

TEST(UserContext, ObjectDefinesTermsAndPrefixes) {
  auto resolver = make_resolver();
  auto ctx = resolver.resolve(Json::parse(R"({"speed": "https://ex.org/speed", "ex": "https://ex.org/",
      "temp": {"@id": "ex:temperature", "@type": "@vocab"}})"));
  EXPECT_FALSE(ctx->is_core_only());
  EXPECT_EQ(ctx->expand("speed"), "https://ex.org/speed");
  EXPECT_EQ(ctx->expand("ex:width"), "https://ex.org/width");
  EXPECT_EQ(ctx->expand("temp"), "https://ex.org/temperature");
  EXPECT_EQ(ctx->compact("https://ex.org/speed"), "speed");
  EXPECT_EQ(ctx->compact("https://ex.org/width"), "ex:width");
  EXPECT_EQ(ctx->compact("https://ex.org/temperature"), "temp");
  EXPECT_EQ(ctx->expand("location"), kNgsi + "location");
  EXPECT_EQ(ctx->expand("other"), kVocab + "other");
}

TEST(UserContext, SameShortNameUnderTwoContexts) {
  auto resolver = make_resolver();
  auto a = resolver.resolve(Json::parse(R"({"speed": "https://a.example/speed"})"));
  auto b = resolver.resolve(Json::parse(R"({"speed": "https://b.example/speed"})"));
  std::string ia = a->expand("speed"), ib = b->expand("speed");
  EXPECT_NE(ia, ib);
  EXPECT_EQ(a->compact(ia), "speed");
  EXPECT_EQ(b->compact(ib), "speed");
  // Each context shows the other's IRI in full.
  EXPECT_EQ(a->compact(ib), ib);
}

TEST(UserContext, ArrayInOrderLaterWinsCoreLast) {
  auto resolver = make_resolver();
  auto ctx = resolver.resolve(Json::parse(R"([
      {"speed": "https://a.example/speed", "location": "https://a.example/loc", "x": "https://a.example/x"},
      {"speed": "https://b.example/speed"},
      "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"])"));
  EXPECT_EQ(ctx->expand("speed"), "https://b.example/speed");
  EXPECT_EQ(ctx->expand("x"), "https://a.example/x");
  EXPECT_EQ(ctx->expand("location"), kNgsi + "location");  // the core is immutable
  EXPECT_EQ(ctx->compact("https://a.example/speed"), "https://a.example/speed");
}

TEST(UserContext, CoreTermsCannotBeOverridden) {
  auto resolver = make_resolver();
  auto ctx = resolver.resolve(Json::parse(R"({"@version": 1.1, "@protected": true,
      "value": "https://evil.example/v", "ngsi-ld": "https://evil.example/", "observedAt": null})"));
  EXPECT_EQ(ctx->expand("value"), kNgsi + "hasValue");
  EXPECT_EQ(ctx->expand("ngsi-ld:x"), kNgsi + "x");
  EXPECT_EQ(ctx->expand("observedAt"), kNgsi + "observedAt");
}

TEST(UserContext, CorePrefixesUsableInUserDefinitions) {
  auto resolver = make_resolver();
  auto ctx = resolver.resolve(Json::parse(R"({"myLocation": {"@id": "ngsi-ld:location", "@type": "@id"},
      "shape": "geojson:geometry"})"));
  EXPECT_EQ(ctx->expand("myLocation"), kNgsi + "location");
  EXPECT_EQ(ctx->expand("shape"), "https://purl.org/geojson/vocab#geometry");
  // The core term is the shorter name for it and wins compaction.
  EXPECT_EQ(ctx->compact(kNgsi + "location"), "location");
}

TEST(UserContext, PrefixRules) {
  auto resolver = make_resolver();
  auto ctx = resolver.resolve(Json::parse(R"({
      "ex": "https://ex.org/", "exa": "https://ex.org/a/", "hash": "https://h.example/ns#",
      "noprefix": "https://ex.org/thing", "forced": {"@id": "https://f.example/x-", "@prefix": true},
      "off": {"@id": "https://o.example/", "@prefix": false}})"));
  EXPECT_EQ(ctx->compact("https://ex.org/a/b"), "exa:b");  // the shortest compact IRI
  EXPECT_EQ(ctx->compact("https://ex.org/b"), "ex:b");
  EXPECT_EQ(ctx->expand("hash:k"), "https://h.example/ns#k");
  EXPECT_EQ(ctx->compact("https://h.example/ns#k"), "hash:k");
  EXPECT_EQ(ctx->expand("noprefix:y"), "noprefix:y");  // not a prefix: an IRI with scheme "noprefix"
  EXPECT_EQ(ctx->expand("forced:1"), "https://f.example/x-1");
  EXPECT_EQ(ctx->expand("off:1"), "off:1");
  EXPECT_EQ(ctx->compact("https://o.example/1"), "https://o.example/1");
  EXPECT_EQ(ctx->expand("_:b0"), "_:b0");
  EXPECT_EQ(ctx->expand("ex://x"), "ex://x");
}

TEST(UserContext, TermsDefinedThroughOtherTerms) {
  auto resolver = make_resolver();
  auto ctx = resolver.resolve(Json::parse(R"({"temp": "temperature", "temperature": "https://ex.org/t",
      "relative": "relativeTerm"})"));
  EXPECT_EQ(ctx->expand("temp"), "https://ex.org/t");
  EXPECT_EQ(ctx->compact("https://ex.org/t"), "temp");  // shortest term
  EXPECT_EQ(ctx->expand("relative"), kVocab + "relativeTerm");
}

TEST(UserContext, Vocab) {
  auto resolver = make_resolver();
  auto ctx = resolver.resolve(Json::parse(R"({"@vocab": "https://v.example/terms#"})"));
  EXPECT_EQ(ctx->expand("speed"), "https://v.example/terms#speed");
  EXPECT_EQ(ctx->compact("https://v.example/terms#speed"), "speed");
  EXPECT_EQ(ctx->expand("location"), kNgsi + "location");
  // The user @vocab wins over the core's although the core comes last.
  auto listed = resolver.resolve(Json::parse(
      R"([{"@vocab": "https://v.example/"}, "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"])"));
  EXPECT_EQ(listed->expand("speed"), "https://v.example/speed");
  // A compact IRI as @vocab, and null going back to the default.
  auto prefixed = resolver.resolve(Json::parse(R"([{"ex": "https://ex.org/"}, {"@vocab": "ex:"}])"));
  EXPECT_EQ(prefixed->expand("speed"), "https://ex.org/speed");
  auto reset = resolver.resolve(Json::parse(R"([{"@vocab": "https://v.example/"}, {"@vocab": null}])"));
  EXPECT_EQ(reset->expand("speed"), kVocab + "speed");
  // Terms without @id are relative to the @vocab in effect.
  auto implicit = resolver.resolve(Json::parse(R"({"@vocab": "https://v.example/", "speed": {"@type": "@id"}})"));
  EXPECT_EQ(implicit->expand("speed"), "https://v.example/speed");
}

TEST(UserContext, NullMappedTerms) {
  auto resolver = make_resolver();
  auto ctx =
      resolver.resolve(Json::parse(R"([{"hidden": "https://ex.org/h"}, {"hidden": null, "gone": {"@id": null}}])"));
  EXPECT_EQ(ctx->expand("hidden"), "");
  EXPECT_EQ(ctx->expand("gone"), "");
  // The vocab IRI of a null-mapped term is not compacted to that term.
  EXPECT_NE(ctx->compact(kVocab + "hidden"), "hidden");
  EXPECT_EQ(ctx->expand(ctx->compact(kVocab + "hidden")), kVocab + "hidden");
  auto reset = resolver.resolve(Json::parse(R"([{"speed": "https://ex.org/s"}, null])"));
  EXPECT_EQ(reset->expand("speed"), kVocab + "speed");
}

TEST(UserContext, IgnoredKeywordsAndScopedContexts) {
  auto resolver = make_resolver();
  auto ctx = resolver.resolve(Json::parse(R"({"@version": 1.1, "@protected": true, "@propagate": false,
      "@language": "ja", "@base": "https://base.example/", "@type": {"@container": "@set"},
      "address": {"@id": "https://schema.org/address", "@context": "https://not-fetched.example/ctx.jsonld",
                  "@container": ["@set"], "@protected": true},
      "@unknownFuture": 5})"));
  EXPECT_EQ(ctx->expand("address"), "https://schema.org/address");
}

TEST(UserContext, InvalidShapesAreBadRequestData) {
  auto resolver = make_resolver();
  for (const char* text :
       {"42", "true", R"([["https://a.example/"]])", R"({"a": 5})", R"({"@version": 1.0})", R"({"@protected": "yes"})",
        R"({"a": {"@id": 5}})", R"({"a": {"unknown": "x"}})", R"({"a": {"@container": 3}})", R"({"a": "b", "b": "a"})",
        R"({"@vocab": "relative"})", R"({"@vocab": 3})", R"("ctx.jsonld")", R"({"": "https://a.example/"})",
        R"({"@id": "https://a.example/"})", R"({"a:b": {"@id": "https://x.example/", "@prefix": true}})",
        R"({"@import": 5})", R"({"a": {"@context": 5}})"}) {
    EXPECT_EQ(error_of([&] { resolver.resolve(Json::parse(text)); }), ErrorType::kBadRequestData) << text;
  }
}

TEST(RemoteContext, UnknownUrlFailsAtOnceWithoutFetching) {
  std::atomic<int> calls{0};
  auto resolver = make_resolver([&](const std::string&) -> std::optional<std::string> {
    ++calls;
    std::this_thread::sleep_for(std::chrono::seconds(2));
    return std::nullopt;
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of([&] { resolver.resolve("https://unknown.example/ctx.jsonld"); }),
            ErrorType::kLdContextNotAvailable);
  EXPECT_EQ(error_of([&] {
              resolver.resolve(Json::array({"https://unknown.example/a", "https://unknown.example/b"}));
            }),
            ErrorType::kLdContextNotAvailable);
  EXPECT_EQ(error_of([&] { resolver.resolve("http://machi.local:1026/ngsi-ld/v1/jsonldContexts/nope"); }),
            ErrorType::kLdContextNotAvailable);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(100));
  EXPECT_EQ(calls, 0);
}

TEST(RemoteContext, AllowListedUrlFetchedOnceThenCached) {
  FakeWeb web;
  const std::string url = "https://contexts.example.org/parking.jsonld";
  web.pages[url] = R"({"@context": {"parking": "https://parking.example/", "spots": "parking:spots"}})";
  auto resolver = make_resolver(web.fetcher());
  auto a = resolver.resolve(url);
  EXPECT_EQ(a->expand("spots"), "https://parking.example/spots");
  EXPECT_EQ(a->source(), url);
  EXPECT_EQ(resolver.resolve(url), a);  // the resolved context is cached
  auto b = resolver.resolve(Json::array({url, Json::parse(R"({"x": "https://x.example/"})")}));
  EXPECT_EQ(b->expand("spots"), "https://parking.example/spots");
  EXPECT_EQ(web.calls, 1);
  auto infos = resolver.list();
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].kind, "Cached");
  EXPECT_EQ(infos[0].url, url);
  EXPECT_EQ(resolver.get(infos[0].id)->at("@context").at("parking"), "https://parking.example/");
}

TEST(RemoteContext, FetchFailuresAreLdContextNotAvailable) {
  FakeWeb web;
  web.pages["https://contexts.example.org/broken.jsonld"] = "{not json";
  web.pages["https://contexts.example.org/nocontext.jsonld"] = R"({"a": 1})";
  auto resolver = make_resolver(web.fetcher());
  for (const char* url : {"https://contexts.example.org/missing.jsonld", "https://contexts.example.org/broken.jsonld",
                          "https://contexts.example.org/nocontext.jsonld"}) {
    EXPECT_EQ(error_of([&] { resolver.resolve(url); }), ErrorType::kLdContextNotAvailable) << url;
  }
  int calls = web.calls;
  // A failure is remembered for a while: no second network round trip.
  EXPECT_EQ(error_of([&] { resolver.resolve("https://contexts.example.org/missing.jsonld"); }),
            ErrorType::kLdContextNotAvailable);
  EXPECT_EQ(web.calls, calls);
  auto throwing =
      make_resolver([](const std::string&) -> std::optional<std::string> { throw std::runtime_error("x"); });
  EXPECT_EQ(error_of([&] { throwing.resolve("https://contexts.example.org/a.jsonld"); }),
            ErrorType::kLdContextNotAvailable);
}

TEST(RemoteContext, CyclesAndDepthAreRejected) {
  FakeWeb web;
  const std::string base = "https://contexts.example.org/";
  web.pages[base + "a"] = R"({"@context": ["https://contexts.example.org/b", {"a": "https://a.example/"}]})";
  web.pages[base + "b"] = R"({"@context": "https://contexts.example.org/a"})";
  web.pages[base + "self"] = R"({"@context": {"@import": "https://contexts.example.org/self"}})";
  for (int i = 0; i < 12; ++i) {
    web.pages[base + "chain" + std::to_string(i)] =
        R"({"@context": ")" + base + "chain" + std::to_string(i + 1) + R"("})";
  }
  web.pages[base + "chain12"] = R"({"@context": {}})";
  auto resolver = make_resolver(web.fetcher());
  EXPECT_EQ(error_of([&] { resolver.resolve(base + "a"); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { resolver.resolve(base + "self"); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { resolver.resolve(base + "chain0"); }), ErrorType::kBadRequestData);
  EXPECT_NO_THROW(resolver.resolve(base + "chain6"));
}

TEST(RemoteContext, Import) {
  FakeWeb web;
  web.pages["https://contexts.example.org/base"] =
      R"({"@context": {"ex": "https://ex.org/", "speed": "ex:speed", "width": "ex:width"}})";
  web.pages["https://contexts.example.org/array"] = R"({"@context": ["https://contexts.example.org/base"]})";
  auto resolver = make_resolver(web.fetcher());
  auto ctx =
      resolver.resolve(Json::parse(R"({"@import": "https://contexts.example.org/base", "speed": "ex:velocity"})"));
  EXPECT_EQ(ctx->expand("speed"), "https://ex.org/velocity");
  EXPECT_EQ(ctx->expand("width"), "https://ex.org/width");
  EXPECT_EQ(error_of([&] { resolver.resolve(Json::parse(R"({"@import": "https://contexts.example.org/array"})")); }),
            ErrorType::kBadRequestData);
}

TEST(StoredContext, StoreListGetRemoveAndReload) {
  MemoryPersistence persistence;
  std::string id, url;
  {
    auto resolver = make_resolver(nullptr, &persistence);
    Json document = Json::parse(R"({"@context": {"駐車場": "https://parking.example/lot", "ex": "https://ex.org/"}})");
    StoredContextInfo info = resolver.store(document);
    id = info.id;
    url = info.url;
    EXPECT_EQ(info.kind, "Hosted");
    EXPECT_EQ(url, "http://machi.local:1026/ngsi-ld/v1/jsonldContexts/" + id);
    EXPECT_FALSE(info.created_at.empty());
    EXPECT_EQ(persistence.docs.size(), 1u);
    ASSERT_EQ(resolver.list().size(), 1u);
    EXPECT_EQ(resolver.list()[0].id, id);
    EXPECT_EQ(*resolver.get(id), document);
    EXPECT_EQ(resolver.resolve(url)->expand("駐車場"), "https://parking.example/lot");
    EXPECT_FALSE(resolver.get("nope"));
    // The same stored context through another name of this host.
    EXPECT_EQ(resolver.resolve("http://localhost:1026/ngsi-ld/v1/jsonldContexts/" + id)->expand("ex:a"),
              "https://ex.org/a");
  }
  {
    auto reloaded = make_resolver(nullptr, &persistence);  // as after a restart
    ASSERT_TRUE(reloaded.get(id));
    EXPECT_EQ(reloaded.resolve(Json::array({url}))->expand("ex:a"), "https://ex.org/a");
    EXPECT_TRUE(reloaded.remove(id));
    EXPECT_FALSE(reloaded.remove(id));
    EXPECT_TRUE(persistence.docs.empty());
    EXPECT_TRUE(reloaded.list().empty());
    // The cached resolution went away with the document.
    EXPECT_EQ(error_of([&] { reloaded.resolve(Json::array({url})); }), ErrorType::kLdContextNotAvailable);
  }
}

TEST(StoredContext, InvalidDocumentsAreRejectedAndNotKept) {
  MemoryPersistence persistence;
  auto resolver = make_resolver(nullptr, &persistence);
  EXPECT_EQ(error_of([&] { resolver.store(Json::parse(R"({"a": 1})")); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { resolver.store(Json::parse(R"([1])")); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { resolver.store(Json::parse(R"({"@context": {"a": 5}})")); }), ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { resolver.store(Json::parse(R"({"@context": "https://unknown.example/"})")); }),
            ErrorType::kLdContextNotAvailable);
  EXPECT_TRUE(persistence.docs.empty());
  EXPECT_TRUE(resolver.list().empty());
}

TEST(StoredContext, DamagedPersistedRecordsAreSkipped) {
  MemoryPersistence persistence;
  persistence.docs["http://old.host/ngsi-ld/v1/jsonldContexts/abc"] = R"({"@context": {"a": "https://a.example/"}})";
  persistence.docs["http://old.host/ngsi-ld/v1/jsonldContexts/bad"] = "{broken";
  auto resolver = make_resolver(nullptr, &persistence);
  ASSERT_EQ(resolver.list().size(), 1u);
  // Served under the current base URL.
  EXPECT_EQ(resolver.list()[0].url, "http://machi.local:1026/ngsi-ld/v1/jsonldContexts/abc");
  EXPECT_EQ(resolver.resolve("http://machi.local:1026/ngsi-ld/v1/jsonldContexts/abc")->expand("a"),
            "https://a.example/");
}

TEST(ContextCache, SameValueSameContext) {
  auto resolver = make_resolver();
  Json value = Json::parse(R"({"speed": "https://ex.org/speed"})");
  auto a = resolver.resolve(value);
  EXPECT_EQ(resolver.resolve(value), a);
  EXPECT_EQ(resolver.resolve(value)->source(), value);
  // Many distinct values: the bounded cache keeps working.
  for (int i = 0; i < 1100; ++i) {
    auto ctx = resolver.resolve(Json{{"t", "https://ex.org/" + std::to_string(i)}});
    ASSERT_EQ(ctx->expand("t"), "https://ex.org/" + std::to_string(i));
  }
}

TEST(ContextCache, ConcurrentResolves) {
  auto resolver = make_resolver();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        std::string iri = "https://ex.org/" + std::to_string((i + t) % 50);
        if (resolver.resolve(Json{{"x", iri}})->expand("x") != iri) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, 0);
}

TEST(ContextRoundTrip, CompactThenExpandIsIdentity) {
  auto resolver = make_resolver();
  auto ctx = resolver.resolve(Json::parse(R"({"ex": "https://ex.org/", "exa": "https://ex.org/a/",
      "ex:b": "https://other.example/b", "t": "https://ex.org/t", "@vocab": "https://ex.org/v/", "n": null})"));
  for (const char* iri : {"https://ex.org/", "https://ex.org/x", "https://ex.org/a/x", "https://ex.org/b",
                          "https://ex.org/t", "https://ex.org/v/speed", "https://ex.org/v/n", "https://ex.org/v/t",
                          "https://ex.org/v/a:b", "https://other.example/b", "https://uri.etsi.org/ngsi-ld/location",
                          "urn:ngsi-ld:thing", "https://ex.org///x"}) {
    EXPECT_EQ(ctx->expand(ctx->compact(iri)), iri) << iri << " -> " << ctx->compact(iri);
  }
}

TEST(ContextSpeed, CompactIsCheap) {
  auto resolver = make_resolver();
  auto ctx = resolver.resolve(Json::parse(R"({"ex": "https://ex.org/", "speed": "https://ex.org/speed"})"));
  const std::string iris[] = {"https://ex.org/speed", kVocab + "temperature", kNgsi + "location", "https://ex.org/w"};
  auto start = std::chrono::steady_clock::now();
  size_t total = 0;
  for (int i = 0; i < 200000; ++i) total += ctx->compact(iris[i % 4]).size();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(total, 0u);
  EXPECT_LT(ms, 2000) << "200k compactions took " << ms << " ms";
}

}  // namespace
}  // namespace machi::ld
