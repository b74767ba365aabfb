// Who is asking: the caller of a request as authentication established it.
// Every authorization decision (the endpoint policy and the policy
// enforcement point) starts from a Principal; nothing in it is trusted from
// a token beyond identity: roles follow the account's current posts and
// grant states are looked up on the server at every request.
#pragma once

#include <any>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace machi::trust {

// The roles of the design brief. A person may hold several (兼務).
enum class Role : uint8_t {
  kResident,
  kCityStaff,
  kCoordinator,
  kEthicsMember,
  kAuditor,
  kProvider,
  kConsumer,
  kAdmin,
};

inline constexpr Role kAllRoles[] = {Role::kResident, Role::kCityStaff, Role::kCoordinator, Role::kEthicsMember,
                                     Role::kAuditor,  Role::kProvider,  Role::kConsumer,    Role::kAdmin};

// "resident", "city_staff", "coordinator", "ethics_member", "auditor",
// "provider", "consumer", "admin".
std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

// A set of roles as bits, so that policy checks are one AND.
class RoleSet {
 public:
  RoleSet() = default;
  RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) add(r);
  }
  void add(Role r) { bits_ |= bit(r); }
  bool has(Role r) const { return bits_ & bit(r); }
  bool intersects(RoleSet other) const { return bits_ & other.bits_; }
  bool empty() const { return bits_ == 0; }
  RoleSet operator|(RoleSet other) const {
    RoleSet out;
    out.bits_ = bits_ | other.bits_;
    return out;
  }
  bool operator==(const RoleSet&) const = default;
  std::vector<Role> roles() const;
  // Role names, comma-separated, in kAllRoles order.
  std::string to_string() const;

 private:
  static uint16_t bit(Role r) { return static_cast<uint16_t>(1u << static_cast<unsigned>(r)); }
  uint16_t bits_ = 0;
};

enum class PrincipalKind : uint8_t {
  kAnonymous,  // no credentials
  kAccount,    // a person's account (password login or external OIDC)
  kClient,     // a consumer's service application (client credentials)
};

struct Principal {
  PrincipalKind kind = PrincipalKind::kAnonymous;
  std::string tenant;          // the tenant the credentials belong to ("" = default)
  std::string account_id;      // kAccount: the account; kClient: the owning account
  std::string client_id;       // kClient only
  std::string display_name;
  RoleSet roles;               // effective now (direct roles and current posts)
  std::string subject;         // a resident's data-subject pseudonym, if any
  std::vector<std::string> wards;  // subjects this person may act for (guardian)
  std::vector<std::string> grant_ids;  // kClient: grants its credentials are bound to
  std::string issuer;          // "machi" or an external OIDC issuer

  bool authenticated() const { return kind != PrincipalKind::kAnonymous; }
  bool has(Role r) const { return roles.has(r); }
  // True when this principal may act for the data subject (self or guardian).
  bool acts_for(std::string_view data_subject) const;
};

// The principal travels with a request in a std::any slot (the HTTP layer
// knows nothing of trust): the guard stores it, handlers read it.
std::any principal_slot(Principal principal);
// The principal in a slot, or an anonymous one when the slot holds none.
const Principal& principal_in(const std::any& slot);

}  // namespace machi::trust
