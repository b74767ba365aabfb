// The NGSI-LD entity model: validation of client payloads, machi's internal
// ("stored") form, and rendering back into the representations a client asks for.
//
// Stored form. Every module below the API works on this one shape, with all
// names expanded to IRIs so that it no longer depends on any @context:
//
//   {
//     "id": "urn:ngsi-ld:ParkingSpot:1",
//     "type": ["https://smartdatamodels.org/dataModel.Parking/ParkingSpot"],
//     "scope": ["/Tokyo/Chiyoda"],                      // optional
//     "createdAt": "2026-01-01T00:00:00.000Z",
//     "modifiedAt": "2026-01-01T00:00:00.000Z",
//     "attrs": {
//       "<expanded attribute IRI>": [ <instance>, ... ]  // one per datasetId
//     }
//   }
//
// An instance keeps the NGSI-LD member names of the normalized form:
//   {
//     "type": "Property" | "Relationship" | "GeoProperty" | "LanguageProperty"
//             | "VocabProperty" | "JsonProperty" | "ListProperty",
//     "value" | "object" | "languageMap" | "vocab" | "json" | "valueList": ...,
//     "datasetId": "urn:...",       // optional; absent = the default instance
//     "observedAt": "...", "unitCode": "...", "objectType": ...,   // optional
//     "createdAt": "...", "modifiedAt": "...",
//     "attrs": { "<expanded sub-attribute IRI>": <instance> }     // optional
//   }
// Property values are kept verbatim (JSON-LD value expansion is not applied,
// as in every NGSI-LD broker); "vocab" values are expanded IRIs; "object" is a
// string or array of strings; GeoProperty "value" is a GeoJSON geometry.
// Sub-attributes hold a single instance each (no datasetId below the top).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "ld/context.h"

namespace machi::ld {

// Names of the core members of an instance that are not sub-attributes.
bool is_instance_member(std::string_view key);

// What a client sends. kEntity: a whole entity (POST /entities, batch
// create/upsert, PUT). kFragment: attributes only (POST/PATCH .../attrs,
// PATCH /entities/{id}); "id"/"type" are still allowed in a fragment and are
// returned so the caller can check them.
enum class PayloadKind { kEntity, kFragment };

// Turns a client payload (already parsed JSON, @context member allowed) into
// the stored form. Accepts the normalized and the concise representations
// (a bare value becomes a Property, a {"value":..} without type a Property,
// {"object":..} a Relationship, {"languageMap":..} a LanguageProperty, a GeoJSON
// geometry under a GeoProperty-typed or "location"-like member a GeoProperty ...).
// Stamps createdAt/modifiedAt with `now`. Throws machi::Error(BadRequestData)
// with a precise detail on anything invalid. For kFragment "id" and "type" may
// be absent; "attrs" is always present (possibly empty).
Json expand_entity(const Json& payload, const Context& ctx, PayloadKind kind, TimeMs now);

// Expands a single attribute payload (PATCH /entities/{id}/attrs/{attr}):
// returns one stored-form instance.
Json expand_attribute(const Json& payload, const Context& ctx, TimeMs now);

enum class Format { kNormalized, kConcise, kKeyValues };

struct RenderOptions {
  Format format = Format::kNormalized;
  bool sys_attrs = false;                // include createdAt/modifiedAt
  std::vector<std::string> attrs;        // expanded names to keep; empty = all
  std::string lang;                      // LanguageProperty language selection ("" = none)
};

// Renders a stored entity with names compacted by ctx. Does not add @context
// (the API layer decides between a Link header and an @context member).
Json render_entity(const Json& stored, const Context& ctx, const RenderOptions& options);

// Renders as a GeoJSON Feature: {"id","type":"Feature","geometry",
// "properties": {<type and attributes as render_entity would>}}.
// geometry_attr is the expanded name of the GeoProperty to use ("" = location).
Json render_geojson_feature(const Json& stored, const Context& ctx, const RenderOptions& options,
                            const std::string& geometry_attr);

}  // namespace machi::ld
