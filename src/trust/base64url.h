// base64url (RFC 4648 section 5) without padding, as JOSE (RFC 7515) uses it
// for JWTs and JWKs. The ledger's encoding.h has standard padded base64;
// tokens need the URL-safe alphabet and a strict decoder.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace machi::trust {

std::string base64url_encode(std::string_view bytes);

// nullopt unless text is canonical unpadded base64url: only the URL-safe
// alphabet, no '=' padding, no whitespace, a length that is not 1 mod 4,
// and zero bits after the last byte (so each value has one encoding).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace machi::trust
