// JSON Web Tokens in compact JWS form (RFC 7515, 7519): machi signs its own
// access tokens with EdDSA (Ed25519, RFC 8037) and verifies EdDSA, RS256 and
// ES256 signatures, the latter two for tokens of an external OpenID Connect
// provider whose keys come from a JWKS document (RFC 7517).
//
// Verification is strict on purpose: the algorithm must be one of the three
// and must match the key's type (no "none", no HMAC with a public key), the
// key is chosen by kid, and exp, nbf, iss and (when configured) aud are
// checked. Every failure throws Error(kUnauthorized) with a specific reason.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/time.h"

namespace machi::trust {

enum class JwsAlg { kEdDSA, kRS256, kES256 };

std::string_view jws_alg_name(JwsAlg alg);  // "EdDSA", "RS256", "ES256"
std::optional<JwsAlg> parse_jws_alg(std::string_view name);

// One key, public or private, of one of the three algorithms.
class JwsKey {
 public:
  // A fresh Ed25519 private key; kid is its RFC 7638 thumbprint.
  static JwsKey generate_ed25519();
  // A PKCS#8 PEM private key (Ed25519, RSA >= 2048 bits or EC P-256).
  // Throws Error(kInternalError) when unreadable.
  static JwsKey from_private_pem(std::string_view pem);
  // A public key from a JWK: kty OKP (crv Ed25519), RSA (n, e) or EC
  // (crv P-256, x, y). Throws Error(kBadRequestData) for anything else.
  static JwsKey from_jwk(const Json& jwk);
  // Takes a reference on an OpenSSL key (tests bring their own keys);
  // kid empty = the RFC 7638 thumbprint.
  static JwsKey from_evp(EVP_PKEY* key, std::string kid = "");

  JwsAlg alg() const { return alg_; }
  const std::string& kid() const { return kid_; }
  // The public half as a JWK with kid, alg and "use": "sig".
  Json public_jwk() const;
  std::string private_pem() const;  // PKCS#8; throws for a public-only key
  EVP_PKEY* evp() const { return key_.get(); }

 private:
  JwsKey(std::shared_ptr<EVP_PKEY> key, JwsAlg alg, std::string kid);
  std::shared_ptr<EVP_PKEY> key_;
  JwsAlg alg_;
  std::string kid_;
};

// A set of public keys by kid: a JWKS document.
class Jwks {
 public:
  Jwks() = default;
  explicit Jwks(std::vector<JwsKey> keys) : keys_(std::move(keys)) {}
  // Parses {"keys": [...]}. Keys of other types or uses ("enc") are skipped,
  // as RFC 7517 section 5 asks; throws Error(kBadRequestData) when the
  // document is malformed or holds no usable key.
  static Jwks parse(std::string_view text);

  // The key for a token header's kid. With no kid, only a set of exactly
  // one key answers. nullptr when there is none.
  const JwsKey* find(const std::optional<std::string>& kid) const;
  const std::vector<JwsKey>& keys() const { return keys_; }
  Json to_json() const;  // {"keys": [public JWKs]}

 private:
  std::vector<JwsKey> keys_;
};

// A compact JWS split and decoded, not yet verified.
struct JwtParts {
  Json header;                // a JSON object
  Json claims;                // a JSON object
  std::string signing_input;  // "<header>.<payload>" as received
  std::string signature;      // raw bytes
  std::optional<std::string> kid;
  std::string issuer;  // claims.iss, "" when absent
};

// Throws Error(kUnauthorized) for anything but three base64url parts of a
// JSON-object header and JSON-object claims.
JwtParts jwt_decode(std::string_view token);

// Signs claims with key (its algorithm; kid and typ "JWT" in the header).
std::string jwt_sign(const Json& claims, const JwsKey& key);

struct JwtCheck {
  std::string issuer;                   // iss must equal this
  std::optional<std::string> audience;  // aud must be or contain this, when set
  TimeMs now = 0;
  int64_t leeway_s = 30;  // clock skew allowed on exp, nbf and iat
  // Clock skew allowed on exp alone, when set: machi's own tokens are
  // issued and checked on one clock, so they expire exactly on time.
  std::optional<int64_t> exp_leeway_s;
};

// Verifies the signature with the key its kid names in keys, then the
// claims: exp required and not past, nbf and iat not in the future, iss and
// aud as asked. Returns the claims; throws Error(kUnauthorized) saying why.
Json jwt_verify(const JwtParts& jwt, const Jwks& keys, const JwtCheck& check);

}  // namespace machi::trust
