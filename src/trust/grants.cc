#include "trust/grants.h"

#include <openssl/rand.h>

#include "core/error.h"
#include "trust/encoding.h"
#include "trust/purposes.h"

namespace machi::trust {
namespace {

constexpr size_t kPseudonymKeyBytes = 32;

[[noreturn]] void bad(const std::string& detail) { throw Error(ErrorType::kBadRequestData, detail); }

std::string text(const Json& body, const char* key, bool required) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) bad(std::string("grant: \"") + key + "\" is required");
    return "";
  }
  if (!it->is_string() || (required && it->get_ref<const std::string&>().empty())) {
    bad(std::string("grant: \"") + key + "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

std::vector<std::string> texts(const Json& body, const char* key) {
  std::vector<std::string> out;
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) bad(std::string("grant: \"") + key + "\" must be an array of strings");
  for (const auto& v : *it) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
      bad(std::string("grant: \"") + key + "\" must hold non-empty strings");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<TimeMs> time_field(const Json& body, const char* key) {
  std::string t = text(body, key, false);
  if (t.empty()) return std::nullopt;
  auto ms = parse_datetime(t);
  if (!ms) bad(std::string("grant: \"") + key + "\" is not a date-time: " + t);
  return ms;
}

void require_iris(const std::vector<std::string>& names, const char* what) {
  for (const auto& n : names) {
    if (n.find(':') == std::string::npos) bad(std::string("grant: ") + what + " must be expanded IRIs: " + n);
  }
}

std::optional<GrantState> parse_state(std::string_view name) {
  for (GrantState s : {GrantState::kApproved, GrantState::kSuspended, GrantState::kRevoked}) {
    if (grant_state_name(s) == name) return s;
  }
  return std::nullopt;
}

Json optional_time(std::optional<TimeMs> t) { return t ? Json(format_datetime(*t)) : Json(nullptr); }

}  // namespace

std::string_view grant_state_name(GrantState state) {
  switch (state) {
    case GrantState::kApproved:
      return "approved";
    case GrantState::kSuspended:
      return "suspended";
    case GrantState::kRevoked:
      return "revoked";
  }
  return "";
}

std::string_view grant_status_name(GrantStatus status) {
  switch (status) {
    case GrantStatus::kUsable:
      return "approved";
    case GrantStatus::kSuspended:
      return "suspended";
    case GrantStatus::kRevoked:
      return "revoked";
    case GrantStatus::kExpired:
      return "expired";
    case GrantStatus::kNotYetValid:
      return "not_yet_valid";
  }
  return "";
}

std::string_view grant_status_reason(GrantStatus status) {
  switch (status) {
    case GrantStatus::kUsable:
      return "";
    case GrantStatus::kSuspended:
      return "grant_suspended";
    case GrantStatus::kRevoked:
      return "grant_revoked";
    case GrantStatus::kExpired:
      return "grant_expired";
    case GrantStatus::kNotYetValid:
      return "grant_not_yet_valid";
  }
  return "";
}

std::string_view grant_change_name(GrantChange change) {
  switch (change) {
    case GrantChange::kCreate:
      return "create";
    case GrantChange::kSuspend:
      return "suspend";
    case GrantChange::kResume:
      return "resume";
    case GrantChange::kRevoke:
      return "revoke";
  }
  return "";
}

GrantStatus grant_status(const Grant& grant, TimeMs now) {
  if (grant.state == GrantState::kRevoked) return GrantStatus::kRevoked;
  if (grant.state == GrantState::kSuspended) return GrantStatus::kSuspended;
  if (now < grant.valid_from) return GrantStatus::kNotYetValid;
  if (grant.valid_until && now >= *grant.valid_until) return GrantStatus::kExpired;
  return GrantStatus::kUsable;
}

Grant grant_from_request(const Json& body, const std::string& actor, TimeMs now) {
  if (!body.is_object()) bad("grant: the body must be a JSON object");
  Grant g;
  g.id = random_id("grant-");
  g.name = text(body, "name", true);
  g.recipient = text(body, "recipient", true);
  g.consumer = text(body, "consumer", true);
  for (const auto& p : texts(body, "purposes")) g.purposes.push_back(purposes().resolve(p));
  if (g.purposes.empty()) bad("grant: \"purposes\" must name at least one purpose");
  auto basis = parse_legal_basis(text(body, "legalBasis", true));
  if (!basis) bad("grant: \"legalBasis\" must be consent, opt_out, statutory or emergency");
  g.legal_basis = *basis;
  g.entity_types = texts(body, "entityTypes");
  if (g.entity_types.empty()) bad("grant: \"entityTypes\" must name at least one type");
  require_iris(g.entity_types, "entityTypes");
  g.attributes = texts(body, "attributes");
  require_iris(g.attributes, "attributes");
  if (auto it = body.find("pseudonymize"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) bad("grant: \"pseudonymize\" must be true or false");
    g.pseudonymize = it->get<bool>();
  }
  g.valid_from = time_field(body, "validFrom").value_or(now);
  g.valid_until = time_field(body, "validUntil");
  if (g.valid_until && *g.valid_until <= g.valid_from) bad("grant: \"validUntil\" must be after \"validFrom\"");
  g.reason = text(body, "reason", false);
  if (g.legal_basis == LegalBasis::kEmergency) check_emergency_window(g.valid_from, g.valid_until, g.reason);
  if (g.legal_basis == LegalBasis::kStatutory && g.reason.empty()) {
    bad("grant: a statutory grant must name the duty and statute in \"reason\"");
  }
  g.created_by = g.changed_by = actor;
  g.created_at = g.changed_at = now;
  g.pseudonym_key = random_bytes(kPseudonymKeyBytes);
  return g;
}

void change_grant(Grant& grant, GrantChange change, const std::string& actor, TimeMs now) {
  if (grant.state == GrantState::kRevoked) bad("grant " + grant.id + " is revoked; a revoked grant cannot change");
  switch (change) {
    case GrantChange::kCreate:
      bad("grant " + grant.id + " already exists");
    case GrantChange::kSuspend:
      if (grant.state == GrantState::kSuspended) bad("grant " + grant.id + " is already suspended");
      grant.state = GrantState::kSuspended;
      break;
    case GrantChange::kResume:
      if (grant.state != GrantState::kSuspended) bad("grant " + grant.id + " is not suspended");
      grant.state = GrantState::kApproved;
      break;
    case GrantChange::kRevoke:
      grant.state = GrantState::kRevoked;
      break;
  }
  grant.changed_by = actor;
  grant.changed_at = now;
}

Json to_json(const Grant& g, TimeMs now) {
  return {{"id", g.id},
          {"name", g.name},
          {"recipient", g.recipient},
          {"consumer", g.consumer},
          {"purposes", g.purposes},
          {"legalBasis", legal_basis_name(g.legal_basis)},
          {"entityTypes", g.entity_types},
          {"attributes", g.attributes},
          {"pseudonymize", g.pseudonymize},
          {"validFrom", format_datetime(g.valid_from)},
          {"validUntil", optional_time(g.valid_until)},
          {"state", grant_state_name(g.state)},
          {"status", grant_status_name(grant_status(g, now))},
          {"reason", g.reason},
          {"createdBy", g.created_by},
          {"createdAt", format_datetime(g.created_at)},
          {"changedBy", g.changed_by},
          {"changedAt", format_datetime(g.changed_at)}};
}

Json grant_change_event(const Grant& grant, GrantChange change, const std::string& actor, TimeMs now) {
  return {{"event", "grant." + std::string(grant_change_name(change))},
          {"grant", to_json(grant, now)},
          {"actor", actor},
          {"time", format_datetime(now)}};
}

Json grant_to_stored(const Grant& g) {
  Json j = to_json(g, g.changed_at);
  j.erase("status");
  j["pseudonymKey"] = to_hex(g.pseudonym_key);
  return j;
}

Grant grant_from_stored(const Json& j) {
  try {
    Grant g;
    g.id = j.at("id").get<std::string>();
    g.name = j.at("name").get<std::string>();
    g.recipient = j.at("recipient").get<std::string>();
    g.consumer = j.at("consumer").get<std::string>();
    g.purposes = j.at("purposes").get<std::vector<std::string>>();
    g.legal_basis = parse_legal_basis(j.at("legalBasis").get<std::string>()).value();
    g.entity_types = j.at("entityTypes").get<std::vector<std::string>>();
    g.attributes = j.at("attributes").get<std::vector<std::string>>();
    g.pseudonymize = j.at("pseudonymize").get<bool>();
    g.valid_from = parse_datetime(j.at("validFrom").get<std::string>()).value();
    if (!j.at("validUntil").is_null()) g.valid_until = parse_datetime(j["validUntil"].get<std::string>()).value();
    g.state = parse_state(j.at("state").get<std::string>()).value();
    g.reason = j.at("reason").get<std::string>();
    g.created_by = j.at("createdBy").get<std::string>();
    g.created_at = parse_datetime(j.at("createdAt").get<std::string>()).value();
    g.changed_by = j.at("changedBy").get<std::string>();
    g.changed_at = parse_datetime(j.at("changedAt").get<std::string>()).value();
    g.pseudonym_key = from_hex(j.at("pseudonymKey").get<std::string>()).value();
    if (g.pseudonym_key.size() != kPseudonymKeyBytes) throw std::runtime_error("bad key length");
    return g;
  } catch (const std::exception& e) {
    throw Error(ErrorType::kInternalError, std::string("stored grant is corrupt: ") + e.what());
  }
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw Error(ErrorType::kInternalError, "the random number generator failed");
  }
  return out;
}

std::string random_id(std::string_view prefix) { return std::string(prefix) + to_hex(random_bytes(8)); }

}  // namespace machi::trust
