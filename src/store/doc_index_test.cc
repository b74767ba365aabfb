#include "store/doc_index.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace machi::store {
namespace {

using namespace testing;

TEST(DocIndex, CollectsNamesValuesAndGeometries) {
  Json lang = {{"type", "LanguageProperty"}, {"languageMap", {{"en", "Station"}, {"ja", "駅"}}}};
  Json doc = entity("urn:1", "Spot",
                    {{"n", property(3)},
                     {"s", property("2024-01-01T00:00:00Z")},
                     {"b", property(true)},
                     {"list", property(Json::array({1, "x", Json::object()}))},
                     {"obj", property({{"a", 1}})},
                     {"ref", relationship("urn:2")},
                     {"name", lang},
                     {"location", point(139.5, 35.5)}});
  DocIndex index = index_doc(doc);
  EXPECT_EQ(index.types, (std::set<std::string>{iri("Spot")}));
  EXPECT_EQ(index.attrs.size(), 8u);
  EXPECT_TRUE(index.attr_types.contains({iri("name"), "LanguageProperty"}));
  EXPECT_EQ(index.values[iri("n")], (std::vector<IndexedValue>{{3.0, std::nullopt, std::nullopt}}));
  EXPECT_EQ(index.values[iri("s")][0].tm, parse_datetime("2024-01-01T00:00:00Z"));
  EXPECT_EQ(index.values[iri("b")], (std::vector<IndexedValue>{{1.0, "true", std::nullopt}}));
  EXPECT_EQ(index.values[iri("list")].size(), 2u);
  EXPECT_FALSE(index.values.contains(iri("obj")));
  EXPECT_EQ(index.values[iri("ref")][0].str, "urn:2");
  EXPECT_EQ(index.values[iri("name")].size(), 2u);
  EXPECT_FALSE(index.values.contains(iri("location")));
  ASSERT_EQ(index.geo.size(), 1u);
  EXPECT_EQ(index.geo[0].box.min_lon, 139.5);
  EXPECT_EQ(index.geo[0].box.max_lat, 35.5);
  EXPECT_EQ(index.modified_at, parse_datetime("2023-11-14T22:13:20Z"));
}

TEST(DocIndex, LongTextIsIndexedByPrefix) {
  DocIndex index = index_doc(entity("urn:1", "T", {{"t", property(std::string(1000, 'z'))}}));
  EXPECT_EQ(index.values[iri("t")][0].str->size(), kMaxIndexedText);
}

TEST(DocIndex, HistoryChangesCompareInstances) {
  Json old_doc = entity("urn:1", "T", {{"a", property(1, 1000)}, {"b", property(2, 1000)}});
  Json new_doc = entity("urn:1", "T", {{"a", property(1, 1000)}, {"b", property(3, 5000)}, {"c", property(4, 6000)}},
                        7000);
  auto changes = history_changes(&old_doc, &new_doc, 9999);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].attr, iri("b"));
  EXPECT_EQ(changes[0].time, 5000);
  EXPECT_EQ(changes[1].attr, iri("c"));
  changes = history_changes(&new_doc, &old_doc, 9999);
  ASSERT_EQ(changes.size(), 2u);  // b changed back, c removed
  EXPECT_EQ(changes[1].instance, nullptr);
  EXPECT_EQ(changes[1].time, 1700000000000);  // the new document's modifiedAt
  changes = history_changes(&old_doc, nullptr, 9999);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].time, 9999);
  EXPECT_EQ(history_changes(nullptr, &old_doc, 0).size(), 2u);
}

}  // namespace
}  // namespace machi::store
