// The NGSIv2 API of FIWARE Orion on machi's store: /v2/entities, /v2/op,
// /v2/types and /v2/registrations (see docs/ngsiv2.md). NGSIv2 and NGSI-LD
// read and write the same entities (v2_entity.h); every read of entities
// goes through the policy enforcement point (v2_request.h).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "http/router.h"
#include "ngsiv2/v2_entity.h"
#include "ngsiv2/v2_request.h"

namespace machi::ngsiv2 {

// Registers every /v2 route on the router.
void register_ngsiv2_routes(http::Router& router, V2Deps deps);

// The handler groups, one file each.
void register_entities_routes(http::Router& router, std::shared_ptr<const V2Deps> deps);
void register_attrs_routes(http::Router& router, std::shared_ptr<const V2Deps> deps);
void register_op_routes(http::Router& router, std::shared_ptr<const V2Deps> deps);
void register_types_routes(http::Router& router, std::shared_ptr<const V2Deps> deps);
void register_registrations_routes(http::Router& router, std::shared_ptr<const V2Deps> deps);

// Shared by the handler groups.
RenderOptions render_options_of(const V2Request& request);
// The entity by id under the request's service path (and ?type), or nullopt.
std::optional<Json> find_entity(const V2Request& request, const std::string& id, const std::string* type);
// Reads one entity through the enforcement point: 404 when missing, not in
// the service path, of another type, or withheld. Includes attributes that
// context providers hold for it.
Json read_entity(const V2Request& request, const std::string& id);

}  // namespace machi::ngsiv2
