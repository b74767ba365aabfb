#include "trust/jwt.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "core/error.h"
#include "trust/base64url.h"

namespace machi::trust {
namespace {

constexpr TimeMs kNow = 1760000000000;  // 2025-10-09
constexpr int64_t kNowS = kNow / 1000;

Json claims(int64_t exp_offset = 600) {
  return {{"iss", "https://sso.example"}, {"sub", "u1"}, {"iat", kNowS}, {"exp", kNowS + exp_offset}};
}

JwtCheck check(TimeMs now = kNow) { return {"https://sso.example", std::nullopt, now, 30}; }

std::string reason(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kUnauthorized) << e.what();
    return e.what();
  }
  return "(accepted)";
}

std::string verify_reason(const std::string& token, const Jwks& keys, const JwtCheck& c = check()) {
  return reason([&] { jwt_verify(jwt_decode(token), keys, c); });
}

// Keys made by OpenSSL directly and JWKs written from their raw parameters,
// so that JwsKey::from_jwk is checked against an independent encoding.
EVP_PKEY* keygen(const char* type, const char* arg) {
  if (std::string(type) == "RSA") return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  return EVP_PKEY_Q_keygen(nullptr, nullptr, type, arg);
}

std::string bn_param(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  EXPECT_TRUE(EVP_PKEY_get_bn_param(key, name, &bn));
  std::string out(pad ? pad : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return base64url_encode(out);
}

Json rsa_jwk(EVP_PKEY* key, const std::string& kid) {
  return {{"kty", "RSA"},
          {"kid", kid},
          {"use", "sig"},
          {"alg", "RS256"},
          {"n", bn_param(key, OSSL_PKEY_PARAM_RSA_N)},
          {"e", bn_param(key, OSSL_PKEY_PARAM_RSA_E)}};
}

Json ec_jwk(EVP_PKEY* key, const std::string& kid) {
  return {{"kty", "EC"},
          {"kid", kid},
          {"crv", "P-256"},
          {"x", bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, 32)},
          {"y", bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32)}};
}

std::string replace_part(const std::string& token, int index, const std::string& part) {
  size_t a = token.find('.'), b = token.find('.', a + 1);
  if (index == 0) return part + token.substr(a);
  if (index == 1) return token.substr(0, a + 1) + part + token.substr(b);
  return token.substr(0, b + 1) + part;
}

TEST(Base64url, RoundTripsAndIsStrict) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00\x01"}) {
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("Zm9v"), "foo");
  EXPECT_EQ(base64url_decode("Zm9v="), std::nullopt);  // padding
  EXPECT_EQ(base64url_decode("Zm+v"), std::nullopt);   // standard alphabet
  EXPECT_EQ(base64url_decode("Zm9 v"), std::nullopt);  // whitespace
  EXPECT_EQ(base64url_decode("Zm9vY"), std::nullopt);  // 1 mod 4
  EXPECT_EQ(base64url_decode("Zh"), std::nullopt);     // non-zero trailing bits
  EXPECT_EQ(base64url_decode("Zg"), "f");
}

TEST(Jwt, Ed25519RoundTrip) {
  JwsKey key = JwsKey::generate_ed25519();
  Jwks keys({key});
  std::string token = jwt_sign(claims(), key);
  JwtParts parts = jwt_decode(token);
  EXPECT_EQ(parts.header["alg"], "EdDSA");
  EXPECT_EQ(parts.kid, key.kid());
  EXPECT_EQ(parts.issuer, "https://sso.example");
  Json verified = jwt_verify(parts, keys, check());
  EXPECT_EQ(verified["sub"], "u1");
}

TEST(Jwt, PublicJwkAndPemRoundTrip) {
  JwsKey key = JwsKey::generate_ed25519();
  Json jwk = key.public_jwk();
  EXPECT_EQ(jwk["kty"], "OKP");
  EXPECT_EQ(jwk["crv"], "Ed25519");
  EXPECT_EQ(jwk["kid"], key.kid());
  EXPECT_FALSE(jwk.contains("d"));
  EXPECT_EQ(key.kid().size(), 43u);  // RFC 7638 thumbprint: SHA-256 in base64url
  JwsKey again = JwsKey::from_private_pem(key.private_pem());
  EXPECT_EQ(again.kid(), key.kid());
  // A token of the reloaded key verifies with the published public key.
  Jwks published = Jwks::parse(Json{{"keys", {jwk}}}.dump());
  EXPECT_NO_THROW(jwt_verify(jwt_decode(jwt_sign(claims(), again)), published, check()));
  EXPECT_THROW(JwsKey::from_jwk(jwk).private_pem(), Error);
}

TEST(Jwt, RejectsTampering) {
  JwsKey key = JwsKey::generate_ed25519();
  Jwks keys({key});
  std::string token = jwt_sign(claims(), key);
  Json forged = claims();
  forged["sub"] = "admin";
  EXPECT_EQ(verify_reason(replace_part(token, 1, base64url_encode(forged.dump())), keys), "token signature is invalid");
  std::string bad_sig = token;
  bad_sig[bad_sig.size() - 5] = bad_sig[bad_sig.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verify_reason(bad_sig, keys), "token signature is invalid");
  EXPECT_EQ(verify_reason(jwt_sign(claims(), JwsKey::generate_ed25519()), keys).find("is unknown") != std::string::npos,
            true);
}

TEST(Jwt, RejectsMalformed) {
  JwsKey key = JwsKey::generate_ed25519();
  Jwks keys({key});
  std::string token = jwt_sign(claims(), key);
  EXPECT_NE(verify_reason("abc", keys).find("three parts"), std::string::npos);
  EXPECT_NE(verify_reason(token + ".x", keys).find("three parts"), std::string::npos);
  EXPECT_NE(verify_reason(replace_part(token, 1, "e30="), keys).find("base64url"), std::string::npos);
  EXPECT_NE(verify_reason(replace_part(token, 2, "***"), keys).find("base64url"), std::string::npos);
  EXPECT_NE(verify_reason(replace_part(token, 0, base64url_encode("[1]")), keys).find("JSON object"),
            std::string::npos);
  EXPECT_NE(verify_reason(replace_part(token, 1, base64url_encode("not json")), keys).find("JSON object"),
            std::string::npos);
}

TEST(Jwt, RejectsAlgNoneAndMismatch) {
  JwsKey key = JwsKey::generate_ed25519();
  Jwks keys({key});
  std::string token = jwt_sign(claims(), key);
  Json none = {{"alg", "none"}, {"typ", "JWT"}};
  std::string unsigned_token = base64url_encode(none.dump()) + "." + base64url_encode(claims().dump()) + ".";
  EXPECT_NE(verify_reason(unsigned_token, keys).find("\"none\" is not accepted"), std::string::npos);
  Json hs = {{"alg", "HS256"}, {"kid", key.kid()}};
  EXPECT_NE(verify_reason(replace_part(token, 0, base64url_encode(hs.dump())), keys).find("not accepted"),
            std::string::npos);
  Json rs = {{"alg", "RS256"}, {"kid", key.kid()}};
  EXPECT_NE(verify_reason(replace_part(token, 0, base64url_encode(rs.dump())), keys).find("does not match"),
            std::string::npos);
  Json crit = {{"alg", "EdDSA"}, {"kid", key.kid()}, {"crit", {"exp"}}};
  EXPECT_NE(verify_reason(replace_part(token, 0, base64url_encode(crit.dump())), keys).find("crit"), std::string::npos);
}

TEST(Jwt, ChecksTimesIssuerAndAudience) {
  JwsKey key = JwsKey::generate_ed25519();
  Jwks keys({key});
  EXPECT_EQ(verify_reason(jwt_sign(claims(-31), key), keys), "token has expired");
  EXPECT_EQ(verify_reason(jwt_sign(claims(-10), key), keys), "(accepted)");  // within the leeway
  EXPECT_EQ(verify_reason(jwt_sign(claims(600), key), keys, check(kNow + 631 * 1000)), "token has expired");
  Json no_exp = claims();
  no_exp.erase("exp");
  EXPECT_EQ(verify_reason(jwt_sign(no_exp, key), keys), "token has no expiry (exp)");
  Json text_exp = claims();
  text_exp["exp"] = "tomorrow";
  EXPECT_NE(verify_reason(jwt_sign(text_exp, key), keys).find("not a number"), std::string::npos);
  Json early = claims();
  early["nbf"] = kNowS + 120;
  EXPECT_EQ(verify_reason(jwt_sign(early, key), keys), "token is not valid yet (nbf)");
  EXPECT_EQ(verify_reason(jwt_sign(early, key), keys, check(kNow + 100 * 1000)), "(accepted)");
  Json future = claims();
  future["iat"] = kNowS + 3600;
  EXPECT_NE(verify_reason(jwt_sign(future, key), keys).find("iat"), std::string::npos);
  Json other = claims();
  other["iss"] = "https://evil.example";
  EXPECT_EQ(verify_reason(jwt_sign(other, key), keys), "token issuer is not https://sso.example");

  JwtCheck aud = check();
  aud.audience = "machi";
  EXPECT_NE(verify_reason(jwt_sign(claims(), key), keys, aud).find("audience"), std::string::npos);
  Json with_aud = claims();
  with_aud["aud"] = {"account", "machi"};
  EXPECT_EQ(verify_reason(jwt_sign(with_aud, key), keys, aud), "(accepted)");
  with_aud["aud"] = "machi";
  EXPECT_EQ(verify_reason(jwt_sign(with_aud, key), keys, aud), "(accepted)");
}

TEST(Jwt, Rs256WithJwksKey) {
  EVP_PKEY* pkey = keygen("RSA", nullptr);
  ASSERT_NE(pkey, nullptr);
  JwsKey signer = JwsKey::from_evp(pkey, "rsa-1");
  std::string doc = Json{{"keys", {rsa_jwk(pkey, "rsa-1")}}}.dump();
  EVP_PKEY_free(pkey);
  Jwks keys = Jwks::parse(doc);
  ASSERT_EQ(keys.keys().size(), 1u);
  EXPECT_EQ(keys.keys()[0].alg(), JwsAlg::kRS256);
  std::string token = jwt_sign(claims(), signer);
  EXPECT_EQ(jwt_decode(token).header["alg"], "RS256");
  EXPECT_EQ(verify_reason(token, keys), "(accepted)");
  EXPECT_EQ(verify_reason(jwt_sign(claims(-100), signer), keys), "token has expired");
  // The RSA key's token relabelled as EdDSA is a mismatch, not a crash.
  Json ed = {{"alg", "EdDSA"}, {"kid", "rsa-1"}};
  EXPECT_NE(verify_reason(replace_part(token, 0, base64url_encode(ed.dump())), keys).find("does not match"),
            std::string::npos);
}

TEST(Jwt, Es256WithJwksKey) {
  EVP_PKEY* pkey = keygen("EC", "P-256");
  ASSERT_NE(pkey, nullptr);
  JwsKey signer = JwsKey::from_evp(pkey, "ec-1");
  Json jwk = ec_jwk(pkey, "ec-1");
  EVP_PKEY_free(pkey);
  // Other keys in the document: an encryption key and an unsupported curve are skipped.
  Json enc = jwk;
  enc["use"] = "enc";
  enc["kid"] = "enc-1";
  Json p384 = {{"kty", "EC"}, {"crv", "P-384"}, {"kid", "p384"}, {"x", "AA"}, {"y", "AA"}};
  Jwks keys = Jwks::parse(Json{{"keys", {enc, p384, jwk}}}.dump());
  ASSERT_EQ(keys.keys().size(), 1u);
  EXPECT_EQ(keys.keys()[0].public_jwk()["x"], jwk["x"]);
  std::string token = jwt_sign(claims(), signer);
  EXPECT_EQ(base64url_decode(token.substr(token.rfind('.') + 1))->size(), 64u);  // R || S
  EXPECT_EQ(verify_reason(token, keys), "(accepted)");
  std::string tampered = replace_part(token, 2, base64url_encode(std::string(64, '\x01')));
  EXPECT_EQ(verify_reason(tampered, keys), "token signature is invalid");
  // A point that is not on the curve is refused.
  Json off_curve = jwk;
  off_curve["y"] = base64url_encode(std::string(32, '\x01'));
  EXPECT_THROW(JwsKey::from_jwk(off_curve), Error);
}

TEST(Jwt, KidSelectsAndWeakKeysAreRefused) {
  JwsKey a = JwsKey::generate_ed25519(), b = JwsKey::generate_ed25519();
  Jwks both({a, b});
  EXPECT_EQ(both.find(b.kid())->kid(), b.kid());
  EXPECT_EQ(both.find(std::nullopt), nullptr);  // which one? none
  EXPECT_EQ(Jwks({a}).find(std::nullopt)->kid(), a.kid());
  EXPECT_EQ(verify_reason(jwt_sign(claims(), b), both), "(accepted)");

  EVP_PKEY* small = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024});
  EXPECT_THROW(JwsKey::from_evp(small), Error);
  EXPECT_THROW(JwsKey::from_jwk(rsa_jwk(small, "small")), Error);
  EVP_PKEY_free(small);
  EXPECT_THROW(Jwks::parse(R"({"keys": []})"), Error);
  EXPECT_THROW(Jwks::parse("not json"), Error);
  Json mislabelled = a.public_jwk();
  mislabelled["alg"] = "RS256";
  EXPECT_THROW(JwsKey::from_jwk(mislabelled), Error);
}

}  // namespace
}  // namespace machi::trust
