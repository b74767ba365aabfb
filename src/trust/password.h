// Secrets of accounts and service applications: argon2id hashing of
// passwords and client secrets into encoded PHC strings
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), the strength rule for
// new passwords, and random secrets and identifiers.
//
// Neither passwords nor client secrets are ever stored: only the encoded
// string, which carries its own parameters and salt, so that parameters can
// be raised later without breaking existing hashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace machi::trust {

// argon2id cost. The defaults are OWASP's Password Storage Cheat Sheet
// recommendation (m=19 MiB, t=2, p=1); tests use cheaper ones.
struct PasswordParams {
  uint32_t memory_kib = 19 * 1024;
  uint32_t iterations = 2;
  uint32_t parallelism = 1;
};

// Parameters cheap enough for unit tests (never for production).
inline constexpr PasswordParams kTestPasswordParams{64, 1, 1};

// Hashes with a fresh 16-byte random salt into an encoded PHC string.
// Throws Error(kInternalError) when argon2 fails (e.g. out of memory).
std::string hash_password(std::string_view password, const PasswordParams& params = {});

// True when password matches the encoded hash; the comparison runs in
// constant time (argon2_verify). False, never a throw, for a malformed or
// non-argon2id encoded string.
bool verify_password(std::string_view password, const std::string& encoded);

// Throws Error(kBadRequestData) saying why a new password is refused:
// fewer than 10 characters (code points), more than 1024 bytes, equal to
// the username, or one character repeated. Length beats composition rules
// (NIST SP 800-63B), so there are no "must contain a digit" rules.
void check_password_strength(std::string_view password, std::string_view username = {});

// n random bytes (OpenSSL's CSPRNG) in base64url without padding: client
// secrets, token ids.
std::string random_secret(size_t n = 32);
// prefix + 16 lower-case hex digits (64 random bits): record identifiers.
// (grants.h has the same as random_id; one of them should go.)
std::string random_record_id(std::string_view prefix);

}  // namespace machi::trust
