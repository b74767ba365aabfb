// libFuzzer target for NGSIv2's simple query language (q and mq): arbitrary
// bytes must either parse or fail with machi::Error, and a parsed query must
// bind and evaluate without crashing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "ngsiv2/v2_entity.h"
#include "ngsiv2/v2_q.h"

namespace {

const machi::ld::Context& core() {
  static machi::ld::ContextResolver resolver(nullptr, nullptr, {}, "http://localhost");
  static machi::ld::ContextPtr ctx = resolver.core();
  return *ctx;
}

const machi::Json& entity() {
  static const machi::Json e = machi::ngsiv2::entity_to_stored(machi::Json::parse(R"({
    "id": "E1", "type": "T",
    "a": {"value": 5, "metadata": {"m": {"value": "x"}, "unitCode": {"value": "CEL"}}},
    "s": "デモ市中央駅 aaaa", "n": [1, "2", true, null],
    "c": {"k": {"m": [1, 2]}, "d": "2020-01-01"},
    "r": {"type": "Relationship", "value": "urn:x:1"},
    "d": {"type": "DateTime", "value": "2020-01-01T00:00:00Z"}
  })"), core(), false, "/", 0);
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto kind = (data[0] & 1) ? machi::ngsiv2::V2Query::Kind::kMq : machi::ngsiv2::V2Query::Kind::kQ;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    auto query = machi::ngsiv2::V2Query::parse(text, kind);
    query.bind(core());
    (void)query.matches(entity());
    (void)query.attributes();
  } catch (const machi::Error&) {
    // rejected input: fine
  }
  return 0;
}
