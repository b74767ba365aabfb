// Grants: the approved uses of personal data. A grant names who receives
// the data (an organisation, and the consumer account that owns the
// grant), for which purposes, on which legal basis, which entity types and
// attributes, whether output is pseudonymized, and when it is valid.
// Until the ethics committee exists (part 2), an admin creates grants.
//
// Lifecycle: approved <-> suspended, either -> revoked (final). "expired"
// and "not yet valid" are not stored: they follow from the validity window
// and the time of each request, so an old token stops working the moment a
// grant is suspended, revoked or runs out.
//
// Every change returns a description for the access ledger (the caller logs
// it). The 32-byte pseudonym key never leaves the server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "trust/legal_basis.h"

namespace machi::trust {

enum class GrantState : uint8_t { kApproved, kSuspended, kRevoked };
// What a request at some time sees: the stored state, or expired / not yet valid.
enum class GrantStatus : uint8_t { kUsable, kSuspended, kRevoked, kExpired, kNotYetValid };

// "approved", "suspended", "revoked".
std::string_view grant_state_name(GrantState state);
// "approved" (usable), "suspended", "revoked", "expired", "not_yet_valid".
std::string_view grant_status_name(GrantStatus status);
// The enforcer's reason code: "grant_suspended", "grant_revoked", ... ("" when usable).
std::string_view grant_status_reason(GrantStatus status);

struct Grant {
  std::string id;
  std::string name;
  std::string recipient;                  // organisation that receives the data
  std::string consumer;                   // account id that owns the grant
  std::vector<std::string> purposes;      // expanded purpose IRIs
  LegalBasis legal_basis = LegalBasis::kConsent;
  std::vector<std::string> entity_types;  // expanded type IRIs
  std::vector<std::string> attributes;    // expanded attribute IRIs; empty = all
  bool pseudonymize = false;
  TimeMs valid_from = 0;
  std::optional<TimeMs> valid_until;      // none = open-ended (not for emergency grants)
  GrantState state = GrantState::kApproved;
  std::string reason;                     // emergency: why; statutory: the duty and statute
  std::string created_by;
  TimeMs created_at = 0;
  std::string changed_by;
  TimeMs changed_at = 0;
  std::string pseudonym_key;              // 32 random bytes (raw)
};

GrantStatus grant_status(const Grant& grant, TimeMs now);

// A new grant from an admin's JSON (see docs/consent.md): validates it,
// resolves purpose short names, draws an id and a pseudonym key. Entity
// types and attributes must already be expanded IRIs (the API layer expands
// them with the request's @context). Throws Error(BadRequestData).
Grant grant_from_request(const Json& body, const std::string& actor, TimeMs now);

enum class GrantChange : uint8_t { kCreate, kSuspend, kResume, kRevoke };
std::string_view grant_change_name(GrantChange change);  // "create", "suspend", "resume", "revoke"

// Applies suspend / resume / revoke. Throws Error(BadRequestData) for a
// change that does not apply (resume of an approved grant, anything after
// revoke).
void change_grant(Grant& grant, GrantChange change, const std::string& actor, TimeMs now);

// The ledger's description of a change: {"event": "grant.<change>",
// "grant": <to_json(grant)>, "actor", "time"}; no key.
Json grant_change_event(const Grant& grant, GrantChange change, const std::string& actor, TimeMs now);

// The API form (no key; "status" is the effective status at `now`).
Json to_json(const Grant& grant, TimeMs now);
// The stored form (with the key, hex) and back.
Json grant_to_stored(const Grant& grant);
Grant grant_from_stored(const Json& stored);

// n bytes from OpenSSL's CSPRNG.
std::string random_bytes(size_t n);
// prefix + 16 lower-case hex digits (64 random bits), e.g. "grant-3f9c0a...".
std::string random_id(std::string_view prefix);

}  // namespace machi::trust
