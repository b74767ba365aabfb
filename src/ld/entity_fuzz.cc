// libFuzzer target: arbitrary bytes as an entity payload. Must never crash or
// throw anything but machi::Error, and checks two invariants on whatever is
// accepted: the normalized and the concise renderings read back to the same
// stored form (both are lossless), and the text rendering of the response
// path equals the tree rendering.
//
// A payload's own "@context" is resolved too (no fetcher: any URL is simply
// unavailable), so the context builder is fuzzed along the way.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "ld/entity.h"

namespace {

using machi::Json;
using namespace machi::ld;

constexpr machi::TimeMs kNow = 1767225600000;

void check_round_trip(const Json& stored, const Context& ctx, PayloadKind kind, Format format) {
  RenderOptions options;
  options.format = format;
  Json rendered = render_entity(stored, ctx, options);
  Json again;
  try {
    again = expand_entity(rendered, ctx, kind, kNow);
  } catch (const machi::Error& e) {
    std::fprintf(stderr, "rendering not accepted back: %s\n%s\n", e.what(), rendered.dump().c_str());
    std::abort();
  }
  if (again != stored) {
    std::fprintf(stderr, "round trip changed the entity:\n%s\n%s\n%s\n", stored.dump().c_str(), rendered.dump().c_str(),
                 again.dump().c_str());
    std::abort();
  }
}

// The response path writes text directly; it must say what the tree says.
void check_text_equals_tree(const Json& stored, const Context& ctx, const RenderOptions& options) {
  std::string tree = render_entity(stored, ctx, options).dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string text;
  write_entity(stored, ctx, options, text);
  if (text != tree) {
    std::fprintf(stderr, "text and tree renderings differ:\n%s\n%s\n", tree.c_str(), text.c_str());
    std::abort();
  }
}

const Context& context_of(ContextResolver& resolver, const Json& payload) {
  static thread_local ContextPtr holder;
  holder = resolver.core();
  if (payload.is_object() && payload.contains("@context")) {
    try {
      holder = resolver.resolve(payload["@context"]);
    } catch (const machi::Error&) {
    }
  }
  return *holder;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ContextResolver resolver(nullptr, nullptr, {}, "http://fuzz.local");
  Json payload;
  try {
    payload = machi::parse_json(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const machi::Error&) {
    return 0;
  }
  const Context& ctx = context_of(resolver, payload);
  for (PayloadKind kind : {PayloadKind::kEntity, PayloadKind::kFragment, PayloadKind::kPatch}) {
    Json stored;
    try {
      stored = expand_entity(payload, ctx, kind, kNow);
    } catch (const machi::Error&) {
      continue;
    }
    RenderOptions options;
    for (Format format : {Format::kNormalized, Format::kConcise, Format::kKeyValues}) {
      options.format = format;
      options.sys_attrs = !options.sys_attrs;
      options.lang = format == Format::kKeyValues ? "ja,en;q=0.5" : "";
      check_text_equals_tree(stored, ctx, options);
      render_geojson_feature(stored, ctx, options, "");
    }
    if (kind == PayloadKind::kPatch) continue;  // partial instances are not whole attributes
    check_round_trip(stored, ctx, kind, Format::kNormalized);
    check_round_trip(stored, ctx, kind, Format::kConcise);
  }
  for (bool partial : {true, false}) {
    try {
      expand_attribute(payload, ctx, kNow, partial);
    } catch (const machi::Error&) {
    }
  }
  return 0;
}
