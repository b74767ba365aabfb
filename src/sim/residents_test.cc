#include "sim/residents.h"

#include <gtest/gtest.h>

#include <set>

#include "sim/entity_json.h"

namespace machi::sim {
namespace {

class ResidentsTest : public ::testing::Test {
 protected:
  CityLayout layout_{1};
};

TEST_F(ResidentsTest, AgeStructureOfAnAgeingCity) {
  Population p = generate_population(layout_, 20000, 1);
  ASSERT_EQ(p.residents.size(), 20000u);
  size_t old = 0, young = 0;
  for (const Resident& r : p.residents) {
    old += r.age_band >= 13;
    young += r.age_band <= 2;
  }
  double old_share = static_cast<double>(old) / 20000, young_share = static_cast<double>(young) / 20000;
  EXPECT_GT(old_share, 0.25);
  EXPECT_LT(old_share, 0.35);
  EXPECT_NEAR(old_share, 0.294, 0.005);  // the table's share, within rounding
  EXPECT_NEAR(young_share, 0.118, 0.005);
}

TEST_F(ResidentsTest, HouseholdsArePlausible) {
  Population p = generate_population(layout_, 20000, 7);
  std::vector<std::vector<int>> members(p.households.size());
  for (const Resident& r : p.residents) members[r.household].push_back(r.age_band);
  size_t people = 0;
  for (size_t h = 0; h < members.size(); ++h) {
    ASSERT_FALSE(members[h].empty());
    people += members[h].size();
    bool child = false, adult = false;
    for (int band : members[h]) {
      child = child || band <= 2;
      adult = adult || band >= 4;
    }
    if (child) {
      EXPECT_TRUE(adult) << "household " << h << " has children and no adult";
    }
    EXPECT_GE(p.households[h].area, 0);
    EXPECT_LT(p.households[h].area, static_cast<int>(layout_.areas().size()));
  }
  // Japan's average household was 2.2 persons in 2020.
  double size = static_cast<double>(people) / p.households.size();
  EXPECT_GT(size, 1.9);
  EXPECT_LT(size, 2.6);
}

TEST_F(ResidentsTest, DeterministicAndPseudonymous) {
  Population a = generate_population(layout_, 3000, 42), b = generate_population(layout_, 3000, 42);
  Population c = generate_population(layout_, 3000, 43);
  ASSERT_EQ(a.residents.size(), b.residents.size());
  bool all_same = true, any_differs = false;
  std::set<std::string> ids;
  for (size_t i = 0; i < a.residents.size(); ++i) {
    all_same = all_same && a.residents[i].pseudonym == b.residents[i].pseudonym &&
               a.residents[i].age_band == b.residents[i].age_band && a.area_of(a.residents[i]) == b.area_of(b.residents[i]);
    any_differs = any_differs || a.residents[i].pseudonym != c.residents[i].pseudonym;
    EXPECT_EQ(a.residents[i].pseudonym.size(), 16u);
    ids.insert(a.residents[i].pseudonym);
  }
  EXPECT_TRUE(all_same);
  EXPECT_TRUE(any_differs);
  EXPECT_EQ(ids.size(), a.residents.size());
}

TEST_F(ResidentsTest, EntitiesAreValidAndCarryNoNames) {
  Population p = generate_population(layout_, 500, 1);
  auto entities = resident_entities(p, layout_);
  ASSERT_EQ(entities.size(), 500u);
  StoredForm stored;
  for (const Json& e : entities) {
    EXPECT_NO_THROW(stored.expand(e, 1767225600000)) << e.dump();
    EXPECT_FALSE(e.contains("name"));
    EXPECT_FALSE(e.contains("location"));
    EXPECT_EQ(e["id"].get<std::string>().rfind("urn:ngsi-ld:Resident:", 0), 0u);
  }
  EXPECT_EQ(entities[0]["type"], "Resident");
  EXPECT_TRUE(entities[0]["ageBand"]["value"].is_string());
}

}  // namespace
}  // namespace machi::sim
