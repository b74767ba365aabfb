// NGSIv2 attribute updates as pure functions on stored-form entities, run
// inside the store's write transaction (one atomic read-modify-write each).
// They act on the instance a v2 client sees (the default one, no datasetId);
// instances with a datasetId, which only NGSI-LD writes, are left alone.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"

namespace machi::ngsiv2 {

enum class AttrMode {
  kAppend,        // add or replace (POST /attrs, actionType append)
  kAppendStrict,  // add only; an existing attribute is an error
  kUpdate,        // replace existing only; missing ones are reported
  kReplace,       // the fragment becomes all of the entity's attributes
  kDelete,        // remove the named attributes (actionType delete)
};

struct AttrChange {
  Json entity;                       // the new stored form
  std::vector<std::string> missing;  // expanded names not found (kUpdate, kDelete)
  std::vector<std::string> existing; // expanded names already there (kAppendStrict)
};

// Applies a fragment ({"attrs": {iri: [instance]}}, v2_entity.h) to an entity.
// Metadata not in the request are kept on update unless override_metadata
// (Orion's metadata update semantics). Nothing changes for kAppendStrict
// when `existing` is not empty.
AttrChange apply_attrs(const Json& entity, const Json& fragment, AttrMode mode, bool override_metadata, TimeMs now);

// True when the entity has the attribute (its v2-visible instance).
bool has_attr(const Json& entity, const std::string& iri);

// Replaces only the value of an existing attribute, keeping type and metadata.
// Throws Error(ResourceNotFound) when the attribute is missing.
Json set_attr_value(const Json& entity, const std::string& iri, const Json& value, TimeMs now);

}  // namespace machi::ngsiv2
