// libFuzzer target for NGSIv2 subscription documents (POST and PATCH
// /v2/subscriptions bodies): arbitrary bytes must either bind or fail with
// machi::Error / ngsiv2::V2Error (400 or 501), and a bound subscription must
// match, render a notification and read back without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "ngsiv2/v2_entity.h"
#include "ngsiv2/v2_request.h"
#include "notify/matcher.h"
#include "notify/v2_subscription.h"

namespace {

const machi::ld::Context& core() {
  static machi::ld::ContextResolver resolver(nullptr, nullptr, {}, "http://localhost");
  static machi::ld::ContextPtr ctx = resolver.core();
  return *ctx;
}

const machi::Json& entity() {
  static const machi::Json e = machi::ngsiv2::entity_to_stored(machi::Json::parse(R"({
    "id": "Room1", "type": "Room",
    "temperature": {"value": 25, "metadata": {"accuracy": {"value": 0.5}, "unitCode": {"value": "CEL"}}},
    "where": {"type": "geo:point", "value": "35.68, 139.76"}, "status": "open"
  })"), core(), false, "/a/b", 0);
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  machi::Json body = machi::Json::parse(text, nullptr, false);
  if (body.is_discarded()) return 0;
  try {
    machi::notify::strip_v2_status_members(body);
    machi::notify::Subscription sub;
    sub.dialect = machi::notify::Dialect::kV2;
    sub.id = "000000000000000000000000";
    sub.document = body;
    sub.bind(core());
    (void)machi::notify::passes_filters(sub, entity());
    (void)machi::notify::selects_entity(sub, entity());
    (void)machi::notify::render_v2_notifications(sub, {entity()}, core(), 10);
    (void)machi::notify::render_v2_subscription(sub, {}, 0);
    (void)machi::notify::v2_notification_request(sub, "t", "/a/b");
    machi::Json patched = sub.document;
    machi::notify::merge_v2_patch(patched, body);
  } catch (const machi::Error&) {
  } catch (const machi::ngsiv2::V2Error&) {
  }
  return 0;
}
