// libFuzzer target for the q parser and evaluator: arbitrary bytes must either
// parse or fail with machi::Error, and a parsed query must bind, evaluate and
// list its index terms without crashing. Any other exception escapes and is
// reported by libFuzzer as a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "ld/q.h"

namespace {

// Terms that appear in the fuzzer's inputs name attributes of this entity, so
// that evaluation gets past the attribute lookup.
const machi::Json& entity() {
  static const machi::Json e = machi::Json::parse(R"({
    "id": "urn:ngsi-ld:T:1", "type": ["https://ex.org/T"],
    "attrs": {
      "https://ex.org/a": [{"type": "Property", "value": 5, "observedAt": "2020-01-01T00:00:00Z", "unitCode": "CEL",
        "attrs": {"https://ex.org/b": {"type": "Property", "value": "x"}}},
        {"type": "Property", "value": [1, "2", true, null], "datasetId": "urn:d:1"}],
      "https://ex.org/s": [{"type": "Property", "value": "デモ市中央駅 aaaa"}],
      "https://ex.org/c": [{"type": "Property", "value": {"k": {"m": [1, 2]}, "d": "2020-01-01"}}],
      "https://ex.org/r": [{"type": "Relationship", "object": ["urn:x:1", "urn:x:2"]}],
      "https://ex.org/l": [{"type": "LanguageProperty", "languageMap": {"en": "a", "ja": "駅"}}],
      "https://ex.org/v": [{"type": "VocabProperty", "vocab": "https://ex.org/V"}],
      "https://ex.org/t": [{"type": "Property", "value": "09:30:00Z"}]
    }
  })");
  return e;
}

std::string expand(std::string_view term) {
  if (term.find("://") != std::string_view::npos) return std::string(term);
  return "https://ex.org/" + std::string(term);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    machi::ld::Query q = machi::ld::Query::parse(text);
    q.bind(expand);
    q.matches(entity());
    q.index_terms();
  } catch (const machi::Error&) {
    // Syntax errors are the expected outcome for most inputs.
  }
  return 0;
}
