#include "trust/trust.h"

#include "core/error.h"
#include "trust/grants.h"

namespace machi::trust {

Trust::Trust(store::Store& store, TrustOptions options) : store_(store), options_(std::move(options)) {
  if (options_.tokens.key_file.empty() && !options_.data_dir.empty()) {
    options_.tokens.key_file = default_token_key_file(options_.data_dir);
  }
  directories_ = std::make_unique<Directories>(store_, options_.directory);
  std::shared_ptr<OidcIssuers> oidc;
  if (!options_.oidc.empty()) {
    oidc = std::make_shared<OidcIssuers>(options_.oidc, options_.jwks_loader, options_.tokens.leeway_s);
  }
  tokens_ = std::make_unique<TokenService>(*directories_, options_.tokens, oidc);
  privacy_ = std::make_unique<PrivacyRegistries>(store_);
  ledgers_ = Ledgers::open(options_.data_dir, options_.durability);
}

Trust::~Trust() { close(); }

void Trust::close() {
  if (ledgers_) ledgers_->close();
}

std::optional<std::string> Trust::bootstrap_admin(const std::string& password) {
  auto directory = directories_->get("", true);
  if (!directory->accounts().empty()) return std::nullopt;
  std::string chosen = password.empty() ? random_id("") : password;
  NewAccount admin;
  admin.username = "admin";
  admin.display_name = "管理者";
  admin.password = chosen;
  admin.roles = RoleSet{Role::kAdmin};
  directory->create_account(admin, now_ms());
  return chosen;
}

void Trust::create_tenant(const std::string& name, const std::string& admin_username,
                          const std::string& admin_password, TimeMs now) {
  if (name.empty()) throw Error(ErrorType::kBadRequestData, "a tenant needs a name");
  if (store_.tenant(name, false)) throw Error(ErrorType::kAlreadyExists, "tenant '" + name + "' exists");
  // Check the administrator's fields before the tenant exists, so that a
  // refused request creates nothing.
  check_password_strength(admin_password);
  if (admin_username.empty()) throw Error(ErrorType::kBadRequestData, "the administrator needs a username");
  auto directory = directories_->get(name, true);
  NewAccount admin;
  admin.username = admin_username;
  admin.display_name = "管理者";
  admin.password = admin_password;
  admin.roles = RoleSet{Role::kAdmin};
  directory->create_account(admin, now);
}

std::unique_ptr<ReadAccess> Trust::begin_read(const std::string& tenant, const Principal& principal,
                                              std::string_view grant_id, std::string_view purpose,
                                              std::string action, TimeMs now) {
  auto registry = privacy_->tenant(tenant, true);
  Enforcer enforcer(registry);
  AccessScope scope = enforcer.begin(principal, grant_id, purpose, now);
  return std::make_unique<ReadAccess>(registry, ledgers_->tenant(tenant, true), std::move(scope), std::move(action));
}

uint64_t Trust::log_event(const std::string& tenant, const Json& entry, std::vector<std::string> subjects) {
  return ledgers_->tenant(tenant, true)->append(LedgerEntryIn{entry.dump(), std::move(subjects)});
}

}  // namespace machi::trust
