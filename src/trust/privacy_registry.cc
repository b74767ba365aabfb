#include "trust/privacy_registry.h"

#include <algorithm>
#include <unordered_set>

#include "core/error.h"
#include "core/stored_json.h"
#include "trust/purposes.h"

namespace machi::trust {
namespace {

constexpr const char* kPersonalTypes = "personal_types";
constexpr const char* kConsents = "consents";
constexpr const char* kPurposeSettings = "purpose_settings";
constexpr const char* kNotices = "notices";
constexpr const char* kGrants = "grants";

std::string consent_key(const ConsentRecord& r) { return r.subject + "/" + r.id; }

store::Record record(const char* collection, std::string key, const Json& value) {
  return {collection, std::move(key), value.dump()};
}

[[noreturn]] void not_found(const std::string& what) { throw Error(ErrorType::kResourceNotFound, what); }

void index_notice(PrivacyState& s, const Notice& n) {
  s.notices.push_back(n);
  auto [it, inserted] = s.first_notice.emplace(n.purpose, n.published_at);
  if (!inserted) it->second = std::min(it->second, n.published_at);
}

PurposeSetting purpose_setting_from_stored(const Json& j) {
  try {
    return {j.at("purpose").get<std::string>(), parse_purpose_mode(j.at("mode").get<std::string>()).value(),
            j.at("changedBy").get<std::string>(), parse_datetime(j.at("changedAt").get<std::string>()).value()};
  } catch (const std::exception& e) {
    throw Error(ErrorType::kInternalError, std::string("stored purpose setting is corrupt: ") + e.what());
  }
}

Notice notice_from_stored(const Json& j) {
  try {
    Notice n = notice_from_json(j, j.at("publishedBy").get<std::string>(), 0);
    n.id = j.at("id").get<std::string>();
    return n;
  } catch (const std::exception& e) {
    throw Error(ErrorType::kInternalError, std::string("stored notice is corrupt: ") + e.what());
  }
}

}  // namespace

std::string_view purpose_mode_name(PurposeMode mode) { return mode == PurposeMode::kOptOut ? "opt_out" : "opt_in"; }

std::optional<PurposeMode> parse_purpose_mode(std::string_view name) {
  if (name == "opt_in") return PurposeMode::kOptIn;
  if (name == "opt_out") return PurposeMode::kOptOut;
  return std::nullopt;
}

Json to_json(const PurposeSetting& s) {
  return {{"purpose", s.purpose},
          {"mode", purpose_mode_name(s.mode)},
          {"changedBy", s.changed_by},
          {"changedAt", format_datetime(s.changed_at)}};
}

Json to_json(const Notice& n) {
  return {{"id", n.id},          {"purpose", n.purpose},
          {"title", n.title},    {"url", n.url},
          {"language", n.language}, {"publishedAt", format_datetime(n.published_at)},
          {"publishedBy", n.published_by}};
}

Notice notice_from_json(const Json& body, const std::string& actor, TimeMs now) {
  auto str = [&](const char* key, bool required) -> std::string {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) {
      if (required) throw Error(ErrorType::kBadRequestData, std::string("notice: \"") + key + "\" is required");
      return "";
    }
    if (!it->is_string()) throw Error(ErrorType::kBadRequestData, std::string("notice: \"") + key + "\" must be a string");
    return it->get<std::string>();
  };
  if (!body.is_object()) throw Error(ErrorType::kBadRequestData, "notice: the body must be a JSON object");
  Notice n;
  n.id = random_id("notice-");
  n.purpose = purposes().resolve(str("purpose", true));
  n.title = str("title", true);
  n.url = str("url", true);
  if (std::string lang = str("language", false); !lang.empty()) n.language = lang;
  n.published_at = now;
  if (std::string t = str("publishedAt", false); !t.empty()) {
    auto ms = parse_datetime(t);
    if (!ms) throw Error(ErrorType::kBadRequestData, "notice: \"publishedAt\" is not a date-time: " + t);
    n.published_at = *ms;
  }
  n.published_by = actor;
  return n;
}

TenantPrivacy::TenantPrivacy(std::shared_ptr<store::TenantStore> store) : store_(std::move(store)) { load(); }

void TenantPrivacy::load() {
  for (const auto& r : store_->records(kPersonalTypes)) {
    PersonalType t = personal_type_from_stored(parse_stored_json(r.text));
    state_.personal_types[t.type] = std::move(t);
  }
  for (const auto& r : store_->records(kConsents)) {
    ConsentRecord c = consent_record_from_stored(parse_stored_json(r.text));
    state_.consent_subjects[c.id] = c.subject;
    state_.consents[c.subject].put(std::move(c));
  }
  for (const auto& r : store_->records(kPurposeSettings)) {
    PurposeSetting s = purpose_setting_from_stored(parse_stored_json(r.text));
    state_.purpose_settings[s.purpose] = std::move(s);
  }
  std::vector<Notice> notices;
  for (const auto& r : store_->records(kNotices)) notices.push_back(notice_from_stored(parse_stored_json(r.text)));
  std::stable_sort(notices.begin(), notices.end(),
                   [](const Notice& a, const Notice& b) { return a.published_at < b.published_at; });
  for (const auto& n : notices) index_notice(state_, n);
  for (const auto& r : store_->records(kGrants)) {
    auto g = std::make_shared<const Grant>(grant_from_stored(parse_stored_json(r.text)));
    state_.grants[g->id] = std::move(g);
  }
}

// Writers hold write_mutex_ (taken by the caller): state_ cannot change
// under them, so they read it without the shared lock, persist, and only
// then take the exclusive lock to apply what is already durable.
template <class Apply>
void TenantPrivacy::commit(const std::vector<store::Record>& puts,
                           const std::vector<std::pair<std::string, std::string>>& erases, Apply&& apply) {
  store_->put_records(puts, erases);
  std::unique_lock lock(mutex_);
  apply(state_);
}

void TenantPrivacy::put_personal_type(const PersonalType& type) {
  std::lock_guard writer(write_mutex_);
  commit({record(kPersonalTypes, type.type, to_json(type))}, {},
         [&](PrivacyState& s) { s.personal_types[type.type] = type; });
}

void TenantPrivacy::erase_personal_type(const std::string& type) {
  std::lock_guard writer(write_mutex_);
  if (!state_.personal_types.count(type)) not_found("no personal type " + type);
  commit({}, {{kPersonalTypes, type}}, [&](PrivacyState& s) { s.personal_types.erase(type); });
}

std::optional<PersonalType> TenantPrivacy::personal_type(const std::string& type) const {
  return read([&](const PrivacyState& s) -> std::optional<PersonalType> {
    auto it = s.personal_types.find(type);
    if (it == s.personal_types.end()) return std::nullopt;
    return it->second;
  });
}

std::vector<PersonalType> TenantPrivacy::personal_types() const {
  auto out = read([](const PrivacyState& s) {
    std::vector<PersonalType> v;
    for (const auto& [k, t] : s.personal_types) v.push_back(t);
    return v;
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.type < b.type; });
  return out;
}

ConsentRecord TenantPrivacy::add_consent(ConsentRecord record_in) {
  add_consents({record_in});
  return record_in;
}

void TenantPrivacy::add_consents(const std::vector<ConsentRecord>& records) {
  std::lock_guard writer(write_mutex_);
  std::vector<store::Record> puts;
  std::unordered_set<std::string> ids;
  for (const ConsentRecord& r : records) {
    if (state_.consent_subjects.count(r.id) || !ids.insert(r.id).second) {
      throw Error(ErrorType::kAlreadyExists, "consent record " + r.id + " already exists");
    }
    puts.push_back(record(kConsents, consent_key(r), to_json(r)));
  }
  commit(puts, {}, [&](PrivacyState& s) {
    for (const ConsentRecord& r : records) {
      s.consent_subjects[r.id] = r.subject;
      s.consents[r.subject].put(r);
    }
  });
}

ConsentRecord TenantPrivacy::append_consent_event(const std::string& record_id, ConsentEvent event) {
  std::lock_guard writer(write_mutex_);
  auto subject = state_.consent_subjects.find(record_id);
  if (subject == state_.consent_subjects.end()) not_found("no consent record " + record_id);
  ConsentRecord updated = *state_.consents.at(subject->second).find(record_id);
  validate_new_event(updated, event);
  updated.events.push_back(std::move(event));
  commit({record(kConsents, consent_key(updated), to_json(updated))}, {},
         [&](PrivacyState& s) { s.consents[updated.subject].put(updated); });
  return updated;
}

std::optional<ConsentRecord> TenantPrivacy::consent(const std::string& record_id) const {
  return read([&](const PrivacyState& s) -> std::optional<ConsentRecord> {
    auto subject = s.consent_subjects.find(record_id);
    if (subject == s.consent_subjects.end()) return std::nullopt;
    return *s.consents.at(subject->second).find(record_id);
  });
}

std::vector<ConsentRecord> TenantPrivacy::consents_of(const std::string& subject) const {
  return read([&](const PrivacyState& s) {
    std::vector<ConsentRecord> out;
    auto it = s.consents.find(subject);
    if (it == s.consents.end()) return out;
    for (const ConsentRecord* r : it->second.records()) out.push_back(*r);
    return out;
  });
}

PurposeSetting TenantPrivacy::set_purpose_mode(const std::string& purpose, PurposeMode mode, const std::string& actor,
                                               TimeMs now) {
  PurposeSetting setting{purposes().resolve(purpose), mode, actor, now};
  std::lock_guard writer(write_mutex_);
  commit({record(kPurposeSettings, setting.purpose, to_json(setting))}, {},
         [&](PrivacyState& s) { s.purpose_settings[setting.purpose] = setting; });
  return setting;
}

std::vector<PurposeSetting> TenantPrivacy::purpose_settings() const {
  auto out = read([](const PrivacyState& s) {
    std::vector<PurposeSetting> v;
    for (const auto& [k, setting] : s.purpose_settings) v.push_back(setting);
    return v;
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.purpose < b.purpose; });
  return out;
}

Notice TenantPrivacy::publish_notice(Notice notice) {
  std::lock_guard writer(write_mutex_);
  commit({record(kNotices, notice.id, to_json(notice))}, {}, [&](PrivacyState& s) { index_notice(s, notice); });
  return notice;
}

std::vector<Notice> TenantPrivacy::notices() const {
  return read([](const PrivacyState& s) { return s.notices; });
}

Grant TenantPrivacy::add_grant(Grant grant_in) {
  std::lock_guard writer(write_mutex_);
  if (state_.grants.count(grant_in.id)) throw Error(ErrorType::kAlreadyExists, "grant " + grant_in.id + " already exists");
  auto shared = std::make_shared<const Grant>(grant_in);
  commit({record(kGrants, grant_in.id, grant_to_stored(grant_in))}, {},
         [&](PrivacyState& s) { s.grants[grant_in.id] = shared; });
  return grant_in;
}

Grant TenantPrivacy::change_grant(const std::string& id, GrantChange change, const std::string& actor, TimeMs now) {
  std::lock_guard writer(write_mutex_);
  auto it = state_.grants.find(id);
  if (it == state_.grants.end()) not_found("no grant " + id);
  Grant changed = *it->second;
  trust::change_grant(changed, change, actor, now);
  auto shared = std::make_shared<const Grant>(changed);
  commit({record(kGrants, id, grant_to_stored(changed))}, {}, [&](PrivacyState& s) { s.grants[id] = shared; });
  return changed;
}

std::optional<Grant> TenantPrivacy::grant(const std::string& id) const {
  return read([&](const PrivacyState& s) -> std::optional<Grant> {
    auto it = s.grants.find(id);
    if (it == s.grants.end()) return std::nullopt;
    return *it->second;
  });
}

std::vector<Grant> TenantPrivacy::grants() const {
  auto out = read([](const PrivacyState& s) {
    std::vector<Grant> v;
    for (const auto& [k, g] : s.grants) v.push_back(*g);
    return v;
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
  return out;
}

std::shared_ptr<TenantPrivacy> PrivacyRegistries::tenant(const std::string& name, bool create) {
  std::lock_guard lock(mutex_);
  if (auto it = tenants_.find(name); it != tenants_.end()) return it->second;
  auto store = store_.tenant(name, create);
  if (!store) return nullptr;
  auto registry = std::make_shared<TenantPrivacy>(std::move(store));
  tenants_.emplace(name, registry);
  return registry;
}

}  // namespace machi::trust
