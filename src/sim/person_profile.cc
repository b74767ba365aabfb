#include "sim/person_profile.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace machi::sim {
namespace {

// Employment by age band (labour force survey shape): the share employed,
// and of those the share full time.
struct Employment {
  double employed, full_time;
};

Employment employment(int band) {
  if (band <= 3) return {0, 0};
  if (band == 4) return {0.9, 0.8};     // 20-24 not at university
  if (band <= 11) return {0.82, 0.72};  // 25-59
  if (band == 12) return {0.72, 0.5};   // 60-64
  if (band == 13) return {0.50, 0.3};   // 65-69
  if (band == 14) return {0.33, 0.2};   // 70-74
  return {0.10, 0.1};                   // 75+
}

Role draw_role(int band, Rng& rng) {
  if (band == 0) return rng.chance(0.65) ? Role::kNursery : Role::kInfant;
  if (band <= 2) return Role::kPupil;
  if (band == 3) {
    double r = rng.uniform();
    return r < 0.88 ? Role::kHighSchool : r < 0.95 ? Role::kUniversity : Role::kPartTime;
  }
  if (band == 4 && rng.chance(0.5)) return Role::kUniversity;
  Employment e = employment(band);
  if (rng.chance(e.employed)) return rng.chance(e.full_time) ? Role::kFullTime : Role::kPartTime;
  return band >= 12 ? Role::kRetired : Role::kAtHome;
}

int round5(double minutes) { return static_cast<int>(std::lround(minutes / 5)) * 5; }

// Usual weekday wake and bed times by role and age, chosen so that average
// sleep follows the survey: about 7 h for working age on weekdays, 8.5 h
// and more from 75, 9-10 h for children.
void sleep_times(PersonProfile& p, Rng& rng) {
  double wake = 390, bed = 1390;
  switch (p.role) {
    case Role::kInfant:
    case Role::kNursery: wake = 400; bed = 1245; break;
    case Role::kPupil: wake = 400; bed = p.age_band == 1 ? 1300 : 1340; break;
    case Role::kHighSchool: wake = 380; bed = 1405; break;
    case Role::kUniversity: wake = 450; bed = 1425; break;
    case Role::kFullTime: wake = 380; bed = 1395; break;
    case Role::kPartTime: wake = 390; bed = 1390; break;
    case Role::kAtHome: wake = 370; bed = 1370; break;
    case Role::kRetired:
      wake = p.age_band <= 14 ? 345 : p.age_band <= 16 ? 360 : 380;
      bed = p.age_band <= 14 ? 1325 : p.age_band <= 16 ? 1290 : 1265;
      break;
  }
  p.wake = round5(rng.bell(wake, 15));
  p.bed = std::min(1435, round5(rng.bell(bed, 15)));
}

}  // namespace

bool is_employed(Role role) { return role == Role::kFullTime || role == Role::kPartTime; }

PersonProfile make_profile(int age_band, const Household& household, Rng& rng) {
  PersonProfile p;
  p.age_band = age_band;
  p.role = draw_role(age_band, rng);
  p.young_child = household.has_young_child && age_band >= 4;
  p.caregiver = age_band >= 8 && age_band <= 15 && rng.chance(0.06);
  p.club = (p.role == Role::kPupil && age_band == 2 && rng.chance(0.6)) ||
           (p.role == Role::kHighSchool && rng.chance(0.55));
  switch (p.role) {
    case Role::kPupil: p.commute = round5(rng.uniform(10, 25)); break;
    case Role::kHighSchool:
    case Role::kUniversity: p.commute = round5(rng.uniform(25, 75)); break;
    case Role::kFullTime: p.commute = round5(rng.uniform(15, 80)); break;  // many ride to Tokyo
    case Role::kPartTime: p.commute = round5(rng.uniform(10, 30)); break;
    default: p.commute = 15; break;
  }
  p.housework = p.role == Role::kAtHome ? rng.uniform(0.8, 1.0)
                : age_band < 4          ? 0.05
                                        : rng.uniform(0.15, 0.9);
  sleep_times(p, rng);
  return p;
}

}  // namespace machi::sim
