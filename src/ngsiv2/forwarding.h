// Context providers (Orion's registrations): where registrations are kept,
// which of them cover a query or an update, and the calls that forward
// queries to a provider's POST <url>/op/query and updates to its
// POST <url>/op/update, with machi's own HTTP client.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "ngsiv2/v2_request.h"
#include "store/store.h"

namespace machi::ngsiv2 {

inline constexpr const char* kRegistrationCollection = "ngsiv2-registrations";

// Every registration of the tenant (parsed, as stored).
std::vector<Json> load_registrations(store::TenantStore& tenant);

// True when the registration is active (status and expires) and provides
// for the given mode ("query" or "update").
bool registration_usable(const Json& registration, std::string_view mode);

// True when one of the registration's entity selectors covers the entity.
bool covers_entity(const Json& registration, const std::string& id, const std::string& type);
// True when the registration provides the attribute (no attrs = all).
bool covers_attr(const Json& registration, const std::string& attr);

// Asks the providers of the usable registrations that could hold entities
// of these types/ids for them (the query's filters on ids and types are
// applied to the answers here; q, geo and service path are not forwarded).
// Returns stored-form entities, made with the request's context. Providers
// that fail or time out are skipped, as Orion does.
std::vector<Json> forward_query(const V2Request& request, const std::vector<std::string>& types,
                                const std::vector<std::string>& ids, const std::string& id_pattern,
                                const std::vector<std::string>& attrs);

// Forwards an update of some attributes (v2 normalized form) of one entity
// to the provider of `registration`; true on a 2xx answer.
bool forward_update(const V2Request& request, const Json& registration, const std::string& id,
                    const std::string& type, const Json& attrs);

// Forwards the attributes (expanded names) that are missing here and that
// usable registrations cover, taking their v2 form from v2_attrs, one call
// per provider; returns those that no provider took.
std::vector<std::string> forward_missing(const V2Request& r, const std::string& id, const std::string& type,
                                         const std::vector<std::string>& missing, const Json& v2_attrs);

}  // namespace machi::ngsiv2
