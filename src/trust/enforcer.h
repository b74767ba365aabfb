// The policy enforcement point: every read of personal data goes through
// one decision. Default deny. It asks four questions:
//   1. whose token: the Principal (a resident or guardian reads their own
//      data as "data_subject_access"; admins, auditors and everyone else
//      have no implicit right to personal data);
//   2. which grant, for which purpose and legal basis: resolved once per
//      request by begin(), with the grant's state checked on the server at
//      that moment (a suspended, revoked or expired grant stops the very
//      next request, whatever the token says);
//   3. the subject's consent (or the other basis) for that purpose and the
//      grant's recipient: decide(), per entity, a few hash lookups;
//   4. the grant's conditions on what leaves: shape() keeps the allowed
//      attributes and pseudonymizes per grant.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "trust/grants.h"
#include "trust/principal.h"
#include "trust/privacy_registry.h"

namespace machi::trust {

// What begin() resolved for one request. Cheap to keep for the request's
// life; decide() and shape() only read it.
struct AccessScope {
  Principal principal;
  TimeMs now = 0;
  std::shared_ptr<const Grant> grant;  // null when no grant applies
  std::string_view deny_reason;        // why no grant applies ("no_grant", "grant_suspended", ...); static
  std::string requested_grant;         // the grant id the request named, if any (for the ledger)
  std::string purpose;                 // the purpose the request runs under (expanded)
  std::vector<std::string> covering;   // purpose and its ancestors
  std::unordered_set<std::string> entity_types;  // of the grant
  std::unordered_set<std::string> attributes;    // of the grant; empty = all
  bool city_staff = false;
  bool opt_out_default = false;        // city set the purpose opt-out and its notice is out
  bool notice_published = false;       // a notice for the purpose (or a broader one) is out

  bool has_grant() const { return grant != nullptr; }
};

struct Decision {
  bool allowed = false;
  bool personal = false;
  std::string subject;       // the data subject, when personal and known
  std::string_view reason;   // static short code: "not_personal", "data_subject_access", "consent", "no_consent", ...
  bool objection_overridden = false;  // statutory/emergency access although the subject objected: log it
};

class Enforcer {
 public:
  explicit Enforcer(std::shared_ptr<const TenantPrivacy> registry) : registry_(std::move(registry)) {}

  // Resolves the grant for a request. requested_grant_id / requested_purpose
  // may be empty (purposes by IRI or short name). Never throws for a
  // missing or unusable grant: the scope then carries deny_reason, and the
  // principal can still read non-personal data and its own.
  AccessScope begin(const Principal& principal, std::string_view requested_grant_id,
                    std::string_view requested_purpose, TimeMs now) const;

  // The decision for one stored entity.
  Decision decide(const AccessScope& scope, const Json& stored_entity) const;

  // The allowed output of an allowed entity: only the grant's attributes
  // (plus the subject attribute), and with pseudonymize the subject and the
  // id's last segment replaced by per-grant pseudonyms. Non-personal
  // entities and the subject's own data come back unchanged. Given an
  // entity decide() denied, it leaves id and type only.
  Json shape(const AccessScope& scope, Json stored_entity) const;

 private:
  std::shared_ptr<const TenantPrivacy> registry_;
};

// HMAC-SHA256(grant key, value) as 32 hex digits: stable within a grant,
// unlinkable across grants.
std::string pseudonym(const Grant& grant, std::string_view value);

}  // namespace machi::trust
