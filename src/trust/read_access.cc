#include "trust/read_access.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "core/error.h"
#include "core/time.h"
#include "trust/encoding.h"
#include "trust/grants.h"
#include "trust/merkle.h"

namespace machi::trust {
namespace {

Json principal_json(const Principal& p) {
  Json out = Json::object();
  switch (p.kind) {
    case PrincipalKind::kAnonymous:
      out["kind"] = "anonymous";
      break;
    case PrincipalKind::kAccount:
      out["kind"] = "account";
      break;
    case PrincipalKind::kClient:
      out["kind"] = "client";
      out["client"] = p.client_id;
      break;
  }
  if (!p.account_id.empty()) out["account"] = p.account_id;
  // The name the resident reads in their access log: a person's, or a
  // service application's.
  if (!p.display_name.empty()) out["name"] = p.display_name;
  out["roles"] = Json::array();
  for (Role r : p.roles.roles()) out["roles"].push_back(std::string(role_name(r)));
  if (p.issuer != "machi" && !p.issuer.empty()) out["issuer"] = p.issuer;
  return out;
}

std::vector<std::string> unique(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& s : items) {
    if (seen.insert(s).second) out.push_back(s);
  }
  return out;
}

}  // namespace

ReadAccess::ReadAccess(std::shared_ptr<const TenantPrivacy> privacy, std::shared_ptr<Ledger> ledger,
                       AccessScope scope, std::string action)
    : privacy_(privacy), enforcer_(std::move(privacy)), ledger_(std::move(ledger)), scope_(std::move(scope)), action_(std::move(action)) {}

bool ReadAccess::could_touch_personal(const std::vector<std::string>& types) const {
  return privacy_->read([&](const PrivacyState& state) {
    bool any_personal = false;
    for (const auto& [type, info] : state.personal_types) any_personal = any_personal || info.personal;
    if (!any_personal || types.empty()) return any_personal;
    for (const auto& type : types) {
      auto it = state.personal_types.find(type);
      if (it != state.personal_types.end() && it->second.personal) return true;
    }
    return false;
  });
}

void ReadAccess::check_selection(const Selection& selection) const {
  if (!scope_.grant) return;  // without a grant only the subjects' own data passes: nothing to learn
  const Grant& grant = *scope_.grant;
  std::unordered_set<std::string> subject_attributes;
  privacy_->read([&](const PrivacyState& state) {
    for (const auto& type : grant.entity_types) {
      auto it = state.personal_types.find(type);
      if (it != state.personal_types.end() && it->second.personal) subject_attributes.insert(it->second.subject_attribute);
    }
  });
  for (const auto& attr : selection.attributes) {
    bool is_subject = subject_attributes.count(attr) > 0;
    if (is_subject && grant.pseudonymize) {
      throw Error(ErrorType::kBadRequestData,
                  "grant " + grant.id + " pseudonymizes data subjects: a query may not select by " + attr);
    }
    if (!is_subject && !scope_.attributes.empty() && !scope_.attributes.count(attr)) {
      throw Error(ErrorType::kBadRequestData, "grant " + grant.id + " does not cover " + attr +
                                                  ": a query may select only by attributes the grant releases");
    }
  }
}

bool ReadAccess::admit(const Json& stored, bool selected_by_id) {
  Decision decision = enforcer_.decide(scope_, stored);
  if (!decision.personal) return decision.allowed;
  if (decision.allowed && selected_by_id && scope_.grant && scope_.grant->pseudonymize &&
      decision.reason != "data_subject_access") {
    decision.allowed = false;
    decision.reason = "pseudonymized_id_selected";
  }
  if (decision.allowed) {
    released_.push_back(decision.subject);
    ++bases_[std::string(decision.reason)];
    if (decision.objection_overridden) overridden_.push_back(decision.subject);
  } else {
    ++withheld_count_;
    // A request refused as a whole (no usable grant) is about the request,
    // not about anyone's data: it is counted, and auditors see it, but it
    // names no subject, so residents' logs are not filled with every
    // refused browse of a personal type.
    bool refused_as_a_whole = !scope_.grant;
    if (!refused_as_a_whole && withheld_.size() < kMaxListedWithheld && !decision.subject.empty()) {
      withheld_.push_back({decision.subject, std::string(decision.reason)});
    }
    ++reasons_[std::string(decision.reason)];
  }
  return decision.allowed;
}

std::string subject_tag(std::string_view subject_key, std::string_view subject) {
  Hash h = sha256(subject_key, subject);
  return to_hex(std::string_view(reinterpret_cast<const char*>(h.data()), 16));
}

Json ReadAccess::entry_json() const {
  Json entry = Json::object();
  entry["type"] = "access";
  entry["time"] = format_datetime(scope_.now);
  entry["principal"] = principal_json(scope_.principal);
  entry["action"] = action_;
  if (scope_.grant) {
    entry["grant"] = scope_.grant->id;
    entry["grantName"] = scope_.grant->name;
    entry["recipient"] = scope_.grant->recipient;
    entry["legalBasis"] = std::string(legal_basis_name(scope_.grant->legal_basis));
  } else if (!scope_.requested_grant.empty()) {
    entry["requestedGrant"] = scope_.requested_grant;  // named, but not usable (see reasons)
  }
  if (!scope_.purpose.empty()) entry["purpose"] = scope_.purpose;
  // Without a usable grant only the caller's own data (or a ward's) is
  // released, and the entry is indexed under them: it then says nothing of
  // the others the request matched, whose number would answer a probe
  // (q=mine|(someone;homeArea=="guess")).
  bool own_data_only = !scope_.grant && !released_.empty();
  bool partial = withheld_count_ > 0 && !own_data_only;
  entry["decision"] = released_.empty() ? "deny" : (partial ? "partial" : "allow");
  // Subjects appear only as tags keyed by this entry's random key, so that
  // a resident shown the entry learns nothing about the others it names.
  std::string key = random_bytes(16);
  auto tags = [&key](const std::vector<std::string>& subjects) {
    Json out = Json::array();
    for (const auto& subject : unique(subjects)) out.push_back(subject_tag(key, subject));
    return out;
  };
  entry["subjectKey"] = to_hex(key);
  entry["released"] = tags(released_);
  Json withheld = Json::array();
  std::set<std::string> seen;
  for (const auto& [subject, reason] : withheld_) {
    if (seen.insert(subject).second) withheld.push_back({{"subject", subject_tag(key, subject)}, {"reason", reason}});
  }
  entry["withheld"] = std::move(withheld);
  if (withheld_count_ > withheld_.size() && !own_data_only) entry["withheldCount"] = withheld_count_;
  if (!overridden_.empty()) entry["objectionOverridden"] = tags(overridden_);
  if (!bases_.empty()) entry["bases"] = bases_;
  if (!reasons_.empty() && !own_data_only) entry["reasons"] = reasons_;
  return entry;
}

void ReadAccess::commit() {
  if (committed_) return;
  committed_ = true;
  if (released_.empty() && withheld_count_ == 0) return;
  std::vector<std::string> subjects = unique(released_);
  for (const auto& [s, reason] : withheld_) {
    if (std::find(subjects.begin(), subjects.end(), s) == subjects.end()) subjects.push_back(s);
  }
  ledger_->append(LedgerEntryIn{entry_json().dump(), std::move(subjects)});
}

}  // namespace machi::trust
