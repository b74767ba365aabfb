// machi's JSON document type. nlohmann::ordered_json keeps member order, so
// what a client wrote comes back in the order it was written.
#pragma once

#include <nlohmann/json.hpp>

namespace machi {

using Json = nlohmann::ordered_json;

// Parses text as JSON; throws machi::Error(InvalidRequest) on malformed input.
Json parse_json(std::string_view text);

}  // namespace machi
