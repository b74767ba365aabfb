// The identity directory of one tenant (a city): accounts with their direct
// roles and wards, posts of the organization chart with the roles they
// carry, effective-dated assignments of accounts to posts (兼務: several at
// once), and the service applications (clients) of consumers with the
// grants their credentials are bound to.
//
// Everything a request needs to know about its caller is computed here, at
// every request, from server state: effective roles follow the posts held
// at that moment, and a client's grant ids come from its record, never from
// a token. The directory is therefore all in memory (a lookup costs a hash
// probe) and written through to the tenant's store records before a change
// returns, so a successful change is durable.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "store/store.h"
#include "trust/password.h"
#include "trust/principal.h"

namespace machi::trust {

// A person this account may act for: a guardian (親権者など) or an adult
// guardian (成年後見人) of a resident, named by the resident's pseudonym.
struct Ward {
  std::string subject;
  std::string relation;  // "guardian" | "adult_guardian"
  TimeMs valid_from = 0;
  std::optional<TimeMs> valid_until;  // exclusive; nullopt = open-ended
  bool effective_at(TimeMs t) const { return valid_from <= t && (!valid_until || t < *valid_until); }
};

struct Account {
  std::string id;             // "acc-<hex>", stable
  std::string username;       // unique in the tenant, case-sensitive
  std::string display_name;   // any script (山田 花子)
  std::string password_hash;  // argon2id encoded; "" = no password login
  RoleSet roles;              // direct roles, held regardless of posts
  std::string subject;        // a resident's data-subject pseudonym, if any
  std::vector<Ward> wards;
  bool disabled = false;
  TimeMs created_at = 0;
  TimeMs modified_at = 0;
};

struct Post {
  std::string id;    // "post-<hex>"
  std::string name;  // e.g. "デジタル推進課 課長"
  std::string department;
  RoleSet roles;
};

// An account holds a post over [valid_from, valid_until).
struct Assignment {
  std::string id;  // "asg-<hex>"
  std::string account_id;
  std::string post_id;
  TimeMs valid_from = 0;
  std::optional<TimeMs> valid_until;
  bool effective_at(TimeMs t) const { return valid_from <= t && (!valid_until || t < *valid_until); }
};

// A consumer's service application, authenticated by client credentials.
struct Client {
  std::string client_id;    // "cli-<hex>"
  std::string secret_hash;  // argon2id encoded
  std::string owner_account_id;
  std::string name;
  std::vector<std::string> grant_ids;  // approved purposes it may use
  TimeMs created_at = 0;
};

struct NewAccount {
  std::string username;
  std::string display_name;
  std::optional<std::string> password;  // checked for strength; none = external login only
  RoleSet roles;
  std::string subject;
  std::vector<Ward> wards;
};

// Fields left unset are kept.
struct AccountUpdate {
  std::optional<std::string> display_name;
  std::optional<RoleSet> roles;
  std::optional<std::string> subject;
  std::optional<std::vector<Ward>> wards;
  std::optional<bool> disabled;
};

struct PostFields {
  std::string name;
  std::string department;
  RoleSet roles;
};

struct NewClient {
  Client client;       // secret_hash filled
  std::string secret;  // shown once, never stored
};

// API views without secrets (no password or client secret hash), with
// times as ISO 8601 and roles as names.
Json account_json(const Account& account);
Json post_json(const Post& post);
Json assignment_json(const Assignment& assignment);
Json client_json(const Client& client);

struct DirectoryOptions {
  PasswordParams password;  // argon2id cost for new hashes
};

// One tenant's directory. Thread-safe; reads share a lock, changes are
// serialized and durable on return. Errors: kResourceNotFound for an
// unknown id, kAlreadyExists for a taken username, kBadRequestData for
// invalid fields (the message says which).
class Directory {
 public:
  // Loads the tenant's "accounts", "posts", "assignments" and "clients"
  // records (and revoked token ids).
  Directory(std::string tenant, std::shared_ptr<store::TenantStore> store, DirectoryOptions options);
  const std::string& tenant() const { return tenant_; }

  Account create_account(const NewAccount& fields, TimeMs now);
  Account update_account(const std::string& id, const AccountUpdate& update, TimeMs now);
  Account set_disabled(const std::string& id, bool disabled, TimeMs now);
  void set_password(const std::string& id, const std::string& password, TimeMs now);
  std::optional<Account> account(const std::string& id) const;
  std::optional<Account> account_by_username(const std::string& username) const;
  std::vector<Account> accounts() const;  // by username

  Post create_post(const PostFields& fields);
  Post update_post(const std::string& id, const PostFields& fields);
  // Also erases the post's assignments (in the same commit).
  void delete_post(const std::string& id);
  std::optional<Post> post(const std::string& id) const;
  std::vector<Post> posts() const;  // by name

  Assignment assign(const std::string& account_id, const std::string& post_id, TimeMs valid_from,
                    std::optional<TimeMs> valid_until = std::nullopt);
  // Ends an assignment: the usual way a person leaves a post (history stays).
  Assignment end_assignment(const std::string& id, TimeMs valid_until);
  // Erases an assignment made by mistake.
  void unassign(const std::string& id);
  // All assignments of an account ("" = of everyone), by valid_from.
  std::vector<Assignment> assignments(const std::string& account_id = "") const;

  NewClient create_client(const std::string& owner_account_id, const std::string& name,
                          std::vector<std::string> grant_ids, TimeMs now);
  Client bind_grants(const std::string& client_id, std::vector<std::string> grant_ids);
  void delete_client(const std::string& client_id);
  std::optional<Client> client(const std::string& client_id) const;
  std::vector<Client> clients(const std::string& owner_account_id = "") const;

  // Direct roles ∪ roles of the posts held at `now`; empty for an unknown id.
  RoleSet effective_roles(const std::string& account_id, TimeMs now) const;
  // The caller as of `now`. Throws Error(kUnauthorized) when the account
  // (or a client's owner) no longer exists or is disabled. A client holds
  // only the consumer and provider roles its owner holds at `now`: a
  // machine credential never carries staff or admin powers.
  Principal principal_for_account(const std::string& id, TimeMs now) const;
  Principal principal_for_client(const std::string& client_id, TimeMs now) const;

  // Credential checks (argon2id, run outside the lock). An unknown name is
  // checked against a dummy hash so that it costs as long as a known one.
  std::optional<Account> check_password(const std::string& username, const std::string& password) const;
  std::optional<Client> check_client_secret(const std::string& client_id, const std::string& secret) const;

  // Token revocation (logout) by jti, kept until the token's expiry.
  void revoke_token(const std::string& jti, TimeMs expires_at, TimeMs now);
  bool token_revoked(const std::string& jti) const;

 private:
  struct State;
  void load();
  // Persists puts/erases, then applies `change` to the state under the
  // exclusive lock. Call with write_mu_ held.
  void commit(const std::vector<store::Record>& puts, const std::vector<std::pair<std::string, std::string>>& erases,
              const std::function<void(State&)>& change);
  const Account& account_or_throw(const std::string& id) const;
  RoleSet effective_roles_locked(const Account& account, TimeMs now) const;
  const std::string& dummy_hash() const;

  std::string tenant_;
  std::shared_ptr<store::TenantStore> store_;
  DirectoryOptions options_;
  std::mutex write_mu_;           // serializes changes, held across the durable write
  mutable std::shared_mutex mu_;  // guards state_
  std::unique_ptr<State> state_;
  mutable std::once_flag dummy_once_;
  mutable std::string dummy_hash_;
};

// The directories of all tenants, each loaded on first use.
class Directories {
 public:
  explicit Directories(store::Store& store, DirectoryOptions options = {});
  // The tenant's directory; nullptr when the tenant does not exist in the
  // store and create is false. Throws Error(kBadRequestData) for an invalid
  // tenant name.
  std::shared_ptr<Directory> get(const std::string& tenant, bool create = false);

 private:
  store::Store& store_;
  DirectoryOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Directory>> dirs_;
};

}  // namespace machi::trust
