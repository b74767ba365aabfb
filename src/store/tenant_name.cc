#include "store/tenant_name.h"

#include <openssl/evp.h>

#include "core/error.h"

namespace machi::store {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr std::string_view kSuffix = ".db";

bool is_plain(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

bool is_blank(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

bool is_blank(const std::string& name) {
  for (unsigned char c : name) {
    if (!is_blank(c)) return false;
  }
  return true;
}

std::string percent_encode(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (is_plain(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr)) {
    throw Error(ErrorType::kInternalError, "SHA-256 failed");
  }
  std::string out;
  constexpr char kLowerHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < size; ++i) {
    out += kLowerHex[digest[i] >> 4];
    out += kLowerHex[digest[i] & 15];
  }
  return out;
}

}  // namespace

void check_tenant_name(const std::string& name) {
  if (name.size() > kMaxTenantNameBytes) {
    throw Error(ErrorType::kBadRequestData, "tenant name longer than 255 bytes");
  }
  if (is_blank(name)) throw Error(ErrorType::kBadRequestData, "tenant name is empty");
}

std::string tenant_file_name(const std::string& name) {
  std::string encoded = percent_encode(name);
  if (encoded.size() <= kMaxPlainLength) return encoded + std::string(kSuffix);
  // Cut the readable part at a whole byte: never inside a %XX.
  size_t cut = 100;
  while (cut > 0 && (encoded[cut - 1] == '%' || (cut >= 2 && encoded[cut - 2] == '%'))) --cut;
  return "~" + encoded.substr(0, cut) + "~" + sha256_hex(name) + std::string(kSuffix);
}

bool is_hashed_file_name(const std::string& file_name) {
  return file_name.size() > kSuffix.size() && file_name.front() == '~' && file_name.ends_with(kSuffix);
}

std::optional<std::string> tenant_from_file_name(const std::string& file_name) {
  if (!file_name.ends_with(kSuffix) || file_name.size() == kSuffix.size()) return std::nullopt;
  std::string_view encoded(file_name.data(), file_name.size() - kSuffix.size());
  std::string name;
  for (size_t i = 0; i < encoded.size(); ++i) {
    unsigned char c = encoded[i];
    if (is_plain(c)) {
      name += static_cast<char>(c);
      continue;
    }
    if (c != '%' || i + 2 >= encoded.size()) return std::nullopt;
    int hi = hex_value(encoded[i + 1]), lo = hex_value(encoded[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    unsigned char byte = static_cast<unsigned char>(hi * 16 + lo);
    if (is_plain(byte)) return std::nullopt;  // not how machi encodes: not ours
    name += static_cast<char>(byte);
    i += 2;
  }
  // Only the canonical encoding of a valid name is accepted, so that two
  // files can never claim the same tenant.
  if (name.size() > kMaxTenantNameBytes || percent_encode(name).size() > kMaxPlainLength) return std::nullopt;
  if (is_blank(name)) return std::nullopt;
  return name;
}

}  // namespace machi::store
