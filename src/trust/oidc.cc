#include "trust/oidc.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>

#include "core/error.h"

namespace machi::trust {

struct OidcIssuers::Issuer {
  OidcIssuerConfig config;
  std::mutex mu;                                          // guards keys and last_load; held while loading
  std::shared_ptr<const Jwks> keys;                       // nullptr until the first successful load
  TimeMs last_load = std::numeric_limits<TimeMs>::min();  // last attempt, successful or not
};

namespace {

[[noreturn]] void unauthorized(std::string reason) { throw Error(ErrorType::kUnauthorized, std::move(reason)); }

std::string config_string(const Json& entry, const char* name, bool required) {
  auto it = entry.find(name);
  if (it == entry.end() || it->is_null()) {
    if (required) throw Error(ErrorType::kBadRequestData, std::string("OIDC issuer entry has no \"") + name + "\"");
    return "";
  }
  if (!it->is_string()) throw Error(ErrorType::kBadRequestData, std::string("OIDC \"") + name + "\" is not a string");
  return it->get<std::string>();
}

bool is_url(const std::string& location) {
  return location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::vector<OidcIssuerConfig> parse_oidc_config(const Json& doc) {
  if (!doc.is_array()) throw Error(ErrorType::kBadRequestData, "OIDC configuration is not a JSON array");
  std::vector<OidcIssuerConfig> out;
  for (const auto& entry : doc) {
    if (!entry.is_object()) throw Error(ErrorType::kBadRequestData, "OIDC issuer entry is not a JSON object");
    OidcIssuerConfig c;
    c.issuer = config_string(entry, "issuer", true);
    c.jwks = config_string(entry, "jwks", true);
    std::string audience = config_string(entry, "audience", false);
    if (!audience.empty()) c.audience = audience;
    c.tenant = config_string(entry, "tenant", false);
    std::string claim = config_string(entry, "username_claim", false);
    if (!claim.empty()) c.username_claim = claim;
    out.push_back(std::move(c));
  }
  return out;
}

OidcIssuers::OidcIssuers(std::vector<OidcIssuerConfig> configs, JwksLoader loader, int64_t leeway_s,
                         int64_t refetch_interval_s)
    : loader_(std::move(loader)), leeway_s_(leeway_s), refetch_interval_ms_(refetch_interval_s * 1000) {
  for (auto& c : configs) {
    if (c.issuer.empty()) throw Error(ErrorType::kBadRequestData, "OIDC issuer is empty");
    if (issuers_.count(c.issuer)) throw Error(ErrorType::kBadRequestData, "OIDC issuer " + c.issuer + " is repeated");
    auto issuer = std::make_unique<Issuer>();
    issuer->config = std::move(c);
    issuers_.emplace(issuer->config.issuer, std::move(issuer));
  }
}

OidcIssuers::~OidcIssuers() = default;

bool OidcIssuers::knows(const std::string& issuer) const { return issuers_.count(issuer) > 0; }

// Call with issuer.mu held. A failed load keeps the previous keys.
void OidcIssuers::reload(Issuer& issuer, TimeMs now) {
  issuer.last_load = now;
  ++loads_;
  const std::string& location = issuer.config.jwks;
  std::optional<std::string> text;
  if (!location.empty() && location.front() == '{') {
    text = location;
  } else if (is_url(location)) {
    if (loader_) text = loader_(location);
  } else {
    text = read_file(location);
  }
  if (!text) return;
  try {
    issuer.keys = std::make_shared<const Jwks>(Jwks::parse(*text));
  } catch (const Error&) {
    // A broken document must not replace working keys.
  }
}

std::shared_ptr<const Jwks> OidcIssuers::keys_for(Issuer& issuer, const std::optional<std::string>& kid, TimeMs now) {
  std::lock_guard lock(issuer.mu);
  if (!issuer.keys || !issuer.keys->find(kid)) {
    bool never = issuer.last_load == std::numeric_limits<TimeMs>::min();
    // A clock that went back also allows a load, rather than none for long.
    if (never || now < issuer.last_load || now - issuer.last_load >= refetch_interval_ms_) reload(issuer, now);
  }
  if (!issuer.keys) unauthorized("the keys (JWKS) of issuer " + issuer.config.issuer + " cannot be loaded");
  return issuer.keys;
}

ExternalIdentity OidcIssuers::verify(const JwtParts& jwt, TimeMs now) {
  auto it = issuers_.find(jwt.issuer);
  if (it == issuers_.end()) unauthorized("token issuer " + jwt.issuer + " is not trusted");
  Issuer& issuer = *it->second;
  std::shared_ptr<const Jwks> keys = keys_for(issuer, jwt.kid, now);
  const OidcIssuerConfig& c = issuer.config;
  Json claims = jwt_verify(jwt, *keys, {c.issuer, c.audience, now, leeway_s_});
  auto name = claims.find(c.username_claim);
  if (name == claims.end() || !name->is_string() || name->get<std::string>().empty()) {
    unauthorized("token has no \"" + c.username_claim + "\" claim naming the user");
  }
  ExternalIdentity id{c.issuer, c.tenant, name->get<std::string>(), "", 0};
  if (auto jti = claims.find("jti"); jti != claims.end() && jti->is_string()) id.jti = jti->get<std::string>();
  // jwt_verify has checked exp is a number; absurd ones are clamped (year 9999).
  id.expires_at = static_cast<TimeMs>(std::min(claims["exp"].get<double>(), 253402300799.0) * 1000.0);
  return id;
}

}  // namespace machi::trust
