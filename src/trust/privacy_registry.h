// One tenant's privacy state: personal entity types, consent records (by
// subject), the city's opt-in/opt-out setting per purpose, published
// notices and grants. All of it lives in memory, loaded from the store's
// records on the tenant's first use, so that the enforcement point reads it
// with hash lookups; every change is written through to the store (durable,
// atomic) before the in-memory state changes and before the call returns.
//
// Concurrency: readers take a shared lock only for the lookups; writers are
// serialized by their own mutex and hold the exclusive lock only to swap in
// a value already on disk, so readers never wait for an fsync.
//
// Store collections: "personal_types" (key: type IRI), "consents" (key:
// "<subject>/<record id>"), "purpose_settings" (key: purpose IRI),
// "notices" (key: notice id), "grants" (key: grant id). Values are JSON.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "store/store.h"
#include "trust/consent.h"
#include "trust/grants.h"
#include "trust/personal_data.h"

namespace machi::trust {

// The city's setting for a purpose (seed measure 1-2). Purposes without a
// setting are opt-in.
enum class PurposeMode : uint8_t { kOptIn, kOptOut };
std::string_view purpose_mode_name(PurposeMode mode);  // "opt_in", "opt_out"
std::optional<PurposeMode> parse_purpose_mode(std::string_view name);

struct PurposeSetting {
  std::string purpose;  // expanded IRI
  PurposeMode mode = PurposeMode::kOptIn;
  std::string changed_by;
  TimeMs changed_at = 0;
};
Json to_json(const PurposeSetting& setting);

// A notice the city published for a purpose (the basis of opt-out).
struct Notice {
  std::string id;
  std::string purpose;   // expanded IRI
  std::string title;
  std::string url;
  std::string language = "ja";
  TimeMs published_at = 0;
  std::string published_by;
};
Json to_json(const Notice& notice);
// From {"purpose", "title", "url", "language", "publishedAt"?}; publishedAt
// defaults to now. Throws Error(BadRequestData).
Notice notice_from_json(const Json& body, const std::string& actor, TimeMs now);

// What the enforcer reads, under the shared lock (TenantPrivacy::read).
struct PrivacyState {
  std::unordered_map<std::string, PersonalType> personal_types;       // by type IRI
  std::unordered_map<std::string, SubjectConsents> consents;          // by subject
  std::unordered_map<std::string, std::string> consent_subjects;      // record id -> subject
  std::unordered_map<std::string, PurposeSetting> purpose_settings;   // by purpose IRI
  std::vector<Notice> notices;                                        // in publication order
  std::unordered_map<std::string, TimeMs> first_notice;               // purpose IRI -> earliest publication
  std::unordered_map<std::string, std::shared_ptr<const Grant>> grants;  // by id
};

class TenantPrivacy {
 public:
  // Loads the tenant's collections; throws Error(InternalError) on a corrupt record.
  explicit TenantPrivacy(std::shared_ptr<store::TenantStore> store);

  // Personal entity types.
  void put_personal_type(const PersonalType& type);
  void erase_personal_type(const std::string& type);  // Error(ResourceNotFound)
  std::optional<PersonalType> personal_type(const std::string& type) const;
  std::vector<PersonalType> personal_types() const;

  // Consent records. add_consent: Error(AlreadyExists) for a taken id.
  // append_consent_event: Error(ResourceNotFound), Error(BadRequestData);
  // returns the record with the event, which every later decision sees.
  ConsentRecord add_consent(ConsentRecord record);
  // Several records in one durable commit (a bulk import); all or none.
  void add_consents(const std::vector<ConsentRecord>& records);
  ConsentRecord append_consent_event(const std::string& record_id, ConsentEvent event);
  std::optional<ConsentRecord> consent(const std::string& record_id) const;
  std::vector<ConsentRecord> consents_of(const std::string& subject) const;

  // The city's opt-in/opt-out setting per purpose.
  PurposeSetting set_purpose_mode(const std::string& purpose, PurposeMode mode, const std::string& actor, TimeMs now);
  std::vector<PurposeSetting> purpose_settings() const;

  // Notices (append-only).
  Notice publish_notice(Notice notice);
  std::vector<Notice> notices() const;

  // Grants. add_grant: Error(AlreadyExists). change_grant applies a
  // lifecycle change (Error(ResourceNotFound), Error(BadRequestData)) and
  // returns the changed grant.
  Grant add_grant(Grant grant);
  Grant change_grant(const std::string& id, GrantChange change, const std::string& actor, TimeMs now);
  std::optional<Grant> grant(const std::string& id) const;
  std::vector<Grant> grants() const;

  // Runs f(const PrivacyState&) under the shared lock; f must not call back
  // into this object.
  template <class F>
  auto read(F&& f) const {
    std::shared_lock lock(mutex_);
    return f(state_);
  }

 private:
  void load();
  template <class Apply>
  void commit(const std::vector<store::Record>& puts, const std::vector<std::pair<std::string, std::string>>& erases,
              Apply&& apply);

  std::shared_ptr<store::TenantStore> store_;
  std::mutex write_mutex_;            // one writer at a time
  mutable std::shared_mutex mutex_;   // guards state_
  PrivacyState state_;
};

// The registries of all tenants, each loaded on its first use.
class PrivacyRegistries {
 public:
  explicit PrivacyRegistries(store::Store& store) : store_(store) {}
  // nullptr when the tenant does not exist and create is false.
  std::shared_ptr<TenantPrivacy> tenant(const std::string& name, bool create = false);

 private:
  store::Store& store_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<TenantPrivacy>> tenants_;
};

}  // namespace machi::trust
