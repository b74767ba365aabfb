// The NGSI-LD update operations as pure functions on stored-form entities
// (see entity.h). The broker runs them inside the store's write transaction,
// so each is one atomic read-modify-write. Fragments come from
// expand_entity(..., PayloadKind::kFragment, now).
#pragma once

#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"

namespace machi::ld {

// Why an attribute of a fragment was left alone.
struct NotUpdated {
  std::string attr;    // expanded name
  std::string reason;
};

// POST /entities/{id}/attrs: adds the fragment's attribute instances; an
// existing instance (same name and datasetId) is replaced unless
// no_overwrite, in which case it is kept and reported.
Json append_attributes(const Json& entity, const Json& fragment, bool no_overwrite, TimeMs now,
                       std::vector<NotUpdated>& not_updated);

// PATCH /entities/{id}/attrs: replaces only instances that exist; the
// others are reported.
Json update_attributes(const Json& entity, const Json& fragment, TimeMs now, std::vector<NotUpdated>& not_updated);

// PATCH /entities/{id}/attrs/{attr}: merges `patch` (one instance, from
// expand_attribute) into the existing instance with the same datasetId:
// given members replace, sub-attributes merge. Throws ResourceNotFound
// when there is no such instance.
Json patch_attribute(const Json& entity, const std::string& attr, const Json& patch, TimeMs now);

// PUT /entities/{id}/attrs/{attr}: replaces the instance with the same
// datasetId. Throws ResourceNotFound when there is none.
Json replace_attribute(const Json& entity, const std::string& attr, const Json& instance, TimeMs now);

// PATCH /entities/{id} (merge-patch, clause 5.6.17): attributes of the
// fragment merge into existing ones or are added; a value of
// "urn:ngsi-ld:null" deletes the attribute (or sub-attribute). Types in the
// fragment are added to the entity's types.
Json merge_entity(const Json& entity, const Json& fragment, TimeMs now);

// PUT /entities/{id}: the new entity keeps the old createdAt.
Json replace_entity(const Json& entity, const Json& replacement, TimeMs now);

// DELETE /entities/{id}/attrs/{attr}: dataset_id "" = the default instance;
// delete_all removes every instance. Throws ResourceNotFound when nothing matches.
Json delete_attribute(const Json& entity, const std::string& attr, const std::string& dataset_id, bool delete_all,
                      TimeMs now);

}  // namespace machi::ld
