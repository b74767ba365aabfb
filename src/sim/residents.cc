#include "sim/residents.h"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "sim/entity_json.h"

namespace machi::sim {
namespace {

// Households by kind, as three groups that prefer different districts.
enum class Group { kFamily, kElderly, kAdult };

Group group_of(HouseholdKind kind) {
  switch (kind) {
    case HouseholdKind::kCoupleWithChildren:
    case HouseholdKind::kSingleParent:
    case HouseholdKind::kThreeGenerations:
      return Group::kFamily;
    case HouseholdKind::kElderlyWithAdultChild:
      return Group::kElderly;
    default:
      return Group::kAdult;
  }
}

// How many households of each group a district draws (relative), and how
// dense it is overall.
struct Appeal {
  double density, family, elderly, adult;
};

Appeal appeal_of(DistrictKind kind) {
  switch (kind) {
    case DistrictKind::kCentre: return {1.5, 0.7, 1.2, 1.5};
    case DistrictKind::kStation: return {1.2, 0.9, 0.8, 1.4};
    case DistrictKind::kOldNewTown: return {1.0, 0.7, 1.5, 0.8};
    case DistrictKind::kNewTown: return {1.1, 1.6, 0.6, 0.9};
    case DistrictKind::kRiverside: return {0.6, 0.8, 1.4, 0.7};
    case DistrictKind::kSuburb: return {0.9, 1.1, 1.0, 1.0};
  }
  return {1, 1, 1, 1};
}

std::string hex16(uint64_t x) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(x));
  return buffer;
}

// Residents still to be placed, by age band, drawn without replacement so
// that the age structure comes out exactly as the quotas say.
class AgePool {
 public:
  AgePool(size_t n) {
    const auto& table = age_structure();
    double total = 0;
    for (double t : table) total += t;
    // Largest remainder: floors first, then one more for the largest fractions.
    std::array<double, kAgeBands> fraction{};
    size_t given = 0;
    for (int b = 0; b < kAgeBands; ++b) {
      double exact = static_cast<double>(n) * table[b] / total;
      left_[b] = static_cast<int>(exact);
      fraction[b] = exact - left_[b];
      given += left_[b];
    }
    std::array<int, kAgeBands> order{};
    for (int b = 0; b < kAgeBands; ++b) order[b] = b;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return fraction[a] > fraction[b]; });
    for (size_t k = 0; given < n; ++k, ++given) left_[order[k % kAgeBands]]++;
  }
  int left(int lo, int hi) const {
    int n = 0;
    for (int b = lo; b <= hi; ++b) n += left_[b];
    return n;
  }
  // A band in [lo, hi] drawn in proportion to who is left; -1 if nobody.
  int draw(Rng& rng, int lo, int hi) {
    int n = left(lo, hi);
    if (n == 0) return -1;
    int k = static_cast<int>(rng.below(static_cast<uint64_t>(n)));
    for (int b = lo; b <= hi; ++b) {
      if (k < left_[b]) return take(b);
      k -= left_[b];
    }
    return -1;
  }
  // The band nearest to target within [lo, hi] with someone left; -1 if none.
  int near(int target, int lo, int hi) {
    target = std::clamp(target, lo, hi);
    for (int d = 0; d <= hi - lo; ++d) {
      if (target - d >= lo && left_[target - d] > 0) return take(target - d);
      if (target + d <= hi && left_[target + d] > 0) return take(target + d);
    }
    return -1;
  }

 private:
  int take(int b) {
    left_[b]--;
    return b;
  }
  std::array<int, kAgeBands> left_{};
};

class PopulationBuilder {
 public:
  PopulationBuilder(const CityLayout& layout, uint64_t seed) : layout_(layout), rng_(seed, "residents") {
    area_weights(Group::kFamily);
    area_weights(Group::kElderly);
    area_weights(Group::kAdult);
  }

  Population build(size_t n) {
    AgePool pool(n);
    while (pool.left(0, 3) > 0) family(pool);
    while (pool.left(13, kAgeBands - 1) > 0) elderly(pool);
    while (pool.left(4, 12) > 0) adults(pool);
    return std::move(population_);
  }

 private:
  static constexpr int kOldest = kAgeBands - 1;

  // Children (0-19) with one or two parents 25-35 years older, sometimes a
  // grandparent.
  void family(AgePool& pool) {
    std::vector<int> members;
    int first = pool.draw(rng_, 0, 3);
    members.push_back(first);
    int siblings = static_cast<int>(rng_.weighted(std::array<double, 3>{0.35, 0.45, 0.20}));
    for (int s = 0; s < siblings; ++s) {
      int b = pool.near(first + rng_.range(-1, 1), 0, 3);
      if (b < 0) break;
      members.push_back(b);
    }
    int oldest_child = *std::max_element(members.begin(), members.end());
    int parent = pool.near(oldest_child + rng_.range(5, 7), 5, 12);
    if (parent < 0) parent = pool.near(oldest_child + 6, 4, kOldest);
    HouseholdKind kind = HouseholdKind::kSingleParent;
    if (parent >= 0) {
      members.push_back(parent);
      if (rng_.chance(0.87)) {
        int partner = pool.near(parent + rng_.range(-1, 1), 4, 13);
        if (partner >= 0) {
          members.push_back(partner);
          kind = HouseholdKind::kCoupleWithChildren;
        }
      }
      if (rng_.chance(0.08)) {
        int grandparent = pool.near(parent + rng_.range(5, 7), 13, kOldest);
        if (grandparent >= 0) {
          members.push_back(grandparent);
          kind = HouseholdKind::kThreeGenerations;
        }
      }
    }
    add(kind, members);
  }

  // 65+: about half live as couples, a fifth with an adult child, the rest alone.
  void elderly(AgePool& pool) {
    int e = pool.draw(rng_, 13, kOldest);
    double r = rng_.uniform();
    if (r < 0.5) {
      int partner = pool.near(e + rng_.range(-1, 1), 12, kOldest);
      if (partner >= 0) return add(HouseholdKind::kCouple, {e, partner});
    } else if (r < 0.72) {
      int child = pool.near(e - rng_.range(5, 7), 6, 12);
      if (child >= 0) return add(HouseholdKind::kElderlyWithAdultChild, {e, child});
    }
    add(HouseholdKind::kSingle, {e});
  }

  // The rest (20-64): singles and couples without children.
  void adults(AgePool& pool) {
    int a = pool.draw(rng_, 4, 12);
    if (rng_.chance(0.55)) {
      int partner = pool.near(a + rng_.range(-1, 1), 4, 12);
      if (partner >= 0) return add(HouseholdKind::kCouple, {a, partner});
    }
    add(HouseholdKind::kSingle, {a});
  }

  void add(HouseholdKind kind, const std::vector<int>& bands) {
    Household h;
    h.pseudonym = unique_hex();
    h.kind = kind;
    h.area = draw_area(group_of(kind));
    int index = static_cast<int>(population_.households.size());
    for (int band : bands) {
      h.has_young_child = h.has_young_child || band <= 1;
      population_.residents.push_back({unique_hex(), band, index});
    }
    population_.households.push_back(std::move(h));
  }

  std::string unique_hex() {
    for (;;) {
      std::string id = hex16(rng_.next());
      if (used_.insert(id).second) return id;
    }
  }

  void area_weights(Group group) {
    auto& cumulative = cumulative_[static_cast<int>(group)];
    double total = 0;
    for (const Area& area : layout_.areas()) {
      Appeal a = appeal_of(layout_.district_of(area).kind);
      double preference = group == Group::kFamily ? a.family : group == Group::kElderly ? a.elderly : a.adult;
      // The area's own pull, the same for every group (fixed per area).
      Rng area_rng = rng_.fork(static_cast<uint64_t>(area.index));
      total += a.density * preference * area_rng.uniform(0.6, 1.4);
      cumulative.push_back(total);
    }
  }

  int draw_area(Group group) {
    const auto& cumulative = cumulative_[static_cast<int>(group)];
    double x = rng_.uniform() * cumulative.back();
    auto it = std::upper_bound(cumulative.begin(), cumulative.end(), x);
    return static_cast<int>(std::min<size_t>(it - cumulative.begin(), cumulative.size() - 1));
  }

  const CityLayout& layout_;
  Rng rng_;
  Population population_;
  std::unordered_set<std::string> used_;
  std::array<std::vector<double>, 3> cumulative_;
};

}  // namespace

const char* age_band_name(int band) {
  static const char* names[kAgeBands] = {"0-4",   "5-9",   "10-14", "15-19", "20-24", "25-29",
                                         "30-34", "35-39", "40-44", "45-49", "50-54", "55-59",
                                         "60-64", "65-69", "70-74", "75-79", "80-84", "85+"};
  return names[std::clamp(band, 0, kAgeBands - 1)];
}

const std::array<double, kAgeBands>& age_structure() {
  // Japan's population by five-year age group in thousands, 2020 census
  // (令和2年国勢調査), rounded; the shape of an ageing country: 0-14 about
  // 11.8%, 65+ about 29.4% of the total.
  static const std::array<double, kAgeBands> table = {4541, 4976, 5301, 5580, 6230, 6153, 6589, 7370, 8252,
                                                      9647, 8622, 7839, 7422, 8937, 9193, 7113, 5436, 6219};
  return table;
}

Population generate_population(const CityLayout& layout, size_t n, uint64_t seed) {
  return PopulationBuilder(layout, seed).build(n);
}

std::vector<Json> resident_entities(const Population& population, const CityLayout& layout) {
  std::vector<Json> out;
  out.reserve(population.residents.size());
  for (const Resident& r : population.residents) {
    const Household& h = population.households[r.household];
    const Area& area = layout.areas()[h.area];
    out.push_back({{"id", "urn:ngsi-ld:Resident:" + r.pseudonym},
                   {"type", "Resident"},
                   {"ageBand", property(age_band_name(r.age_band))},
                   {"householdId", property(h.pseudonym)},
                   {"homeArea", relationship(area.id)},
                   {"refDistrict", relationship(layout.district_of(area).id)},
                   // Whose data this is and who provides it: the policy
                   // enforcement point reads these (trust/personal_data.h).
                   {"dataSubject", property(r.pseudonym)},
                   {"dataProvider", property(kResidentDataProvider)}});
  }
  return out;
}

}  // namespace machi::sim
