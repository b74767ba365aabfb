// Queries against a brute-force filter over the same data: random entities,
// random updates and deletions, random queries (deterministic seed).
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <random>

#include "store/sqlite_tenant.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace machi::store {
namespace {

using namespace testing;

std::string expand(std::string_view term) {
  std::string t(term);
  return t.find(':') == std::string::npos ? iri(t) : t;
}

ld::Query q(const std::string& text) { return ld::Query::parse(text).bind(expand); }

class Dataset {
 public:
  explicit Dataset(uint32_t seed) : rng_(seed) {}

  Json random_entity(int i) {
    static const char* kTypes[] = {"Spot", "Sensor", "Building"};
    static const char* kStatus[] = {"free", "busy", "closed", "unknown"};
    static const char* kTags[] = {"red", "green", "blue"};
    std::string id = "urn:e:" + std::to_string(i);
    Json e = entity(id, kTypes[pick(3)]);
    if (pick(5) == 0) e["type"].push_back(iri("Extra"));
    auto& attrs = e["attrs"];
    if (pick(6)) attrs[iri("temperature")] = Json::array({property(pick(41) - 5 + (pick(2) ? 0.5 : 0))});
    if (pick(4)) attrs[iri("status")] = Json::array({property(kStatus[pick(4)])});
    if (pick(2)) attrs[iri("name")] = Json::array({property(std::string(1, static_cast<char>('a' + pick(26))) + "x")});
    if (pick(3)) {
      char when[64];
      std::snprintf(when, sizeof when, "202%d-0%d-1%dT0%d:00:00Z", 3 + pick(3), 1 + pick(9), pick(9), pick(9));
      attrs[iri("observed")] = Json::array({property(when)});
    }
    if (pick(3) == 0) attrs[iri("flag")] = Json::array({property(pick(2) == 1)});
    if (pick(3) == 0) attrs[iri("ref")] = Json::array({relationship("urn:e:" + std::to_string(pick(20)))});
    if (pick(3) == 0) attrs[iri("tags")] = Json::array({property(Json::array({kTags[pick(3)], kTags[pick(3)]}))});
    if (pick(5)) {
      Json location = Json::array({point(139.0 + pick(1000) / 1000.0, 35.0 + pick(1000) / 1000.0)});
      if (pick(6) == 0) {
        Json second = point(139.0 + pick(1000) / 1000.0, 35.0 + pick(1000) / 1000.0);
        second["datasetId"] = "urn:ds:2";
        location.push_back(second);
      }
      attrs[iri("location")] = location;
    }
    return e;
  }

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::mt19937 rng_;
};

// What the store must answer, computed over every live document.
QueryResult brute_force(const std::vector<Json>& docs, const EntityQuery& query) {
  std::unique_ptr<RE2> pattern;
  if (!query.id_pattern.empty()) pattern = std::make_unique<RE2>(query.id_pattern);
  auto any_of = [](const std::vector<std::string>& wanted, auto&& has) {
    if (wanted.empty()) return true;
    for (const auto& w : wanted)
      if (has(w)) return true;
    return false;
  };
  QueryResult result;
  size_t matched = 0;
  for (const Json& doc : docs) {
    std::string id = doc["id"];
    const Json& attrs = doc["attrs"];
    bool ok = any_of(query.types, [&](const std::string& t) {
      return std::find(doc["type"].begin(), doc["type"].end(), Json(t)) != doc["type"].end();
    });
    ok = ok && any_of(query.ids, [&](const std::string& i) { return i == id; });
    ok = ok && (!pattern || RE2::FullMatch(id, *pattern));
    ok = ok && any_of(query.attrs, [&](const std::string& a) { return attrs.contains(a); });
    ok = ok && (!query.q || query.q->matches(doc));
    ok = ok && (!query.admit || query.admit(doc));
    if (ok && query.geo) {
      bool hit = false;
      if (attrs.contains(query.geo->geoproperty())) {
        for (const Json& instance : attrs[query.geo->geoproperty()]) hit = hit || query.geo->matches(instance["value"]);
      }
      ok = hit;
    }
    if (!ok) continue;
    ++matched;
    if (matched > query.offset && result.entities.size() < query.limit) result.entities.push_back(doc);
  }
  if (query.count) result.total = matched;
  return result;
}

std::vector<std::string> ids_of(const QueryResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.entities) out.push_back(e["id"]);
  return out;
}

class SqliteQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store({dir_.path().string(), Durability::kProcess});
    tenant_ = store_->tenant("", false);
  }

  // Creates n entities, then updates and deletes some, keeping `docs_` in
  // rowid order (creation order of the live entities).
  void load(int n, uint32_t seed) {
    Dataset data(seed);
    std::vector<Mutation> batch;
    for (int i = 0; i < n; ++i) {
      docs_.push_back(data.random_entity(i));
      batch.push_back(put(docs_.back()));
    }
    expect_all_ok(tenant_->write(std::move(batch)));
    // Updates in place (same rowid) and deletions.
    batch.clear();
    for (int i = 0; i < n / 5; ++i) {
      int k = data.pick(static_cast<int>(docs_.size()));
      int number = std::stoi(docs_[k]["id"].get<std::string>().substr(6));
      docs_[k] = data.random_entity(number);
      batch.push_back(put(docs_[k]));
    }
    for (int i = 0; i < n / 10; ++i) {
      int k = data.pick(static_cast<int>(docs_.size()));
      batch.push_back(remove(docs_[k]["id"]));
      docs_.erase(docs_.begin() + k);
    }
    expect_all_ok(tenant_->write(std::move(batch)));
  }

  void check(const EntityQuery& query, const std::string& label) {
    QueryResult expected = brute_force(docs_, query);
    QueryResult actual = tenant_->query(query);
    EXPECT_EQ(ids_of(actual), ids_of(expected)) << label;
    EXPECT_EQ(actual.total, expected.total) << label;
    for (size_t i = 0; i < std::min(actual.entities.size(), expected.entities.size()); ++i) {
      EXPECT_EQ(actual.entities[i], expected.entities[i]) << label;
    }
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<TenantStore> tenant_;
  std::vector<Json> docs_;
};

// The admit predicate (the enforcement point's filter) applies before paging
// and counting: pages stay full and the count is of admitted entities only.
TEST_F(SqliteQueryTest, AdmitFiltersBeforePagingAndCounting) {
  load(80, 7);
  auto even = [](const Json& doc) { return std::stoi(doc["id"].get<std::string>().substr(6)) % 2 == 0; };
  for (size_t offset : {0, 5, 30}) {
    EntityQuery query;
    query.admit = even;
    query.offset = offset;
    query.limit = 10;
    query.count = true;
    check(query, "admit offset " + std::to_string(offset));
    QueryResult result = tenant_->query(query);
    for (const Json& doc : result.entities) EXPECT_TRUE(even(doc));
  }
  EntityQuery typed;
  typed.types = {iri("Spot")};
  typed.q = q("temperature>10");
  typed.admit = even;
  typed.limit = 1000;
  typed.count = true;
  check(typed, "admit with type and q");
}

TEST_F(SqliteQueryTest, SimpleQueries) {
  load(50, 1);
  EntityQuery all;
  all.limit = 1000;
  all.count = true;
  check(all, "all");
  EXPECT_EQ(tenant_->query(all).total, docs_.size());

  EntityQuery by_type;
  by_type.types = {iri("Spot")};
  by_type.limit = 1000;
  check(by_type, "type");

  EntityQuery unknown;
  unknown.types = {iri("Nothing")};
  unknown.count = true;
  EXPECT_TRUE(tenant_->query(unknown).entities.empty());
  EXPECT_EQ(tenant_->query(unknown).total, 0u);

  EntityQuery count_only;
  count_only.types = {iri("Sensor")};
  count_only.limit = 0;
  count_only.count = true;
  check(count_only, "count only");

  EntityQuery bad;
  bad.id_pattern = "urn:(";
  try {
    tenant_->query(bad);
    ADD_FAILURE() << "invalid idPattern accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kBadRequestData);
  }
}

TEST_F(SqliteQueryTest, QTermsWithDateTimesAndLongText) {
  Json long_a = entity("urn:long:a", "Doc", {{"text", property(std::string(300, 'k') + "a")}});
  Json long_b = entity("urn:long:b", "Doc", {{"text", property(std::string(300, 'k') + "b")}});
  Json dated = entity("urn:when", "Doc", {{"at", property("2024-05-01T10:00:00.250+02:00")}});
  expect_all_ok(tenant_->write({put(long_a), put(long_b), put(dated)}));
  docs_ = {long_a, long_b, dated};
  const std::string k300(300, 'k');
  const std::vector<std::pair<std::string, size_t>> cases = {
      {"text==\"" + k300 + "a\"", 1},
      {"text>\"" + k300 + "a\"", 1},
      {"text<\"" + k300 + "b\"", 1},
      {"text>=\"" + std::string(128, 'k') + "\"", 2},
      {"text>\"" + k300 + "b\"", 0},
      {"at==2024-05-01T08:00:00.250Z", 1},
      {"at>2024-05-01T08:00:00Z", 1},
      {"at<2024-05-01T08:00:00.251Z", 1},
      {"at<2024-05-01T08:00:00.250Z", 0},
      {"at==2024-05-01T07:00:00Z..2024-05-01T09:00:00Z", 1},
  };
  for (const auto& [text, n] : cases) {
    EntityQuery query;
    query.q = q(text);
    query.count = true;
    check(query, text);
    EXPECT_EQ(tenant_->query(query).total, n) << text;
  }
}

TEST_F(SqliteQueryTest, RandomQueriesMatchBruteForce) {
  load(400, 42);
  static const std::vector<std::string> kQ = {
      "temperature>20",
      "temperature<=10;status==\"free\"",
      "status==\"free\",\"busy\"",
      "temperature==10..30",
      "temperature==15.5",
      "observed>2024-03-01T00:00:00Z",
      "observed==2023-01-01..2024-06-30",
      "name<\"m\"",
      "name>=\"qx\"",
      "(status==\"free\"|temperature>25)",
      "tags==\"red\"",
      "flag==true",
      "ref==urn:e:5",
      "temperature!=5",
      "status!=\"free\";temperature<30",
      "temperature>0;temperature<10",
      "status~=f.*e",
      "location",
  };
  Dataset rnd(7);
  auto maybe = [&](int one_in) { return rnd.pick(one_in) == 0; };
  int non_empty = 0;
  for (int round = 0; round < 400; ++round) {
    EntityQuery query;
    std::string label = "round " + std::to_string(round) + ":";
    if (maybe(2)) {
      query.types.push_back(iri(std::vector<std::string>{"Spot", "Sensor", "Building", "Extra", "None"}[rnd.pick(5)]));
      if (maybe(3)) query.types.push_back(iri("Sensor"));
      label += " types";
    }
    if (maybe(6)) {
      for (int i = 0; i < 5; ++i) query.ids.push_back("urn:e:" + std::to_string(rnd.pick(450)));
      label += " ids";
    }
    if (maybe(6)) {
      query.id_pattern = std::vector<std::string>{"urn:e:1.*", "urn:e:[0-9]", ".*7"}[rnd.pick(3)];
      label += " pattern " + query.id_pattern;
    }
    if (maybe(5)) {
      query.attrs = {iri(std::vector<std::string>{"flag", "ref", "tags", "location"}[rnd.pick(4)])};
      if (maybe(2)) query.attrs.push_back(iri("status"));
      label += " attrs";
    }
    if (maybe(2)) {
      const std::string& text = kQ[rnd.pick(static_cast<int>(kQ.size()))];
      query.q = q(text);
      label += " q=" + text;
    }
    if (maybe(3)) {
      double lon = 139.0 + rnd.pick(1000) / 1000.0, lat = 35.0 + rnd.pick(1000) / 1000.0;
      switch (rnd.pick(4)) {
        case 0:
          query.geo = ld::GeoQuery::parse("near;maxDistance==" + std::to_string(1000 + rnd.pick(20000)), "Point",
                                          Json::array({lon, lat}));
          break;
        case 1:
          query.geo = ld::GeoQuery::parse(
              "within", "Polygon",
              Json::array({Json::array({Json::array({lon, lat}), Json::array({lon + 0.3, lat}),
                                        Json::array({lon + 0.3, lat + 0.2}), Json::array({lon, lat})})}));
          break;
        case 2:
          query.geo = ld::GeoQuery::parse("near;minDistance==30000", "Point", Json::array({lon, lat}));
          break;
        default:
          query.geo = ld::GeoQuery::parse("intersects", "Polygon",
                                          Json::array({Json::array({Json::array({lon, lat}), Json::array({lon + 0.2, lat}),
                                                                    Json::array({lon + 0.2, lat + 0.2}),
                                                                    Json::array({lon, lat + 0.2}), Json::array({lon, lat})})}));
      }
      query.geo->set_geoproperty(iri("location"));
      label += " geo";
    }
    query.offset = maybe(2) ? 0 : rnd.pick(30);
    query.limit = std::vector<size_t>{0, 1, 5, 20, 1000}[rnd.pick(5)];
    query.count = maybe(2);
    label += " offset=" + std::to_string(query.offset) + " limit=" + std::to_string(query.limit) +
             " count=" + std::to_string(query.count);
    check(query, label);
    if (!brute_force(docs_, query).entities.empty()) ++non_empty;
  }
  EXPECT_GT(non_empty, 150);  // the random queries do select something
}

TEST_F(SqliteQueryTest, ManyReadersWhileWriting) {
  load(200, 3);
  std::atomic<bool> stop = false;
  std::atomic<int> failures = 0;
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      EntityQuery query;
      query.types = {iri("Spot")};
      query.q = q("temperature>-100");
      query.count = true;
      while (!stop) {
        auto result = tenant_->query(query);
        if (!result.total || result.entities.size() > 20) failures++;
      }
    });
  }
  Dataset data(9);
  for (int i = 0; i < 50; ++i) tenant_->write({put(data.random_entity(1000 + i))});
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace machi::store
