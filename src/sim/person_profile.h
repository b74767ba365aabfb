// What shapes a person's day: a role (at school, employed, at home, retired)
// and a few habits drawn once per person, from their age band and household.
#pragma once

#include <cstdint>

#include "sim/residents.h"
#include "sim/rng.h"

namespace machi::sim {

enum class Role {
  kInfant,       // under 5, at home
  kNursery,      // under 5, at a nursery or kindergarten (保育所・幼稚園)
  kPupil,        // elementary and junior high school
  kHighSchool,
  kUniversity,
  kFullTime,     // employed full time
  kPartTime,     // employed part time
  kAtHome,       // working age, not employed (homemaker, between jobs)
  kRetired,
};

struct PersonProfile {
  Role role = Role::kRetired;
  int age_band = 0;
  bool young_child = false;   // lives with a child under 10
  bool caregiver = false;     // cares for a family member
  bool club = false;          // school club activities (部活動)
  int commute = 30;           // minutes one way
  int wake = 390, bed = 1380; // usual weekday times, minutes after midnight
  double housework = 0.5;     // share of the household's chores, 0-1
};

bool is_employed(Role role);

// Draws the profile of a resident; rng is the person's own stream.
PersonProfile make_profile(int age_band, const Household& household, Rng& rng);

}  // namespace machi::sim
