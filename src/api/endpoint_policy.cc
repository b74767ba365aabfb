#include "api/endpoint_policy.h"

#include <string>
#include <unordered_map>

namespace machi::api {
namespace {

using trust::Role;
using trust::RoleSet;

const RoleSet kAnyRole{Role::kResident,  Role::kCityStaff, Role::kCoordinator, Role::kEthicsMember,
                       Role::kAuditor,   Role::kProvider,  Role::kConsumer,    Role::kAdmin};
// Those who put data into the hub: data providers, the city's own staff and
// the administrator. Residents and consumers read.
const RoleSet kDataWriters{Role::kProvider, Role::kCityStaff, Role::kAdmin};
const RoleSet kAdminOnly{Role::kAdmin};

struct Row {
  const char* method;
  const char* pattern;
  EndpointAccess access;
};

EndpointAccess open() { return {true, {}}; }
EndpointAccess roles(RoleSet set) { return {false, set}; }

// The one table. Data-level rules (whose consent record, which grant, whose
// ledger entries) are checked by the handlers and the enforcement point on
// top of this.
const Row kRows[] = {
    {"GET", "/health", open()},

    // NGSI-LD: everyone signed in reads (personal data only through the
    // enforcement point); data writers write.
    {"GET", "/ngsi-ld/v1/entities", roles(kAnyRole)},
    {"GET", "/ngsi-ld/v1/entities/{id}", roles(kAnyRole)},
    {"POST", "/ngsi-ld/v1/entityOperations/query", roles(kAnyRole)},
    {"GET", "/ngsi-ld/v1/types", roles(kAnyRole)},
    {"GET", "/ngsi-ld/v1/types/{type}", roles(kAnyRole)},
    {"GET", "/ngsi-ld/v1/attributes", roles(kAnyRole)},
    {"GET", "/ngsi-ld/v1/attributes/{attr}", roles(kAnyRole)},
    {"GET", "/ngsi-ld/v1/jsonldContexts", roles(kAnyRole)},
    {"GET", "/ngsi-ld/v1/jsonldContexts/{id}", roles(kAnyRole)},
    {"POST", "/ngsi-ld/v1/entities", roles(kDataWriters)},
    {"DELETE", "/ngsi-ld/v1/entities/{id}", roles(kDataWriters)},
    {"PATCH", "/ngsi-ld/v1/entities/{id}", roles(kDataWriters)},
    {"PUT", "/ngsi-ld/v1/entities/{id}", roles(kDataWriters)},
    {"POST", "/ngsi-ld/v1/entities/{id}/attrs", roles(kDataWriters)},
    {"PATCH", "/ngsi-ld/v1/entities/{id}/attrs", roles(kDataWriters)},
    {"PATCH", "/ngsi-ld/v1/entities/{id}/attrs/{attr}", roles(kDataWriters)},
    {"PUT", "/ngsi-ld/v1/entities/{id}/attrs/{attr}", roles(kDataWriters)},
    {"DELETE", "/ngsi-ld/v1/entities/{id}/attrs/{attr}", roles(kDataWriters)},
    {"POST", "/ngsi-ld/v1/entityOperations/create", roles(kDataWriters)},
    {"POST", "/ngsi-ld/v1/entityOperations/upsert", roles(kDataWriters)},
    {"POST", "/ngsi-ld/v1/entityOperations/update", roles(kDataWriters)},
    {"POST", "/ngsi-ld/v1/entityOperations/merge", roles(kDataWriters)},
    {"POST", "/ngsi-ld/v1/entityOperations/delete", roles(kDataWriters)},
    {"POST", "/ngsi-ld/v1/jsonldContexts", roles(kDataWriters)},
    {"DELETE", "/ngsi-ld/v1/jsonldContexts/{id}", roles(kDataWriters)},
    // Temporal: history reads like entity reads, history writes like writes.
    {"GET", "/ngsi-ld/v1/temporal/entities", roles(kAnyRole)},
    {"GET", "/ngsi-ld/v1/temporal/entities/{id}", roles(kAnyRole)},
    {"POST", "/ngsi-ld/v1/temporal/entityOperations/query", roles(kAnyRole)},
    {"POST", "/ngsi-ld/v1/temporal/entities", roles(kDataWriters)},
    {"DELETE", "/ngsi-ld/v1/temporal/entities/{id}", roles(kDataWriters)},
    {"POST", "/ngsi-ld/v1/temporal/entities/{id}/attrs", roles(kDataWriters)},
    {"DELETE", "/ngsi-ld/v1/temporal/entities/{id}/attrs/{attr}", roles(kDataWriters)},

    // Aggregates of sensor history by group (never of personal data).
    {"GET", "/machi/v1/series", roles(kAnyRole)},
    // History retention per entity type: everyone reads, the administrator sets.
    {"GET", "/machi/v1/history-retention", roles(kAnyRole)},
    {"PUT", "/machi/v1/history-retention/{type}", roles(kAdminOnly)},
    {"DELETE", "/machi/v1/history-retention/{type}", roles(kAdminOnly)},

    // NGSIv2 (Orion compatibility, src/ngsiv2): the same roles as the
    // equivalent NGSI-LD routes. Registrations of context providers are
    // read like NGSI-LD discovery and written by data writers.
    {"GET", "/v2", roles(kAnyRole)},
    {"GET", "/v2/entities", roles(kAnyRole)},
    {"GET", "/v2/entities/{id}", roles(kAnyRole)},
    {"GET", "/v2/entities/{id}/attrs", roles(kAnyRole)},
    {"GET", "/v2/entities/{id}/attrs/{attr}", roles(kAnyRole)},
    {"GET", "/v2/entities/{id}/attrs/{attr}/value", roles(kAnyRole)},
    {"POST", "/v2/op/query", roles(kAnyRole)},
    {"GET", "/v2/types", roles(kAnyRole)},
    {"GET", "/v2/types/{type}", roles(kAnyRole)},
    {"GET", "/v2/registrations", roles(kAnyRole)},
    {"GET", "/v2/registrations/{id}", roles(kAnyRole)},
    {"POST", "/v2/entities", roles(kDataWriters)},
    {"DELETE", "/v2/entities/{id}", roles(kDataWriters)},
    {"POST", "/v2/entities/{id}/attrs", roles(kDataWriters)},
    {"PATCH", "/v2/entities/{id}/attrs", roles(kDataWriters)},
    {"PUT", "/v2/entities/{id}/attrs", roles(kDataWriters)},
    {"PUT", "/v2/entities/{id}/attrs/{attr}", roles(kDataWriters)},
    {"DELETE", "/v2/entities/{id}/attrs/{attr}", roles(kDataWriters)},
    {"PUT", "/v2/entities/{id}/attrs/{attr}/value", roles(kDataWriters)},
    {"POST", "/v2/op/update", roles(kDataWriters)},
    {"POST", "/v2/registrations", roles(kDataWriters)},
    {"PATCH", "/v2/registrations/{id}", roles(kDataWriters)},
    {"DELETE", "/v2/registrations/{id}", roles(kDataWriters)},

    // Subscriptions: like the entity queries, everyone signed in (personal
    // data only under a grant, through the enforcement point at every
    // notification). A subscription belongs to its creator: the handlers
    // show others of the tenant only their own, unless admin.
    {"GET", "/ngsi-ld/v1/subscriptions", roles(kAnyRole)},
    {"POST", "/ngsi-ld/v1/subscriptions", roles(kAnyRole)},
    {"GET", "/ngsi-ld/v1/subscriptions/{id}", roles(kAnyRole)},
    {"PATCH", "/ngsi-ld/v1/subscriptions/{id}", roles(kAnyRole)},
    {"DELETE", "/ngsi-ld/v1/subscriptions/{id}", roles(kAnyRole)},
    // NGSIv2 subscriptions: the same rules as NGSI-LD's.
    {"GET", "/v2/subscriptions", roles(kAnyRole)},
    {"POST", "/v2/subscriptions", roles(kAnyRole)},
    {"GET", "/v2/subscriptions/{id}", roles(kAnyRole)},
    {"PATCH", "/v2/subscriptions/{id}", roles(kAnyRole)},
    {"DELETE", "/v2/subscriptions/{id}", roles(kAnyRole)},

    // IoT ingestion (src/iot): the IoT Agent provisioning API. Provisioning
    // decides which entities devices write, and apikeys are shared secrets
    // of the devices: data writers only, reads included.
    {"GET", "/iot/about", roles(kDataWriters)},
    {"POST", "/iot/services", roles(kDataWriters)},
    {"GET", "/iot/services", roles(kDataWriters)},
    {"PUT", "/iot/services", roles(kDataWriters)},
    {"DELETE", "/iot/services", roles(kDataWriters)},
    {"POST", "/iot/devices", roles(kDataWriters)},
    {"GET", "/iot/devices", roles(kDataWriters)},
    {"GET", "/iot/devices/{id}", roles(kDataWriters)},
    {"PUT", "/iot/devices/{id}", roles(kDataWriters)},
    {"DELETE", "/iot/devices/{id}", roles(kDataWriters)},

    // Authentication.
    {"POST", "/machi/v1/auth/token", open()},
    {"GET", "/machi/v1/auth/jwks", open()},
    {"GET", "/machi/v1/auth/me", roles(kAnyRole)},
    {"POST", "/machi/v1/auth/revoke", roles(kAnyRole)},

    // Tenants, accounts and the organization chart: the administrator.
    {"POST", "/machi/v1/tenants", roles(kAdminOnly)},
    {"GET", "/machi/v1/accounts", roles(kAdminOnly)},
    {"POST", "/machi/v1/accounts", roles(kAdminOnly)},
    {"GET", "/machi/v1/accounts/{id}", roles(kAdminOnly)},
    {"PATCH", "/machi/v1/accounts/{id}", roles(kAdminOnly)},
    {"DELETE", "/machi/v1/accounts/{id}", roles(kAdminOnly)},
    {"GET", "/machi/v1/posts", roles(kAdminOnly)},
    {"POST", "/machi/v1/posts", roles(kAdminOnly)},
    {"POST", "/machi/v1/assignments", roles(kAdminOnly)},
    {"PATCH", "/machi/v1/assignments/{id}", roles(kAdminOnly)},
    // Consumers manage the credentials of their own applications.
    {"GET", "/machi/v1/clients", roles({Role::kAdmin, Role::kConsumer})},
    {"POST", "/machi/v1/clients", roles({Role::kAdmin, Role::kConsumer})},
    {"DELETE", "/machi/v1/clients/{id}", roles({Role::kAdmin, Role::kConsumer})},

    // Personal data, purposes and consent.
    {"GET", "/machi/v1/purposes", open()},
    {"GET", "/machi/v1/personal-types", roles(kAnyRole)},
    {"PUT", "/machi/v1/personal-types/{type}", roles(kAdminOnly)},
    // What the city asks and tells every resident is public: which purposes
    // are opt-in or opt-out, and the notices an opt-out rests on.
    {"GET", "/machi/v1/purpose-settings", open()},
    {"PUT", "/machi/v1/purpose-settings/{purpose}", roles(kAdminOnly)},
    {"GET", "/machi/v1/notices", open()},
    {"POST", "/machi/v1/notices", roles({Role::kAdmin, Role::kCityStaff})},
    {"GET", "/machi/v1/consents", roles({Role::kResident, Role::kAuditor})},
    {"POST", "/machi/v1/consents", roles({Role::kResident})},
    {"GET", "/machi/v1/consents/{id}", roles({Role::kResident, Role::kAuditor})},
    {"POST", "/machi/v1/consents/{id}/events", roles({Role::kResident})},
    {"GET", "/machi/v1/grants", roles({Role::kAdmin, Role::kAuditor, Role::kEthicsMember, Role::kConsumer})},
    {"POST", "/machi/v1/grants", roles(kAdminOnly)},
    {"GET", "/machi/v1/grants/{id}", roles({Role::kAdmin, Role::kAuditor, Role::kEthicsMember, Role::kConsumer})},
    {"POST", "/machi/v1/grants/{id}/state", roles(kAdminOnly)},

    // The ledger: hashes are public so that anyone can verify; entry texts
    // only for the residents they are about and for auditors.
    {"GET", "/machi/v1/ledger/head", open()},
    {"GET", "/machi/v1/ledger/proof", open()},
    {"GET", "/machi/v1/ledger/consistency", open()},
    {"GET", "/machi/v1/ledger/entries/{index}", roles({Role::kResident, Role::kAuditor})},
    {"GET", "/machi/v1/ledger/mine", roles({Role::kResident})},
    {"GET", "/machi/v1/ledger/subjects/{subject}", roles({Role::kAuditor})},
    // Erasure on a resident's request: the administrator, after checking it.
    {"POST", "/machi/v1/ledger/erasures", roles(kAdminOnly)},
};

std::string key(std::string_view method, std::string_view pattern) {
  std::string k(method);
  k += ' ';
  k += pattern;
  return k;
}

const std::unordered_map<std::string, EndpointAccess>& table() {
  static const auto* rows = [] {
    auto* map = new std::unordered_map<std::string, EndpointAccess>();
    for (const Row& row : kRows) map->emplace(key(row.method, row.pattern), row.access);
    return map;
  }();
  return *rows;
}

}  // namespace

std::optional<EndpointAccess> endpoint_access(std::string_view method, std::string_view pattern) {
  auto it = table().find(key(method, pattern));
  if (it == table().end()) return std::nullopt;
  return it->second;
}

bool endpoint_allows(const EndpointAccess& access, const trust::Principal& principal) {
  if (access.public_access) return true;
  return principal.authenticated() && access.roles.intersects(principal.roles);
}

}  // namespace machi::api
