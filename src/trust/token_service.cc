#include "trust/token_service.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "trust/merkle.h"

namespace machi::trust {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void unauthorized(std::string reason) { throw Error(ErrorType::kUnauthorized, std::move(reason)); }

[[noreturn]] void invalid_request(std::string description) {
  throw OAuthError(ErrorType::kBadRequestData, "invalid_request", std::move(description));
}
[[noreturn]] void invalid_grant(std::string description) {
  throw OAuthError(ErrorType::kBadRequestData, "invalid_grant", std::move(description));
}
[[noreturn]] void invalid_client(std::string description) {
  throw OAuthError(ErrorType::kUnauthorized, "invalid_client", std::move(description));
}


// Longer names cannot exist (usernames and client ids are short); refusing
// them up front also bounds the rate limiter's memory per name.
constexpr size_t kMaxNameBytes = 256;

std::string limiter_key(const std::string& tenant, const std::string& name) { return tenant + '\0' + name; }

void write_all(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) throw Error(ErrorType::kInternalError, "cannot write " + path);
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) throw Error(ErrorType::kInternalError, "cannot fsync " + path);
}

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes a fresh key to a private temporary file and links it into place:
// link() fails if another process made the key first, and then that key is
// the one everybody uses.
JwsKey create_key(const fs::path& path) {
  // A directory made here holds only secrets; one that exists is left as is.
  if (fs::create_directories(path.parent_path())) {
    fs::permissions(path.parent_path(), fs::perms::owner_all, fs::perm_options::replace);
  }
  JwsKey key = JwsKey::generate_ed25519();
  fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(ErrorType::kInternalError, "cannot create " + tmp.string());
  try {
    write_all(fd, key.private_pem(), tmp.string());
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  int linked = ::link(tmp.c_str(), path.c_str());
  int link_errno = errno;
  ::unlink(tmp.c_str());
  fsync_dir(path.parent_path());
  if (linked != 0 && link_errno != EEXIST) throw Error(ErrorType::kInternalError, "cannot create " + path.string());
  if (linked != 0) return JwsKey::from_private_pem(read_file(path).value_or(""));
  return key;
}

JwsKey load_or_create_key(const std::string& file) {
  if (file.empty()) return JwsKey::generate_ed25519();
  if (auto pem = read_file(file)) return JwsKey::from_private_pem(*pem);
  return create_key(file);
}

const std::string* form_value(const FormParams& form, const char* name) {
  for (const auto& [key, value] : form) {
    if (key == name) return &value;
  }
  return nullptr;
}

// RFC 6749 section 3.2: parameters must not repeat.
void check_no_repeats(const FormParams& form) {
  for (size_t i = 0; i < form.size(); ++i) {
    for (size_t j = i + 1; j < form.size(); ++j) {
      if (form[i].first == form[j].first) invalid_request("parameter " + form[i].first + " is repeated");
    }
  }
}

std::string claim_string(const Json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_string() || it->get<std::string>().empty()) {
    unauthorized(std::string("token has no \"") + name + "\" claim");
  }
  return it->get<std::string>();
}

}  // namespace

std::string default_token_key_file(const std::string& data_dir) {
  return (fs::path(data_dir) / "auth" / "token-ed25519.pem").string();
}

Json IssuedToken::to_json() const {
  return {{"access_token", access_token}, {"token_type", token_type}, {"expires_in", expires_in}};
}

TokenService::TokenService(Directories& directories, TokenServiceOptions options, std::shared_ptr<OidcIssuers> oidc)
    : directories_(directories),
      options_(std::move(options)),
      oidc_(std::move(oidc)),
      signing_key_(load_or_create_key(options_.key_file)),
      own_keys_({signing_key_}),
      password_failures_(options_.max_failures, options_.failure_window_s, options_.max_tracked_names),
      client_failures_(options_.max_failures, options_.failure_window_s, options_.max_tracked_names) {
  if (signing_key_.alg() != JwsAlg::kEdDSA) {
    throw Error(ErrorType::kInternalError, "the token signing key " + options_.key_file + " is not Ed25519");
  }
}

// ---- Issuing ----

IssuedToken TokenService::token_request(const std::string& tenant, const FormParams& form, TimeMs now) {
  check_no_repeats(form);
  const std::string* grant_type = form_value(form, "grant_type");
  if (!grant_type) invalid_request("grant_type is missing");
  if (*grant_type == "password") {
    const std::string* username = form_value(form, "username");
    const std::string* password = form_value(form, "password");
    if (!username || username->empty()) invalid_request("username is missing");
    if (!password) invalid_request("password is missing");
    return issue_password(tenant, *username, *password, now);
  }
  if (*grant_type == "client_credentials") {
    const std::string* client_id = form_value(form, "client_id");
    const std::string* secret = form_value(form, "client_secret");
    if (!client_id || client_id->empty() || !secret) invalid_client("client_id and client_secret are required");
    return issue_client(tenant, *client_id, *secret, now);
  }
  throw OAuthError(ErrorType::kBadRequestData, "unsupported_grant_type",
                   "grant_type " + *grant_type + " is not supported (use password or client_credentials)");
}

IssuedToken TokenService::issue_password(const std::string& tenant, const std::string& username,
                                         const std::string& password, TimeMs now) {
  if (username.size() > kMaxNameBytes) invalid_grant("username or password is wrong");
  std::string key = limiter_key(tenant, username);
  if (int64_t wait = password_failures_.wait_seconds(key, now)) {
    throw OAuthError(ErrorType::kTooManyRequests, "invalid_grant",
                     "too many failed logins for " + username + "; try again in " + std::to_string(wait) + " seconds",
                     wait);
  }
  auto dir = directories_.get(tenant, false);
  if (!dir) invalid_grant("tenant " + tenant + " does not exist");
  auto account = dir->check_password(username, password);
  if (!account) {
    password_failures_.record_failure(key, now);
    invalid_grant("username or password is wrong");
  }
  if (account->disabled) invalid_grant("account " + username + " is disabled");
  password_failures_.reset(key);
  return issue(PrincipalKind::kAccount, tenant, account->id, now);
}

IssuedToken TokenService::issue_client(const std::string& tenant, const std::string& client_id,
                                       const std::string& secret, TimeMs now) {
  if (client_id.size() > kMaxNameBytes) invalid_client("client_id or client_secret is wrong");
  std::string key = limiter_key(tenant, client_id);
  if (int64_t wait = client_failures_.wait_seconds(key, now)) {
    throw OAuthError(
        ErrorType::kTooManyRequests, "invalid_client",
        "too many failed attempts for client " + client_id + "; try again in " + std::to_string(wait) + " seconds",
        wait);
  }
  auto dir = directories_.get(tenant, false);
  if (!dir) invalid_client("tenant " + tenant + " does not exist");
  if (!dir->check_client_secret(client_id, secret)) {
    client_failures_.record_failure(key, now);
    invalid_client("client_id or client_secret is wrong");
  }
  client_failures_.reset(key);
  try {
    dir->principal_for_client(client_id, now);  // the owner must still be active
  } catch (const Error& e) {
    invalid_client(e.what());
  }
  return issue(PrincipalKind::kClient, tenant, client_id, now);
}

IssuedToken TokenService::issue(PrincipalKind kind, const std::string& tenant, const std::string& subject, TimeMs now) {
  int64_t iat = now / 1000;
  Json claims = {{"iss", options_.issuer},
                 {"sub", subject},
                 {"tenant", tenant},
                 {"kind", kind == PrincipalKind::kClient ? "client" : "account"},
                 {"jti", random_secret(16)},
                 {"iat", iat},
                 {"exp", iat + options_.token_lifetime_s}};
  return {jwt_sign(claims, signing_key_), "Bearer", options_.token_lifetime_s};
}

// ---- Authenticating ----

TokenService::Verified TokenService::verify_own(const JwtParts& jwt, TimeMs now) {
  // machi issued and checks its own tokens on one clock: they expire on
  // time (the leeway is left on nbf and iat for a clock stepped back).
  Json claims = jwt_verify(jwt, own_keys_, {options_.issuer, std::nullopt, now, options_.leeway_s, 0});
  std::string kind = claim_string(claims, "kind");
  if (kind != "account" && kind != "client") unauthorized("token kind \"" + kind + "\" is unknown");
  auto tenant = claims.find("tenant");
  if (tenant == claims.end() || !tenant->is_string()) unauthorized("token has no \"tenant\" claim");
  Verified v;
  v.kind = kind == "client" ? PrincipalKind::kClient : PrincipalKind::kAccount;
  v.tenant = tenant->get<std::string>();
  v.subject = claim_string(claims, "sub");
  v.jti = claim_string(claims, "jti");
  v.issuer = options_.issuer;
  v.expires_at = static_cast<TimeMs>(std::min(claims["exp"].get<double>(), 253402300799.0) * 1000.0);
  return v;
}

TokenService::Verified TokenService::verify_external(const JwtParts& jwt, TimeMs now) {
  ExternalIdentity id = oidc_->verify(jwt, now);
  auto dir = directories_.get(id.tenant, false);
  auto account = dir ? dir->account_by_username(id.username) : std::nullopt;
  if (!account) unauthorized("no local account " + id.username + " for the user of issuer " + id.issuer);
  Verified v;
  v.kind = PrincipalKind::kAccount;
  v.tenant = id.tenant;
  v.subject = account->id;
  v.jti = id.jti;
  v.issuer = id.issuer;
  v.expires_at = id.expires_at;
  return v;
}

TokenService::Verified TokenService::verified(std::string_view token, TimeMs now) {
  if (token.empty()) unauthorized("no bearer token");
  std::string digest = sha256_bytes(token);
  {
    std::shared_lock lock(cache_mu_);
    auto it = cache_.find(digest);
    if (it != cache_.end()) {
      Verified v = it->second;
      lock.unlock();
      if (now >= v.usable_until) {
        forget(digest);
        unauthorized("token has expired");
      }
      return v;
    }
  }
  ++verifications_;
  JwtParts jwt = jwt_decode(token);
  Verified v;
  int64_t leeway_s = 0;
  if (jwt.issuer == options_.issuer) {
    v = verify_own(jwt, now);
  } else if (oidc_ && oidc_->knows(jwt.issuer)) {
    v = verify_external(jwt, now);
    leeway_s = options_.leeway_s;
  } else {
    unauthorized("token issuer " + jwt.issuer + " is not trusted");
  }
  v.usable_until = v.expires_at + leeway_s * 1000;
  remember(digest, v, now);
  return v;
}

void TokenService::remember(const std::string& digest, const Verified& v, TimeMs now) {
  std::unique_lock lock(cache_mu_);
  if (cache_.size() >= options_.cache_capacity) {
    std::erase_if(cache_, [now](const auto& entry) { return now >= entry.second.usable_until; });
  }
  // Still full of live tokens: drop any one; it is only verified again.
  while (!cache_.empty() && cache_.size() >= options_.cache_capacity) cache_.erase(cache_.begin());
  if (options_.cache_capacity > 0) cache_[digest] = v;
}

void TokenService::forget(const std::string& digest) {
  std::unique_lock lock(cache_mu_);
  cache_.erase(digest);
}

Principal TokenService::authenticate(std::string_view bearer_token, const std::string& tenant, TimeMs now) {
  Verified v = verified(bearer_token, now);
  if (v.tenant != tenant) {
    throw Error(ErrorType::kForbidden, "the token was issued for tenant \"" + v.tenant + "\", not \"" + tenant + "\"");
  }
  auto dir = directories_.get(v.tenant, false);
  if (!dir) unauthorized("tenant " + v.tenant + " no longer exists");
  if (!v.jti.empty() && dir->token_revoked(v.jti)) unauthorized("token has been revoked");
  Principal p = v.kind == PrincipalKind::kClient ? dir->principal_for_client(v.subject, now)
                                                 : dir->principal_for_account(v.subject, now);
  p.issuer = v.issuer;
  return p;
}

void TokenService::revoke(std::string_view bearer_token, TimeMs now) {
  Verified v = verified(bearer_token, now);
  if (v.jti.empty()) throw Error(ErrorType::kBadRequestData, "token has no jti and cannot be revoked");
  auto dir = directories_.get(v.tenant, false);
  if (!dir) unauthorized("tenant " + v.tenant + " no longer exists");
  dir->revoke_token(v.jti, v.usable_until, now);
  forget(sha256_bytes(bearer_token));
}

}  // namespace machi::trust
