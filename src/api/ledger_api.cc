// The access ledger over HTTP. Tree heads and proofs are public, so that
// anyone can check the log; an entry's text only for the residents it is
// about and for auditors. Shapes are fixed for independent verifiers (see
// docs/ledger.md).
#include "api/api.h"
#include "api/auth_guard.h"
#include "api/json_io.h"
#include "core/error.h"
#include "core/time.h"

namespace machi::api {
namespace {

const std::string kBase = "/machi/v1";
constexpr uint64_t kDefaultPage = 100;

// The ledger of the addressed tenant. Public endpoints pass no tenant
// check in the guard, so an unknown tenant is refused here.
std::shared_ptr<trust::Ledger> ledger_of(const http::Request& request, ApiDeps deps) {
  std::string tenant = request_tenant(request);
  if (!tenant.empty() && !deps.store->tenant(tenant, false)) {
    throw Error(ErrorType::kNonexistentTenant, "tenant '" + tenant + "' does not exist");
  }
  return deps.trust->ledgers().tenant(tenant, true);
}

http::Response head(http::Request& request, ApiDeps deps) {
  return json_response(200, ledger_of(request, deps)->head().to_json());
}

http::Response proof(http::Request& request, ApiDeps deps) {
  auto ledger = ledger_of(request, deps);
  uint64_t index = required_uint_param(request, "index");
  uint64_t size = uint_param(request, "size", ledger->size());
  return json_response(200, ledger->inclusion_proof(index, size).to_json());
}

http::Response consistency(http::Request& request, ApiDeps deps) {
  auto ledger = ledger_of(request, deps);
  uint64_t first = required_uint_param(request, "first");
  uint64_t second = uint_param(request, "second", ledger->size());
  return json_response(200, ledger->consistency_proof(first, second).to_json());
}

// Whether the entry at index is about one of the subjects the principal
// acts for (an indexed lookup per subject).
bool about_principal(trust::Ledger& ledger, const trust::Principal& p, uint64_t index) {
  std::vector<std::string> subjects = p.wards;
  if (!p.subject.empty()) subjects.push_back(p.subject);
  std::optional<uint64_t> after;
  if (index > 0) after = index - 1;
  for (const auto& subject : subjects) {
    auto found = ledger.entries_about(subject, after, 1);
    if (!found.empty() && found.front().index == index) return true;
  }
  return false;
}

http::Response entry(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  auto ledger = ledger_of(request, deps);
  uint64_t index = 0;
  try {
    index = std::stoull(request.path_params["index"]);
  } catch (const std::exception&) {
    throw Error(ErrorType::kBadRequestData, "index must be a non-negative integer");
  }
  if (request.path_params["index"].find_first_not_of("0123456789") != std::string::npos) {
    throw Error(ErrorType::kBadRequestData, "index must be a non-negative integer");
  }
  if (index >= ledger->size()) throw Error(ErrorType::kResourceNotFound, "no entry " + std::to_string(index));
  if (!p.has(trust::Role::kAuditor) && !about_principal(*ledger, p, index)) {
    throw Error(ErrorType::kForbidden, "entries are readable by the residents they are about and by auditors");
  }
  return json_response(200, ledger->entry(index).to_json());
}

http::Response entries_of(const http::Request& request, trust::Ledger& ledger, const std::string& subject) {
  std::optional<uint64_t> after;
  if (request.param("after")) after = uint_param(request, "after", 0);
  uint64_t limit = uint_param(request, "limit", kDefaultPage);
  auto entries = ledger.entries_about(subject, after, limit);
  Json list = Json::array();
  for (const auto& e : entries) list.push_back(e.to_json());
  Json out = {{"subject", subject}, {"size", ledger.size()}, {"entries", list}};
  if (entries.size() == std::min<uint64_t>(limit, trust::Ledger::kMaxPageSize) && !entries.empty()) {
    out["next"] = entries.back().index;
  }
  return json_response(200, out);
}

// GET /ledger/mine[?subject=<ward>]: the resident's own entries, or a ward's.
http::Response mine(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  std::string subject = p.subject;
  if (const std::string* asked = request.param("subject")) {
    if (!p.acts_for(*asked)) throw Error(ErrorType::kForbidden, "you do not act for that subject");
    subject = *asked;
  }
  if (subject.empty()) throw Error(ErrorType::kBadRequestData, "this account has no data subject");
  return entries_of(request, *ledger_of(request, deps), subject);
}

http::Response by_subject(http::Request& request, ApiDeps deps) {
  return entries_of(request, *ledger_of(request, deps), request.path_params["subject"]);
}

// POST /ledger/erasures {"subject"}: honours a resident's request for
// erasure by deleting the text and salt of every entry about them. The tree,
// the commitments and every proof stay valid. The erasure itself is logged,
// without naming the subject.
http::Response erase_subject(http::Request& request, ApiDeps deps) {
  const auto& p = principal_of(request);
  Json body = json_body(request);
  std::string subject = required_string(body, "subject");
  auto ledger = ledger_of(request, deps);
  uint64_t erased = 0;
  for (;;) {
    auto entries = ledger->entries_about(subject, std::nullopt, trust::Ledger::kMaxPageSize);
    if (entries.empty()) break;
    for (const auto& e : entries) erased += ledger->erase(e.index) ? 1 : 0;
  }
  deps.trust->log_event(p.tenant,
                        {{"type", "ledger.erasure"}, {"entries", erased}, {"actor", p.account_id},
                         {"time", format_datetime(now_ms())}},
                        {});
  return json_response(200, {{"subject", subject}, {"erased", erased}});
}

}  // namespace

void register_ledger_routes(http::Router& router, ApiDeps deps) {
  auto bind = [deps](http::Response (*fn)(http::Request&, ApiDeps)) {
    return [deps, fn](http::Request& r) { return fn(r, deps); };
  };
  router.add("GET", kBase + "/ledger/head", bind(head));
  router.add("GET", kBase + "/ledger/proof", bind(proof));
  router.add("GET", kBase + "/ledger/consistency", bind(consistency));
  router.add("GET", kBase + "/ledger/entries/{index}", bind(entry));
  router.add("GET", kBase + "/ledger/mine", bind(mine));
  router.add("GET", kBase + "/ledger/subjects/{subject}", bind(by_subject));
  router.add("POST", kBase + "/ledger/erasures", bind(erase_subject));
}

}  // namespace machi::api
