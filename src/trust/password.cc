#include "trust/password.h"

#include <argon2.h>
#include <openssl/rand.h>

#include "core/error.h"
#include "trust/base64url.h"

namespace machi::trust {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr size_t kMinPasswordChars = 10;
constexpr size_t kMaxPasswordBytes = 1024;

// Code points, not bytes: "パスワード" is 5 characters, 15 bytes.
size_t count_code_points(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string csprng_bytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw Error(ErrorType::kInternalError, "the random number generator failed");
  }
  return out;
}

bool one_repeated_byte(std::string_view text) { return text.find_first_not_of(text.front()) == std::string_view::npos; }

}  // namespace

std::string hash_password(std::string_view password, const PasswordParams& params) {
  std::string salt = csprng_bytes(kSaltBytes);
  size_t size =
      argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(size, '\0');
  int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism, password.data(),
                                 password.size(), salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    throw Error(ErrorType::kInternalError, std::string("argon2id hashing failed: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool verify_password(std::string_view password, const std::string& encoded) {
  // argon2_verify rejects other variants itself; checking the prefix first
  // keeps a stray "$argon2i$" record from being accepted by a later library.
  if (encoded.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

void check_password_strength(std::string_view password, std::string_view username) {
  if (count_code_points(password) < kMinPasswordChars) {
    throw Error(ErrorType::kBadRequestData,
                "password is too short: at least 10 characters are required (length is what makes a password "
                "hard to guess)");
  }
  if (password.size() > kMaxPasswordBytes) {
    throw Error(ErrorType::kBadRequestData, "password is longer than 1024 bytes");
  }
  if (!username.empty() && password == username) {
    throw Error(ErrorType::kBadRequestData, "password must not be the username");
  }
  if (one_repeated_byte(password)) {
    throw Error(ErrorType::kBadRequestData, "password must not be one character repeated");
  }
}

std::string random_secret(size_t n) { return base64url_encode(csprng_bytes(n)); }

std::string random_record_id(std::string_view prefix) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  for (unsigned char c : csprng_bytes(8)) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace machi::trust
