#include "trust/purposes.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"

namespace machi::trust {
namespace {

const std::string kQoL = "https://machi.city/ns#QoLEvaluation";
const std::string kPolicy = "https://w3id.org/dpv#PublicPolicyMaking";
const std::string kResearch = "https://w3id.org/dpv#ResearchAndDevelopment";
const std::string kPublicBenefit = "https://w3id.org/dpv#PublicBenefit";
const std::string kTransport = "https://w3id.org/dpv#ImproveTransportMobility";

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(PurposesTest, ResolvesShortNamesAndIris) {
  EXPECT_EQ(purposes().resolve("dpv:ImproveTransportMobility"), kTransport);
  EXPECT_EQ(purposes().resolve(kTransport), kTransport);
  EXPECT_EQ(purposes().resolve("machi:QoLEvaluation"), kQoL);
  const Purpose* p = purposes().find("machi:QoLEvaluation");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->short_name, "machi:QoLEvaluation");
  EXPECT_EQ(p->label_ja, "QOL（生活の質）の評価");
}

TEST(PurposesTest, UnknownPurposeIsBadRequestData) {
  EXPECT_EQ(purposes().find("dpv:NoSuchPurpose"), nullptr);
  try {
    purposes().resolve("dpv:NoSuchPurpose");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kBadRequestData);
  }
}

TEST(PurposesTest, APurposeWithTwoParentsIsCoveredByEither) {
  const Purpose* qol = purposes().find(kQoL);
  ASSERT_NE(qol, nullptr);
  EXPECT_EQ(qol->parents.size(), 2u);
  EXPECT_TRUE(covers(kPolicy, kQoL));
  EXPECT_TRUE(covers(kResearch, kQoL));
  // ... and by everything above either parent.
  EXPECT_TRUE(covers(kPublicBenefit, kQoL));
  EXPECT_TRUE(covers("dpv:Purpose", kQoL));
  EXPECT_TRUE(covers(kQoL, kQoL));
}

TEST(PurposesTest, ANarrowPurposeDoesNotCoverItsParentsOrSiblings) {
  EXPECT_FALSE(covers(kQoL, kPolicy));
  EXPECT_FALSE(covers(kQoL, kResearch));
  EXPECT_FALSE(covers(kTransport, kPublicBenefit));
  EXPECT_FALSE(covers(kTransport, "https://w3id.org/dpv#ImproveHealthcare"));
  EXPECT_FALSE(covers("dpv:CommercialPurpose", kQoL));
}

TEST(PurposesTest, AncestorsAndDescendantsFollowEveryPath) {
  auto up = purposes().ancestors(kQoL);
  EXPECT_TRUE(contains(up, kPolicy));
  EXPECT_TRUE(contains(up, kResearch));
  EXPECT_TRUE(contains(up, kPublicBenefit));
  EXPECT_FALSE(contains(up, kQoL));

  auto down = purposes().descendants(kResearch);
  EXPECT_TRUE(contains(down, kQoL));
  EXPECT_TRUE(contains(down, "https://w3id.org/dpv#CommercialResearch"));
  EXPECT_FALSE(contains(down, kPolicy));

  auto covering = purposes().covering("machi:MobilityPlanning");
  EXPECT_EQ(covering.front(), "https://machi.city/ns#MobilityPlanning");
  EXPECT_TRUE(contains(covering, kTransport));
  EXPECT_TRUE(contains(covering, kPolicy));
}

TEST(PurposesTest, EveryPurposeIsLabelledAndRooted) {
  for (const auto& p : purposes().all()) {
    EXPECT_FALSE(p.label_en.empty()) << p.iri;
    EXPECT_FALSE(p.label_ja.empty()) << p.iri;
    if (p.short_name == "dpv:Purpose") continue;
    EXPECT_FALSE(p.parents.empty()) << p.iri;
    EXPECT_TRUE(covers("dpv:Purpose", p.iri)) << p.iri;
    if (p.short_name.rfind("machi:", 0) == 0) {
      // The extension hangs below DPV, never beside it.
      auto up = purposes().ancestors(p.iri);
      EXPECT_TRUE(std::any_of(up.begin(), up.end(), [](const auto& a) { return a.rfind(kDpvNamespace, 0) == 0; }));
    }
  }
}

TEST(PurposesTest, UnknownPurposesCoverOnlyThemselves) {
  EXPECT_TRUE(covers("urn:x", "urn:x"));
  EXPECT_FALSE(covers("urn:x", kQoL));
  EXPECT_FALSE(covers(kQoL, "urn:x"));
}

TEST(PurposesTest, CatalogueJsonHasBothLabels) {
  Json j = purposes().to_json();
  ASSERT_TRUE(j.is_array());
  auto it = std::find_if(j.begin(), j.end(), [](const Json& p) { return p["id"] == kQoL; });
  ASSERT_NE(it, j.end());
  EXPECT_EQ((*it)["label"]["en"], "Quality-of-life evaluation");
  EXPECT_EQ((*it)["broader"].size(), 2u);
}

TEST(PurposesTest, ACycleInACatalogueIsRefused) {
  std::vector<Purpose> cyclic = {{"urn:a", "x:a", "a", "a", {"urn:b"}}, {"urn:b", "x:b", "b", "b", {"urn:a"}}};
  EXPECT_THROW(PurposeCatalog{cyclic}, Error);
}

}  // namespace
}  // namespace machi::trust
