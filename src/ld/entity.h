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
// create/upsert, PUT). kFragment: attributes only (POST/PATCH .../attrs);
// "id"/"type" are still allowed in a fragment and are returned so the caller
// can check them. kPatch: a fragment for merge-patch (PATCH /entities/{id}):
// as kFragment, but an attribute may leave out its value ("partial
// instance", see below) to change only metadata and sub-attributes.
enum class PayloadKind { kEntity, kFragment, kPatch };

// Turns a client payload (already parsed JSON, @context member allowed) into
// the stored form. Accepts the normalized and the concise representations
// (a bare value becomes a Property, a {"value":..} without type a Property,
// {"object":..} a Relationship, {"languageMap":..} a LanguageProperty, a bare
// GeoJSON geometry or {"value": <geometry>} a GeoProperty; see entity.cc).
// An object with none of the value members (value, object, languageMap, vocab,
// json, valueList, objectList) is, for kEntity/kFragment, a Property whose
// value is that object (a structured value such as an address) and, for
// kPatch, a partial instance: its members are metadata and sub-attributes.
// A partial instance has no value member and no "type" unless one was given.
// Stamps createdAt/modifiedAt with `now`. Throws machi::Error(BadRequestData)
// with a precise detail on anything invalid. For kFragment/kPatch "id" and
// "type" may be absent; "attrs" is always present (possibly empty).
Json expand_entity(const Json& payload, const Context& ctx, PayloadKind kind, TimeMs now);

// Expands a single attribute payload: returns one stored-form instance.
// partial = true for PATCH /entities/{id}/attrs/{attr} (read as kPatch: the
// value may be left out); false (PUT, replacing the attribute) needs a whole one.
Json expand_attribute(const Json& payload, const Context& ctx, TimeMs now, bool partial = false);

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

// The same rendering appended to out as JSON text, equal to
// render_entity(...).dump() (with error_handler_t::replace), but without a
// JSON tree in between: the response path of GET and queries. With
// context_member, the object ends with "@context": *context_member.
void write_entity(const Json& stored, const Context& ctx, const RenderOptions& options, std::string& out,
                  const Json* context_member = nullptr);

// Renders as a GeoJSON Feature: {"id","type":"Feature","geometry",
// "properties": {<type and attributes as render_entity would>}}.
// geometry_attr is the expanded name of the GeoProperty to use ("" = location).
Json render_geojson_feature(const Json& stored, const Context& ctx, const RenderOptions& options,
                            const std::string& geometry_attr);

}  // namespace machi::ld
