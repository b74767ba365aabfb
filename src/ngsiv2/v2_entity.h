// NGSIv2 (FIWARE Orion) entities <-> machi's stored form (ld/entity.h), so
// that the NGSIv2 and the NGSI-LD API see the same entities. The mapping
// follows what Orion-LD documents for its NGSIv2 compatibility:
//
//   v2 id "Room1"                 -> stored id "Room1" verbatim (see docs/ngsiv2.md)
//   v2 type "Room"                -> expanded by the v2 @context (default: the core
//                                    context, so .../ngsi-ld/default-context/Room)
//   Fiware-ServicePath "/a/b"     -> scope ["/a/b"]; "/" -> no scope
//   attribute name                -> expanded like a type
//   attribute type "Relationship" -> Relationship ("object" = value)
//   "geo:json" / "geo:point"      -> GeoProperty (geo:point "lat, lon" -> a Point)
//   any other type                -> Property
//   metadata unitCode, observedAt -> the instance's unitCode / observedAt
//   metadata TimeInstant          -> a sub-property, and observedAt when a date-time
//   other metadata                -> sub-properties
//
// An attribute (or metadata) type other than the one NGSIv2 would infer from
// the value (Number, Text, Boolean, StructuredValue, None; geo:json for a
// GeoProperty, Relationship for a Relationship) is kept in a sub-property
// named kAttrTypeIri, so that an NGSIv2 client reads back exactly the type it
// wrote; NGSI-LD clients see that sub-property under its full name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "ld/context.h"

namespace machi::ngsiv2 {

inline constexpr const char* kAttrTypeIri = "urn:machi:ngsiv2:attrType";

// Orion's identifier rules (ids, types, attribute and metadata names): 1..256
// printable ASCII characters without <>"'=;() and whitespace. Throws
// Error(BadRequestData) naming `what` otherwise.
void check_identifier(std::string_view what, const Json& value);
bool valid_identifier(std::string_view text);

// The type NGSIv2 infers for a value: Number, Text, Boolean, StructuredValue, None.
std::string default_type_of(const Json& value);

// One v2 attribute ({"type","value","metadata"} or, key_values, the bare
// value) -> one stored-form instance (createdAt/modifiedAt = now).
Json attr_to_instance(const Json& attr, const ld::Context& ctx, bool key_values, TimeMs now);

// A v2 attributes object (entity body without id/type, or an attrs body) ->
// {"attrs": {iri: [instance]}} as ld::expand_entity's fragment form.
Json attrs_to_fragment(const Json& body, const ld::Context& ctx, bool key_values, TimeMs now);

// The attributes of a v2 body (without id and type) in the normalized form
// ({"value": v} for each keyValues value), e.g. to forward them.
Json normalized_attrs(const Json& body, bool key_values);

// A whole v2 entity (POST /v2/entities) -> stored form, scoped to service_path.
Json entity_to_stored(const Json& body, const ld::Context& ctx, bool key_values, const std::string& service_path,
                      TimeMs now);

// The service path of a stored entity: its first scope, "/" without one.
std::string service_path_of(const Json& stored);
// Sets (or, for "/", removes) the stored entity's scope.
void set_service_path(Json& stored, const std::string& service_path);

// The v2 type of a stored entity (its first type, compacted); "" if none.
std::string entity_type_of(const Json& stored, const ld::Context& ctx);

// The instance a v2 client sees: the default one (no datasetId), else the first.
const Json* visible_instance(const Json& instances);

// Rendering of attributes and entities for NGSIv2.
struct RenderOptions {
  enum class Mode { kNormalized, kKeyValues, kValues, kUnique };
  Mode mode = Mode::kNormalized;
  std::vector<std::string> attrs;     // v2 names in order; empty = all; "*" = all user attributes
  std::vector<std::string> metadata;  // metadata names; empty = all user metadata; "*" too
};

std::string attr_type_of(const Json& instance);
Json attr_value_of(const Json& instance, const ld::Context& ctx);
// {"type","value","metadata"} for one stored instance.
Json render_attr(const Json& instance, const ld::Context& ctx, const std::vector<std::string>& metadata);
// The v2 representation: an object, or an array of values for kValues/kUnique.
Json render_entity(const Json& stored, const ld::Context& ctx, const RenderOptions& options);

}  // namespace machi::ngsiv2
