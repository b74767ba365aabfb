#include "trust/personal_data.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "store/store_test_util.h"

namespace machi::trust {
namespace {

using store::testing::entity;
using store::testing::iri;
using store::testing::property;
using store::testing::relationship;

constexpr TimeMs kT0 = 1767225600000;

TEST(PersonalDataTest, RegistrationDefaults) {
  PersonalType t = personal_type_from_json({{"type", iri("Resident")}, {"dataCategories", {"dpv-pd:Age"}}}, "adm", kT0);
  EXPECT_TRUE(t.personal);
  EXPECT_FALSE(t.special_care);
  EXPECT_EQ(t.subject_attribute, iri("dataSubject"));
  EXPECT_EQ(t.provider_attribute, iri("dataProvider"));
  EXPECT_EQ(t.data_categories, std::vector<std::string>{"https://w3id.org/dpv/pd#Age"});
  EXPECT_EQ(personal_type_from_stored(to_json(t)).data_categories, t.data_categories);
  EXPECT_EQ(to_json(personal_type_from_stored(to_json(t))), to_json(t));
}

TEST(PersonalDataTest, RefusesInvalidRegistrations) {
  EXPECT_THROW(personal_type_from_json({{"type", "Resident"}}, "adm", kT0), Error);  // not expanded
  EXPECT_THROW(personal_type_from_json({{"personal", true}}, "adm", kT0), Error);
  EXPECT_THROW(personal_type_from_json({{"type", iri("Sensor")}, {"personal", false}, {"specialCare", true}}, "adm", kT0),
               Error);
  EXPECT_THROW(personal_type_from_json({{"type", iri("X")}, {"dataCategories", {"Age"}}}, "adm", kT0), Error);
}

TEST(PersonalDataTest, ReadsTheSubjectFromAPropertyOrARelationship) {
  Json by_value = entity("urn:ngsi-ld:Resident:a1b2", "Resident", {{"dataSubject", property("a1b2")}});
  EXPECT_EQ(read_subject(by_value, iri("dataSubject")), "a1b2");
  Json by_object =
      entity("urn:ngsi-ld:HealthCheckup:9", "HealthCheckup", {{"dataSubject", relationship("urn:ngsi-ld:Person:c3d4")}});
  EXPECT_EQ(read_subject(by_object, iri("dataSubject")), "c3d4");
  Json none = entity("urn:ngsi-ld:Resident:x", "Resident", {{"age", property(40)}});
  EXPECT_EQ(read_subject(none, iri("dataSubject")), "");
  Json not_text = entity("urn:ngsi-ld:Resident:x", "Resident", {{"dataSubject", property(42)}});
  EXPECT_EQ(read_subject(not_text, iri("dataSubject")), "");
}

TEST(PersonalDataTest, TheDefaultInstanceNamesTheSubject) {
  Json e = entity("urn:ngsi-ld:Resident:x", "Resident",
                  {{"dataSubject", Json::array({property("other", kT0, "urn:ds:1"), property("mine")})}});
  EXPECT_EQ(read_subject(e, iri("dataSubject")), "mine");
}

TEST(PersonalDataTest, ReadsTheProvider) {
  Json e = entity("urn:ngsi-ld:Resident:x", "Resident", {{"dataProvider", property("デモ市")}});
  EXPECT_EQ(read_provider(e, iri("dataProvider")), "デモ市");
  Json rel = entity("urn:ngsi-ld:Resident:x", "Resident", {{"dataProvider", relationship("urn:ngsi-ld:Org:city")}});
  EXPECT_EQ(read_provider(rel, iri("dataProvider")), "urn:ngsi-ld:Org:city");
}

TEST(PersonalDataTest, LastSegment) {
  EXPECT_EQ(last_segment("urn:ngsi-ld:Resident:ab12"), "ab12");
  EXPECT_EQ(last_segment("ab12"), "ab12");
  EXPECT_EQ(last_segment("urn:x:"), "");
}

}  // namespace
}  // namespace machi::trust
