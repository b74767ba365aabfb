#include "trust/oidc.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>

#include "store/store_test_util.h"
#include "trust/token_service.h"

namespace machi::trust {
namespace {

using store::testing::TempDir;

constexpr TimeMs kT0 = 1760000000000;
constexpr int64_t kT0s = kT0 / 1000;
const std::string kIssuer = "https://sso.city.example/realms/city";

// A Keycloak stand-in: RSA and EC keys made by OpenSSL, published as a JWKS.
struct Provider {
  Provider() {
    EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
    EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    rsa_key = std::make_unique<JwsKey>(JwsKey::from_evp(rsa, "rsa-2025"));
    ec_key = std::make_unique<JwsKey>(JwsKey::from_evp(ec, "ec-2026"));
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
  }
  std::string jwks(bool with_ec) const {
    Json keys = Json::array({rsa_key->public_jwk()});
    if (with_ec) keys.push_back(ec_key->public_jwk());
    return Json{{"keys", keys}}.dump();
  }
  std::string token(const JwsKey& key, const std::string& username, Json extra = Json::object()) const {
    Json claims = {{"iss", kIssuer},
                   {"sub", "f:1234"},
                   {"aud", {"machi", "account"}},
                   {"iat", kT0s},
                   {"exp", kT0s + 300},
                   {"jti", "ext-" + username},
                   {"preferred_username", username},
                   // Roles claimed by the provider are never used by machi.
                   {"realm_access", {{"roles", {"admin"}}}}};
    claims.update(extra);
    return jwt_sign(claims, key);
  }
  std::unique_ptr<JwsKey> rsa_key, ec_key;
};

class OidcTest : public ::testing::Test {
 protected:
  OidcTest() {
    store_ = store::open_sqlite_store({dir_.path().string(), store::Durability::kProcess});
    dirs_ = std::make_unique<Directories>(*store_, DirectoryOptions{kTestPasswordParams});
    NewAccount a;
    a.username = "hanako";
    a.roles = {Role::kCityStaff};
    hanako_ = dirs_->get("city", true)->create_account(a, kT0);
  }

  std::unique_ptr<TokenService> service(JwksLoader loader, const std::string& jwks_location) {
    OidcIssuerConfig c;
    c.issuer = kIssuer;
    c.jwks = jwks_location;
    c.audience = "machi";
    c.tenant = "city";
    oidc_ = std::make_shared<OidcIssuers>(std::vector<OidcIssuerConfig>{c}, std::move(loader));
    return std::make_unique<TokenService>(*dirs_, TokenServiceOptions{}, oidc_);
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Directories> dirs_;
  std::shared_ptr<OidcIssuers> oidc_;
  Provider provider_;
  Account hanako_;
};

TEST_F(OidcTest, ExternalTokenMapsToLocalAccount) {
  std::string path = (dir_.path() / "jwks.json").string();
  std::ofstream(path) << provider_.jwks(false);
  auto tokens = service(nullptr, path);
  Principal p = tokens->authenticate(provider_.token(*provider_.rsa_key, "hanako"), "city", kT0);
  EXPECT_EQ(p.kind, PrincipalKind::kAccount);
  EXPECT_EQ(p.account_id, hanako_.id);
  EXPECT_EQ(p.issuer, kIssuer);
  EXPECT_EQ(p.roles, RoleSet{Role::kCityStaff});  // machi's roles, not the provider's
}

TEST_F(OidcTest, RefusesWhatDoesNotFit) {
  auto tokens = service(nullptr, provider_.jwks(false));  // inline JWKS
  auto refused = [&](const std::string& token) {
    try {
      tokens->authenticate(token, "city", kT0);
    } catch (const Error& e) {
      EXPECT_EQ(e.type(), ErrorType::kUnauthorized);
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(refused(provider_.token(*provider_.rsa_key, "hanako")), "(accepted)");
  EXPECT_NE(refused(provider_.token(*provider_.rsa_key, "taro")).find("no local account taro"), std::string::npos);
  EXPECT_NE(refused(provider_.token(*provider_.rsa_key, "hanako", {{"aud", "other"}})).find("audience"),
            std::string::npos);
  EXPECT_NE(
      refused(provider_.token(*provider_.rsa_key, "hanako", {{"iss", "https://evil.example"}})).find("not trusted"),
      std::string::npos);
  EXPECT_NE(refused(provider_.token(*provider_.rsa_key, "hanako", {{"exp", kT0s - 60}})).find("expired"),
            std::string::npos);
  Json no_name = {{"preferred_username", nullptr}};
  EXPECT_NE(refused(provider_.token(*provider_.rsa_key, "hanako", no_name)).find("preferred_username"),
            std::string::npos);
  // Signed by a key that only claims the provider's kid.
  EVP_PKEY* other = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  JwsKey impostor = JwsKey::from_evp(other, "rsa-2025");
  EVP_PKEY_free(other);
  EXPECT_EQ(refused(provider_.token(impostor, "hanako")), "token signature is invalid");
}

TEST_F(OidcTest, UnknownKidRefetchesAtMostOncePerMinute) {
  bool rotated = false;
  int fetches = 0;
  auto loader = [&](const std::string& url) -> std::optional<std::string> {
    EXPECT_EQ(url, "http://sso.city.example/jwks");
    ++fetches;
    return provider_.jwks(rotated);
  };
  auto tokens = service(loader, "http://sso.city.example/jwks");
  EXPECT_EQ(tokens->authenticate(provider_.token(*provider_.rsa_key, "hanako"), "city", kT0).account_id, hanako_.id);
  EXPECT_EQ(fetches, 1);
  rotated = true;  // the provider adds an ES256 key
  std::string es = provider_.token(*provider_.ec_key, "hanako");
  EXPECT_THROW(tokens->authenticate(es, "city", kT0 + 10 * 1000), Error);
  EXPECT_EQ(fetches, 1);  // loaded 10 s ago: not again
  EXPECT_THROW(
      tokens->authenticate(provider_.token(*provider_.ec_key, "hanako", {{"jti", "x2"}}), "city", kT0 + 30 * 1000),
      Error);
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(tokens->authenticate(es, "city", kT0 + 61 * 1000).account_id, hanako_.id);
  EXPECT_EQ(fetches, 2);
  EXPECT_EQ(oidc_->jwks_loads(), 2u);
}

TEST_F(OidcTest, FailedLoadsAreRetriedLaterAndUrlsNeedALoader) {
  bool up = false;
  auto tokens = service(
      [&](const std::string&) -> std::optional<std::string> {
        if (!up) return std::nullopt;
        return provider_.jwks(false);
      },
      "https://sso.city.example/jwks");
  std::string token = provider_.token(*provider_.rsa_key, "hanako");
  EXPECT_THROW(tokens->authenticate(token, "city", kT0), Error);
  up = true;
  EXPECT_THROW(tokens->authenticate(token, "city", kT0 + 1000), Error);  // not retried within the minute
  EXPECT_NO_THROW(tokens->authenticate(token, "city", kT0 + 60 * 1000));

  auto no_loader = service(nullptr, "http://sso.city.example/jwks");
  EXPECT_THROW(no_loader->authenticate(token, "city", kT0), Error);
}

TEST(OidcConfig, Parses) {
  Json doc = Json::parse(R"([{"issuer": "https://a", "jwks": "/etc/machi/a.json", "tenant": "city"},
                              {"issuer": "https://b", "jwks": "http://b/certs", "audience": "machi",
                               "username_claim": "email"}])");
  auto configs = parse_oidc_config(doc);
  ASSERT_EQ(configs.size(), 2u);
  EXPECT_EQ(configs[0].username_claim, "preferred_username");
  EXPECT_EQ(configs[0].audience, std::nullopt);
  EXPECT_EQ(configs[0].tenant, "city");
  EXPECT_EQ(configs[1].audience, "machi");
  EXPECT_EQ(configs[1].username_claim, "email");
  EXPECT_THROW(parse_oidc_config(Json::parse(R"([{"jwks": "x"}])")), Error);
  EXPECT_THROW(parse_oidc_config(Json::parse(R"({"issuer": "x"})")), Error);
  EXPECT_THROW(OidcIssuers(parse_oidc_config(Json::parse(R"([{"issuer": "a", "jwks": "x"},
                                                             {"issuer": "a", "jwks": "y"}])"))),
               Error);
}

}  // namespace
}  // namespace machi::trust
