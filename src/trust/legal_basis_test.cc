#include "trust/legal_basis.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace machi::trust {
namespace {

constexpr TimeMs kHour = 60 * 60 * 1000;

BasisFacts facts(LegalBasis basis, ConsentState state = ConsentState::kNone) {
  BasisFacts f;
  f.basis = basis;
  f.answer.state = state;
  f.answer.has_record_for_purpose = state != ConsentState::kNone;
  return f;
}

TEST(LegalBasisTest, NamesRoundTrip) {
  for (auto b : {LegalBasis::kConsent, LegalBasis::kOptOut, LegalBasis::kStatutory, LegalBasis::kEmergency}) {
    EXPECT_EQ(parse_legal_basis(legal_basis_name(b)), b);
    EXPECT_FALSE(legal_basis_iri(b).empty());
  }
  EXPECT_EQ(parse_legal_basis("legitimate_interest"), std::nullopt);
}

TEST(LegalBasisTest, ConsentFollowsTheResidentsDecision) {
  EXPECT_TRUE(apply_basis(facts(LegalBasis::kConsent, ConsentState::kGiven)).allowed);
  EXPECT_EQ(apply_basis(facts(LegalBasis::kConsent, ConsentState::kWithdrawn)).reason, "withdrawn");
  EXPECT_EQ(apply_basis(facts(LegalBasis::kConsent, ConsentState::kRefused)).reason, "refused");
  EXPECT_EQ(apply_basis(facts(LegalBasis::kConsent, ConsentState::kExpired)).reason, "consent_expired");
  EXPECT_EQ(apply_basis(facts(LegalBasis::kConsent)).reason, "no_consent");
}

TEST(LegalBasisTest, OptOutSettingCountsSilenceAsConsentButNeverOverAnExplicitChoice) {
  BasisFacts silent = facts(LegalBasis::kConsent);
  silent.opt_out_default = true;
  EXPECT_TRUE(apply_basis(silent).allowed);
  EXPECT_EQ(apply_basis(silent).reason, "consent_opt_out_default");

  BasisFacts refused = facts(LegalBasis::kConsent, ConsentState::kRefused);
  refused.opt_out_default = true;
  EXPECT_FALSE(apply_basis(refused).allowed);

  BasisFacts special = silent;
  special.special_care = true;
  EXPECT_EQ(apply_basis(special).reason, "special_care_opt_out_forbidden");

  BasisFacts other_recipient = silent;
  other_recipient.answer.has_record_for_purpose = true;
  other_recipient.answer.recipient_excluded = true;
  EXPECT_EQ(apply_basis(other_recipient).reason, "recipient_not_consented");
}

TEST(LegalBasisTest, OptOutNeedsANoticeAndStopsAtAnObjection) {
  BasisFacts f = facts(LegalBasis::kOptOut);
  EXPECT_EQ(apply_basis(f).reason, "no_notice");
  f.notice_published = true;
  EXPECT_TRUE(apply_basis(f).allowed);
  f.answer.state = ConsentState::kWithdrawn;
  EXPECT_EQ(apply_basis(f).reason, "objected");
  f.answer.state = ConsentState::kExpired;  // a lapsed consent is not an objection
  EXPECT_TRUE(apply_basis(f).allowed);
  f.special_care = true;
  EXPECT_EQ(apply_basis(f).reason, "special_care_opt_out_forbidden");
}

TEST(LegalBasisTest, StatutoryIsForCityStaffAndOverridesObjections) {
  BasisFacts f = facts(LegalBasis::kStatutory, ConsentState::kRefused);
  EXPECT_EQ(apply_basis(f).reason, "statutory_requires_city_staff");
  f.city_staff = true;
  f.special_care = true;
  BasisVerdict v = apply_basis(f);
  EXPECT_TRUE(v.allowed);
  EXPECT_TRUE(v.objection_overridden);
  f.answer.state = ConsentState::kNone;
  EXPECT_FALSE(apply_basis(f).objection_overridden);
}

TEST(LegalBasisTest, EmergencyNeedsAValidWindowAndCoversSpecialCare) {
  BasisFacts f = facts(LegalBasis::kEmergency, ConsentState::kWithdrawn);
  f.special_care = true;
  EXPECT_EQ(apply_basis(f).reason, "emergency_window_invalid");
  f.emergency_window_ok = true;
  BasisVerdict v = apply_basis(f);
  EXPECT_TRUE(v.allowed);
  EXPECT_TRUE(v.objection_overridden);
}

TEST(LegalBasisTest, EmergencyWindowIsAtMost72HoursWithAReason) {
  const TimeMs t0 = 1767225600000;
  EXPECT_TRUE(emergency_window_ok(t0, t0 + 72 * kHour, "河川氾濫"));
  EXPECT_FALSE(emergency_window_ok(t0, t0 + 72 * kHour + 1, "河川氾濫"));
  EXPECT_FALSE(emergency_window_ok(t0, t0 + kHour, ""));
  EXPECT_FALSE(emergency_window_ok(t0, std::nullopt, "河川氾濫"));
  EXPECT_FALSE(emergency_window_ok(t0, t0, "河川氾濫"));
  EXPECT_NO_THROW(check_emergency_window(t0, t0 + kHour, "河川氾濫"));
  EXPECT_THROW(check_emergency_window(t0, t0 + 73 * kHour, "河川氾濫"), Error);
  EXPECT_THROW(check_emergency_window(t0, t0 + kHour, ""), Error);
  EXPECT_THROW(check_emergency_window(t0, std::nullopt, "河川氾濫"), Error);
}

}  // namespace
}  // namespace machi::trust
