#include "trust/consent.h"

#include <openssl/evp.h>

#include <algorithm>

#include "core/error.h"
#include "trust/encoding.h"
#include "trust/grants.h"
#include "trust/purposes.h"

namespace machi::trust {
namespace {

[[noreturn]] void bad(const std::string& detail) { throw Error(ErrorType::kBadRequestData, detail); }

// Ids and pseudonyms become store keys ("<subject>/<record id>") and URL
// segments: keep them to a safe alphabet.
bool is_safe_id(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':';
  });
}

std::string text(const Json& obj, const char* key, bool required, std::string fallback = "") {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) bad(std::string("consent: \"") + key + "\" is required");
    return fallback;
  }
  if (!it->is_string()) bad(std::string("consent: \"") + key + "\" must be a string");
  if (required && it->get_ref<const std::string&>().empty()) bad(std::string("consent: \"") + key + "\" is empty");
  return it->get<std::string>();
}

std::vector<std::string> texts(const Json& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) bad(std::string("consent: \"") + key + "\" must be an array of strings");
  for (const auto& v : *it) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
      bad(std::string("consent: \"") + key + "\" must hold non-empty strings");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<TimeMs> time_field(const Json& obj, const char* key) {
  std::string t = text(obj, key, false);
  if (t.empty()) return std::nullopt;
  auto ms = parse_datetime(t);
  if (!ms) bad(std::string("consent: \"") + key + "\" is not a date-time: " + t);
  return ms;
}

// "dpv-pd:Age" and "pd:Age" name DPV-PD categories; other values must be IRIs.
std::string personal_data_iri(const std::string& name) {
  for (std::string_view prefix : {"dpv-pd:", "pd:"}) {
    if (name.rfind(prefix, 0) == 0) return std::string(kDpvPdNamespace) + name.substr(prefix.size());
  }
  if (name.find(':') == std::string::npos) bad("consent: personal data category must be an IRI: " + name);
  return name;
}

std::optional<ConsentEventType> parse_event_type(std::string_view name) {
  for (auto t : {ConsentEventType::kGiven, ConsentEventType::kRenewed, ConsentEventType::kWithdrawn,
                 ConsentEventType::kRefused, ConsentEventType::kExpired}) {
    if (event_type_name(t) == name) return t;
  }
  return std::nullopt;
}

std::optional<ActorCapacity> parse_capacity(std::string_view name) {
  for (auto c : {ActorCapacity::kSelf, ActorCapacity::kGuardian, ActorCapacity::kAdultGuardian,
                 ActorCapacity::kController}) {
    if (capacity_name(c) == name) return c;
  }
  return std::nullopt;
}

bool is_positive(ConsentEventType t) { return t == ConsentEventType::kGiven || t == ConsentEventType::kRenewed; }
bool is_negative(ConsentEventType t) { return t == ConsentEventType::kWithdrawn || t == ConsentEventType::kRefused; }

ConsentParty party_from_json(const Json& j) {
  if (!j.is_object()) bad("consent: a party must be an object");
  ConsentParty p{text(j, "id", true), text(j, "name", true), text(j, "role", false, "controller"),
                 text(j, "address", false), text(j, "contact", false)};
  if (!is_safe_id(p.id)) bad("consent: invalid party id: " + p.id);
  return p;
}

Json party_to_json(const ConsentParty& p) {
  return {{"id", p.id}, {"name", p.name}, {"role", p.role}, {"address", p.address}, {"contact", p.contact}};
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr)) {
    throw Error(ErrorType::kInternalError, "SHA-256 failed");
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), size));
}

}  // namespace

std::string_view event_type_name(ConsentEventType type) {
  switch (type) {
    case ConsentEventType::kGiven:
      return "given";
    case ConsentEventType::kRenewed:
      return "renewed";
    case ConsentEventType::kWithdrawn:
      return "withdrawn";
    case ConsentEventType::kRefused:
      return "refused";
    case ConsentEventType::kExpired:
      return "expired";
  }
  return "";
}

std::string_view event_status_iri(ConsentEventType type) {
  switch (type) {
    case ConsentEventType::kGiven:
      return "https://w3id.org/dpv#ConsentGiven";
    case ConsentEventType::kRenewed:
      return "https://w3id.org/dpv#RenewedConsentGiven";
    case ConsentEventType::kWithdrawn:
      return "https://w3id.org/dpv#ConsentWithdrawn";
    case ConsentEventType::kRefused:
      return "https://w3id.org/dpv#ConsentRefused";
    case ConsentEventType::kExpired:
      return "https://w3id.org/dpv#ConsentExpired";
  }
  return "";
}

std::string_view capacity_name(ActorCapacity capacity) {
  switch (capacity) {
    case ActorCapacity::kSelf:
      return "self";
    case ActorCapacity::kGuardian:
      return "guardian";
    case ActorCapacity::kAdultGuardian:
      return "adult_guardian";
    case ActorCapacity::kController:
      return "controller";
  }
  return "";
}

std::string_view consent_state_name(ConsentState state) {
  switch (state) {
    case ConsentState::kNone:
      return "none";
    case ConsentState::kGiven:
      return "given";
    case ConsentState::kWithdrawn:
      return "withdrawn";
    case ConsentState::kRefused:
      return "refused";
    case ConsentState::kExpired:
      return "expired";
  }
  return "";
}

// No recipients listed means the controllers only: giving data to a third
// party needs consent to that party (APPI art. 27).
bool ConsentRecord::allows_recipient(std::string_view recipient) const {
  if (std::find(recipients.begin(), recipients.end(), recipient) != recipients.end()) return true;
  if (std::find(controllers.begin(), controllers.end(), recipient) != controllers.end()) return true;
  for (const auto& party : parties) {
    bool is_controller = std::find(controllers.begin(), controllers.end(), party.id) != controllers.end();
    if (is_controller && (party.id == recipient || party.name == recipient)) return true;
  }
  return false;
}

namespace {

// The last decisive event at `at`, with the expiry applied. Events are in
// time order (validated on append), so one backward scan finds it.
// live: a withdrawal or refusal dated after `at` counts as well (see
// SubjectConsents::answer).
std::pair<ConsentState, TimeMs> state_and_time(const ConsentRecord& r, TimeMs at, bool live) {
  for (auto it = r.events.rbegin(); live && it != r.events.rend() && it->time > at; ++it) {
    if (is_negative(it->type)) {
      return {it->type == ConsentEventType::kWithdrawn ? ConsentState::kWithdrawn : ConsentState::kRefused, it->time};
    }
  }
  for (auto it = r.events.rbegin(); it != r.events.rend(); ++it) {
    if (it->time > at) continue;
    switch (it->type) {
      case ConsentEventType::kGiven:
      case ConsentEventType::kRenewed:
        if (it->valid_until && *it->valid_until <= at) return {ConsentState::kExpired, it->time};
        return {ConsentState::kGiven, it->time};
      case ConsentEventType::kWithdrawn:
        return {ConsentState::kWithdrawn, it->time};
      case ConsentEventType::kRefused:
        return {ConsentState::kRefused, it->time};
      case ConsentEventType::kExpired: {
        // A recorded expiry ends the consent given before it; the decision
        // it ends keeps its time.
        TimeMs given = 0;
        for (auto prev = std::next(it); prev != r.events.rend(); ++prev) {
          if (is_positive(prev->type) || is_negative(prev->type)) {
            given = prev->time;
            break;
          }
        }
        return {ConsentState::kExpired, given};
      }
    }
  }
  return {ConsentState::kNone, 0};
}

}  // namespace

ConsentState consent_state_at(const ConsentRecord& record, TimeMs at) {
  return state_and_time(record, at, false).first;
}
TimeMs decision_time_at(const ConsentRecord& record, TimeMs at) { return state_and_time(record, at, false).second; }

void validate_new_event(const ConsentRecord& record, const ConsentEvent& event) {
  if (event.actor.empty()) bad("consent event: \"actor\" is required");
  if (!record.events.empty() && event.time < record.events.back().time) {
    bad("consent event: events are appended in time order; this one is dated before the last (" +
        format_datetime(record.events.back().time) + ")");
  }
  if (event.valid_until && !is_positive(event.type)) bad("consent event: only given/renewed events have validUntil");
  if (event.valid_until && *event.valid_until <= event.time) bad("consent event: validUntil must be after time");
  if (event.type == ConsentEventType::kRenewed &&
      std::none_of(record.events.begin(), record.events.end(), [](const auto& e) { return is_positive(e.type); })) {
    bad("consent event: nothing to renew; the consent was never given");
  }
  if (event.type == ConsentEventType::kExpired && consent_state_at(record, event.time) != ConsentState::kGiven &&
      consent_state_at(record, event.time) != ConsentState::kExpired) {
    bad("consent event: only a given consent can expire");
  }
  if (event.capacity == ActorCapacity::kController && event.type != ConsentEventType::kExpired) {
    bad("consent event: only the subject or a guardian may give, renew, withdraw or refuse consent");
  }
}

ConsentEvent consent_event_from_json(const Json& body, TimeMs now) {
  if (!body.is_object()) bad("consent event: must be a JSON object");
  ConsentEvent e;
  auto type = parse_event_type(text(body, "type", true));
  if (!type) bad("consent event: \"type\" must be given, renewed, withdrawn, refused or expired");
  e.type = *type;
  e.time = time_field(body, "time").value_or(now);
  e.actor = text(body, "actor", true);
  auto capacity = parse_capacity(text(body, "capacity", false, "self"));
  if (!capacity) bad("consent event: \"capacity\" must be self, guardian, adult_guardian or controller");
  e.capacity = *capacity;
  e.valid_until = time_field(body, "validUntil");
  return e;
}

void check_actor(const Principal& principal, std::string_view subject, ActorCapacity capacity) {
  bool ok = false;
  switch (capacity) {
    case ActorCapacity::kSelf:
      ok = !subject.empty() && principal.subject == subject;
      break;
    case ActorCapacity::kGuardian:
    case ActorCapacity::kAdultGuardian:
      ok = principal.subject != subject && principal.acts_for(subject);
      break;
    case ActorCapacity::kController:
      ok = false;  // the city records expiries itself, never through a person's request
      break;
  }
  if (!ok) {
    throw Error(ErrorType::kForbidden, "this account may not act as " + std::string(capacity_name(capacity)) +
                                           " for data subject " + std::string(subject));
  }
}

ConsentRecord consent_record_from_json(const Json& body, TimeMs now) {
  if (!body.is_object()) bad("consent: the record must be a JSON object");
  ConsentRecord r;
  r.id = text(body, "id", false);
  if (r.id.empty()) r.id = random_id("consent-");
  if (!is_safe_id(r.id)) bad("consent: invalid record id: " + r.id);
  r.schema_version = text(body, "schemaVersion", false, std::string(kConsentSchemaVersion));
  r.subject = text(body, "dataSubject", true);
  if (!is_safe_id(r.subject)) bad("consent: invalid data subject: " + r.subject);
  r.created_at = now;

  const Json empty = Json::object();
  auto pit = body.find("processing");
  if (pit != body.end() && !pit->is_object()) bad("consent: \"processing\" must be an object");
  const Json& p = pit != body.end() ? *pit : empty;
  r.notice = text(p, "notice", true);
  r.language = text(p, "language", false, "ja");
  for (const auto& name : texts(p, "purposes")) r.purposes.push_back(purposes().resolve(name));
  if (r.purposes.empty()) bad("consent: \"processing.purposes\" must name at least one purpose");
  for (const auto& name : texts(p, "personalData")) r.personal_data.push_back(personal_data_iri(name));
  r.controllers = texts(p, "controllers");
  r.storage_location = text(p, "storageLocation", false, "JP");
  r.retention = text(p, "retention", false);
  r.jurisdiction = text(p, "jurisdiction", false, "JP");
  r.recipients = texts(p, "recipients");
  r.withdrawal_method = text(p, "withdrawalMethod", true);

  if (auto it = body.find("parties"); it != body.end() && !it->is_null()) {
    if (!it->is_array()) bad("consent: \"parties\" must be an array");
    for (const auto& party : *it) r.parties.push_back(party_from_json(party));
  }
  if (r.controllers.empty()) bad("consent: \"processing.controllers\" must name at least one controller");
  for (const auto& c : r.controllers) {
    bool known = std::any_of(r.parties.begin(), r.parties.end(), [&](const auto& party) { return party.id == c; });
    if (!known) bad("consent: controller " + c + " is not among the parties");
  }

  if (auto it = body.find("events"); it != body.end() && !it->is_null()) {
    if (!it->is_array()) bad("consent: \"events\" must be an array");
    for (const auto& e : *it) {
      ConsentEvent event = consent_event_from_json(e, now);
      validate_new_event(r, event);
      r.events.push_back(std::move(event));
    }
  }
  return r;
}

Json to_json(const ConsentEvent& e) {
  Json j = {{"type", event_type_name(e.type)},
            {"status", event_status_iri(e.type)},
            {"time", format_datetime(e.time)},
            {"actor", e.actor},
            {"capacity", capacity_name(e.capacity)}};
  if (e.valid_until) j["validUntil"] = format_datetime(*e.valid_until);
  return j;
}

Json to_json(const ConsentRecord& r) {
  Json parties = Json::array();
  for (const auto& p : r.parties) parties.push_back(party_to_json(p));
  Json events = Json::array();
  for (const auto& e : r.events) events.push_back(to_json(e));
  return {{"id", r.id},
          {"schemaVersion", r.schema_version},
          {"dataSubject", r.subject},
          {"createdAt", format_datetime(r.created_at)},
          {"processing",
           {{"notice", r.notice},
            {"language", r.language},
            {"purposes", r.purposes},
            {"personalData", r.personal_data},
            {"controllers", r.controllers},
            {"storageLocation", r.storage_location},
            {"retention", r.retention},
            {"jurisdiction", r.jurisdiction},
            {"recipients", r.recipients},
            {"withdrawalMethod", r.withdrawal_method}}},
          {"parties", parties},
          {"events", events}};
}

ConsentRecord consent_record_from_stored(const Json& stored) {
  try {
    ConsentRecord r = consent_record_from_json(stored, 0);
    r.created_at = parse_datetime(stored.at("createdAt").get<std::string>()).value();
    return r;
  } catch (const std::exception& e) {
    throw Error(ErrorType::kInternalError, std::string("stored consent record is corrupt: ") + e.what());
  }
}

std::string canonical_json(const Json& value) {
  // nlohmann::json keeps members in a sorted map: re-reading the text sorts them.
  return nlohmann::json::parse(value.dump()).dump();
}

Json consent_event_entry(const ConsentRecord& record, size_t event_index) {
  const ConsentEvent& event = record.events.at(event_index);
  return {{"type", "consent." + std::string(event_type_name(event.type))},
          {"record", record.id},
          {"subject", record.subject},
          {"purposes", record.purposes},
          {"actor", event.actor},
          {"capacity", std::string(capacity_name(event.capacity))},
          {"time", format_datetime(event.time)}};
}

Json receipt_body(const ConsentRecord& r, size_t event_index) {
  if (event_index >= r.events.size()) {
    throw Error(ErrorType::kResourceNotFound, "consent record " + r.id + " has no event " + std::to_string(event_index));
  }
  Json record = to_json(r);
  Json processing = record["processing"];
  processing.erase("purposes");
  return {{"receiptId", r.id + "#" + std::to_string(event_index)},
          {"schemaVersion", "https://machi.city/ns/consent-receipt/1"},
          {"recordId", r.id},
          {"dataSubject", r.subject},
          {"eventIndex", event_index},
          {"event", to_json(r.events[event_index])},
          {"purposes", r.purposes},
          {"processing", processing},
          {"recordHash", {{"alg", "SHA-256"}, {"value", sha256_hex(canonical_json(record))}}}};
}

Json sign_receipt(Json body, const std::string& key_id, const ReceiptSign& sign) {
  body.erase("signature");
  std::string signature = sign(canonical_json(body));
  body["signature"] = {{"alg", "Ed25519"}, {"keyId", key_id}, {"value", signature}};
  return body;
}

void SubjectConsents::put(ConsentRecord record) {
  std::string id = record.id;
  records_.insert_or_assign(std::move(id), std::move(record));
  reindex();
}

const ConsentRecord* SubjectConsents::find(const std::string& record_id) const {
  auto it = records_.find(record_id);
  return it == records_.end() ? nullptr : &it->second;
}

std::vector<const ConsentRecord*> SubjectConsents::records() const {
  std::vector<const ConsentRecord*> out;
  for (const auto& [id, r] : records_) out.push_back(&r);
  return out;
}

void SubjectConsents::reindex() {
  by_purpose_.clear();
  for (const auto& [id, r] : records_) {
    for (const auto& p : r.purposes) by_purpose_[p].push_back(&r);
  }
}

SubjectAnswer SubjectConsents::answer(const std::vector<std::string>& covering, std::string_view recipient,
                                      TimeMs now) const {
  SubjectAnswer out;
  TimeMs best_time = -1;
  bool admitted = false;
  for (const auto& purpose : covering) {
    auto it = by_purpose_.find(purpose);
    if (it == by_purpose_.end()) continue;
    for (const ConsentRecord* r : it->second) {
      out.has_record_for_purpose = true;
      auto [state, time] = state_and_time(*r, now, true);
      // A refusal or withdrawal naming no recipient stands against every
      // recipient (an objection is to the purpose); a consent covers only
      // the recipients it names, or the controllers when it names none.
      bool objection_to_all = r->recipients.empty() && state != ConsentState::kGiven && state != ConsentState::kNone;
      if (!objection_to_all && !r->allows_recipient(recipient)) continue;
      admitted = true;
      if (state == ConsentState::kNone) continue;
      bool later = time > best_time;
      bool tie_to_denial = time == best_time && state != ConsentState::kGiven;
      if (later || tie_to_denial) {
        out.state = state;
        best_time = time;
      }
    }
  }
  out.recipient_excluded = out.has_record_for_purpose && !admitted;
  return out;
}

}  // namespace machi::trust
