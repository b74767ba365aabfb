#include "trust/password.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"

namespace machi::trust {
namespace {

TEST(Password, HashesAndVerifies) {
  std::string hash = hash_password("correct horse battery", kTestPasswordParams);
  EXPECT_TRUE(verify_password("correct horse battery", hash));
  EXPECT_FALSE(verify_password("correct horse batterY", hash));
  EXPECT_FALSE(verify_password("", hash));
  // A fresh salt each time: equal passwords hash differently.
  EXPECT_NE(hash, hash_password("correct horse battery", kTestPasswordParams));
}

TEST(Password, EncodesItsParameters) {
  std::string hash = hash_password("correct horse battery", {128, 3, 2});
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=128,t=3,p=2$", 0), 0u) << hash;
  EXPECT_TRUE(verify_password("correct horse battery", hash));
}

TEST(Password, DefaultsFollowOwasp) {
  PasswordParams p;
  EXPECT_EQ(p.memory_kib, 19456u);
  EXPECT_EQ(p.iterations, 2u);
  EXPECT_EQ(p.parallelism, 1u);
  std::string hash = hash_password("パスワードは十分に長い", p);
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;
  EXPECT_TRUE(verify_password("パスワードは十分に長い", hash));
}

TEST(Password, RejectsMalformedAndOtherVariants) {
  EXPECT_FALSE(verify_password("x", ""));
  EXPECT_FALSE(verify_password("x", "plain text"));
  EXPECT_FALSE(verify_password("x", "$argon2id$v=19$m=64,t=1,p=1$broken"));
  std::string hash = hash_password("correct horse battery", kTestPasswordParams);
  std::string argon2i = "$argon2i$" + hash.substr(std::string("$argon2id$").size());
  EXPECT_FALSE(verify_password("correct horse battery", argon2i));
}

TEST(Password, StrengthRuleSaysWhy) {
  try {
    check_password_strength("short");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kBadRequestData);
    EXPECT_NE(std::string(e.what()).find("at least 10 characters"), std::string::npos);
  }
  // Characters, not bytes: five kana are 15 bytes but too short.
  EXPECT_THROW(check_password_strength("あいうえお"), Error);
  EXPECT_NO_THROW(check_password_strength("あいうえおかきくけこ"));
  EXPECT_THROW(check_password_strength("aaaaaaaaaaaa"), Error);
  EXPECT_THROW(check_password_strength("hanako.yamada", "hanako.yamada"), Error);
  EXPECT_THROW(check_password_strength(std::string(1025, 'x') + "y"), Error);
  EXPECT_NO_THROW(check_password_strength("correct horse battery", "hanako"));
}

TEST(Password, RandomSecretsAndIds) {
  std::string secret = random_secret(32);
  EXPECT_EQ(secret.size(), 43u);  // 32 bytes in unpadded base64url
  EXPECT_EQ(secret.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.insert(random_record_id("acc-"));
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_EQ(ids.begin()->size(), 4u + 16u);
}

}  // namespace
}  // namespace machi::trust
