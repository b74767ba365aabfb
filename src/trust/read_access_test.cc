#include "trust/read_access.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "store/store_test_util.h"
#include "trust/encoding.h"
#include "trust/merkle.h"

namespace machi::trust {
namespace {

using store::testing::entity;
using store::testing::iri;
using store::testing::property;
using store::testing::TempDir;

constexpr TimeMs kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
const std::string kAlice = "a11ce0000000aaaa";
const std::string kBob = "b0b0000000000bbb";
const std::string kCarol = "ca401000000000cc";

Json resident(const std::string& subject) {
  return entity("urn:ngsi-ld:Resident:" + subject, "Resident",
                {{"dataSubject", property(subject)}, {"ageBand", property("70-74")}, {"homeArea", property("東町")}});
}

// ReadAccess against a real privacy registry and ledger: what a request's
// ledger entry says, and what it lets a caller select by.
class ReadAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::open_sqlite_store({dir_.path().string(), store::Durability::kProcess});
    registry_ = std::make_shared<TenantPrivacy>(store_->tenant("", true));
    registry_->put_personal_type(personal_type_from_json({{"type", iri("Resident")}}, "adm", kT0));
    ledgers_ = Ledgers::open(dir_.path(), store::Durability::kProcess);
    bus_.kind = PrincipalKind::kAccount;
    bus_.account_id = "acc-bus";
    bus_.roles = {Role::kConsumer};
  }
  void TearDown() override {
    ledgers_->close();
    store_->close();
  }

  Grant add_grant(Json overrides = Json::object()) {
    Json body = {{"name", "移動需要の分析"},
                 {"recipient", "デモ交通株式会社"},
                 {"consumer", "acc-bus"},
                 {"purposes", {"dpv:ImproveTransportMobility"}},
                 {"legalBasis", "consent"},
                 {"entityTypes", {iri("Resident")}},
                 {"validFrom", "2026-01-01T00:00:00Z"}};
    for (auto& [k, v] : overrides.items()) body[k] = v;
    return registry_->add_grant(grant_from_request(body, "acc-admin", kT0));
  }

  void consent(const std::string& subject) {
    Json body = {{"dataSubject", subject},
                 {"processing",
                  {{"notice", "n1"},
                   {"purposes", {"dpv:ImproveTransportMobility"}},
                   {"controllers", {"city"}},
                   {"recipients", {"デモ交通株式会社"}},
                   {"withdrawalMethod", "窓口"}}},
                 {"parties", {{{"id", "city"}, {"name", "デモ市"}}}},
                 {"events", {{{"type", "given"}, {"time", "2026-01-01T00:00:00Z"}, {"actor", subject}}}}};
    registry_->add_consent(consent_record_from_json(body, kT0));
  }

  std::unique_ptr<ReadAccess> begin(const std::string& grant = "") {
    Enforcer enforcer(registry_);
    return std::make_unique<ReadAccess>(registry_, ledgers_->tenant(""), enforcer.begin(bus_, grant, "", kT0 + 1),
                                        "GET /ngsi-ld/v1/entities?type=Resident");
  }

  // The last entry about a subject, parsed; null when there is none.
  Json last_entry_about(const std::string& subject) {
    auto entries = ledgers_->tenant("")->entries_about(subject, std::nullopt, 1000);
    return entries.empty() ? Json() : parse_json(*entries.back().text);
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<TenantPrivacy> registry_;
  std::unique_ptr<Ledgers> ledgers_;
  Principal bus_;
};

TEST_F(ReadAccessTest, EntriesNameSubjectsOnlyByTagsKeyedPerEntry) {
  Grant grant = add_grant();
  consent(kAlice);
  auto access = begin(grant.id);
  EXPECT_TRUE(access->admit(resident(kAlice)));
  EXPECT_FALSE(access->admit(resident(kBob)));  // no consent
  access->commit();

  Json entry = last_entry_about(kAlice);
  ASSERT_TRUE(entry.is_object());
  std::string text = entry.dump();
  // A resident shown this entry learns nothing about the others it names.
  EXPECT_EQ(text.find(kAlice), std::string::npos);
  EXPECT_EQ(text.find(kBob), std::string::npos);
  std::string key = *from_hex(entry["subjectKey"].get<std::string>());
  EXPECT_EQ(key.size(), 16u);
  EXPECT_EQ(entry["released"], Json::array({subject_tag(key, kAlice)}));
  ASSERT_EQ(entry["withheld"].size(), 1u);
  EXPECT_EQ(entry["withheld"][0]["subject"], subject_tag(key, kBob));
  EXPECT_EQ(entry["withheld"][0]["reason"], "no_consent");
  EXPECT_EQ(entry["grantName"], "移動需要の分析");
  EXPECT_EQ(entry["recipient"], "デモ交通株式会社");
  // The same entry is indexed under both subjects.
  EXPECT_EQ(last_entry_about(kBob), entry);

  // The tag is the first 16 bytes of SHA-256(key || subject).
  Hash h = sha256(key, kAlice);
  EXPECT_EQ(subject_tag(key, kAlice), to_hex(std::string_view(reinterpret_cast<const char*>(h.data()), 16)));

  // Another entry about Alice uses another key, so her tags do not link.
  auto again = begin(grant.id);
  again->admit(resident(kAlice));
  again->commit();
  Json second = last_entry_about(kAlice);
  EXPECT_NE(second["subjectKey"], entry["subjectKey"]);
  EXPECT_NE(second["released"], entry["released"]);
}

TEST_F(ReadAccessTest, ARequestRefusedAsAWholeNamesNoSubject) {
  auto access = begin();  // the consumer holds no grant (none was added)
  EXPECT_FALSE(access->admit(resident(kAlice)));
  EXPECT_FALSE(access->admit(resident(kBob)));
  access->commit();
  EXPECT_TRUE(last_entry_about(kAlice).is_null());
  EXPECT_TRUE(last_entry_about(kBob).is_null());
  // ... but it is in the ledger, with its count, for auditors.
  auto ledger = ledgers_->tenant("");
  ASSERT_EQ(ledger->size(), 1u);
  Json entry = parse_json(*ledger->entry(0).text);
  EXPECT_EQ(entry["decision"], "deny");
  EXPECT_EQ(entry["withheld"], Json::array());
  EXPECT_EQ(entry["withheldCount"], 2);
}

TEST_F(ReadAccessTest, PseudonymizingGrantRefusesSelectionByIdOrSubject) {
  Grant grant = add_grant({{"pseudonymize", true}});
  consent(kAlice);
  auto by_id = begin(grant.id);
  EXPECT_FALSE(by_id->admit(resident(kAlice), /*selected_by_id=*/true));
  by_id->commit();
  EXPECT_EQ(last_entry_about(kAlice)["withheld"][0]["reason"], "pseudonymized_id_selected");

  auto query = begin(grant.id);
  EXPECT_TRUE(query->admit(resident(kAlice)));
  try {
    query->check_selection({{iri("dataSubject")}, false});
    FAIL() << "selecting by the subject under a pseudonymizing grant must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kBadRequestData);
  }
  EXPECT_NO_THROW(query->check_selection({{iri("ageBand"), iri("homeArea")}, false}));
}

TEST_F(ReadAccessTest, AttributeLimitedGrantRefusesSelectionByWithheldAttributes) {
  Grant grant = add_grant({{"attributes", {iri("ageBand")}}});
  auto access = begin(grant.id);
  EXPECT_NO_THROW(access->check_selection({{iri("ageBand"), iri("dataSubject")}, false}));
  EXPECT_THROW(access->check_selection({{iri("homeArea")}, false}), Error);
  // Without a grant nothing personal passes, so there is nothing to learn.
  bus_.account_id = "acc-other";
  EXPECT_NO_THROW(begin()->check_selection({{iri("homeArea")}, true}));
}

TEST_F(ReadAccessTest, AnOverriddenObjectionIsLogged) {
  Grant grant = add_grant({{"legalBasis", "statutory"},
                           {"recipient", "デモ市"},
                           {"consumer", "acc-staff"},
                           {"purposes", {"dpv:ImprovePublicServices"}},
                           {"reason", "住民基本台帳法に基づく事務"}});
  Json body = {{"dataSubject", kCarol},
               {"processing",
                {{"notice", "n1"},
                 {"purposes", {"dpv:ImprovePublicServices"}},
                 {"controllers", {"city"}},
                 {"withdrawalMethod", "窓口"}}},
               {"parties", {{{"id", "city"}, {"name", "デモ市"}}}},
               {"events", {{{"type", "refused"}, {"time", "2026-01-01T00:00:00Z"}, {"actor", kCarol}}}}};
  registry_->add_consent(consent_record_from_json(body, kT0));
  Principal staff;
  staff.kind = PrincipalKind::kAccount;
  staff.account_id = "acc-staff";
  staff.roles = {Role::kCityStaff};
  Enforcer enforcer(registry_);
  ReadAccess access(registry_, ledgers_->tenant(""), enforcer.begin(staff, grant.id, "", kT0 + 1), "GET x");
  ASSERT_TRUE(access.admit(resident(kCarol)));
  access.commit();
  Json entry = last_entry_about(kCarol);
  std::string key = *from_hex(entry["subjectKey"].get<std::string>());
  EXPECT_EQ(entry["objectionOverridden"], Json::array({subject_tag(key, kCarol)}));
}

TEST_F(ReadAccessTest, AResidentsOwnReadSaysNothingOfTheOthersMatched) {
  Principal alice;
  alice.kind = PrincipalKind::kAccount;
  alice.account_id = "acc-alice";
  alice.roles = {Role::kResident};
  alice.subject = kAlice;
  Enforcer enforcer(registry_);
  ReadAccess access(registry_, ledgers_->tenant(""), enforcer.begin(alice, "", "", kT0 + 1), "GET x");
  EXPECT_TRUE(access.admit(resident(kAlice)));
  EXPECT_FALSE(access.admit(resident(kBob)));  // matched by her filter, withheld
  access.commit();
  Json entry = last_entry_about(kAlice);
  EXPECT_EQ(entry["decision"], "allow");
  EXPECT_FALSE(entry.contains("withheldCount"));
  EXPECT_FALSE(entry.contains("reasons"));
  EXPECT_EQ(entry["withheld"], Json::array());
}

}  // namespace
}  // namespace machi::trust
