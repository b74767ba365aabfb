#include "trust/principal.h"

#include <algorithm>
#include <memory>

namespace machi::trust {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kResident:
      return "resident";
    case Role::kCityStaff:
      return "city_staff";
    case Role::kCoordinator:
      return "coordinator";
    case Role::kEthicsMember:
      return "ethics_member";
    case Role::kAuditor:
      return "auditor";
    case Role::kProvider:
      return "provider";
    case Role::kConsumer:
      return "consumer";
    case Role::kAdmin:
      return "admin";
  }
  return "";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : kAllRoles) {
    if (role_name(r) == name) return r;
  }
  return std::nullopt;
}

std::vector<Role> RoleSet::roles() const {
  std::vector<Role> out;
  for (Role r : kAllRoles) {
    if (has(r)) out.push_back(r);
  }
  return out;
}

std::string RoleSet::to_string() const {
  std::string out;
  for (Role r : roles()) {
    if (!out.empty()) out += ',';
    out += role_name(r);
  }
  return out;
}

bool Principal::acts_for(std::string_view data_subject) const {
  if (data_subject.empty()) return false;
  if (subject == data_subject) return true;
  return std::find(wards.begin(), wards.end(), data_subject) != wards.end();
}

using PrincipalPtr = std::shared_ptr<const Principal>;

std::any principal_slot(Principal principal) { return std::make_shared<const Principal>(std::move(principal)); }

const Principal& principal_in(const std::any& slot) {
  static const Principal kAnonymous;
  if (const auto* p = std::any_cast<PrincipalPtr>(&slot)) return **p;
  return kAnonymous;
}

}  // namespace machi::trust
