#include "sim/demo_society.h"

#include <cstdio>

#include "core/error.h"
#include "sim/entity_json.h"
#include "sim/rng.h"
#include "trust/consent.h"
#include "trust/grants.h"
#include "trust/personal_data.h"
#include "trust/purposes.h"

namespace machi::sim {
namespace {

constexpr const char* kTenant = "";
constexpr const char* kCity = "デモ市";
constexpr TimeMs kDay = 24LL * 3600 * 1000;

void say(const DemoSocietyOptions& options, const char* format, auto... args) {
  if (!options.progress) return;
  char line[256];
  std::snprintf(line, sizeof line, format, args...);
  options.progress(line);
}

struct RoleAccount {
  trust::Role role;
  const char* display_name;
};

// Display names are fictional; the demo resident is 山田 花子.
const RoleAccount kRoleAccounts[] = {
    {trust::Role::kResident, "山田 花子"},       {trust::Role::kCityStaff, "佐藤 一郎 (デジタル推進課)"},
    {trust::Role::kCoordinator, "鈴木 美咲"},    {trust::Role::kEthicsMember, "高橋 誠 (倫理委員)"},
    {trust::Role::kAuditor, "田中 直子 (監査)"}, {trust::Role::kProvider, "伊藤 健 (データ提供者)"},
    {trust::Role::kConsumer, "渡辺 翔 (まちなかモビリティ)"}, {trust::Role::kAdmin, "管理者"},
};

// Bands of residents under 20 (minors until 18, and the 15-19 band with
// them): their consent would come from a guardian, which the demo leaves out.
bool is_minor(const std::string& band) {
  return band == "0-4" || band == "5-9" || band == "10-14" || band == "15-19";
}

// The adult residents, in store order: (pseudonym, age band name).
std::vector<std::pair<std::string, std::string>> adult_residents(store::TenantStore& tenant) {
  StoredForm stored;
  const std::string subject_attr = stored.iri("dataSubject");
  const std::string age_attr = stored.iri("ageBand");
  std::vector<std::pair<std::string, std::string>> out;
  store::EntityQuery query;
  query.types = {stored.iri("Resident")};
  query.limit = 1000;
  for (;; query.offset += query.limit) {
    auto page = tenant.query(query).entities;
    for (const Json& e : page) {
      std::string subject = trust::read_subject(e, subject_attr);
      // read_provider reads a Property's string value, whatever it names.
      std::string band = trust::read_provider(e, age_attr);
      if (subject.empty() || band.empty() || is_minor(band)) continue;
      out.emplace_back(subject, band);
    }
    if (page.size() < query.limit) break;
  }
  return out;
}

Json party(const char* id, const char* name, const char* role) {
  return {{"id", id}, {"name", name}, {"role", role}};
}

Json given(const std::string& actor, TimeMs at) {
  return {{"type", "given"}, {"time", format_datetime(at)}, {"actor", actor}, {"capacity", "self"}};
}

Json event(const char* type, const std::string& actor, TimeMs at) {
  return {{"type", type}, {"time", format_datetime(at)}, {"actor", actor}, {"capacity", "self"}};
}

// A consent record on the city's form for one purpose (and recipient).
Json consent_body(const std::string& subject, const char* purpose, const char* recipient, const char* notice,
                  Json events) {
  Json parties = Json::array({party("city", kCity, "controller")});
  Json recipients = Json::array();
  if (recipient) {
    parties.push_back(party("recipient", recipient, "recipient"));
    recipients.push_back(recipient);
  }
  return {{"dataSubject", subject},
          {"processing",
           {{"notice", notice},
            {"language", "ja"},
            {"purposes", {purpose}},
            {"personalData", {"dpv-pd:Age", "dpv-pd:Location"}},
            {"controllers", {"city"}},
            {"retention", "P3Y"},
            {"recipients", recipients},
            {"withdrawalMethod", "マイページ (私の同意) または市民課窓口でいつでも撤回できます"}}},
          {"parties", parties},
          {"events", std::move(events)}};
}

// The mix of decisions: most adults said yes to the mobility service, some
// withdrew later, some refused, many never answered; fewer joined the QoL
// study. The demo resident has both consents and so shows up in the log.
std::vector<trust::ConsentRecord> consent_records(const std::vector<std::pair<std::string, std::string>>& adults,
                                                  uint64_t seed, TimeMs now) {
  std::vector<trust::ConsentRecord> out;
  Rng rng(seed * 7919 + 27560);
  for (size_t i = 0; i < adults.size(); ++i) {
    const std::string& who = adults[i].first;
    TimeMs at = now - static_cast<TimeMs>(rng.uniform(20, 120) * kDay);
    double mobility = i == 0 ? 0.0 : rng.uniform();
    Json events;
    if (mobility < 0.55) {
      events = Json::array({given(who, at)});
    } else if (mobility < 0.65) {
      events = Json::array({given(who, at), event("withdrawn", who, at + 10 * kDay)});
    } else if (mobility < 0.75) {
      events = Json::array({event("refused", who, at)});
    }
    if (!events.is_null()) {
      out.push_back(trust::consent_record_from_json(
          consent_body(who, "dpv:ImproveTransportMobility", kDemoMobilityCompany, "notice-mobility", events), now));
    }
    if (i == 0 || rng.uniform() < 0.35) {
      out.push_back(trust::consent_record_from_json(
          consent_body(who, "machi:QoLEvaluation", nullptr, "notice-qol", Json::array({given(who, at + kDay)})),
          now));
    }
    // Objections (naming no recipient: they stand against everyone). The
    // demo resident objected to both, so their log shows a read withheld
    // for the objection and one made over it under a statutory duty.
    if (i == 0 || rng.uniform() < 0.03) {
      out.push_back(trust::consent_record_from_json(
          consent_body(who, "dpv:ImprovePublicServices", nullptr, "notice-public-services",
                       Json::array({event("refused", who, at + 2 * kDay)})),
          now));
    }
    if (i == 0) {
      out.push_back(trust::consent_record_from_json(
          consent_body(who, "machi:EvacuationSupport", nullptr, "notice-evacuation",
                       Json::array({event("refused", who, at + 3 * kDay)})),
          now));
    }
  }
  return out;
}

Json grant_body(const char* name, const char* recipient, const std::string& consumer, const char* purpose,
                const char* basis, const std::vector<std::string>& attributes, const char* reason) {
  StoredForm stored;
  return {{"name", name},
          {"recipient", recipient},
          {"consumer", consumer},
          {"purposes", {purpose}},
          {"legalBasis", basis},
          {"entityTypes", {stored.iri("Resident")}},
          {"attributes", attributes},
          {"pseudonymize", true},
          {"reason", reason}};
}

trust::Grant add_grant(trust::Trust& trust, trust::TenantPrivacy& privacy, const Json& body,
                       const std::string& admin, TimeMs now) {
  trust::Grant grant = privacy.add_grant(trust::grant_from_request(body, admin, now));
  trust.log_event(kTenant, trust::grant_change_event(grant, trust::GrantChange::kCreate, admin, now), {});
  return grant;
}

// One query of the first residents through the enforcement point, as the
// API's query handler runs it (the demo resident is the first adult), and
// logged with the action text the API writes (parameter names, types).
void read_as(trust::Trust& trust, store::TenantStore& tenant, const trust::Principal& who, const std::string& grant,
             const char* purpose, TimeMs now) {
  auto access =
      trust.begin_read(kTenant, who, grant, purpose, "GET /ngsi-ld/v1/entities?type=Resident&limit", now);
  store::EntityQuery query;
  query.types = {StoredForm().iri("Resident")};
  query.limit = 100;
  query.admit = [&access](const Json& stored) { return access->admit(stored); };
  tenant.query(query);
  access->commit();
}

}  // namespace

std::vector<DemoAccount> demo_accounts() {
  std::vector<DemoAccount> out;
  for (const RoleAccount& r : kRoleAccounts) {
    std::string name(trust::role_name(r.role));
    out.push_back({name, name + "-demo", r.display_name});
  }
  return out;
}

DemoSociety seed_demo_society(trust::Trust& trust, const DemoSocietyOptions& options) {
  DemoSociety out;
  out.accounts = demo_accounts();
  auto directory = trust.directories().get(kTenant, true);
  if (auto resident = directory->account_by_username("resident")) {
    out.resident_subject = resident->subject;
    return out;
  }
  TimeMs now = options.now ? options.now : now_ms();
  auto tenant = trust.store().tenant(kTenant, false);
  if (!tenant) throw Error(ErrorType::kInternalError, "the demo city must be generated before its people");
  auto adults = adult_residents(*tenant);
  if (adults.empty()) {
    throw Error(ErrorType::kInternalError,
                "the demo city's residents name no data subject: it was made by an older machi; remove the data "
                "directory to generate it again");
  }
  out.resident_subject = adults.front().first;

  // Accounts: one per role; staff hold their role through a post (兼務 is
  // possible: the coordinator also holds a post in the same department).
  std::string admin_id, staff_id, consumer_id, coordinator_id;
  for (size_t i = 0; i < std::size(kRoleAccounts); ++i) {
    const RoleAccount& r = kRoleAccounts[i];
    trust::NewAccount account;
    account.username = out.accounts[i].username;
    account.display_name = r.display_name;
    account.password = out.accounts[i].password;
    if (r.role != trust::Role::kCityStaff) account.roles = trust::RoleSet{r.role};
    if (r.role == trust::Role::kResident) account.subject = out.resident_subject;
    // An account of that name made earlier (say, the first administrator
    // of a plain `machi serve` on this directory) is kept as it is.
    auto existing = directory->account_by_username(account.username);
    std::string id = existing ? existing->id : directory->create_account(account, now).id;
    if (r.role == trust::Role::kAdmin) admin_id = id;
    if (r.role == trust::Role::kCityStaff) staff_id = id;
    if (r.role == trust::Role::kConsumer) consumer_id = id;
    if (r.role == trust::Role::kCoordinator) coordinator_id = id;
  }
  trust::Post post = directory->create_post({"デジタル推進課 主事", "デジタル推進課", trust::RoleSet{trust::Role::kCityStaff}});
  directory->assign(staff_id, post.id, now - 400 * kDay);
  directory->assign(coordinator_id, post.id, now - 30 * kDay);
  say(options, "created %zu demo accounts (user name = role, password = <role>-demo)", out.accounts.size());

  // What is personal, how the city asks, and what it told residents.
  auto privacy = trust.privacy().tenant(kTenant, true);
  StoredForm stored;
  trust::PersonalType resident_type;
  resident_type.type = stored.iri("Resident");
  resident_type.subject_attribute = stored.iri("dataSubject");
  resident_type.provider_attribute = stored.iri("dataProvider");
  resident_type.data_categories = {"https://w3id.org/dpv/pd#Age", "https://w3id.org/dpv/pd#Location"};
  resident_type.changed_by = admin_id;
  resident_type.changed_at = now;
  privacy->put_personal_type(resident_type);
  privacy->set_purpose_mode(trust::purposes().resolve("dpv:ImproveTransportMobility"), trust::PurposeMode::kOptIn,
                            admin_id, now);
  privacy->set_purpose_mode(trust::purposes().resolve("machi:QoLEvaluation"), trust::PurposeMode::kOptIn, admin_id,
                            now);
  privacy->set_purpose_mode(trust::purposes().resolve("dpv:ImprovePublicServices"), trust::PurposeMode::kOptOut,
                            admin_id, now);
  privacy->publish_notice(trust::notice_from_json(
      {{"purpose", "dpv:ImprovePublicServices"},
       {"title", "公共サービス改善のための住民データ利用について (オプトアウト)"},
       {"url", "https://demo.machi.city/notices/public-services"},
       {"publishedAt", format_datetime(now - 180 * kDay)}},
      admin_id, now));

  // Residents' decisions, each event in the ledger.
  auto records = consent_records(adults, options.seed, now);
  privacy->add_consents(records);
  std::vector<trust::LedgerEntryIn> entries;
  for (const auto& record : records) {
    for (size_t e = 0; e < record.events.size(); ++e) {
      entries.push_back({trust::consent_event_entry(record, e).dump(), {record.subject}});
    }
  }
  trust.ledgers().tenant(kTenant, true)->append(std::move(entries));
  out.consent_records = records.size();
  say(options, "recorded %zu consent records of %zu adult residents", records.size(), adults.size());

  // Grants under three legal bases, and one suspended.
  std::vector<std::string> attrs = {stored.iri("ageBand"), stored.iri("refDistrict")};
  auto mobility = add_grant(trust, *privacy,
                            grant_body("デマンド交通の需要予測", kDemoMobilityCompany, consumer_id,
                                       "dpv:ImproveTransportMobility", "consent", attrs, ""),
                            admin_id, now);
  auto qol = add_grant(trust, *privacy,
                       grant_body("地区別QoL評価", kCity, staff_id, "machi:QoLEvaluation", "consent", attrs, ""),
                       admin_id, now);
  auto services = add_grant(trust, *privacy,
                            grant_body("公共サービス改善の利用統計", kCity, staff_id, "dpv:ImprovePublicServices",
                                       "opt_out", attrs, ""),
                            admin_id, now);
  auto evacuation = add_grant(
      trust, *privacy,
      grant_body("避難行動要支援者名簿の作成", "デモ市 危機管理課", staff_id, "machi:EvacuationSupport", "statutory",
                 attrs, "災害対策基本法 第49条の10 (避難行動要支援者名簿の作成)"),
      admin_id, now);
  auto pilot = add_grant(trust, *privacy,
                         grant_body("見守りサービス実証 (休止中)", kDemoMobilityCompany, consumer_id,
                                    "dpv:ImproveTransportMobility", "consent", attrs, ""),
                         admin_id, now);
  privacy->change_grant(pilot.id, trust::GrantChange::kSuspend, admin_id, now);
  trust.log_event(kTenant, trust::grant_change_event(*privacy->grant(pilot.id), trust::GrantChange::kSuspend, admin_id, now),
                  {});
  out.grant_ids = {mobility.id, qol.id, services.id, evacuation.id, pilot.id};

  // The consumer's service application, bound to the mobility grant.
  auto client = directory->create_client(consumer_id, "デマンド交通 需要予測アプリ", {mobility.id, pilot.id}, now);
  out.client_id = client.client.client_id;
  out.client_secret = client.secret;

  // A few queries that touch the demo resident's record, through the
  // enforcement point: allowed under consent, withheld for an objection
  // (opt-out), made over an objection (statutory duty), and one refused as
  // a whole (the suspended grant, which names no one).
  auto app = directory->principal_for_client(out.client_id, now);
  auto staff = directory->principal_for_account(staff_id, now);
  read_as(trust, *tenant, app, mobility.id, "dpv:ImproveTransportMobility", now);
  read_as(trust, *tenant, staff, qol.id, "machi:QoLEvaluation", now);
  read_as(trust, *tenant, staff, services.id, "dpv:ImprovePublicServices", now);
  read_as(trust, *tenant, staff, evacuation.id, "machi:EvacuationSupport", now);
  read_as(trust, *tenant, app, pilot.id, "dpv:ImproveTransportMobility", now);
  out.ledger_entries = trust.ledgers().tenant(kTenant, true)->size();
  out.created = true;
  say(options, "granted %zu data uses; the ledger holds %zu entries", out.grant_ids.size(), out.ledger_entries);
  return out;
}

}  // namespace machi::sim
