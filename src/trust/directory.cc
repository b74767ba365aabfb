#include "trust/directory.h"

#include <algorithm>

#include "core/error.h"
#include "trust/directory_records.h"

namespace machi::trust {

struct Directory::State {
  std::unordered_map<std::string, Account> accounts;
  std::unordered_map<std::string, std::string> by_username;  // username → account id
  std::unordered_map<std::string, Post> posts;
  std::unordered_map<std::string, Assignment> assignments;
  std::unordered_map<std::string, std::vector<std::string>> assignments_of;  // account id → assignment ids
  std::unordered_map<std::string, Client> clients;
  std::unordered_map<std::string, TimeMs> revoked;  // jti → token expiry

  void put(const Account& a) {
    auto old = accounts.find(a.id);
    if (old != accounts.end()) by_username.erase(old->second.username);
    accounts[a.id] = a;
    by_username[a.username] = a.id;
  }
  void put(const Assignment& a) {
    if (!assignments.count(a.id)) assignments_of[a.account_id].push_back(a.id);
    assignments[a.id] = a;
  }
  void erase_assignment(const std::string& id) {
    auto it = assignments.find(id);
    if (it == assignments.end()) return;
    auto& ids = assignments_of[it->second.account_id];
    ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
    assignments.erase(it);
  }
};

namespace {

constexpr size_t kMaxNameBytes = 256;
constexpr size_t kMaxUsernameBytes = 128;

[[noreturn]] void bad(std::string message) { throw Error(ErrorType::kBadRequestData, std::move(message)); }
[[noreturn]] void not_found(std::string message) { throw Error(ErrorType::kResourceNotFound, std::move(message)); }
[[noreturn]] void unauthorized(std::string message) { throw Error(ErrorType::kUnauthorized, std::move(message)); }

bool has_control(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; });
}

void check_text(const std::string& text, const char* what, bool required) {
  if (required && text.empty()) bad(std::string(what) + " is empty");
  if (text.size() > kMaxNameBytes) bad(std::string(what) + " is longer than 256 bytes");
  if (has_control(text)) bad(std::string(what) + " contains control characters");
}

void check_username(const std::string& username) {
  if (username.empty()) bad("username is empty");
  if (username.size() > kMaxUsernameBytes) bad("username is longer than 128 bytes");
  if (has_control(username) || username.find(' ') != std::string::npos) {
    bad("username contains spaces or control characters");
  }
}

void check_period(TimeMs from, std::optional<TimeMs> until, const std::string& what) {
  if (until && *until <= from) bad(what + ": valid_until must be after valid_from");
}

void check_wards(const std::vector<Ward>& wards) {
  for (const auto& w : wards) {
    if (w.subject.empty()) bad("ward has no subject");
    check_text(w.subject, "ward subject", true);
    if (w.relation != "guardian" && w.relation != "adult_guardian") {
      bad("ward relation \"" + w.relation + "\" is neither \"guardian\" nor \"adult_guardian\"");
    }
    check_period(w.valid_from, w.valid_until, "ward " + w.subject);
  }
}

void check_grant_ids(const std::vector<std::string>& ids) {
  for (const auto& id : ids) check_text(id, "grant id", true);
}

template <typename T, typename Less>
std::vector<T> sorted_values(const std::unordered_map<std::string, T>& map, Less less) {
  std::vector<T> out;
  out.reserve(map.size());
  for (const auto& [key, value] : map) out.push_back(value);
  std::sort(out.begin(), out.end(), less);
  return out;
}

template <typename T>
std::optional<T> find_copy(const std::unordered_map<std::string, T>& map, const std::string& key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Directory::Directory(std::string tenant, std::shared_ptr<store::TenantStore> store, DirectoryOptions options)
    : tenant_(std::move(tenant)), store_(std::move(store)), options_(options), state_(std::make_unique<State>()) {
  load();
}

void Directory::load() {
  State& s = *state_;
  for (const auto& r : store_->records(records::kAccounts)) s.put(records::parse_account(r));
  for (const auto& r : store_->records(records::kPosts)) {
    Post p = records::parse_post(r);
    s.posts[p.id] = p;
  }
  for (const auto& r : store_->records(records::kAssignments)) s.put(records::parse_assignment(r));
  for (const auto& r : store_->records(records::kClients)) {
    Client c = records::parse_client(r);
    s.clients[c.client_id] = c;
  }
  for (const auto& r : store_->records(records::kRevokedTokens)) s.revoked[r.key] = records::parse_revoked(r);
}

void Directory::commit(const std::vector<store::Record>& puts,
                       const std::vector<std::pair<std::string, std::string>>& erases,
                       const std::function<void(State&)>& change) {
  store_->put_records(puts, erases);  // durable before anyone sees the change
  std::unique_lock lock(mu_);
  change(*state_);
}

const Account& Directory::account_or_throw(const std::string& id) const {
  auto it = state_->accounts.find(id);
  if (it == state_->accounts.end()) not_found("account " + id + " does not exist");
  return it->second;
}

// ---- Accounts ----

Account Directory::create_account(const NewAccount& fields, TimeMs now) {
  check_username(fields.username);
  check_text(fields.display_name, "display_name", false);
  check_text(fields.subject, "subject", false);
  check_wards(fields.wards);
  if (fields.password) check_password_strength(*fields.password, fields.username);
  Account a{random_record_id("acc-"),
            fields.username,
            fields.display_name.empty() ? fields.username : fields.display_name,
            fields.password ? hash_password(*fields.password, options_.password) : "",
            fields.roles,
            fields.subject,
            fields.wards,
            false,
            now,
            now};
  std::lock_guard write(write_mu_);
  if (state_->by_username.count(a.username)) {
    throw Error(ErrorType::kAlreadyExists, "username " + a.username + " is taken");
  }
  commit({records::to_record(a)}, {}, [&](State& s) { s.put(a); });
  return a;
}

Account Directory::update_account(const std::string& id, const AccountUpdate& update, TimeMs now) {
  if (update.display_name) check_text(*update.display_name, "display_name", true);
  if (update.subject) check_text(*update.subject, "subject", false);
  if (update.wards) check_wards(*update.wards);
  std::lock_guard write(write_mu_);
  Account a = account_or_throw(id);
  if (update.display_name) a.display_name = *update.display_name;
  if (update.roles) a.roles = *update.roles;
  if (update.subject) a.subject = *update.subject;
  if (update.wards) a.wards = *update.wards;
  if (update.disabled) a.disabled = *update.disabled;
  a.modified_at = now;
  commit({records::to_record(a)}, {}, [&](State& s) { s.put(a); });
  return a;
}

Account Directory::set_disabled(const std::string& id, bool disabled, TimeMs now) {
  AccountUpdate update;
  update.disabled = disabled;
  return update_account(id, update, now);
}

void Directory::set_password(const std::string& id, const std::string& password, TimeMs now) {
  std::string username;
  {
    std::shared_lock lock(mu_);
    username = account_or_throw(id).username;
  }
  check_password_strength(password, username);
  std::string hash = hash_password(password, options_.password);  // slow: outside the locks
  std::lock_guard write(write_mu_);
  Account a = account_or_throw(id);
  a.password_hash = hash;
  a.modified_at = now;
  commit({records::to_record(a)}, {}, [&](State& s) { s.put(a); });
}

std::optional<Account> Directory::account(const std::string& id) const {
  std::shared_lock lock(mu_);
  return find_copy(state_->accounts, id);
}

std::optional<Account> Directory::account_by_username(const std::string& username) const {
  std::shared_lock lock(mu_);
  auto it = state_->by_username.find(username);
  if (it == state_->by_username.end()) return std::nullopt;
  return state_->accounts.at(it->second);
}

std::vector<Account> Directory::accounts() const {
  std::shared_lock lock(mu_);
  return sorted_values(state_->accounts, [](const Account& a, const Account& b) { return a.username < b.username; });
}

// ---- Posts ----

Post Directory::create_post(const PostFields& fields) {
  check_text(fields.name, "post name", true);
  check_text(fields.department, "department", false);
  Post p{random_record_id("post-"), fields.name, fields.department, fields.roles};
  std::lock_guard write(write_mu_);
  commit({records::to_record(p)}, {}, [&](State& s) { s.posts[p.id] = p; });
  return p;
}

Post Directory::update_post(const std::string& id, const PostFields& fields) {
  check_text(fields.name, "post name", true);
  check_text(fields.department, "department", false);
  std::lock_guard write(write_mu_);
  if (!state_->posts.count(id)) not_found("post " + id + " does not exist");
  Post p{id, fields.name, fields.department, fields.roles};
  commit({records::to_record(p)}, {}, [&](State& s) { s.posts[p.id] = p; });
  return p;
}

void Directory::delete_post(const std::string& id) {
  std::lock_guard write(write_mu_);
  if (!state_->posts.count(id)) not_found("post " + id + " does not exist");
  std::vector<std::pair<std::string, std::string>> erases{{records::kPosts, id}};
  std::vector<std::string> gone;
  for (const auto& [asg_id, a] : state_->assignments) {
    if (a.post_id == id) {
      erases.emplace_back(records::kAssignments, asg_id);
      gone.push_back(asg_id);
    }
  }
  commit({}, erases, [&](State& s) {
    for (const auto& asg_id : gone) s.erase_assignment(asg_id);
    s.posts.erase(id);
  });
}

std::optional<Post> Directory::post(const std::string& id) const {
  std::shared_lock lock(mu_);
  return find_copy(state_->posts, id);
}

std::vector<Post> Directory::posts() const {
  std::shared_lock lock(mu_);
  return sorted_values(state_->posts,
                       [](const Post& a, const Post& b) { return a.name != b.name ? a.name < b.name : a.id < b.id; });
}

// ---- Assignments ----

Assignment Directory::assign(const std::string& account_id, const std::string& post_id, TimeMs valid_from,
                             std::optional<TimeMs> valid_until) {
  check_period(valid_from, valid_until, "assignment");
  Assignment a{random_record_id("asg-"), account_id, post_id, valid_from, valid_until};
  std::lock_guard write(write_mu_);
  account_or_throw(account_id);
  if (!state_->posts.count(post_id)) not_found("post " + post_id + " does not exist");
  commit({records::to_record(a)}, {}, [&](State& s) { s.put(a); });
  return a;
}

Assignment Directory::end_assignment(const std::string& id, TimeMs valid_until) {
  std::lock_guard write(write_mu_);
  auto it = state_->assignments.find(id);
  if (it == state_->assignments.end()) not_found("assignment " + id + " does not exist");
  Assignment a = it->second;
  a.valid_until = valid_until;
  check_period(a.valid_from, a.valid_until, "assignment " + id);
  commit({records::to_record(a)}, {}, [&](State& s) { s.put(a); });
  return a;
}

void Directory::unassign(const std::string& id) {
  std::lock_guard write(write_mu_);
  if (!state_->assignments.count(id)) not_found("assignment " + id + " does not exist");
  commit({}, {{records::kAssignments, id}}, [&](State& s) { s.erase_assignment(id); });
}

std::vector<Assignment> Directory::assignments(const std::string& account_id) const {
  std::shared_lock lock(mu_);
  std::vector<Assignment> out;
  for (const auto& [id, a] : state_->assignments) {
    if (account_id.empty() || a.account_id == account_id) out.push_back(a);
  }
  std::sort(out.begin(), out.end(), [](const Assignment& a, const Assignment& b) {
    return a.valid_from != b.valid_from ? a.valid_from < b.valid_from : a.id < b.id;
  });
  return out;
}

// ---- Clients ----

NewClient Directory::create_client(const std::string& owner_account_id, const std::string& name,
                                   std::vector<std::string> grant_ids, TimeMs now) {
  check_text(name, "client name", true);
  check_grant_ids(grant_ids);
  NewClient out;
  out.secret = random_secret(32);
  out.client = Client{random_record_id("cli-"), hash_password(out.secret, options_.password),
                      owner_account_id,         name,
                      std::move(grant_ids),     now};
  std::lock_guard write(write_mu_);
  account_or_throw(owner_account_id);
  const Client& c = out.client;
  commit({records::to_record(c)}, {}, [&](State& s) { s.clients[c.client_id] = c; });
  return out;
}

Client Directory::bind_grants(const std::string& client_id, std::vector<std::string> grant_ids) {
  check_grant_ids(grant_ids);
  std::lock_guard write(write_mu_);
  auto it = state_->clients.find(client_id);
  if (it == state_->clients.end()) not_found("client " + client_id + " does not exist");
  Client c = it->second;
  c.grant_ids = std::move(grant_ids);
  commit({records::to_record(c)}, {}, [&](State& s) { s.clients[c.client_id] = c; });
  return c;
}

void Directory::delete_client(const std::string& client_id) {
  std::lock_guard write(write_mu_);
  if (!state_->clients.count(client_id)) not_found("client " + client_id + " does not exist");
  commit({}, {{records::kClients, client_id}}, [&](State& s) { s.clients.erase(client_id); });
}

std::optional<Client> Directory::client(const std::string& client_id) const {
  std::shared_lock lock(mu_);
  return find_copy(state_->clients, client_id);
}

std::vector<Client> Directory::clients(const std::string& owner_account_id) const {
  std::shared_lock lock(mu_);
  std::vector<Client> out;
  for (const auto& [id, c] : state_->clients) {
    if (owner_account_id.empty() || c.owner_account_id == owner_account_id) out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const Client& a, const Client& b) { return a.client_id < b.client_id; });
  return out;
}

// ---- The caller at a moment ----

RoleSet Directory::effective_roles_locked(const Account& account, TimeMs now) const {
  RoleSet roles = account.roles;
  auto ids = state_->assignments_of.find(account.id);
  if (ids == state_->assignments_of.end()) return roles;
  for (const auto& id : ids->second) {
    const Assignment& a = state_->assignments.at(id);
    if (!a.effective_at(now)) continue;
    auto post = state_->posts.find(a.post_id);
    if (post != state_->posts.end()) roles = roles | post->second.roles;
  }
  return roles;
}

RoleSet Directory::effective_roles(const std::string& account_id, TimeMs now) const {
  std::shared_lock lock(mu_);
  auto it = state_->accounts.find(account_id);
  return it == state_->accounts.end() ? RoleSet{} : effective_roles_locked(it->second, now);
}

Principal Directory::principal_for_account(const std::string& id, TimeMs now) const {
  std::shared_lock lock(mu_);
  auto it = state_->accounts.find(id);
  if (it == state_->accounts.end()) unauthorized("account " + id + " no longer exists");
  const Account& a = it->second;
  if (a.disabled) unauthorized("account " + a.username + " is disabled");
  Principal p;
  p.kind = PrincipalKind::kAccount;
  p.tenant = tenant_;
  p.account_id = a.id;
  p.display_name = a.display_name;
  p.roles = effective_roles_locked(a, now);
  p.subject = a.subject;
  for (const auto& w : a.wards) {
    if (w.effective_at(now)) p.wards.push_back(w.subject);
  }
  return p;
}

Principal Directory::principal_for_client(const std::string& client_id, TimeMs now) const {
  std::shared_lock lock(mu_);
  auto it = state_->clients.find(client_id);
  if (it == state_->clients.end()) unauthorized("client " + client_id + " no longer exists");
  const Client& c = it->second;
  auto owner = state_->accounts.find(c.owner_account_id);
  if (owner == state_->accounts.end() || owner->second.disabled) {
    unauthorized("the owner account of client " + client_id + " is disabled or gone");
  }
  RoleSet owner_roles = effective_roles_locked(owner->second, now);
  Principal p;
  p.kind = PrincipalKind::kClient;
  p.tenant = tenant_;
  p.account_id = c.owner_account_id;
  p.client_id = c.client_id;
  p.display_name = c.name;
  for (Role r : {Role::kConsumer, Role::kProvider}) {
    if (owner_roles.has(r)) p.roles.add(r);
  }
  p.grant_ids = c.grant_ids;
  return p;
}

// ---- Credentials ----

const std::string& Directory::dummy_hash() const {
  std::call_once(dummy_once_, [this] { dummy_hash_ = hash_password(random_secret(16), options_.password); });
  return dummy_hash_;
}

std::optional<Account> Directory::check_password(const std::string& username, const std::string& password) const {
  std::optional<Account> a = account_by_username(username);
  bool usable = a && !a->password_hash.empty();
  bool ok = verify_password(password, usable ? a->password_hash : dummy_hash());
  if (!usable || !ok) return std::nullopt;
  return a;
}

std::optional<Client> Directory::check_client_secret(const std::string& client_id, const std::string& secret) const {
  std::optional<Client> c = client(client_id);
  bool ok = verify_password(secret, c ? c->secret_hash : dummy_hash());
  if (!c || !ok) return std::nullopt;
  return c;
}

void Directory::revoke_token(const std::string& jti, TimeMs expires_at, TimeMs now) {
  check_text(jti, "token id", true);
  std::lock_guard write(write_mu_);
  // Expired revocations are dropped on the way: an expired token fails anyway.
  std::vector<std::pair<std::string, std::string>> erases;
  for (const auto& [id, exp] : state_->revoked) {
    if (exp <= now) erases.emplace_back(records::kRevokedTokens, id);
  }
  commit({records::revoked_record(jti, expires_at)}, erases, [&](State& s) {
    for (const auto& [collection, id] : erases) s.revoked.erase(id);
    s.revoked[jti] = expires_at;
  });
}

bool Directory::token_revoked(const std::string& jti) const {
  std::shared_lock lock(mu_);
  return state_->revoked.count(jti) > 0;
}

// ---- Directories ----

Directories::Directories(store::Store& store, DirectoryOptions options) : store_(store), options_(options) {}

std::shared_ptr<Directory> Directories::get(const std::string& tenant, bool create) {
  std::lock_guard lock(mu_);
  auto it = dirs_.find(tenant);
  if (it != dirs_.end()) return it->second;
  auto tenant_store = store_.tenant(tenant, create);
  if (!tenant_store) return nullptr;  // not cached: the tenant may be created later
  auto dir = std::make_shared<Directory>(tenant, std::move(tenant_store), options_);
  dirs_.emplace(tenant, dir);
  return dir;
}

}  // namespace machi::trust
