// libFuzzer target for the NGSIv2 <-> stored form mapping: any JSON body must
// either map or fail with machi::Error; what maps must render back in every
// mode and survive the attribute updates without crashing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "ngsiv2/v2_entity.h"
#include "ngsiv2/v2_write.h"

namespace {

const machi::ld::Context& core() {
  static machi::ld::ContextResolver resolver(nullptr, nullptr, {}, "http://localhost");
  static machi::ld::ContextPtr ctx = resolver.core();
  return *ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace machi::ngsiv2;
  if (size < 1) return 0;
  bool key_values = data[0] & 1;
  machi::Json body;
  try {
    body = machi::parse_json(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  } catch (const machi::Error&) {
    return 0;
  }
  try {
    machi::Json stored = entity_to_stored(body, core(), key_values, "/a/b", 0);
    for (auto mode : {RenderOptions::Mode::kNormalized, RenderOptions::Mode::kKeyValues, RenderOptions::Mode::kValues,
                      RenderOptions::Mode::kUnique}) {
      RenderOptions options;
      options.mode = mode;
      (void)render_entity(stored, core(), options);
    }
    machi::Json fragment = attrs_to_fragment(body, core(), key_values, 1);
    for (auto mode : {AttrMode::kAppend, AttrMode::kAppendStrict, AttrMode::kUpdate, AttrMode::kReplace,
                      AttrMode::kDelete}) {
      machi::Json changed = apply_attrs(stored, fragment, mode, data[0] & 2, 2).entity;
      (void)render_entity(changed, core(), {});
    }
  } catch (const machi::Error&) {
    // rejected input: fine
  }
  return 0;
}
