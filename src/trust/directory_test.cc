#include "trust/directory.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace machi::trust {
namespace {

using store::testing::TempDir;

constexpr TimeMs kDay = 24LL * 3600 * 1000;
constexpr TimeMs kT0 = 1760000000000;

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  void reopen() {
    dirs_.reset();
    if (store_) store_->close();
    store_ = store::open_sqlite_store({dir_.path().string(), store::Durability::kProcess});
    dirs_ = std::make_unique<Directories>(*store_, DirectoryOptions{kTestPasswordParams});
    d_ = dirs_->get("city", true);
  }

  Account resident(const std::string& username = "hanako") {
    NewAccount a;
    a.username = username;
    a.display_name = "山田 花子";
    a.password = "correct horse battery";
    a.roles = {Role::kResident};
    a.subject = "subj-" + username;
    return d_->create_account(a, kT0);
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Directories> dirs_;
  std::shared_ptr<Directory> d_;
};

TEST_F(DirectoryTest, TenantsAreLoadedLazilyAndNotCreatedByLookups) {
  EXPECT_EQ(dirs_->get("nowhere", false), nullptr);
  EXPECT_EQ(store_->tenant("nowhere", false), nullptr);
  EXPECT_EQ(dirs_->get("city", false), d_);
  EXPECT_THROW(dirs_->get(std::string(300, 'x'), true), Error);
}

TEST_F(DirectoryTest, AccountsPersistAcrossReopen) {
  Account a = resident();
  EXPECT_EQ(a.id.rfind("acc-", 0), 0u);
  EXPECT_TRUE(a.password_hash.rfind("$argon2id$", 0) == 0);
  AccountUpdate u;
  u.roles = RoleSet{Role::kResident, Role::kConsumer};
  u.wards = {{"subj-child", "guardian", kT0, kT0 + 365 * kDay}};
  d_->update_account(a.id, u, kT0 + 1);

  reopen();
  auto back = d_->account(a.id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->username, "hanako");
  EXPECT_EQ(back->display_name, "山田 花子");
  EXPECT_EQ(back->roles, (RoleSet{Role::kResident, Role::kConsumer}));
  EXPECT_EQ(back->subject, "subj-hanako");
  ASSERT_EQ(back->wards.size(), 1u);
  EXPECT_EQ(back->wards[0].relation, "guardian");
  EXPECT_EQ(back->wards[0].valid_until, kT0 + 365 * kDay);
  EXPECT_EQ(back->modified_at, kT0 + 1);
  EXPECT_EQ(d_->account_by_username("hanako")->id, a.id);
  EXPECT_EQ(d_->account_by_username("Hanako"), std::nullopt);  // case-sensitive
  EXPECT_TRUE(d_->check_password("hanako", "correct horse battery"));
}

TEST_F(DirectoryTest, NeverStoresPlainSecrets) {
  Account a = resident();
  NewClient c = d_->create_client(a.id, "見守りアプリ", {"grant-1"}, kT0);
  for (const char* collection : {"accounts", "clients"}) {
    for (const auto& r : store_->tenant("city", false)->records(collection)) {
      EXPECT_EQ(r.text.find("correct horse battery"), std::string::npos);
      EXPECT_EQ(r.text.find(c.secret), std::string::npos);
      EXPECT_NE(r.text.find("$argon2id$"), std::string::npos);
    }
  }
  Json view = account_json(a);
  EXPECT_FALSE(view.contains("password_hash"));
  EXPECT_EQ(view["has_password"], true);
  EXPECT_FALSE(client_json(c.client).contains("secret_hash"));
}

TEST_F(DirectoryTest, ValidatesFields) {
  resident();
  NewAccount dup;
  dup.username = "hanako";
  try {
    d_->create_account(dup, kT0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kAlreadyExists);
  }
  NewAccount bad;
  bad.username = "with space";
  EXPECT_THROW(d_->create_account(bad, kT0), Error);
  bad.username = "taro";
  bad.password = "short";
  EXPECT_THROW(d_->create_account(bad, kT0), Error);
  bad.password.reset();
  bad.wards = {{"subj-x", "uncle", kT0, std::nullopt}};
  EXPECT_THROW(d_->create_account(bad, kT0), Error);
  bad.wards = {{"subj-x", "adult_guardian", kT0, kT0}};
  EXPECT_THROW(d_->create_account(bad, kT0), Error);
  bad.wards.clear();
  Account taro = d_->create_account(bad, kT0);  // no password: external login only
  EXPECT_FALSE(d_->check_password("taro", ""));
  EXPECT_THROW(d_->set_password(taro.id, "tiny", kT0), Error);
  d_->set_password(taro.id, "another long passphrase", kT0);
  EXPECT_TRUE(d_->check_password("taro", "another long passphrase"));
  try {
    d_->update_account("acc-missing", {}, kT0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kResourceNotFound);
  }
  EXPECT_EQ(d_->accounts().size(), 2u);
  EXPECT_EQ(d_->accounts()[0].username, "hanako");
}

TEST_F(DirectoryTest, EffectiveDatedPostsGiveRolesWhileHeld) {
  NewAccount s;
  s.username = "suzuki";
  s.roles = {Role::kCityStaff};
  Account a = d_->create_account(s, kT0);
  Post digital = d_->create_post({"デジタル推進課 課長", "デジタル推進課", {Role::kCoordinator}});
  Post ethics = d_->create_post({"倫理審査委員", "倫理審査委員会", {Role::kEthicsMember}});
  // 兼務: two posts at once, one of them ending at kT0 + 30 days.
  d_->assign(a.id, digital.id, kT0);
  Assignment e = d_->assign(a.id, ethics.id, kT0 + kDay, kT0 + 30 * kDay);

  EXPECT_EQ(d_->effective_roles(a.id, kT0 - 1), RoleSet{Role::kCityStaff});
  EXPECT_EQ(d_->effective_roles(a.id, kT0), (RoleSet{Role::kCityStaff, Role::kCoordinator}));
  EXPECT_EQ(d_->effective_roles(a.id, kT0 + 2 * kDay),
            (RoleSet{Role::kCityStaff, Role::kCoordinator, Role::kEthicsMember}));
  EXPECT_EQ(d_->effective_roles(a.id, kT0 + 30 * kDay), (RoleSet{Role::kCityStaff, Role::kCoordinator}));

  d_->end_assignment(e.id, kT0 + 10 * kDay);
  reopen();
  EXPECT_EQ(d_->effective_roles(a.id, kT0 + 9 * kDay),
            (RoleSet{Role::kCityStaff, Role::kCoordinator, Role::kEthicsMember}));
  EXPECT_EQ(d_->effective_roles(a.id, kT0 + 10 * kDay), (RoleSet{Role::kCityStaff, Role::kCoordinator}));
  EXPECT_EQ(d_->assignments(a.id).size(), 2u);
  EXPECT_THROW(d_->end_assignment(e.id, kT0), Error);  // before it began
  EXPECT_THROW(d_->assign(a.id, "post-missing", kT0), Error);

  // A post's roles can change, and the holder follows.
  d_->update_post(digital.id, {"デジタル推進課 課長", "デジタル推進課", {Role::kCoordinator, Role::kAuditor}});
  EXPECT_TRUE(d_->effective_roles(a.id, kT0 + 40 * kDay).has(Role::kAuditor));
  d_->delete_post(digital.id);
  EXPECT_EQ(d_->effective_roles(a.id, kT0 + 40 * kDay), RoleSet{Role::kCityStaff});
  EXPECT_EQ(d_->assignments(a.id).size(), 1u);
  reopen();
  EXPECT_EQ(d_->assignments().size(), 1u);
  EXPECT_EQ(d_->posts().size(), 1u);
  d_->unassign(e.id);
  EXPECT_TRUE(d_->assignments().empty());
}

TEST_F(DirectoryTest, PrincipalsFollowServerState) {
  Account a = resident();
  AccountUpdate u;
  u.wards = {{"subj-mother", "adult_guardian", kT0, kT0 + 10 * kDay},
             {"subj-child", "guardian", kT0 + 5 * kDay, std::nullopt}};
  d_->update_account(a.id, u, kT0);
  Principal p = d_->principal_for_account(a.id, kT0 + kDay);
  EXPECT_EQ(p.kind, PrincipalKind::kAccount);
  EXPECT_EQ(p.tenant, "city");
  EXPECT_EQ(p.display_name, "山田 花子");
  EXPECT_TRUE(p.acts_for("subj-hanako"));
  EXPECT_TRUE(p.acts_for("subj-mother"));
  EXPECT_FALSE(p.acts_for("subj-child"));  // not yet
  Principal later = d_->principal_for_account(a.id, kT0 + 11 * kDay);
  EXPECT_FALSE(later.acts_for("subj-mother"));
  EXPECT_TRUE(later.acts_for("subj-child"));

  d_->set_disabled(a.id, true, kT0);
  EXPECT_THROW(d_->principal_for_account(a.id, kT0), Error);
  EXPECT_THROW(d_->principal_for_account("acc-missing", kT0), Error);
}

TEST_F(DirectoryTest, ClientsCarryGrantsFromTheirRecord) {
  NewAccount o;
  o.username = "shop";
  o.roles = {Role::kConsumer, Role::kAdmin};
  Account owner = d_->create_account(o, kT0);
  NewClient c = d_->create_client(owner.id, "見守りアプリ", {"grant-1"}, kT0);
  EXPECT_EQ(c.secret.size(), 43u);
  EXPECT_TRUE(d_->check_client_secret(c.client.client_id, c.secret));
  EXPECT_FALSE(d_->check_client_secret(c.client.client_id, c.secret + "x"));
  EXPECT_FALSE(d_->check_client_secret("cli-missing", c.secret));

  Principal p = d_->principal_for_client(c.client.client_id, kT0);
  EXPECT_EQ(p.kind, PrincipalKind::kClient);
  EXPECT_EQ(p.account_id, owner.id);
  EXPECT_EQ(p.grant_ids, std::vector<std::string>{"grant-1"});
  EXPECT_EQ(p.roles, RoleSet{Role::kConsumer});  // never the owner's admin role

  d_->bind_grants(c.client.client_id, {"grant-2", "grant-3"});
  reopen();
  EXPECT_EQ(d_->principal_for_client(c.client.client_id, kT0).grant_ids,
            (std::vector<std::string>{"grant-2", "grant-3"}));
  EXPECT_TRUE(d_->check_client_secret(c.client.client_id, c.secret));
  EXPECT_EQ(d_->clients(owner.id).size(), 1u);
  d_->set_disabled(owner.id, true, kT0);
  EXPECT_THROW(d_->principal_for_client(c.client.client_id, kT0), Error);
  d_->delete_client(c.client.client_id);
  EXPECT_FALSE(d_->client(c.client.client_id));
  EXPECT_THROW(d_->create_client("acc-missing", "x", {}, kT0), Error);
}

TEST_F(DirectoryTest, RevokedTokensPersistUntilExpiry) {
  d_->revoke_token("jti-1", kT0 + 3600 * 1000, kT0);
  reopen();
  EXPECT_TRUE(d_->token_revoked("jti-1"));
  d_->revoke_token("jti-2", kT0 + 7200 * 1000, kT0 + 3601 * 1000);  // drops the expired jti-1
  reopen();
  EXPECT_FALSE(d_->token_revoked("jti-1"));
  EXPECT_TRUE(d_->token_revoked("jti-2"));
}

}  // namespace
}  // namespace machi::trust
