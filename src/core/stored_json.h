// A fast reader for JSON that machi wrote itself (stored documents, history
// instances): the store parses a document on every GET, every query
// candidate and every read-modify-write, and nlohmann's generic parser
// (character-by-character lexer, a duplicate-key search per member, a token
// buffer per string) was most of the CPU time of those paths.
//
// The text must be well-formed JSON as nlohmann's dump() writes it: valid
// UTF-8, no duplicate keys (both are checked when the document is written).
// Syntax is still checked, so a corrupt row throws rather than misreads.
// The result equals Json::parse(text) member for member, number kinds
// included (unsigned for non-negative integers, integer for negative ones,
// float otherwise). Client input goes through parse_json (core/json.h).
#pragma once

#include <string_view>

#include "core/json.h"

namespace machi {

// Throws machi::Error(InternalError) when the text is not JSON.
Json parse_stored_json(std::string_view text);

}  // namespace machi
