// The stored form of the directory's records (store collections
// "accounts", "posts", "assignments", "clients", "revoked_tokens"): JSON
// text with the secret hashes, unlike the API views of directory.h.
// Internal to the directory.
#pragma once

#include <string>

#include "core/json.h"
#include "store/store.h"
#include "trust/directory.h"

namespace machi::trust::records {

inline constexpr char kAccounts[] = "accounts";
inline constexpr char kPosts[] = "posts";
inline constexpr char kAssignments[] = "assignments";
inline constexpr char kClients[] = "clients";
inline constexpr char kRevokedTokens[] = "revoked_tokens";

store::Record to_record(const Account& account);
store::Record to_record(const Post& post);
store::Record to_record(const Assignment& assignment);
store::Record to_record(const Client& client);
store::Record revoked_record(const std::string& jti, TimeMs expires_at);

// Throw Error(kInternalError) naming the record when it is corrupt.
Account parse_account(const store::Record& record);
Post parse_post(const store::Record& record);
Assignment parse_assignment(const store::Record& record);
Client parse_client(const store::Record& record);
TimeMs parse_revoked(const store::Record& record);  // the token's expiry

Json roles_json(RoleSet roles);
Json wards_json(const std::vector<Ward>& wards);

}  // namespace machi::trust::records
