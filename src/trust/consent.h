// Consent records after ISO/IEC TS 27560:2023 as W3C DPV maps it
// (https://w3id.org/dpv/guides/consent-27560): a header (record id, schema
// version, data subject), the processing consented to (notice, language,
// purposes, personal data, controllers, storage, retention, jurisdiction,
// recipients, withdrawal method), the parties, and the consent events.
//
// Events are only ever appended, in time order: the record is the history
// of the resident's decisions, and its state at a time is read from it.
// Each event records who acted and in which capacity: the resident, or a
// guardian (親権者など) or adult guardian (成年後見人) acting for them.
// docs/consent.md shows the JSON form.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "trust/principal.h"

namespace machi::trust {

enum class ConsentEventType : uint8_t { kGiven, kRenewed, kWithdrawn, kRefused, kExpired };
// "given", "renewed", "withdrawn", "refused", "expired".
std::string_view event_type_name(ConsentEventType type);
// The DPV status the event puts the consent in, e.g. https://w3id.org/dpv#ConsentWithdrawn.
std::string_view event_status_iri(ConsentEventType type);

enum class ActorCapacity : uint8_t { kSelf, kGuardian, kAdultGuardian, kController };
// "self", "guardian", "adult_guardian" (成年後見人), "controller" (the city, e.g. recording an expiry).
std::string_view capacity_name(ActorCapacity capacity);

struct ConsentEvent {
  ConsentEventType type = ConsentEventType::kGiven;
  TimeMs time = 0;
  std::string actor;                  // account id of who acted ("system" for a lazily recorded expiry)
  ActorCapacity capacity = ActorCapacity::kSelf;
  std::optional<TimeMs> valid_until;  // given/renewed: when this consent lapses; none = until withdrawn
};

struct ConsentParty {
  std::string id;
  std::string name;
  std::string role;     // "controller", "recipient", "third_party", "processor", "authority"
  std::string address;
  std::string contact;  // e-mail, phone or URL
};

struct ConsentRecord {
  // Header
  std::string id;
  std::string schema_version;  // dct:conformsTo
  std::string subject;         // the resident's pseudonym (pii principal id)
  TimeMs created_at = 0;
  // Processing
  std::string notice;          // the privacy notice shown (URL or id)
  std::string language = "ja";
  std::vector<std::string> purposes;         // expanded purpose IRIs
  std::vector<std::string> personal_data;    // DPV-PD category IRIs
  std::vector<std::string> controllers;      // party ids
  std::string storage_location = "JP";
  std::string retention;                     // ISO 8601 duration, e.g. "P5Y"
  std::string jurisdiction = "JP";
  std::vector<std::string> recipients;       // recipient organisation names; empty = the controllers only
  std::string withdrawal_method;
  // Parties and events
  std::vector<ConsentParty> parties;
  std::vector<ConsentEvent> events;

  // True when processing by this recipient is within the record: the
  // recipient is listed (by name), or it is one of the controllers (by
  // party id or name). No recipients listed means the controllers only.
  bool allows_recipient(std::string_view recipient) const;
};

inline constexpr std::string_view kConsentSchemaVersion = "https://machi.city/ns/consent-record/1";

// The state of a consent at a time, from its events.
enum class ConsentState : uint8_t { kNone, kGiven, kWithdrawn, kRefused, kExpired };
std::string_view consent_state_name(ConsentState state);

// The state at a time, as history: events up to and including `at`
// decide; a given/renewed consent whose valid_until has passed is expired.
ConsentState consent_state_at(const ConsentRecord& record, TimeMs at);
// Time of the decisive event behind consent_state_at (0 for kNone).
TimeMs decision_time_at(const ConsentRecord& record, TimeMs at);

// Validates and normalizes a client's record: resolves purpose short names,
// checks ids, subject, events (time order, actors); created_at = now and a
// generated id when none is given. Throws Error(BadRequestData).
ConsentRecord consent_record_from_json(const Json& body, TimeMs now);
// Checks an event against the record before it is appended: not before the
// last event, an actor, an expiry only on given/renewed.
void validate_new_event(const ConsentRecord& record, const ConsentEvent& event);
ConsentEvent consent_event_from_json(const Json& body, TimeMs now);
// Throws Error(Forbidden) unless the principal may act for the subject in
// that capacity (self: it is the subject; guardian kinds: a ward).
void check_actor(const Principal& principal, std::string_view subject, ActorCapacity capacity);

Json to_json(const ConsentRecord& record);
Json to_json(const ConsentEvent& event);
// Reads what to_json wrote (stored records are trusted but still checked).
ConsentRecord consent_record_from_stored(const Json& stored);

// The access-ledger entry of one consent event ("consent.given", ...),
// indexed by the record's subject.
Json consent_event_entry(const ConsentRecord& record, size_t event_index);

// Receipts. The body names the record, the subject, one event, the
// purposes, a processing summary and the SHA-256 (hex) of the record's
// canonical JSON; sign_receipt adds {"signature": {"alg": "Ed25519",
// "keyId", "value"}} over the canonical JSON of the body. Canonical JSON:
// keys sorted, no whitespace, UTF-8 as is (see docs/consent.md).
Json receipt_body(const ConsentRecord& record, size_t event_index);
using ReceiptSign = std::function<std::string(std::string_view canonical_json)>;  // returns base64
Json sign_receipt(Json body, const std::string& key_id, const ReceiptSign& sign);
std::string canonical_json(const Json& value);

// The answer of one subject's consents for one purpose and recipient.
struct SubjectAnswer {
  ConsentState state = ConsentState::kNone;  // of the applicable record decided last
  bool has_record_for_purpose = false;       // some record names a covering purpose (any recipient)
  bool recipient_excluded = false;           // ... but none admits this recipient
};

// One subject's consent records, indexed by purpose so that the enforcer
// answers with a few hash lookups.
class SubjectConsents {
 public:
  void put(ConsentRecord record);  // inserts or replaces (by id)
  const ConsentRecord* find(const std::string& record_id) const;
  std::vector<const ConsentRecord*> records() const;
  bool empty() const { return records_.empty(); }

  // covering: the purpose asked about and its ancestors (PurposeCatalog::
  // covering). Among records naming one of them and admitting the
  // recipient (a refusal or withdrawal that names no recipient admits
  // every recipient), the one whose decisive event is latest decides; at equal
  // times a refusal or withdrawal wins. Unlike consent_state_at, a
  // withdrawal or refusal recorded with a time after `now` counts too: a
  // request begun before it, or a clock set back, must not postpone it.
  SubjectAnswer answer(const std::vector<std::string>& covering, std::string_view recipient, TimeMs now) const;

 private:
  void reindex();

  std::map<std::string, ConsentRecord> records_;  // by id; stable addresses
  std::unordered_map<std::string, std::vector<const ConsentRecord*>> by_purpose_;
};

}  // namespace machi::trust
