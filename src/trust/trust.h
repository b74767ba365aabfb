// The trust services of one machi: identities and tokens, the privacy
// registries (personal types, consent, grants), the access ledger, and the
// one way personal data is read (begin_read). The server assembles one of
// these; the HTTP handlers and the NGSI-LD broker use it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "store/store.h"
#include "trust/directory.h"
#include "trust/ledger.h"
#include "trust/oidc.h"
#include "trust/privacy_registry.h"
#include "trust/read_access.h"
#include "trust/token_service.h"

namespace machi::trust {

struct TrustOptions {
  std::string data_dir;
  store::Durability durability = store::Durability::kFull;
  TokenServiceOptions tokens;           // key_file defaults under data_dir
  DirectoryOptions directory;
  std::vector<OidcIssuerConfig> oidc;   // external OpenID Connect issuers
  JwksLoader jwks_loader;               // fetches an issuer's JWKS (the CLI supplies HTTP)
};

class Trust {
 public:
  Trust(store::Store& store, TrustOptions options);
  ~Trust();

  Directories& directories() { return *directories_; }
  TokenService& tokens() { return *tokens_; }
  PrivacyRegistries& privacy() { return *privacy_; }
  Ledgers& ledgers() { return *ledgers_; }
  store::Store& store() { return store_; }

  // Creates the default tenant's first administrator ("admin") when the
  // default tenant has no account yet. Returns the password it set when it
  // created one (given, or generated when `password` is empty).
  std::optional<std::string> bootstrap_admin(const std::string& password);

  // Creates a tenant with its first administrator. Error(AlreadyExists)
  // when the tenant exists.
  void create_tenant(const std::string& name, const std::string& admin_username, const std::string& admin_password,
                     TimeMs now);

  // One request's reads of entities in a tenant, under the enforcement
  // point. grant_id and purpose come from the request (may be empty).
  std::unique_ptr<ReadAccess> begin_read(const std::string& tenant, const Principal& principal,
                                         std::string_view grant_id, std::string_view purpose, std::string action,
                                         TimeMs now);

  // Appends one non-access event (consent event, grant change, ...) to the
  // tenant's ledger; durable on return. Returns its index.
  uint64_t log_event(const std::string& tenant, const Json& entry, std::vector<std::string> subjects);

  void close();

 private:
  store::Store& store_;
  TrustOptions options_;
  std::unique_ptr<Directories> directories_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<PrivacyRegistries> privacy_;
  std::unique_ptr<Ledgers> ledgers_;
};

}  // namespace machi::trust
