// External OpenID Connect providers (a city's Keycloak, say) whose access
// tokens machi accepts. A token is accepted when its iss is a configured
// issuer and its signature verifies with a key of that issuer's JWKS; it
// then names a person by a claim (preferred_username by default), who must
// have a local account in the configured tenant. Roles, posts and wards
// always come from machi's directory, never from the external token.
//
// trust does not depend on the http module: JWKS documents at http(s) URLs
// are fetched through a loader the caller supplies (the CLI wraps
// http::http_get); file paths are read here.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "trust/jwt.h"

namespace machi::trust {

struct OidcIssuerConfig {
  std::string issuer;  // exact iss, e.g. "https://sso.city.example/realms/city"
  // Where the keys are: an http(s) URL (through the loader), a file path,
  // or the JWKS document itself (text starting with '{').
  std::string jwks;
  std::optional<std::string> audience;  // required aud, when set
  std::string tenant;                   // the machi tenant its users belong to
  std::string username_claim = "preferred_username";
};

// Parses [{"issuer", "jwks", "audience"?, "tenant"?, "username_claim"?}, ...];
// throws Error(kBadRequestData) saying what is wrong.
std::vector<OidcIssuerConfig> parse_oidc_config(const Json& doc);

// Fetches a JWKS document by URL; nullopt on failure.
using JwksLoader = std::function<std::optional<std::string>(const std::string& url)>;

// Who an accepted external token names.
struct ExternalIdentity {
  std::string issuer;
  std::string tenant;
  std::string username;   // the username_claim's value
  std::string jti;        // "" when the token has none
  TimeMs expires_at = 0;  // exp, in ms
};

class OidcIssuers {
 public:
  // refetch_interval_s bounds how often a JWKS is fetched again when a
  // token names an unknown kid (key rotation), so forged kids cannot make
  // machi hammer the provider.
  explicit OidcIssuers(std::vector<OidcIssuerConfig> configs, JwksLoader loader = nullptr, int64_t leeway_s = 30,
                       int64_t refetch_interval_s = 60);
  ~OidcIssuers();

  bool knows(const std::string& issuer) const;
  // Verifies a decoded token of a configured issuer (keys loaded on first
  // use). Throws Error(kUnauthorized) saying why it is refused.
  ExternalIdentity verify(const JwtParts& jwt, TimeMs now);
  // JWKS loads so far (for tests).
  uint64_t jwks_loads() const { return loads_.load(); }

 private:
  struct Issuer;
  std::shared_ptr<const Jwks> keys_for(Issuer& issuer, const std::optional<std::string>& kid, TimeMs now);
  void reload(Issuer& issuer, TimeMs now);

  std::unordered_map<std::string, std::unique_ptr<Issuer>> issuers_;  // fixed after construction
  JwksLoader loader_;
  int64_t leeway_s_;
  int64_t refetch_interval_ms_;
  std::atomic<uint64_t> loads_{0};
};

}  // namespace machi::trust
