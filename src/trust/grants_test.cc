#include "trust/grants.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace machi::trust {
namespace {

constexpr TimeMs kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr TimeMs kHour = 60 * 60 * 1000;
const std::string kResident = "https://uri.etsi.org/ngsi-ld/default-context/Resident";

Json request(std::string basis = "consent") {
  return {{"name", "バス路線の再編"},
          {"recipient", "デモ交通株式会社"},
          {"consumer", "acc-bus"},
          {"purposes", {"machi:MobilityPlanning"}},
          {"legalBasis", basis},
          {"entityTypes", {kResident}},
          {"attributes", {"https://uri.etsi.org/ngsi-ld/default-context/ageBand"}},
          {"pseudonymize", true},
          {"validFrom", "2026-01-01T00:00:00Z"},
          {"validUntil", "2026-04-01T00:00:00Z"}};
}

TEST(GrantsTest, CreatesAGrantFromARequest) {
  Grant g = grant_from_request(request(), "acc-admin", kT0);
  EXPECT_EQ(g.id.rfind("grant-", 0), 0u);
  EXPECT_EQ(g.purposes, std::vector<std::string>{"https://machi.city/ns#MobilityPlanning"});
  EXPECT_EQ(g.legal_basis, LegalBasis::kConsent);
  EXPECT_TRUE(g.pseudonymize);
  EXPECT_EQ(g.valid_from, kT0);
  EXPECT_EQ(g.state, GrantState::kApproved);
  EXPECT_EQ(g.created_by, "acc-admin");
  EXPECT_EQ(g.pseudonym_key.size(), 32u);
  EXPECT_NE(grant_from_request(request(), "acc-admin", kT0).pseudonym_key, g.pseudonym_key);
}

TEST(GrantsTest, RefusesIncompleteOrInvalidRequests) {
  for (const char* key : {"name", "recipient", "consumer", "purposes", "legalBasis", "entityTypes"}) {
    Json r = request();
    r.erase(key);
    EXPECT_THROW(grant_from_request(r, "a", kT0), Error) << key;
  }
  Json bad_basis = request("legitimate_interest");
  EXPECT_THROW(grant_from_request(bad_basis, "a", kT0), Error);
  Json short_type = request();
  short_type["entityTypes"] = {"Resident"};  // must come expanded
  EXPECT_THROW(grant_from_request(short_type, "a", kT0), Error);
  Json backwards = request();
  backwards["validUntil"] = "2025-12-01T00:00:00Z";
  EXPECT_THROW(grant_from_request(backwards, "a", kT0), Error);
  Json unknown_purpose = request();
  unknown_purpose["purposes"] = {"dpv:NoSuch"};
  EXPECT_THROW(grant_from_request(unknown_purpose, "a", kT0), Error);
}

TEST(GrantsTest, EmergencyGrantsNeedAReasonAndAtMost72Hours) {
  Json r = request("emergency");
  r["validUntil"] = "2026-01-04T00:00:00Z";  // exactly 72 h
  EXPECT_THROW(grant_from_request(r, "a", kT0), Error);  // no reason
  r["reason"] = "河川氾濫による避難支援";
  EXPECT_NO_THROW(grant_from_request(r, "a", kT0));
  r["validUntil"] = "2026-01-04T00:00:01Z";
  EXPECT_THROW(grant_from_request(r, "a", kT0), Error);
  r.erase("validUntil");
  EXPECT_THROW(grant_from_request(r, "a", kT0), Error);
}

TEST(GrantsTest, StatutoryGrantsNameTheirDuty) {
  Json r = request("statutory");
  EXPECT_THROW(grant_from_request(r, "a", kT0), Error);
  r["reason"] = "災害対策基本法 第49条の10 避難行動要支援者名簿";
  EXPECT_NO_THROW(grant_from_request(r, "a", kT0));
}

TEST(GrantsTest, StatusFollowsStateAndWindow) {
  Grant g = grant_from_request(request(), "a", kT0);
  EXPECT_EQ(grant_status(g, kT0 - 1), GrantStatus::kNotYetValid);
  EXPECT_EQ(grant_status(g, kT0), GrantStatus::kUsable);
  EXPECT_EQ(grant_status(g, *g.valid_until - 1), GrantStatus::kUsable);
  EXPECT_EQ(grant_status(g, *g.valid_until), GrantStatus::kExpired);
  EXPECT_EQ(grant_status_reason(GrantStatus::kExpired), "grant_expired");
  change_grant(g, GrantChange::kSuspend, "a", kT0 + kHour);
  EXPECT_EQ(grant_status(g, kT0 + kHour), GrantStatus::kSuspended);
}

TEST(GrantsTest, LifecycleTransitions) {
  Grant g = grant_from_request(request(), "acc-admin", kT0);
  EXPECT_THROW(change_grant(g, GrantChange::kResume, "a", kT0), Error);  // not suspended
  change_grant(g, GrantChange::kSuspend, "acc-admin2", kT0 + kHour);
  EXPECT_EQ(g.state, GrantState::kSuspended);
  EXPECT_EQ(g.changed_by, "acc-admin2");
  EXPECT_EQ(g.changed_at, kT0 + kHour);
  EXPECT_THROW(change_grant(g, GrantChange::kSuspend, "a", kT0), Error);
  change_grant(g, GrantChange::kResume, "a", kT0 + 2 * kHour);
  EXPECT_EQ(g.state, GrantState::kApproved);
  change_grant(g, GrantChange::kRevoke, "a", kT0 + 3 * kHour);
  EXPECT_EQ(g.state, GrantState::kRevoked);
  for (auto c : {GrantChange::kSuspend, GrantChange::kResume, GrantChange::kRevoke}) {
    EXPECT_THROW(change_grant(g, c, "a", kT0 + 4 * kHour), Error);  // revoked is final
  }
}

TEST(GrantsTest, JsonFormsKeepTheKeyOnTheServer) {
  Grant g = grant_from_request(request(), "acc-admin", kT0);
  Json api = to_json(g, kT0);
  EXPECT_FALSE(api.contains("pseudonymKey"));
  EXPECT_EQ(api["status"], "approved");
  EXPECT_EQ(api["legalBasis"], "consent");
  EXPECT_EQ(to_json(g, *g.valid_until)["status"], "expired");

  Json event = grant_change_event(g, GrantChange::kCreate, "acc-admin", kT0);
  EXPECT_EQ(event["event"], "grant.create");
  EXPECT_FALSE(event["grant"].contains("pseudonymKey"));
  EXPECT_EQ(event["actor"], "acc-admin");

  Json stored = grant_to_stored(g);
  EXPECT_EQ(stored["pseudonymKey"].get<std::string>().size(), 64u);
  Grant back = grant_from_stored(stored);
  EXPECT_EQ(back.pseudonym_key, g.pseudonym_key);
  EXPECT_EQ(grant_to_stored(back), stored);
}

TEST(GrantsTest, CorruptStoredGrantIsAnInternalError) {
  Json stored = grant_to_stored(grant_from_request(request(), "a", kT0));
  stored["pseudonymKey"] = "abcd";
  try {
    grant_from_stored(stored);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kInternalError);
  }
}

}  // namespace
}  // namespace machi::trust
