// Access tokens: issuing machi's own (OAuth 2.0 token endpoint, RFC 6749:
// password and client_credentials grants) and authenticating bearer tokens
// at every request, machi's own or an external OpenID Connect provider's.
//
// A token says who (sub, tenant, kind) until when (exp), and nothing about
// what they may do: no roles, no grants. Those are looked up in the
// directory at every request, so ending a post, disabling an account or
// rebinding a client's grants bites at once. Verified tokens are cached by
// their SHA-256, so a request costs a hash lookup, not a signature check.
//
// machi's tokens are EdDSA (Ed25519) JWTs; the signing key lives in
// <data>/auth/token-ed25519.pem (mode 0600, made on first start) and its
// public half is published as a JWKS for other services.
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/time.h"
#include "trust/directory.h"
#include "trust/jwt.h"
#include "trust/login_limiter.h"
#include "trust/oidc.h"
#include "trust/principal.h"

namespace machi::trust {

// A token endpoint error (RFC 6749 section 5.2). The handler answers
// status() with {"error": code(), "error_description": what()} and, when
// retry_after_s() > 0, a Retry-After header. Statuses: invalid_client 401
// (add WWW-Authenticate), too many failed attempts 429 (code invalid_grant
// or invalid_client, as RFC 6749 has no code of its own for it), others 400.
class OAuthError : public Error {
 public:
  OAuthError(ErrorType type, std::string code, std::string description, int64_t retry_after_s = 0)
      : Error(type, std::move(description)), code_(std::move(code)), retry_after_s_(retry_after_s) {}
  const std::string& code() const { return code_; }
  int64_t retry_after_s() const { return retry_after_s_; }

 private:
  std::string code_;
  int64_t retry_after_s_;
};

struct TokenServiceOptions {
  std::string issuer = "machi";  // iss of machi's tokens
  int64_t token_lifetime_s = 3600;
  int64_t leeway_s = 30;          // clock skew allowed for external (OIDC) tokens; machi's own get none
  std::string key_file;           // "" = a key in memory only (tests)
  size_t cache_capacity = 65536;  // verified tokens kept
  int max_failures = 5;           // failed logins allowed per window
  int64_t failure_window_s = 15 * 60;
  size_t max_tracked_names = 65536;  // bounds the rate limiter's memory
};

// "<data_dir>/auth/token-ed25519.pem"
std::string default_token_key_file(const std::string& data_dir);

struct IssuedToken {
  std::string access_token;
  std::string token_type = "Bearer";
  int64_t expires_in = 0;  // seconds
  Json to_json() const;    // the token endpoint's answer
};

// application/x-www-form-urlencoded parameters, decoded, in order.
using FormParams = std::vector<std::pair<std::string, std::string>>;

class TokenService {
 public:
  // Loads or creates the signing key. oidc may be null (no external issuers).
  TokenService(Directories& directories, TokenServiceOptions options = {}, std::shared_ptr<OidcIssuers> oidc = nullptr);

  // POST /auth/token: grant_type=password (username, password) or
  // client_credentials (client_id, client_secret). Throws OAuthError.
  IssuedToken token_request(const std::string& tenant, const FormParams& form, TimeMs now);
  IssuedToken issue_password(const std::string& tenant, const std::string& username, const std::string& password,
                             TimeMs now);
  IssuedToken issue_client(const std::string& tenant, const std::string& client_id, const std::string& secret,
                           TimeMs now);

  // The caller of a request bearing token for tenant ("" = default), with
  // roles, wards and grants as of now. Throws Error(kUnauthorized) for a bad,
  // expired, revoked or unknown token and for a disabled account;
  // Error(kForbidden) for a token of another tenant.
  Principal authenticate(std::string_view bearer_token, const std::string& tenant, TimeMs now);
  // Logout: the token (which must still be valid) is refused from now on.
  void revoke(std::string_view bearer_token, TimeMs now);

  // {"keys": [the Ed25519 public key]} for /.well-known/jwks.json.
  Json jwks() const { return own_keys_.to_json(); }
  const std::string& issuer() const { return options_.issuer; }
  // Full token verifications (signature checks) so far; the cache keeps
  // this from growing with repeated requests (for tests).
  uint64_t verifications() const { return verifications_.load(); }

 private:
  struct Verified {
    PrincipalKind kind;
    std::string tenant;
    std::string subject;  // account id or client id
    std::string jti;
    std::string issuer;
    TimeMs expires_at = 0;    // exp
    TimeMs usable_until = 0;  // exp + leeway
  };
  IssuedToken issue(PrincipalKind kind, const std::string& tenant, const std::string& subject, TimeMs now);
  Verified verified(std::string_view token, TimeMs now);
  Verified verify_own(const JwtParts& jwt, TimeMs now);
  Verified verify_external(const JwtParts& jwt, TimeMs now);
  void remember(const std::string& digest, const Verified& v, TimeMs now);
  void forget(const std::string& digest);

  Directories& directories_;
  TokenServiceOptions options_;
  std::shared_ptr<OidcIssuers> oidc_;
  JwsKey signing_key_;
  Jwks own_keys_;
  LoginLimiter password_failures_;
  LoginLimiter client_failures_;
  mutable std::shared_mutex cache_mu_;
  std::unordered_map<std::string, Verified> cache_;  // SHA-256 of the token → what it proved
  std::atomic<uint64_t> verifications_{0};
};

}  // namespace machi::trust
