#include "trust/consent.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "trust/purposes.h"

namespace machi::trust {
namespace {

constexpr TimeMs kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr TimeMs kHour = 60 * 60 * 1000;
const std::string kTransport = "https://w3id.org/dpv#ImproveTransportMobility";

Json record_json(std::vector<std::string> purposes = {"dpv:ImproveTransportMobility"},
                 std::vector<std::string> recipients = {}) {
  return {{"dataSubject", "a1b2c3d4e5f60718"},
          {"processing",
           {{"notice", "https://demo-city.example/notices/mobility"},
            {"purposes", purposes},
            {"personalData", {"dpv-pd:Location", "https://w3id.org/dpv/pd#Age"}},
            {"controllers", {"city"}},
            {"retention", "P5Y"},
            {"recipients", recipients},
            {"withdrawalMethod", "https://demo-city.example/my/consents"}}},
          {"parties", {{{"id", "city"}, {"name", "デモ市"}, {"role", "controller"}, {"contact", "privacy@demo"}}}}};
}

ConsentEvent event(ConsentEventType type, TimeMs time, std::optional<TimeMs> valid_until = std::nullopt,
                   ActorCapacity capacity = ActorCapacity::kSelf) {
  return {type, time, "acc-resident", capacity, valid_until};
}

ConsentRecord with_events(std::vector<ConsentEvent> events, Json json = record_json()) {
  ConsentRecord r = consent_record_from_json(json, kT0);
  for (auto& e : events) {
    validate_new_event(r, e);
    r.events.push_back(e);
  }
  return r;
}

ErrorType error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.type();
  }
  return ErrorType::kInternalError;
}

TEST(ConsentTest, ParsesA27560RecordWithDefaults) {
  ConsentRecord r = consent_record_from_json(record_json(), kT0);
  EXPECT_EQ(r.id.rfind("consent-", 0), 0u);
  EXPECT_EQ(r.schema_version, kConsentSchemaVersion);
  EXPECT_EQ(r.subject, "a1b2c3d4e5f60718");
  EXPECT_EQ(r.purposes, std::vector<std::string>{kTransport});
  EXPECT_EQ(r.personal_data[0], "https://w3id.org/dpv/pd#Location");
  EXPECT_EQ(r.language, "ja");
  EXPECT_EQ(r.jurisdiction, "JP");
  EXPECT_EQ(r.created_at, kT0);
}

TEST(ConsentTest, JsonRoundTrips) {
  ConsentRecord r = with_events({event(ConsentEventType::kGiven, kT0, kT0 + kHour, ActorCapacity::kGuardian)});
  Json j = to_json(r);
  EXPECT_EQ(j["events"][0]["capacity"], "guardian");
  EXPECT_EQ(j["events"][0]["status"], "https://w3id.org/dpv#ConsentGiven");
  EXPECT_EQ(j["processing"]["purposes"][0], kTransport);
  ConsentRecord back = consent_record_from_stored(j);
  EXPECT_EQ(to_json(back), j);
}

TEST(ConsentTest, RefusesInvalidRecords) {
  Json unknown_purpose = record_json({"dpv:NoSuchPurpose"});
  EXPECT_EQ(error_of([&] { consent_record_from_json(unknown_purpose, kT0); }), ErrorType::kBadRequestData);
  Json no_purpose = record_json({});
  EXPECT_EQ(error_of([&] { consent_record_from_json(no_purpose, kT0); }), ErrorType::kBadRequestData);
  Json bad_subject = record_json();
  bad_subject["dataSubject"] = "a/b";
  EXPECT_EQ(error_of([&] { consent_record_from_json(bad_subject, kT0); }), ErrorType::kBadRequestData);
  Json stray_controller = record_json();
  stray_controller["processing"]["controllers"] = {"someone-else"};
  EXPECT_EQ(error_of([&] { consent_record_from_json(stray_controller, kT0); }), ErrorType::kBadRequestData);
  Json no_notice = record_json();
  no_notice["processing"].erase("notice");
  EXPECT_EQ(error_of([&] { consent_record_from_json(no_notice, kT0); }), ErrorType::kBadRequestData);
}

TEST(ConsentTest, EventsOutOfTimeOrderAreRefused) {
  ConsentRecord r = with_events({event(ConsentEventType::kGiven, kT0 + kHour)});
  EXPECT_EQ(error_of([&] { validate_new_event(r, event(ConsentEventType::kWithdrawn, kT0)); }),
            ErrorType::kBadRequestData);
  EXPECT_NO_THROW(validate_new_event(r, event(ConsentEventType::kWithdrawn, kT0 + kHour)));
  Json initial = record_json();
  initial["events"] = {{{"type", "given"}, {"time", "2026-01-02T00:00:00Z"}, {"actor", "a"}},
                       {{"type", "withdrawn"}, {"time", "2026-01-01T00:00:00Z"}, {"actor", "a"}}};
  EXPECT_EQ(error_of([&] { consent_record_from_json(initial, kT0); }), ErrorType::kBadRequestData);
}

TEST(ConsentTest, OtherEventRulesAreChecked) {
  ConsentRecord fresh = with_events({});
  EXPECT_THROW(validate_new_event(fresh, event(ConsentEventType::kRenewed, kT0)), Error);  // nothing to renew
  EXPECT_THROW(validate_new_event(fresh, event(ConsentEventType::kWithdrawn, kT0, kT0 + 1)), Error);
  EXPECT_THROW(validate_new_event(fresh, event(ConsentEventType::kGiven, kT0, kT0)), Error);
  EXPECT_THROW(validate_new_event(fresh, event(ConsentEventType::kExpired, kT0)), Error);  // nothing given
  ConsentEvent no_actor = event(ConsentEventType::kGiven, kT0);
  no_actor.actor.clear();
  EXPECT_THROW(validate_new_event(fresh, no_actor), Error);
  EXPECT_THROW(validate_new_event(fresh, event(ConsentEventType::kGiven, kT0, std::nullopt, ActorCapacity::kController)),
               Error);
}

TEST(ConsentTest, StateFollowsTheEventsInTime) {
  ConsentRecord r = with_events({event(ConsentEventType::kGiven, kT0 + kHour),
                                 event(ConsentEventType::kWithdrawn, kT0 + 3 * kHour),
                                 event(ConsentEventType::kGiven, kT0 + 5 * kHour)});
  EXPECT_EQ(consent_state_at(r, kT0), ConsentState::kNone);
  EXPECT_EQ(consent_state_at(r, kT0 + kHour), ConsentState::kGiven);
  EXPECT_EQ(consent_state_at(r, kT0 + 4 * kHour), ConsentState::kWithdrawn);
  EXPECT_EQ(consent_state_at(r, kT0 + 6 * kHour), ConsentState::kGiven);
  EXPECT_EQ(decision_time_at(r, kT0 + 6 * kHour), kT0 + 5 * kHour);
}

TEST(ConsentTest, AWithdrawalIsNeverPostponedByAnEarlierClock) {
  SubjectConsents consents;
  consents.put(
      with_events({event(ConsentEventType::kGiven, kT0), event(ConsentEventType::kWithdrawn, kT0 + kHour)}));
  // As history the consent was given at kT0 + 1; a decision dated then (a
  // request begun earlier, a clock set back) sees the withdrawal all the same.
  EXPECT_EQ(consent_state_at(*consents.records()[0], kT0 + 1), ConsentState::kGiven);
  EXPECT_EQ(consents.answer(purposes().covering(kTransport), "デモ市", kT0 + 1).state, ConsentState::kWithdrawn);
}

TEST(ConsentTest, ConsentExpiresByTimeAndRenewalRestoresIt) {
  ConsentRecord r = with_events({event(ConsentEventType::kGiven, kT0, kT0 + 24 * kHour)});
  EXPECT_EQ(consent_state_at(r, kT0 + 23 * kHour), ConsentState::kGiven);
  EXPECT_EQ(consent_state_at(r, kT0 + 24 * kHour), ConsentState::kExpired);
  // Recording the expiry lazily changes nothing in the answer.
  ConsentEvent expired = event(ConsentEventType::kExpired, kT0 + 30 * kHour);
  expired.actor = "system";
  expired.capacity = ActorCapacity::kController;
  validate_new_event(r, expired);
  r.events.push_back(expired);
  EXPECT_EQ(consent_state_at(r, kT0 + 31 * kHour), ConsentState::kExpired);
  ConsentEvent renewed = event(ConsentEventType::kRenewed, kT0 + 40 * kHour, kT0 + 100 * kHour);
  validate_new_event(r, renewed);
  r.events.push_back(renewed);
  EXPECT_EQ(consent_state_at(r, kT0 + 41 * kHour), ConsentState::kGiven);
}

TEST(ConsentTest, GuardianEventsRecordTheirCapacity) {
  Json body = {{"type", "given"}, {"actor", "acc-parent"}, {"capacity", "adult_guardian"}};
  ConsentEvent e = consent_event_from_json(body, kT0);
  EXPECT_EQ(e.capacity, ActorCapacity::kAdultGuardian);
  EXPECT_EQ(e.time, kT0);
  EXPECT_EQ(to_json(e)["capacity"], "adult_guardian");
  EXPECT_THROW(consent_event_from_json({{"type", "given"}, {"actor", "a"}, {"capacity", "neighbour"}}, kT0), Error);
}

TEST(ConsentTest, CheckActorAllowsTheSubjectAndTheirGuardiansOnly) {
  Principal resident;
  resident.kind = PrincipalKind::kAccount;
  resident.subject = "a1b2";
  Principal guardian;
  guardian.kind = PrincipalKind::kAccount;
  guardian.subject = "c3d4";
  guardian.wards = {"a1b2"};
  Principal stranger;
  stranger.kind = PrincipalKind::kAccount;
  stranger.subject = "e5f6";
  EXPECT_NO_THROW(check_actor(resident, "a1b2", ActorCapacity::kSelf));
  EXPECT_NO_THROW(check_actor(guardian, "a1b2", ActorCapacity::kGuardian));
  EXPECT_NO_THROW(check_actor(guardian, "a1b2", ActorCapacity::kAdultGuardian));
  EXPECT_EQ(error_of([&] { check_actor(guardian, "a1b2", ActorCapacity::kSelf); }), ErrorType::kForbidden);
  EXPECT_EQ(error_of([&] { check_actor(resident, "a1b2", ActorCapacity::kGuardian); }), ErrorType::kForbidden);
  EXPECT_EQ(error_of([&] { check_actor(stranger, "a1b2", ActorCapacity::kSelf); }), ErrorType::kForbidden);
  EXPECT_EQ(error_of([&] { check_actor(resident, "a1b2", ActorCapacity::kController); }), ErrorType::kForbidden);
}

TEST(ConsentTest, RecipientsLimitTheRecord) {
  // Naming no recipient consents to the controllers only (a bug once let
  // every recipient through).
  ConsentRecord controllers_only = with_events({});
  EXPECT_FALSE(controllers_only.allows_recipient("デモ交通株式会社"));
  EXPECT_TRUE(controllers_only.allows_recipient("デモ市"));
  ConsentRecord listed = with_events({}, record_json({"dpv:ImproveTransportMobility"}, {"デモ交通株式会社"}));
  EXPECT_TRUE(listed.allows_recipient("デモ交通株式会社"));
  EXPECT_TRUE(listed.allows_recipient("デモ市"));  // the controller itself
  EXPECT_FALSE(listed.allows_recipient("広告代理店"));
}

TEST(ConsentTest, TheLatestDecisionAcrossRecordsDecides) {
  SubjectConsents consents;
  Json broad = record_json({"dpv:PublicBenefit"});
  broad["id"] = "consent-broad";
  Json narrow = record_json({"machi:MobilityPlanning"});
  narrow["id"] = "consent-narrow";
  consents.put(with_events({event(ConsentEventType::kGiven, kT0), event(ConsentEventType::kWithdrawn, kT0 + kHour)},
                           broad));
  consents.put(with_events({event(ConsentEventType::kGiven, kT0 + 2 * kHour)}, narrow));
  auto covering = purposes().covering("machi:MobilityPlanning");
  EXPECT_EQ(consents.answer(covering, "デモ市", kT0 + 3 * kHour).state, ConsentState::kGiven);
  // For a purpose only the broad record covers, its withdrawal decides.
  auto transport = purposes().covering("dpv:ImproveTransportMobility");
  EXPECT_EQ(consents.answer(transport, "デモ市", kT0 + 3 * kHour).state, ConsentState::kWithdrawn);
  // Nothing covers research.
  SubjectAnswer none = consents.answer(purposes().covering("dpv:ResearchAndDevelopment"), "デモ市", kT0);
  EXPECT_EQ(none.state, ConsentState::kNone);
  EXPECT_FALSE(none.has_record_for_purpose);
}

TEST(ConsentTest, ARecordForOtherRecipientsExcludesThisOne) {
  SubjectConsents consents;
  consents.put(with_events({event(ConsentEventType::kGiven, kT0)},
                           record_json({"dpv:ImproveTransportMobility"}, {"デモ交通株式会社"})));
  auto covering = purposes().covering(kTransport);
  EXPECT_EQ(consents.answer(covering, "デモ交通株式会社", kT0).state, ConsentState::kGiven);
  SubjectAnswer other = consents.answer(covering, "広告代理店", kT0);
  EXPECT_EQ(other.state, ConsentState::kNone);
  EXPECT_TRUE(other.recipient_excluded);
}

TEST(ConsentTest, ReceiptsCarryTheEventAndAHashOfTheRecord) {
  ConsentRecord r = with_events({event(ConsentEventType::kGiven, kT0, std::nullopt, ActorCapacity::kGuardian)});
  Json body = receipt_body(r, 0);
  EXPECT_EQ(body["recordId"], r.id);
  EXPECT_EQ(body["dataSubject"], r.subject);
  EXPECT_EQ(body["event"]["type"], "given");
  EXPECT_EQ(body["event"]["capacity"], "guardian");
  EXPECT_EQ(body["purposes"][0], kTransport);
  EXPECT_EQ(body["processing"]["retention"], "P5Y");
  EXPECT_EQ(body["recordHash"]["value"].get<std::string>().size(), 64u);
  EXPECT_THROW(receipt_body(r, 1), Error);

  std::string signed_text;
  Json receipt = sign_receipt(body, "ledger-key-1", [&](std::string_view canonical) {
    signed_text = canonical;
    return std::string("c2lnbmF0dXJl");
  });
  EXPECT_EQ(signed_text, canonical_json(body));
  EXPECT_EQ(receipt["signature"]["keyId"], "ledger-key-1");
  EXPECT_EQ(receipt["signature"]["value"], "c2lnbmF0dXJl");
  EXPECT_EQ(receipt["signature"]["alg"], "Ed25519");

  // A later event changes the record, so its hash.
  r.events.push_back(event(ConsentEventType::kWithdrawn, kT0 + kHour));
  EXPECT_NE(receipt_body(r, 1)["recordHash"], body["recordHash"]);
}

TEST(ConsentTest, CanonicalJsonSortsKeysWithoutWhitespace) {
  Json j = {{"b", 1}, {"a", {{"d", "日本"}, {"c", true}}}};
  EXPECT_EQ(canonical_json(j), R"({"a":{"c":true,"d":"日本"},"b":1})");
}

TEST(ConsentTest, AnObjectionNamingNoRecipientStandsAgainstEveryRecipient) {
  SubjectConsents consents;
  consents.put(with_events({event(ConsentEventType::kRefused, kT0)}));
  EXPECT_EQ(consents.answer(purposes().covering(kTransport), "デモ交通株式会社", kT0 + 1).state, ConsentState::kRefused);
  // ... while a consent naming none covers the controller only.
  SubjectConsents yes;
  yes.put(with_events({event(ConsentEventType::kGiven, kT0)}));
  EXPECT_EQ(yes.answer(purposes().covering(kTransport), "デモ市", kT0 + 1).state, ConsentState::kGiven);
  EXPECT_TRUE(yes.answer(purposes().covering(kTransport), "デモ交通株式会社", kT0 + 1).recipient_excluded);
}

}  // namespace
}  // namespace machi::trust
