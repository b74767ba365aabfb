#include "trust/read_access.h"

#include <algorithm>
#include <set>

#include "core/time.h"

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

bool ReadAccess::admit(const Json& stored) {
  Decision decision = enforcer_.decide(scope_, stored);
  if (!decision.personal) return decision.allowed;
  if (decision.allowed) {
    released_.push_back(decision.subject);
    ++bases_[std::string(decision.reason)];
  } else {
    ++withheld_count_;
    if (withheld_.size() < kMaxListedWithheld && !decision.subject.empty()) withheld_.push_back(decision.subject);
    ++reasons_[std::string(decision.reason)];
  }
  return decision.allowed;
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
  entry["decision"] = released_.empty() ? "deny" : (withheld_count_ == 0 ? "allow" : "partial");
  entry["released"] = unique(released_);
  entry["withheld"] = unique(withheld_);
  if (withheld_count_ > withheld_.size()) entry["withheldCount"] = withheld_count_;
  if (!bases_.empty()) entry["bases"] = bases_;
  if (!reasons_.empty()) entry["reasons"] = reasons_;
  return entry;
}

void ReadAccess::commit() {
  if (committed_) return;
  committed_ = true;
  if (released_.empty() && withheld_count_ == 0) return;
  std::vector<std::string> subjects = unique(released_);
  for (const auto& s : unique(withheld_)) {
    if (std::find(subjects.begin(), subjects.end(), s) == subjects.end()) subjects.push_back(s);
  }
  ledger_->append(LedgerEntryIn{entry_json().dump(), std::move(subjects)});
}

}  // namespace machi::trust
