// The legal bases on which personal data may be used, as Japan's APPI
// (個人情報保護法) has them for a city, and the rule each one applies:
//
//   consent    the resident's consent to the purpose (or, where the city set
//              the purpose to opt-out and published a notice, the absence of
//              an objection) — never by default for special-care data;
//   opt_out    third-party provision after a published notice until the
//              resident objects (Art. 27(2)); never for 要配慮個人情報;
//   statutory  the city's statutory duties (public-sector rules): city staff
//              only; an objection does not stop it but is reported for the log;
//   emergency  protection of life, body or property when consent is hard to
//              get: a grant with a reason and a window of at most 72 hours;
//              covers special-care data.
//
// The enforcer gathers the facts (BasisFacts) once per entity; apply_basis
// is the whole rule, pure, so that every case is testable on its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/time.h"
#include "trust/consent.h"

namespace machi::trust {

enum class LegalBasis : uint8_t { kConsent, kOptOut, kStatutory, kEmergency };

// "consent", "opt_out", "statutory", "emergency".
std::string_view legal_basis_name(LegalBasis basis);
std::optional<LegalBasis> parse_legal_basis(std::string_view name);
// The DPV legal basis it corresponds to (docs/consent.md): dpv:Consent,
// machi:OptOutNotice (no DPV core term), dpv:OfficialAuthorityOfController,
// dpv:VitalInterest.
std::string_view legal_basis_iri(LegalBasis basis);

inline constexpr TimeMs kMaxEmergencyWindowMs = 72LL * 60 * 60 * 1000;

// Throws Error(BadRequestData) unless an emergency grant has a reason and a
// window [valid_from, valid_until] of at most 72 hours.
void check_emergency_window(TimeMs valid_from, std::optional<TimeMs> valid_until, std::string_view reason);
bool emergency_window_ok(TimeMs valid_from, std::optional<TimeMs> valid_until, std::string_view reason);

struct BasisFacts {
  LegalBasis basis = LegalBasis::kConsent;
  SubjectAnswer answer;             // the resident's own decisions for the purpose and recipient
  bool special_care = false;        // 要配慮個人情報
  bool opt_out_default = false;     // city set the purpose to opt-out and published its notice
  bool notice_published = false;    // a notice for the purpose was published by now
  bool city_staff = false;          // the principal holds the city_staff role
  bool emergency_window_ok = false; // the grant's emergency window is valid and current
};

struct BasisVerdict {
  bool allowed = false;
  std::string_view reason;          // short code, see docs/consent.md
  bool objection_overridden = false;  // allowed although the resident objected (statutory, emergency)
};

BasisVerdict apply_basis(const BasisFacts& facts);

}  // namespace machi::trust
