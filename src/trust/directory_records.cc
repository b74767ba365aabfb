#include "trust/directory_records.h"

#include "core/error.h"

namespace machi::trust {
namespace records {
namespace {

Json time_json(std::optional<TimeMs> t) { return t ? Json(format_datetime(*t)) : Json(nullptr); }

// nlohmann's accessors throw json exceptions on a wrong shape; read() turns
// them into one error that names the record.
template <typename T, typename F>
T read(const store::Record& record, F parse) {
  try {
    return parse(Json::parse(record.text));
  } catch (const Error& e) {
    throw Error(ErrorType::kInternalError,
                "record " + record.collection + "/" + record.key + " is corrupt: " + e.what());
  } catch (const std::exception& e) {
    throw Error(ErrorType::kInternalError,
                "record " + record.collection + "/" + record.key + " is corrupt: " + e.what());
  }
}

TimeMs parse_time(const Json& value) {
  auto t = parse_datetime(value.get<std::string>());
  if (!t) throw Error(ErrorType::kInternalError, "bad date-time " + value.dump());
  return *t;
}

std::optional<TimeMs> parse_optional_time(const Json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return std::nullopt;
  return parse_time(*it);
}

RoleSet parse_roles(const Json& names) {
  RoleSet roles;
  for (const auto& name : names) {
    auto role = parse_role(name.get<std::string>());
    if (!role) throw Error(ErrorType::kInternalError, "unknown role " + name.dump());
    roles.add(*role);
  }
  return roles;
}

std::vector<std::string> parse_strings(const Json& values) {
  std::vector<std::string> out;
  for (const auto& v : values) out.push_back(v.get<std::string>());
  return out;
}

std::vector<Ward> parse_wards(const Json& docs) {
  std::vector<Ward> wards;
  for (const auto& doc : docs) {
    wards.push_back({doc.at("subject").get<std::string>(), doc.at("relation").get<std::string>(),
                     parse_time(doc.at("valid_from")), parse_optional_time(doc, "valid_until")});
  }
  return wards;
}

}  // namespace

Json roles_json(RoleSet roles) {
  Json out = Json::array();
  for (Role r : roles.roles()) out.push_back(role_name(r));
  return out;
}

Json wards_json(const std::vector<Ward>& wards) {
  Json out = Json::array();
  for (const auto& w : wards) {
    out.push_back({{"subject", w.subject},
                   {"relation", w.relation},
                   {"valid_from", format_datetime(w.valid_from)},
                   {"valid_until", time_json(w.valid_until)}});
  }
  return out;
}

store::Record to_record(const Account& account) {
  Json doc = account_json(account);
  doc["password_hash"] = account.password_hash;
  return {kAccounts, account.id, doc.dump()};
}

store::Record to_record(const Post& post) { return {kPosts, post.id, post_json(post).dump()}; }

store::Record to_record(const Assignment& assignment) {
  return {kAssignments, assignment.id, assignment_json(assignment).dump()};
}

store::Record to_record(const Client& client) {
  Json doc = client_json(client);
  doc["secret_hash"] = client.secret_hash;
  return {kClients, client.client_id, doc.dump()};
}

store::Record revoked_record(const std::string& jti, TimeMs expires_at) {
  return {kRevokedTokens, jti, Json{{"expires_at", format_datetime(expires_at)}}.dump()};
}

Account parse_account(const store::Record& record) {
  return read<Account>(record, [](const Json& doc) {
    Account a;
    a.id = doc.at("id").get<std::string>();
    a.username = doc.at("username").get<std::string>();
    a.display_name = doc.at("display_name").get<std::string>();
    a.password_hash = doc.at("password_hash").get<std::string>();
    a.roles = parse_roles(doc.at("roles"));
    a.subject = doc.at("subject").get<std::string>();
    a.wards = parse_wards(doc.at("wards"));
    a.disabled = doc.at("disabled").get<bool>();
    a.created_at = parse_time(doc.at("created_at"));
    a.modified_at = parse_time(doc.at("modified_at"));
    return a;
  });
}

Post parse_post(const store::Record& record) {
  return read<Post>(record, [](const Json& doc) {
    return Post{doc.at("id").get<std::string>(), doc.at("name").get<std::string>(),
                doc.at("department").get<std::string>(), parse_roles(doc.at("roles"))};
  });
}

Assignment parse_assignment(const store::Record& record) {
  return read<Assignment>(record, [](const Json& doc) {
    return Assignment{doc.at("id").get<std::string>(), doc.at("account_id").get<std::string>(),
                      doc.at("post_id").get<std::string>(), parse_time(doc.at("valid_from")),
                      parse_optional_time(doc, "valid_until")};
  });
}

Client parse_client(const store::Record& record) {
  return read<Client>(record, [](const Json& doc) {
    return Client{doc.at("client_id").get<std::string>(),
                  doc.at("secret_hash").get<std::string>(),
                  doc.at("owner_account_id").get<std::string>(),
                  doc.at("name").get<std::string>(),
                  parse_strings(doc.at("grant_ids")),
                  parse_time(doc.at("created_at"))};
  });
}

TimeMs parse_revoked(const store::Record& record) {
  return read<TimeMs>(record, [](const Json& doc) { return parse_time(doc.at("expires_at")); });
}

}  // namespace records

Json account_json(const Account& account) {
  return {{"id", account.id},
          {"username", account.username},
          {"display_name", account.display_name},
          {"roles", records::roles_json(account.roles)},
          {"subject", account.subject},
          {"wards", records::wards_json(account.wards)},
          {"disabled", account.disabled},
          {"has_password", !account.password_hash.empty()},
          {"created_at", format_datetime(account.created_at)},
          {"modified_at", format_datetime(account.modified_at)}};
}

Json post_json(const Post& post) {
  return {{"id", post.id},
          {"name", post.name},
          {"department", post.department},
          {"roles", records::roles_json(post.roles)}};
}

Json assignment_json(const Assignment& assignment) {
  return {{"id", assignment.id},
          {"account_id", assignment.account_id},
          {"post_id", assignment.post_id},
          {"valid_from", format_datetime(assignment.valid_from)},
          {"valid_until", records::time_json(assignment.valid_until)}};
}

Json client_json(const Client& client) {
  return {{"client_id", client.client_id},
          {"owner_account_id", client.owner_account_id},
          {"name", client.name},
          {"grant_ids", client.grant_ids},
          {"created_at", format_datetime(client.created_at)}};
}

}  // namespace machi::trust
