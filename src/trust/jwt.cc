#include "trust/jwt.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "core/error.h"
#include "trust/merkle.h"
#include "trust/base64url.h"

namespace machi::trust {
namespace {

// RSA keys shorter than this are refused (NIST SP 800-131A).
constexpr int kMinRsaBits = 2048;
constexpr size_t kEcCoordBytes = 32;  // P-256

[[noreturn]] void unauthorized(std::string reason) { throw Error(ErrorType::kUnauthorized, std::move(reason)); }
[[noreturn]] void bad_key(std::string reason) { throw Error(ErrorType::kBadRequestData, std::move(reason)); }

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free); }


std::string bn_bytes(const EVP_PKEY* key, const char* name, size_t pad = 0) {
  BIGNUM* raw = nullptr;
  if (!EVP_PKEY_get_bn_param(key, name, &raw)) throw Error(ErrorType::kInternalError, "cannot read key parameter");
  BnPtr bn(raw);
  size_t size = pad ? pad : static_cast<size_t>(BN_num_bytes(bn.get()));
  std::string out(size, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) < 0) {
    throw Error(ErrorType::kInternalError, "key parameter does not fit");
  }
  return out;
}

// The algorithm a key serves; throws for any other kind of key.
JwsAlg alg_of(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_ED25519:
      return JwsAlg::kEdDSA;
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < kMinRsaBits) bad_key("RSA key is shorter than 2048 bits");
      return JwsAlg::kRS256;
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) ||
          std::string_view(group, len) != "prime256v1") {
        bad_key("EC key is not on curve P-256");
      }
      return JwsAlg::kES256;
    }
  }
  bad_key("key is neither Ed25519, RSA nor EC P-256");
}

// The members RFC 7638 hashes, in its (lexicographic) order.
Json thumbprint_members(const EVP_PKEY* key, JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kEdDSA: {
      std::string raw(32, '\0');
      size_t len = raw.size();
      if (!EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &len)) {
        throw Error(ErrorType::kInternalError, "cannot read Ed25519 public key");
      }
      raw.resize(len);
      return {{"crv", "Ed25519"}, {"kty", "OKP"}, {"x", base64url_encode(raw)}};
    }
    case JwsAlg::kRS256:
      return {{"e", base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_RSA_E))},
              {"kty", "RSA"},
              {"n", base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_RSA_N))}};
    case JwsAlg::kES256:
      return {{"crv", "P-256"},
              {"kty", "EC"},
              {"x", base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_X, kEcCoordBytes))},
              {"y", base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, kEcCoordBytes))}};
  }
  return {};
}

std::string jwk_bytes(const Json& jwk, const char* member) {
  auto it = jwk.find(member);
  if (it == jwk.end() || !it->is_string()) bad_key(std::string("JWK has no \"") + member + "\"");
  auto bytes = base64url_decode(it->get<std::string>());
  if (!bytes || bytes->empty()) bad_key(std::string("JWK \"") + member + "\" is not base64url");
  return *bytes;
}

std::string jwk_string(const Json& jwk, const char* member) {
  auto it = jwk.find(member);
  return it != jwk.end() && it->is_string() ? it->get<std::string>() : "";
}

PkeyPtr key_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    bad_key(std::string("JWK is not a valid ") + type + " public key");
  }
  return PkeyPtr(key);
}

PkeyPtr rsa_from_jwk(const Json& jwk) {
  std::string n = jwk_bytes(jwk, "n"), e = jwk_bytes(jwk, "e");
  BnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr));
  BnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    throw Error(ErrorType::kInternalError, "cannot build RSA key");
  }
  return key_from_params("RSA", bld.get());
}

PkeyPtr ec_from_jwk(const Json& jwk) {
  if (jwk_string(jwk, "crv") != "P-256") bad_key("EC JWK is not on curve P-256");
  std::string x = jwk_bytes(jwk, "x"), y = jwk_bytes(jwk, "y");
  if (x.size() != kEcCoordBytes || y.size() != kEcCoordBytes) bad_key("EC JWK coordinates are not 32 bytes");
  std::string point = "\x04" + x + y;  // uncompressed SEC1 point
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    throw Error(ErrorType::kInternalError, "cannot build EC key");
  }
  return key_from_params("EC", bld.get());
}

PkeyPtr okp_from_jwk(const Json& jwk) {
  if (jwk_string(jwk, "crv") != "Ed25519") bad_key("OKP JWK is not Ed25519");
  std::string x = jwk_bytes(jwk, "x");
  if (x.size() != 32) bad_key("Ed25519 JWK \"x\" is not 32 bytes");
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                              reinterpret_cast<const unsigned char*>(x.data()), x.size());
  if (!key) bad_key("JWK is not a valid Ed25519 public key");
  return PkeyPtr(key);
}

const EVP_MD* digest_of(JwsAlg alg) { return alg == JwsAlg::kEdDSA ? nullptr : EVP_sha256(); }

// JWS carries ES256 signatures as R || S (RFC 7518 section 3.4), OpenSSL as DER.
std::string ecdsa_der_to_raw(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) throw Error(ErrorType::kInternalError, "ECDSA signature is not DER");
  std::string out(2 * kEcCoordBytes, '\0');
  auto* raw = reinterpret_cast<unsigned char*>(out.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, kEcCoordBytes);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + kEcCoordBytes, kEcCoordBytes);
  return out;
}

std::optional<std::string> ecdsa_raw_to_der(const std::string& raw) {
  if (raw.size() != 2 * kEcCoordBytes) return std::nullopt;
  auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  SigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(p, kEcCoordBytes, nullptr);
  BIGNUM* s = BN_bin2bn(p + kEcCoordBytes, kEcCoordBytes, nullptr);
  if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool verify_signature(const JwsKey& key, std::string_view data, const std::string& signature) {
  std::string sig = signature;
  if (key.alg() == JwsAlg::kES256) {
    auto der = ecdsa_raw_to_der(signature);
    if (!der) return false;
    sig = *der;
  } else if (key.alg() == JwsAlg::kEdDSA && signature.size() != 64) {
    return false;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, digest_of(key.alg()), nullptr, key.evp()) != 1) {
    throw Error(ErrorType::kInternalError, "cannot start signature verification");
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

Json decode_json_part(std::string_view part, const char* what) {
  auto bytes = base64url_decode(part);
  if (!bytes) unauthorized(std::string("token ") + what + " is not base64url");
  Json doc = Json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) unauthorized(std::string("token ") + what + " is not a JSON object");
  return doc;
}

std::optional<double> numeric_claim(const Json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number()) unauthorized(std::string("token claim \"") + name + "\" is not a number");
  return it->get<double>();
}

void check_times(const Json& claims, const JwtCheck& check) {
  double now = static_cast<double>(check.now) / 1000.0;
  double leeway = static_cast<double>(check.leeway_s);
  auto exp = numeric_claim(claims, "exp");
  if (!exp) unauthorized("token has no expiry (exp)");
  double exp_leeway = check.exp_leeway_s ? static_cast<double>(*check.exp_leeway_s) : leeway;
  if (now >= *exp + exp_leeway) unauthorized("token has expired");
  auto nbf = numeric_claim(claims, "nbf");
  if (nbf && now + leeway < *nbf) unauthorized("token is not valid yet (nbf)");
  auto iat = numeric_claim(claims, "iat");
  if (iat && now + leeway < *iat) unauthorized("token was issued in the future (iat)");
}

bool audience_matches(const Json& aud, const std::string& expected) {
  if (aud.is_string()) return aud.get<std::string>() == expected;
  if (!aud.is_array()) return false;
  for (const auto& a : aud) {
    if (a.is_string() && a.get<std::string>() == expected) return true;
  }
  return false;
}

void check_claims(const Json& claims, const JwtCheck& check) {
  check_times(claims, check);
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != check.issuer) {
    unauthorized("token issuer is not " + check.issuer);
  }
  if (check.audience) {
    auto aud = claims.find("aud");
    if (aud == claims.end() || !audience_matches(*aud, *check.audience)) {
      unauthorized("token audience does not include " + *check.audience);
    }
  }
}

}  // namespace

std::string_view jws_alg_name(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kEdDSA:
      return "EdDSA";
    case JwsAlg::kRS256:
      return "RS256";
    case JwsAlg::kES256:
      return "ES256";
  }
  return "";
}

std::optional<JwsAlg> parse_jws_alg(std::string_view name) {
  for (JwsAlg alg : {JwsAlg::kEdDSA, JwsAlg::kRS256, JwsAlg::kES256}) {
    if (jws_alg_name(alg) == name) return alg;
  }
  return std::nullopt;
}

JwsKey::JwsKey(std::shared_ptr<EVP_PKEY> key, JwsAlg alg, std::string kid)
    : key_(std::move(key)), alg_(alg), kid_(std::move(kid)) {}

JwsKey JwsKey::from_evp(EVP_PKEY* key, std::string kid) {
  JwsAlg alg = alg_of(key);
  if (kid.empty()) kid = base64url_encode(sha256_bytes(thumbprint_members(key, alg).dump()));
  EVP_PKEY_up_ref(key);
  return JwsKey(share(key), alg, std::move(kid));
}

JwsKey JwsKey::generate_ed25519() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) throw Error(ErrorType::kInternalError, "cannot generate an Ed25519 key");
  return from_evp(key.get());
}

JwsKey JwsKey::from_private_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) throw Error(ErrorType::kInternalError, "signing key is not a PEM private key");
  try {
    return from_evp(key.get());
  } catch (const Error& e) {
    throw Error(ErrorType::kInternalError, std::string("signing key: ") + e.what());
  }
}

JwsKey JwsKey::from_jwk(const Json& jwk) {
  if (!jwk.is_object()) bad_key("JWK is not a JSON object");
  std::string kty = jwk_string(jwk, "kty");
  PkeyPtr key;
  if (kty == "OKP") {
    key = okp_from_jwk(jwk);
  } else if (kty == "RSA") {
    key = rsa_from_jwk(jwk);
  } else if (kty == "EC") {
    key = ec_from_jwk(jwk);
  } else {
    bad_key("JWK kty \"" + kty + "\" is not OKP, RSA or EC");
  }
  JwsKey out = from_evp(key.get(), jwk_string(jwk, "kid"));
  // A JWK that names its algorithm binds the key to it (RFC 7517 4.4).
  std::string alg = jwk_string(jwk, "alg");
  if (!alg.empty() && alg != jws_alg_name(out.alg())) bad_key("JWK alg \"" + alg + "\" does not fit its key type");
  return out;
}

Json JwsKey::public_jwk() const {
  Json jwk = thumbprint_members(key_.get(), alg_);
  jwk["kid"] = kid_;
  jwk["alg"] = jws_alg_name(alg_);
  jwk["use"] = "sig";
  return jwk;
}

std::string JwsKey::private_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr)) {
    throw Error(ErrorType::kInternalError, "key has no private half to write");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Jwks Jwks::parse(std::string_view text) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    bad_key("JWKS is not a JSON object with a \"keys\" array");
  }
  std::vector<JwsKey> keys;
  for (const auto& jwk : doc["keys"]) {
    if (!jwk.is_object()) continue;
    std::string use = jwk_string(jwk, "use");
    if (!use.empty() && use != "sig") continue;
    try {
      keys.push_back(JwsKey::from_jwk(jwk));
    } catch (const Error&) {
      // A key we cannot use (other kty, curve or alg) is skipped, not fatal.
    }
  }
  if (keys.empty()) bad_key("JWKS has no usable signing key (Ed25519, RSA or EC P-256)");
  return Jwks(std::move(keys));
}

const JwsKey* Jwks::find(const std::optional<std::string>& kid) const {
  if (!kid) return keys_.size() == 1 ? &keys_.front() : nullptr;
  for (const auto& key : keys_) {
    if (key.kid() == *kid) return &key;
  }
  return nullptr;
}

Json Jwks::to_json() const {
  Json keys = Json::array();
  for (const auto& key : keys_) keys.push_back(key.public_jwk());
  return {{"keys", std::move(keys)}};
}

JwtParts jwt_decode(std::string_view token) {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    unauthorized("token is not a compact JWS (three parts separated by '.')");
  }
  JwtParts jwt;
  jwt.header = decode_json_part(token.substr(0, first), "header");
  jwt.claims = decode_json_part(token.substr(first + 1, second - first - 1), "payload");
  auto signature = base64url_decode(token.substr(second + 1));
  if (!signature) unauthorized("token signature is not base64url");
  jwt.signature = std::move(*signature);
  jwt.signing_input = std::string(token.substr(0, second));
  if (auto kid = jwt.header.find("kid"); kid != jwt.header.end()) {
    if (!kid->is_string()) unauthorized("token header kid is not a string");
    jwt.kid = kid->get<std::string>();
  }
  if (auto iss = jwt.claims.find("iss"); iss != jwt.claims.end() && iss->is_string()) {
    jwt.issuer = iss->get<std::string>();
  }
  return jwt;
}

std::string jwt_sign(const Json& claims, const JwsKey& key) {
  Json header = {{"alg", jws_alg_name(key.alg())}, {"typ", "JWT"}, {"kid", key.kid()}};
  std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_of(key.alg()), nullptr, key.evp()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()), input.size()) !=
          1) {
    throw Error(ErrorType::kInternalError, "cannot sign a token (is the key private?)");
  }
  std::string sig(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &size,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw Error(ErrorType::kInternalError, "signing a token failed");
  }
  sig.resize(size);
  if (key.alg() == JwsAlg::kES256) sig = ecdsa_der_to_raw(sig);
  return input + "." + base64url_encode(sig);
}

Json jwt_verify(const JwtParts& jwt, const Jwks& keys, const JwtCheck& check) {
  auto alg_member = jwt.header.find("alg");
  if (alg_member == jwt.header.end() || !alg_member->is_string()) unauthorized("token header has no alg");
  std::string alg_name = alg_member->get<std::string>();
  auto alg = parse_jws_alg(alg_name);
  if (!alg) unauthorized("token alg \"" + alg_name + "\" is not accepted (only EdDSA, RS256, ES256)");
  // We understand no critical extension, so any "crit" must be refused (RFC 7515 4.1.11).
  if (jwt.header.contains("crit")) unauthorized("token header has critical extensions (crit)");
  const JwsKey* key = keys.find(jwt.kid);
  if (!key) unauthorized(jwt.kid ? "token key id \"" + *jwt.kid + "\" is unknown" : "token header has no kid");
  if (key->alg() != *alg) unauthorized("token alg " + alg_name + " does not match its key's type");
  if (!verify_signature(*key, jwt.signing_input, jwt.signature)) unauthorized("token signature is invalid");
  check_claims(jwt.claims, check);
  return jwt.claims;
}

}  // namespace machi::trust
