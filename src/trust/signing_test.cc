#include "trust/signing.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "trust/encoding.h"

namespace machi::trust {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "machi-signing-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// RFC 8032 section 7.1, TEST 1: the empty message.
TEST(signing, Rfc8032TestVector) {
  std::string pem =
      "-----BEGIN PRIVATE KEY-----\n"
      // PKCS#8 of secret key 9d61b19d...7f60 (RFC 8032 TEST 1)
      "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
      "-----END PRIVATE KEY-----\n";
  SigningKey key = SigningKey::from_pem(pem);
  EXPECT_EQ(to_hex(key.public_key()), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(to_hex(key.sign("")),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe"
            "24655141438e7a100b");
}

TEST(signing, SignsAndVerifies) {
  SigningKey key = SigningKey::generate();
  EXPECT_EQ(key.public_key().size(), 32u);
  std::string message = "3\nabcdef\n2026-11-25T06:00:00.123Z";
  std::string signature = key.sign(message);
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_TRUE(verify_signature(key.public_key(), message, signature));
  EXPECT_FALSE(verify_signature(key.public_key(), message + "x", signature));
  std::string bad = signature;
  bad[10] ^= 1;
  EXPECT_FALSE(verify_signature(key.public_key(), message, bad));
  EXPECT_FALSE(verify_signature(SigningKey::generate().public_key(), message, signature));
  EXPECT_FALSE(verify_signature("short", message, signature));
}

TEST(signing, PemRoundTrips) {
  SigningKey key = SigningKey::generate();
  SigningKey again = SigningKey::from_pem(key.private_pem());
  EXPECT_EQ(again.public_key(), key.public_key());
  EXPECT_THROW(SigningKey::from_pem("not a key"), Error);
}

TEST(signing, LoadOrCreateSavesAPrivateFileOnce) {
  TempDir dir;
  fs::path file = dir.path() / "ledger" / "ed25519.pem";
  SigningKey first = SigningKey::load_or_create(file);
  ASSERT_TRUE(fs::exists(file));
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  SigningKey second = SigningKey::load_or_create(file);
  EXPECT_EQ(second.public_key(), first.public_key());
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()), 1);
}

TEST(signing, HexAndBase64) {
  EXPECT_EQ(to_hex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(from_hex("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(from_hex("0"), std::nullopt);
  EXPECT_EQ(from_hex("zz"), std::nullopt);
  // RFC 4648 section 10.
  const std::pair<const char*, const char*> cases[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(to_base64(plain), encoded);
    EXPECT_EQ(from_base64(encoded), std::string(plain));
  }
  EXPECT_EQ(to_base64(std::string("\xfb\xff", 2)), "+/8=");
  EXPECT_EQ(from_base64("Zg="), std::nullopt);
  EXPECT_EQ(from_base64("Zh=="), std::nullopt);  // not canonical
  EXPECT_EQ(from_base64("Z!=="), std::nullopt);
}

}  // namespace
}  // namespace machi::trust
