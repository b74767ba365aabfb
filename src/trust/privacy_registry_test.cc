#include "trust/privacy_registry.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "store/store_test_util.h"

namespace machi::trust {
namespace {

using store::testing::iri;
using store::testing::TempDir;

constexpr TimeMs kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr TimeMs kHour = 60 * 60 * 1000;

Json record_json(const std::string& id, const std::string& subject) {
  return {{"id", id},
          {"dataSubject", subject},
          {"processing",
           {{"notice", "https://demo-city.example/notices/qol"},
            {"purposes", {"machi:QoLEvaluation"}},
            {"controllers", {"city"}},
            {"withdrawalMethod", "https://demo-city.example/my/consents"}}},
          {"parties", {{{"id", "city"}, {"name", "デモ市"}}}},
          {"events", {{{"type", "given"}, {"time", "2026-01-01T00:00:00Z"}, {"actor", "acc-1"}}}}};
}

Json grant_json() {
  return {{"name", "QOL調査"},         {"recipient", "デモ大学"},
          {"consumer", "acc-univ"},    {"purposes", {"machi:QoLEvaluation"}},
          {"legalBasis", "consent"},   {"entityTypes", {iri("Resident")}}};
}

ErrorType error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.type();
  }
  return ErrorType::kInternalError;
}

class PrivacyRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open() {
    store_ = store::open_sqlite_store({dir_.path().string(), store::Durability::kFull});
    registry_ = std::make_unique<TenantPrivacy>(store_->tenant("", true));
  }
  void reopen() {
    registry_.reset();
    store_->close();
    store_.reset();
    open();
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<TenantPrivacy> registry_;
};

TEST_F(PrivacyRegistryTest, EverythingSurvivesReopeningTheStore) {
  registry_->put_personal_type(personal_type_from_json({{"type", iri("Resident")}}, "adm", kT0));
  registry_->add_consent(consent_record_from_json(record_json("consent-1", "a1b2"), kT0));
  registry_->append_consent_event("consent-1", {ConsentEventType::kWithdrawn, kT0 + kHour, "acc-2",
                                                ActorCapacity::kGuardian, std::nullopt});
  registry_->set_purpose_mode("dpv:ImproveTransportMobility", PurposeMode::kOptOut, "adm", kT0);
  Notice notice = registry_->publish_notice(notice_from_json(
      {{"purpose", "dpv:ImproveTransportMobility"}, {"title", "交通データの利用について"}, {"url", "https://x/n1"}}, "adm",
      kT0));
  Grant grant = registry_->add_grant(grant_from_request(grant_json(), "adm", kT0));
  registry_->change_grant(grant.id, GrantChange::kSuspend, "adm", kT0 + kHour);

  reopen();

  ASSERT_EQ(registry_->personal_types().size(), 1u);
  EXPECT_EQ(registry_->personal_types()[0].type, iri("Resident"));
  auto record = registry_->consent("consent-1");
  ASSERT_TRUE(record);
  ASSERT_EQ(record->events.size(), 2u);
  EXPECT_EQ(record->events[1].type, ConsentEventType::kWithdrawn);
  EXPECT_EQ(record->events[1].capacity, ActorCapacity::kGuardian);
  EXPECT_EQ(registry_->consents_of("a1b2").size(), 1u);
  ASSERT_EQ(registry_->purpose_settings().size(), 1u);
  EXPECT_EQ(registry_->purpose_settings()[0].mode, PurposeMode::kOptOut);
  ASSERT_EQ(registry_->notices().size(), 1u);
  EXPECT_EQ(registry_->notices()[0].id, notice.id);
  EXPECT_EQ(registry_->notices()[0].title, "交通データの利用について");
  auto reloaded = registry_->grant(grant.id);
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->state, GrantState::kSuspended);
  EXPECT_EQ(reloaded->pseudonym_key, grant.pseudonym_key);
  // The in-memory indexes are rebuilt as well.
  EXPECT_EQ(registry_->read([](const PrivacyState& s) { return s.first_notice.size(); }), 1u);
}

TEST_F(PrivacyRegistryTest, ConsentErrorsChangeNothing) {
  registry_->add_consent(consent_record_from_json(record_json("consent-1", "a1b2"), kT0));
  EXPECT_EQ(error_of([&] { registry_->add_consent(consent_record_from_json(record_json("consent-1", "zz"), kT0)); }),
            ErrorType::kAlreadyExists);
  EXPECT_EQ(error_of([&] {
              registry_->append_consent_event("consent-9", {ConsentEventType::kWithdrawn, kT0, "a", ActorCapacity::kSelf,
                                                            std::nullopt});
            }),
            ErrorType::kResourceNotFound);
  EXPECT_EQ(error_of([&] {
              registry_->append_consent_event("consent-1", {ConsentEventType::kWithdrawn, kT0 - 1, "a",
                                                            ActorCapacity::kSelf, std::nullopt});
            }),
            ErrorType::kBadRequestData);
  reopen();
  EXPECT_EQ(registry_->consent("consent-1")->events.size(), 1u);
  EXPECT_TRUE(registry_->consents_of("zz").empty());
}

TEST_F(PrivacyRegistryTest, GrantAndTypeErrors) {
  EXPECT_EQ(error_of([&] { registry_->change_grant("grant-x", GrantChange::kSuspend, "adm", kT0); }),
            ErrorType::kResourceNotFound);
  Grant g = registry_->add_grant(grant_from_request(grant_json(), "adm", kT0));
  EXPECT_EQ(error_of([&] { registry_->add_grant(g); }), ErrorType::kAlreadyExists);
  EXPECT_EQ(error_of([&] { registry_->change_grant(g.id, GrantChange::kResume, "adm", kT0); }),
            ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { registry_->erase_personal_type(iri("Nothing")); }), ErrorType::kResourceNotFound);
  registry_->put_personal_type(personal_type_from_json({{"type", iri("Resident")}}, "adm", kT0));
  registry_->erase_personal_type(iri("Resident"));
  reopen();
  EXPECT_TRUE(registry_->personal_types().empty());
}

TEST_F(PrivacyRegistryTest, UnknownPurposeSettingIsRefused) {
  EXPECT_EQ(error_of([&] { registry_->set_purpose_mode("dpv:Nope", PurposeMode::kOptOut, "adm", kT0); }),
            ErrorType::kBadRequestData);
  EXPECT_EQ(error_of([&] { notice_from_json({{"purpose", "dpv:Nope"}, {"title", "t"}, {"url", "u"}}, "adm", kT0); }),
            ErrorType::kBadRequestData);
}

TEST(PrivacyRegistriesTest, OneRegistryPerTenantLoadedOnce) {
  TempDir dir;
  auto store = store::open_sqlite_store({dir.path().string(), store::Durability::kProcess});
  PrivacyRegistries registries(*store);
  EXPECT_EQ(registries.tenant("city-b", false), nullptr);
  auto a = registries.tenant("city-a", true);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(registries.tenant("city-a"), a);
  auto main = registries.tenant("", true);
  a->put_personal_type(personal_type_from_json({{"type", iri("Resident")}}, "adm", kT0));
  EXPECT_EQ(a->personal_types().size(), 1u);
  EXPECT_TRUE(main->personal_types().empty());  // tenants never see each other's
  store->close();
}

}  // namespace
}  // namespace machi::trust
