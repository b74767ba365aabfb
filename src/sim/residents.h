// The synthetic residents of デモ市.
//
// PERSONAL DATA. Residents are the one entity type here that describes
// persons: the demo registers the type "Resident" as personal data
// (sim/demo_society.h), so the policy enforcement point stands in front of
// it; each entity names its data subject and provider. They are synthetic —
// no names, no real people, pseudonymous random ids — but every module must
// treat them as it would treat real residents' records.
//
// Each resident has an age band, a household, and a home area (町丁目) and
// district. Ages follow a table shaped like Japan's 2020 census pyramid
// (about 29% aged 65+, 12% under 15); households are built so that children
// live with parents of a plausible age and elderly people live alone, as
// couples or with an adult child, as they do in Japanese suburbs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"
#include "sim/city_layout.h"

namespace machi::sim {

inline constexpr int kAgeBands = 18;  // 0-4, 5-9, ..., 80-84, 85+

const char* age_band_name(int band);
// The population by age band in thousands (national, 2020 census shape).
const std::array<double, kAgeBands>& age_structure();
// The lowest age of a band: 0, 5, ..., 85.
inline int band_min_age(int band) { return band * 5; }

enum class HouseholdKind {
  kSingle,
  kCouple,
  kCoupleWithChildren,
  kSingleParent,
  kThreeGenerations,
  kElderlyWithAdultChild,
};

struct Household {
  std::string pseudonym;     // 16 hex digits
  HouseholdKind kind = HouseholdKind::kSingle;
  int area = 0;              // index into CityLayout::areas()
  bool has_young_child = false;  // a member under 10
};

struct Resident {
  std::string pseudonym;     // 16 hex digits; the entity id is urn:ngsi-ld:Resident:<pseudonym>
  int age_band = 0;
  int household = 0;         // index into Population::households
};

struct Population {
  std::vector<Resident> residents;
  std::vector<Household> households;
  int area_of(const Resident& r) const { return households[r.household].area; }
};

// Exactly n residents (age shares within rounding of the table), the same
// for the same (layout, n, seed).
Population generate_population(const CityLayout& layout, size_t n, uint64_t seed);

// Who provides the residents' records (their dataProvider).
inline constexpr const char* kResidentDataProvider = "デモ市 市民課";

// NGSI-LD normalized Resident entities (see the note on personal data):
// ageBand, householdId, homeArea, refDistrict, and dataSubject (the
// pseudonym) with dataProvider.
std::vector<Json> resident_entities(const Population& population, const CityLayout& layout);

}  // namespace machi::sim
