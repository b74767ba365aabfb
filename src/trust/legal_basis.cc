#include "trust/legal_basis.h"

#include "core/error.h"

namespace machi::trust {
namespace {

bool objected(const SubjectAnswer& answer) {
  return answer.state == ConsentState::kWithdrawn || answer.state == ConsentState::kRefused;
}

BasisVerdict allow(std::string_view reason, bool overridden = false) { return {true, reason, overridden}; }
BasisVerdict deny(std::string_view reason) { return {false, reason, false}; }

BasisVerdict consent_rule(const BasisFacts& f) {
  // The resident's explicit decision always wins over the city's setting.
  switch (f.answer.state) {
    case ConsentState::kGiven:
      return allow("consent");
    case ConsentState::kWithdrawn:
      return deny("withdrawn");
    case ConsentState::kRefused:
      return deny("refused");
    case ConsentState::kExpired:
      return deny("consent_expired");
    case ConsentState::kNone:
      break;
  }
  if (f.answer.recipient_excluded) return deny("recipient_not_consented");
  if (f.answer.has_record_for_purpose || !f.opt_out_default) return deny("no_consent");
  // No record at all, and the city runs this purpose opt-out with its
  // notice out: silence counts as consent — except for special-care data,
  // which APPI never lets go by opt-out.
  if (f.special_care) return deny("special_care_opt_out_forbidden");
  return allow("consent_opt_out_default");
}

BasisVerdict opt_out_rule(const BasisFacts& f) {
  if (f.special_care) return deny("special_care_opt_out_forbidden");
  if (!f.notice_published) return deny("no_notice");
  if (objected(f.answer)) return deny("objected");
  return allow("opt_out");
}

}  // namespace

std::string_view legal_basis_name(LegalBasis basis) {
  switch (basis) {
    case LegalBasis::kConsent:
      return "consent";
    case LegalBasis::kOptOut:
      return "opt_out";
    case LegalBasis::kStatutory:
      return "statutory";
    case LegalBasis::kEmergency:
      return "emergency";
  }
  return "";
}

std::optional<LegalBasis> parse_legal_basis(std::string_view name) {
  for (LegalBasis b : {LegalBasis::kConsent, LegalBasis::kOptOut, LegalBasis::kStatutory, LegalBasis::kEmergency}) {
    if (legal_basis_name(b) == name) return b;
  }
  return std::nullopt;
}

std::string_view legal_basis_iri(LegalBasis basis) {
  switch (basis) {
    case LegalBasis::kConsent:
      return "https://w3id.org/dpv#Consent";
    case LegalBasis::kOptOut:
      return "https://machi.city/ns#OptOutNotice";
    case LegalBasis::kStatutory:
      return "https://w3id.org/dpv#OfficialAuthorityOfController";
    case LegalBasis::kEmergency:
      return "https://w3id.org/dpv#VitalInterest";
  }
  return "";
}

bool emergency_window_ok(TimeMs valid_from, std::optional<TimeMs> valid_until, std::string_view reason) {
  return !reason.empty() && valid_until && *valid_until > valid_from &&
         *valid_until - valid_from <= kMaxEmergencyWindowMs;
}

void check_emergency_window(TimeMs valid_from, std::optional<TimeMs> valid_until, std::string_view reason) {
  if (reason.empty()) throw Error(ErrorType::kBadRequestData, "an emergency grant must name its reason");
  if (!valid_until) throw Error(ErrorType::kBadRequestData, "an emergency grant must have validUntil");
  if (!emergency_window_ok(valid_from, valid_until, reason)) {
    throw Error(ErrorType::kBadRequestData, "an emergency grant may last at most 72 hours");
  }
}

BasisVerdict apply_basis(const BasisFacts& f) {
  switch (f.basis) {
    case LegalBasis::kConsent:
      return consent_rule(f);
    case LegalBasis::kOptOut:
      return opt_out_rule(f);
    case LegalBasis::kStatutory:
      if (!f.city_staff) return deny("statutory_requires_city_staff");
      return allow("statutory", objected(f.answer));
    case LegalBasis::kEmergency:
      if (!f.emergency_window_ok) return deny("emergency_window_invalid");
      return allow("emergency", objected(f.answer));
  }
  return deny("unknown_legal_basis");
}

}  // namespace machi::trust
