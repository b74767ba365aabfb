// libFuzzer target for geo-queries. The input is split at newlines into georel, geometry, the coordinates
// text and a stored geometry as JSON text. Parsing may reject with machi::Error only; anything else that
// escapes, and any crash, is a bug. When both sides parse, matches() runs and its answer must agree with
// search_box(): a matching geometry's bbox always meets the box (the store relies on it to prefilter).
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "core/json.h"
#include "ld/geo.h"

namespace {

std::string_view next_part(std::string_view& rest) {
  std::size_t nl = rest.find('\n');
  std::string_view part = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return part;
}

bool meets(const machi::ld::BBox& a, const machi::ld::BBox& b) {
  return a.min_lon <= b.max_lon && b.min_lon <= a.max_lon && a.min_lat <= b.max_lat && b.min_lat <= a.max_lat;
}

std::optional<machi::Json> stored_geometry(std::string_view text) {
  try {
    machi::Json stored = machi::parse_json(text);
    machi::ld::validate_geojson(stored);
    machi::ld::BBox box = machi::ld::bbox_of(stored);
    if (!(box.min_lon <= box.max_lon && box.min_lat <= box.max_lat)) __builtin_trap();
    return stored;
  } catch (const machi::Error&) {
    return std::nullopt;
  } catch (const machi::Json::exception&) {
    return std::nullopt;  // parse_json (core) lets out_of_range through for numbers like 1e999; not geo's bug
  }
}

machi::Json json_or_null(std::string_view text) {
  try {
    return machi::parse_json(text);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::string_view georel = next_part(rest), geometry = next_part(rest), coordinates = next_part(rest);
  std::optional<machi::Json> stored = stored_geometry(rest);
  std::optional<machi::ld::GeoQuery> query;
  try {
    query = machi::ld::GeoQuery::parse(georel, geometry, machi::Json(std::string(coordinates)));
  } catch (const machi::Error& e) {
    if (e.type() != machi::ErrorType::kBadRequestData) __builtin_trap();
  }
  if (!query) return 0;
  std::optional<machi::ld::BBox> box = query->search_box();
  if (box && !(box->min_lon <= box->max_lon && box->min_lat <= box->max_lat)) __builtin_trap();
  if (!stored) {
    // Arbitrary JSON that is not a geometry must simply not match.
    if (query->matches(json_or_null(rest))) __builtin_trap();
    return 0;
  }
  if (query->matches(*stored) && box && !meets(*box, machi::ld::bbox_of(*stored))) __builtin_trap();
  return 0;
}
