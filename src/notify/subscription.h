// The NGSI-LD Subscription data type (ETSI GS CIM 009 clause 5.2.12) as the
// notifier uses it: names expanded with the subscription's @context, q and
// geoQ bound, the endpoint and notification parameters checked. The client's
// own document (its names as it wrote them) is kept beside it, so that the
// subscription is shown back in the terms it was created with.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "ld/context.h"
#include "ld/entity.h"
#include "ld/geo.h"
#include "ld/q.h"
#include "ngsiv2/v2_q.h"

namespace re2 {
class RE2;
}

namespace machi::notify {

struct EntitySelector {
  std::string type;        // expanded; "" = any
  std::string id;          // "" = any
  std::string id_pattern;  // RE2 full match; "" = any
  std::shared_ptr<const re2::RE2> pattern;  // id_pattern compiled
  std::shared_ptr<const re2::RE2> type_pattern;  // NGSIv2 typePattern, on the compacted v2 type
};

// Which API a subscription belongs to: its document's terms, its read-back
// and its notifications' form. Both run on the same notifier.
enum class Dialect { kLd, kV2 };

// What an NGSIv2 subscription adds (Orion's fields, see v2_subscription.h).
struct V2Params {
  std::optional<ngsiv2::V2Query> q, mq;     // subject.condition.expression
  std::string type_prefix;                  // the v2 @context's vocabulary, to compact types for typePattern
  bool on_create = true, on_update = true;  // condition.alterationTypes
  std::string attrs_format = "normalized";  // normalized, keyValues, values
  std::vector<std::string> attrs;           // notification.attrs (v2 names)
  std::vector<std::string> except_attrs;    // notification.exceptAttrs (v2 names)
  std::vector<std::string> metadata;        // notification.metadata
  std::string method = "POST";              // httpCustom.method
  std::vector<std::pair<std::string, std::string>> qs;  // httpCustom.qs
};

// Who created the subscription and under which grant: notifications read as
// this principal, through the enforcement point.
struct Owner {
  std::string kind;        // "account", "client" or "" (anonymous)
  std::string tenant;      // the credentials' tenant
  std::string account_id;
  std::string client_id;
  std::string grant_id;    // Machi-Grant at creation
  std::string purpose;     // Machi-Purpose at creation
  Json to_json() const;
  static Owner from_json(const Json& j);
};

struct Subscription {
  std::string id;
  Dialect dialect = Dialect::kLd;
  std::string service_path = "/#";  // NGSIv2: the Fiware-ServicePath it was created in ("/#" = all)
  Json document;             // the client's fields (compact names), without status and @context
  Json context;              // the @context the names are in (a URL, or an inline context)
  Owner owner;
  bool personal = false;     // its entities can be personal: notifications go through the enforcement point
  TimeMs created_at = 0;
  TimeMs modified_at = 0;

  // Derived from document and context by bind().
  std::vector<EntitySelector> entities;
  std::vector<std::string> watched;      // expanded watchedAttributes
  std::optional<ld::Query> q;
  std::optional<ld::GeoQuery> geo;
  int64_t throttling_ms = 0;
  int64_t time_interval_ms = 0;
  std::optional<TimeMs> expires_at;
  bool is_active = true;
  std::vector<std::string> attrs;        // expanded notification.attributes; empty = all
  ld::Format format = ld::Format::kNormalized;
  std::string uri;
  std::string accept = "application/json";
  std::vector<std::pair<std::string, std::string>> receiver_info;
  int mqtt_qos = 1;                      // mqtt:// endpoints: notifierInfo MQTT-QoS (default 1)
  std::optional<V2Params> v2;            // set for Dialect::kV2 (bind_v2)
  bool is_mqtt() const { return uri.rfind("mqtt://", 0) == 0; }

  // Checks the document and fills the derived fields; Error(BadRequestData)
  // on any invalid member.
  void bind(const ld::Context& ctx);
  // The same for an NGSIv2 document (v2_subscription.cc); errors are
  // ngsiv2::V2Error or Error(BadRequestData).
  void bind_v2(const ld::Context& ctx);
  // "active", "paused" or "expired" at now.
  std::string status(TimeMs now) const;
  bool can_notify(TimeMs now) const { return status(now) == "active"; }
  // The entity types it selects (expanded; empty = any type).
  std::vector<std::string> types() const;

  // The stored record, and back.
  Json to_record() const;
  static Subscription from_record(const Json& record);
};

// Applies a PATCH fragment (clause 5.8.2: merge of the top-level members,
// and of notification and endpoint). Error(BadRequestData) for id or type changes.
void merge_patch(Json& document, const Json& fragment);

// A new subscription id: urn:ngsi-ld:Subscription:<uuid v4>.
std::string new_subscription_id();
std::string new_notification_id();

}  // namespace machi::notify
