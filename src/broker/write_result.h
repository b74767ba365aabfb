// Turning store mutation results into NGSI-LD answers.
#pragma once

#include <vector>

#include "broker/ld_request.h"
#include "http/message.h"
#include "ld/entity_ops.h"
#include "store/store.h"

namespace machi::broker {

// Runs one mutation and rethrows its error, if any.
store::MutationResult write_one(store::TenantStore& tenant, std::string entity_id, store::Mutator mutator);

// 204 when nothing was left out, else 207 {"updated": [...], "notUpdated": [...]}
// with names compacted by the request's context.
http::Response partial_update_response(const LdRequest& request, const Json& fragment,
                                       const std::vector<ld::NotUpdated>& not_updated);

}  // namespace machi::broker
