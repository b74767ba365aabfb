// Text forms of binary values in the ledger's documents: lower-case hex for
// hashes and salts, standard base64 with padding (RFC 4648 section 4) for
// signatures and public keys. src/core has neither, and only the ledger
// needs them so far.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace machi::trust {

std::string to_hex(std::string_view bytes);
template <size_t N>
std::string to_hex(const std::array<unsigned char, N>& bytes) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}
// nullopt unless text is an even number of hex digits (either case).
std::optional<std::string> from_hex(std::string_view text);

std::string to_base64(std::string_view bytes);
// nullopt unless text is canonical padded base64.
std::optional<std::string> from_base64(std::string_view text);

}  // namespace machi::trust
