#include "trust/purposes.h"

#include <functional>

#include "core/error.h"

namespace machi::trust {
namespace {

std::string dpv(std::string_view term) { return std::string(kDpvNamespace) + std::string(term); }
std::string machi(std::string_view term) { return std::string(kMachiNamespace) + std::string(term); }

Purpose dpv_purpose(std::string_view term, std::string en, std::string ja, std::vector<std::string> parents) {
  return {dpv(term), "dpv:" + std::string(term), std::move(en), std::move(ja), std::move(parents)};
}
Purpose machi_purpose(std::string_view term, std::string en, std::string ja, std::vector<std::string> parents) {
  return {machi(term), "machi:" + std::string(term), std::move(en), std::move(ja), std::move(parents)};
}

// DPV 2.2 (w3c/dpv 2.2/dpv/modules/purposes.csv): the terms and their
// skos:broader parents as published. Only the purposes a city uses are
// listed; adding another DPV purpose is one line here.
std::vector<Purpose> builtin_purposes() {
  const std::string root = dpv("Purpose");
  return {
      dpv_purpose("Purpose", "Purpose", "目的", {}),
      dpv_purpose("PublicBenefit", "Public Benefit", "公益", {root}),
      dpv_purpose("ImprovePublicServices", "Improve Public Services", "公共サービスの改善", {dpv("PublicBenefit")}),
      dpv_purpose("ImproveTransportMobility", "Improve Transport and Mobility", "交通・移動の改善",
                  {dpv("PublicBenefit")}),
      dpv_purpose("ImproveHealthcare", "Improve Healthcare", "医療・保健の改善", {dpv("PublicBenefit")}),
      dpv_purpose("CombatClimateChange", "Combat Climate Change", "気候変動対策", {dpv("PublicBenefit")}),
      dpv_purpose("PublicPolicyMaking", "Public Policy Making", "公共政策の立案", {dpv("PublicBenefit")}),
      dpv_purpose("ProvideOfficialStatistics", "Provide Official Statistics", "公的統計の作成",
                  {dpv("PublicBenefit")}),
      dpv_purpose("DataAltruism", "Data Altruism", "公益のためのデータ提供（データ利他）", {dpv("PublicBenefit")}),
      dpv_purpose("ProtectionOfPublicSecurity", "Protection of Public Security", "公共の安全の確保",
                  {dpv("PublicBenefit")}),
      dpv_purpose("ResearchAndDevelopment", "Research and Development", "研究開発", {root}),
      dpv_purpose("AcademicResearch", "Academic Research", "学術研究", {dpv("ResearchAndDevelopment")}),
      dpv_purpose("ScientificResearch", "Scientific Research", "科学研究", {dpv("ResearchAndDevelopment")}),
      dpv_purpose("CommercialPurpose", "Commercial Purpose", "商業目的", {root}),
      dpv_purpose("NonCommercialPurpose", "Non-commercial Purpose", "非商業目的", {root}),
      dpv_purpose("CommercialResearch", "Commercial Research", "企業による研究",
                  {dpv("CommercialPurpose"), dpv("ResearchAndDevelopment")}),
      dpv_purpose("NonCommercialResearch", "Non-Commercial Research", "非営利の研究",
                  {dpv("ResearchAndDevelopment"), dpv("NonCommercialPurpose")}),
      dpv_purpose("ServiceProvision", "Service Provision", "サービスの提供", {root}),
      dpv_purpose("RequestedServiceProvision", "Requested Service Provision", "本人が求めたサービスの提供",
                  {dpv("ServiceProvision")}),
      dpv_purpose("Marketing", "Marketing", "マーケティング", {root}),
      dpv_purpose("FulfilmentOfObligation", "Fulfilment of Obligation", "義務の履行", {root}),
      dpv_purpose("LegalCompliance", "Legal Compliance", "法令に基づく義務の遂行", {dpv("FulfilmentOfObligation")}),

      // machi's extension: the city's own purposes, each under the DPV
      // purposes it is a case of (several parents where it is a case of several).
      machi_purpose("QoLEvaluation", "Quality-of-life evaluation", "QOL（生活の質）の評価",
                    {dpv("PublicPolicyMaking"), dpv("ResearchAndDevelopment")}),
      machi_purpose("PolicyEvaluation", "Evidence-based policy evaluation (EBPM)", "政策効果の検証（EBPM）",
                    {dpv("PublicPolicyMaking")}),
      machi_purpose("MobilityPlanning", "Mobility planning", "移動・交通の計画",
                    {dpv("ImproveTransportMobility"), dpv("PublicPolicyMaking")}),
      machi_purpose("EmergencyResponse", "Disaster and emergency response", "災害・緊急時の対応",
                    {dpv("ImprovePublicServices")}),
      machi_purpose("EvacuationSupport", "Support for residents who need help to evacuate",
                    "避難行動要支援者の避難支援", {machi("EmergencyResponse")}),
      machi_purpose("FrailtyPrevention", "Frailty prevention", "フレイル（虚弱）予防",
                    {dpv("ImproveHealthcare"), dpv("ImprovePublicServices")}),
      machi_purpose("EnergySaving", "Energy saving that keeps people comfortable", "快適さを保つ省エネルギー",
                    {dpv("CombatClimateChange")}),
      machi_purpose("LivingLabResearch", "Living-lab co-creation research", "リビングラボでの共創研究",
                    {dpv("ResearchAndDevelopment"), dpv("ImprovePublicServices")}),
  };
}

}  // namespace

PurposeCatalog::PurposeCatalog(std::vector<Purpose> purposes) : purposes_(std::move(purposes)) {
  for (size_t i = 0; i < purposes_.size(); ++i) {
    by_name_.emplace(purposes_[i].iri, i);
    by_name_.emplace(purposes_[i].short_name, i);
  }
  // Transitive closure of the parent relation, once: covers() is then a
  // bit lookup, as the enforcement point needs it per entity.
  const size_t n = purposes_.size();
  above_.assign(n, std::vector<bool>(n, false));
  std::function<void(size_t, size_t)> mark = [&](size_t node, size_t from) {
    for (const auto& parent : purposes_[from].parents) {
      auto p = index_of(parent);
      if (!p) throw Error(ErrorType::kInternalError, "purpose " + purposes_[from].iri + ": unknown parent " + parent);
      if (*p == node) throw Error(ErrorType::kInternalError, "purpose cycle at " + purposes_[node].iri);
      if (above_[node][*p]) continue;
      above_[node][*p] = true;
      mark(node, *p);
    }
  };
  for (size_t i = 0; i < n; ++i) mark(i, i);
}

std::optional<size_t> PurposeCatalog::index_of(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

const Purpose* PurposeCatalog::find(std::string_view name) const {
  auto i = index_of(name);
  return i ? &purposes_[*i] : nullptr;
}

const std::string& PurposeCatalog::resolve(std::string_view name) const {
  const Purpose* p = find(name);
  if (!p) throw Error(ErrorType::kBadRequestData, "unknown purpose: " + std::string(name));
  return p->iri;
}

bool PurposeCatalog::covers(std::string_view broad, std::string_view narrow) const {
  auto b = index_of(broad);
  auto n = index_of(narrow);
  if (!b || !n) return broad == narrow;
  return *b == *n || above_[*n][*b];
}

std::vector<std::string> PurposeCatalog::ancestors(std::string_view purpose) const {
  std::vector<std::string> out;
  auto n = index_of(purpose);
  if (!n) return out;
  for (size_t b = 0; b < purposes_.size(); ++b) {
    if (above_[*n][b]) out.push_back(purposes_[b].iri);
  }
  return out;
}

std::vector<std::string> PurposeCatalog::descendants(std::string_view purpose) const {
  std::vector<std::string> out;
  auto b = index_of(purpose);
  if (!b) return out;
  for (size_t n = 0; n < purposes_.size(); ++n) {
    if (above_[n][*b]) out.push_back(purposes_[n].iri);
  }
  return out;
}

std::vector<std::string> PurposeCatalog::covering(std::string_view purpose) const {
  const Purpose* p = find(purpose);
  std::vector<std::string> out{p ? p->iri : std::string(purpose)};
  for (auto& a : ancestors(purpose)) out.push_back(std::move(a));
  return out;
}

Json PurposeCatalog::to_json() const {
  Json out = Json::array();
  for (const auto& p : purposes_) {
    out.push_back({{"id", p.iri},
                   {"shortName", p.short_name},
                   {"label", {{"en", p.label_en}, {"ja", p.label_ja}}},
                   {"broader", p.parents}});
  }
  return out;
}

const PurposeCatalog& purposes() {
  static const PurposeCatalog catalog(builtin_purposes());
  return catalog;
}

}  // namespace machi::trust
