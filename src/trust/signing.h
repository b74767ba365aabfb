// The ledger's Ed25519 signing key (OpenSSL EVP). One key per machi data
// directory signs the tree heads of every tenant's ledger; verifiers get
// its public key with each head and can pin it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace machi::trust {

class SigningKey {
 public:
  // A fresh random key.
  static SigningKey generate();
  // A PKCS#8 PEM private key; throws Error(InternalError) unless it holds
  // an Ed25519 key.
  static SigningKey from_pem(std::string_view pem);
  // Loads the key file, or generates a key and saves it there (mode 0600,
  // created exclusively so that two processes starting together cannot
  // each write their own key).
  static SigningKey load_or_create(const std::filesystem::path& file);

  // The 64-byte Ed25519 signature of message. Thread-safe.
  std::string sign(std::string_view message) const;
  // The raw 32-byte public key.
  const std::string& public_key() const { return public_key_; }
  // The private key as PKCS#8 PEM.
  std::string private_pem() const;

 private:
  explicit SigningKey(std::shared_ptr<EVP_PKEY> key);

  std::shared_ptr<EVP_PKEY> key_;
  std::string public_key_;
};

// True when signature is a valid Ed25519 signature of message under the
// raw 32-byte public key.
bool verify_signature(std::string_view public_key, std::string_view message, std::string_view signature);

}  // namespace machi::trust
