// Tenant names as file names. A tenant name is any client string of 1..255
// bytes that is not blank. Its file name must be safe on every file system
// (no '/', no "..", no case folding surprises), distinct for distinct names,
// and reversible so that the tenants can be listed from the directory:
// bytes [a-z0-9_-] stay, every other byte becomes %XX (upper-case hex), so
// "Tokyo/chiyoda" -> "%54okyo%2Fchiyoda.db".
//
// A long name could encode to more than a file name may hold (255 bytes on
// common file systems), so an encoding over kMaxPlainLength becomes
// "~<first part of the encoding>~<SHA-256 of the name in hex>.db"; '~' never
// occurs in the plain form. The name of such a file is read back from the
// database itself (meta 'tenant').
#pragma once

#include <optional>
#include <string>

namespace machi::store {

inline constexpr size_t kMaxTenantNameBytes = 255;
inline constexpr size_t kMaxPlainLength = 200;

// Throws Error(BadRequestData) unless name is a valid non-default tenant name.
void check_tenant_name(const std::string& name);

// The file name (with ".db") of a valid non-default tenant.
std::string tenant_file_name(const std::string& name);

// The tenant name of a plain file name; nullopt for a hashed name ("~...")
// or a file that machi did not name.
std::optional<std::string> tenant_from_file_name(const std::string& file_name);
bool is_hashed_file_name(const std::string& file_name);

}  // namespace machi::store
