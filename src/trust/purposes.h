// The purposes personal data may be used for: W3C DPV 2.2 purposes
// (https://w3id.org/dpv#) that a city needs, and machi's own extension
// (https://machi.city/ns#) declared under DPV parents. Every purpose has an
// English and a Japanese label, because residents read them when they
// consent. docs/consent.md lists the tree.
//
// DPV purposes form a polyhierarchy: a purpose may have several parents
// (machi:QoLEvaluation is under dpv:PublicPolicyMaking and
// dpv:ResearchAndDevelopment). Consent to a purpose covers all its narrower
// purposes through any parent path, never a broader one: covers(broad, narrow).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json.h"

namespace machi::trust {

inline constexpr std::string_view kDpvNamespace = "https://w3id.org/dpv#";
inline constexpr std::string_view kDpvPdNamespace = "https://w3id.org/dpv/pd#";
inline constexpr std::string_view kMachiNamespace = "https://machi.city/ns#";

struct Purpose {
  std::string iri;                   // expanded, e.g. https://w3id.org/dpv#ImproveTransportMobility
  std::string short_name;            // "dpv:ImproveTransportMobility", "machi:QoLEvaluation"
  std::string label_en;
  std::string label_ja;
  std::vector<std::string> parents;  // expanded IRIs; empty only for dpv:Purpose
};

class PurposeCatalog {
 public:
  explicit PurposeCatalog(std::vector<Purpose> purposes);

  // nullptr when the IRI or short name ("dpv:X", "machi:Y") is unknown.
  const Purpose* find(std::string_view iri_or_short_name) const;
  // The expanded IRI; throws Error(BadRequestData) for an unknown purpose.
  const std::string& resolve(std::string_view iri_or_short_name) const;

  // True when narrow is broad or lies below it. Unknown purposes cover
  // only themselves. Two hash lookups.
  bool covers(std::string_view broad, std::string_view narrow) const;
  // All purposes above (ancestors) or below (descendants), without the
  // purpose itself, in catalogue order.
  std::vector<std::string> ancestors(std::string_view purpose) const;
  std::vector<std::string> descendants(std::string_view purpose) const;
  // The purpose itself followed by its ancestors: every purpose a consent
  // could name to cover it.
  std::vector<std::string> covering(std::string_view purpose) const;

  const std::vector<Purpose>& all() const { return purposes_; }
  // [{"id","shortName","label":{"en","ja"},"broader":[...]}] for the API.
  Json to_json() const;

 private:
  std::optional<size_t> index_of(std::string_view iri_or_short_name) const;

  std::vector<Purpose> purposes_;
  std::unordered_map<std::string, size_t> by_name_;           // IRI and short name
  std::vector<std::vector<bool>> above_;                      // above_[n][b]: b is an ancestor of n
};

// The built-in catalogue (DPV 2.2 purposes and the machi extension).
const PurposeCatalog& purposes();

// Shorthands on purposes().
inline bool covers(std::string_view broad, std::string_view narrow) { return purposes().covers(broad, narrow); }

}  // namespace machi::trust
