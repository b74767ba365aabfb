#include "sim/day_schedule.h"

#include <algorithm>
#include <cmath>

namespace machi::sim {
namespace {

using A = Activity;

int round5(double minutes) { return static_cast<int>(std::lround(minutes / 5)) * 5; }

}  // namespace

void DayPlanner::add(Activity a, double nominal, bool fixed) {
  if (count_ == items_.size() || nominal <= 0) return;
  double minutes = fixed ? nominal : std::max(0.0, rng_->bell(nominal, nominal / 4));
  items_[count_++] = {a, minutes, fixed};
}

void DayPlanner::maybe(double p, Activity a, double nominal, bool fixed) {
  if (rng_->chance(p)) add(a, nominal, fixed);
}

void DayPlanner::plan(const PersonProfile& p, DayType day, Rng& rng, std::vector<Episode>& out) {
  rng_ = &rng;
  count_ = 0;
  bool weekday = day == DayType::kWeekday;
  int wake = p.wake, bed = p.bed;
  // Days off start later and end a little later.
  if (!weekday) {
    wake += p.role == Role::kRetired ? 10 : p.age_band <= 2 ? 40 : 70;
    bed = std::min(1435, bed + (p.age_band >= 3 && p.age_band <= 6 ? 30 : 10));
  }
  switch (p.role) {
    case Role::kInfant:
    case Role::kNursery: child_day(p, weekday && p.role == Role::kNursery); break;
    case Role::kPupil: pupil_day(p, weekday); break;
    case Role::kHighSchool:
    case Role::kUniversity: student_day(p, weekday && (p.role == Role::kHighSchool || rng.chance(0.8))); break;
    case Role::kFullTime:
    case Role::kPartTime: {
      double works = p.role == Role::kFullTime ? (weekday ? 0.97 : day == DayType::kSaturday ? 0.3 : 0.12)
                                               : (weekday ? 0.85 : day == DayType::kSaturday ? 0.25 : 0.15);
      if (rng.chance(works)) {
        work_day(p);
      } else {
        weekend_day(p);
      }
      break;
    }
    case Role::kAtHome:
    case Role::kRetired: home_day(p, weekday); break;
  }
  // Each day varies a little around the person's habits.
  wake = std::clamp(wake + round5(rng.bell(0, 8)), 240, 660);
  bed = std::clamp(bed + round5(rng.bell(0, 10)), 1140, 1440);
  fill(wake, bed, out);
}

// Under 5: nursery on weekdays for most, a nap, play, meals and care.
void DayPlanner::child_day(const PersonProfile& p, bool nursery) {
  add(A::kPersonalCare, 35);
  add(A::kMeals, 30);
  if (nursery) {
    add(A::kTravel, 15, true);
    add(A::kOther, 480, true);  // 保育所・幼稚園: outside the survey's categories
    add(A::kTravel, 15, true);
    add(A::kHobbies, 70);
  } else {
    add(A::kHobbies, 120);
    add(A::kMeals, 40);
    add(A::kSleep, 90, true);  // the afternoon nap
    maybe(0.4, A::kTravel, 40);
    maybe(0.3, A::kShopping, 40);
    add(A::kHobbies, 90);
  }
  add(A::kMeals, 40);
  add(A::kMedia, 40);
  add(A::kPersonalCare, 40);  // bath
  add(A::kRest, 20);
}

// Elementary and junior high school: lessons with school lunch (給食).
void DayPlanner::pupil_day(const PersonProfile& p, bool school_day) {
  add(A::kPersonalCare, 25);
  add(A::kMeals, 20);
  if (school_day) {
    add(A::kCommuting, p.commute, true);
    add(A::kStudy, 200, true);
    add(A::kMeals, 40, true);
    add(A::kStudy, p.age_band == 1 ? 110 : 150, true);
    if (p.club) add(A::kSports, 100, true);
    add(A::kCommuting, p.commute, true);
    add(A::kHobbies, p.club ? 40 : 90);
    add(A::kStudy, p.age_band == 1 ? 35 : 60);  // homework
  } else {
    if (p.club) maybe(0.5, A::kSports, 180, true);
    add(A::kHobbies, 150);
    add(A::kMeals, 45);
    maybe(0.35, A::kTravel, 60);
    maybe(0.25, A::kShopping, 45);
    add(A::kStudy, 45);
    maybe(0.15, A::kSocial, 90);
  }
  add(A::kMeals, 40);
  add(A::kMedia, 60);
  add(A::kPersonalCare, 35);
  add(A::kRest, 20);
}

// High school and university.
void DayPlanner::student_day(const PersonProfile& p, bool school_day) {
  bool university = p.role == Role::kUniversity;
  add(A::kPersonalCare, 30);
  add(A::kMeals, 20);
  if (school_day) {
    add(A::kCommuting, p.commute, true);
    add(A::kStudy, university ? 180 : 210, true);
    add(A::kMeals, 45, true);
    add(A::kStudy, university ? 120 : 150, true);
    if (p.club) add(A::kSports, 110, true);
    add(A::kCommuting, p.commute, true);
    if (university && rng_->chance(0.4)) add(A::kWork, 240, true);  // a part-time job (アルバイト)
    add(A::kStudy, 70);
  } else {
    if (p.club) maybe(0.5, A::kSports, 180, true);
    add(A::kHobbies, 150);
    add(A::kMeals, 45);
    maybe(0.3, A::kTravel, 60);
    maybe(0.3, A::kSocial, 120);
    maybe(university ? 0.4 : 0.1, A::kWork, 300, true);
    add(A::kStudy, 80);
  }
  add(A::kMeals, 40);
  add(A::kHobbies, 60);
  add(A::kMedia, 50);
  add(A::kPersonalCare, 35);
  add(A::kRest, 30);
}

// A working day: full time (8 h and overtime, lunch at work) or part time.
void DayPlanner::work_day(const PersonProfile& p) {
  add(A::kPersonalCare, 30);
  add(A::kMeals, 20);
  if (p.role == Role::kFullTime) {
    static constexpr std::array<double, 5> kOvertimeWeights = {0.35, 0.2, 0.2, 0.15, 0.1};
    static constexpr std::array<int, 5> kOvertime = {0, 30, 60, 120, 180};
    double total = 480 + kOvertime[rng_->weighted(kOvertimeWeights)];
    double morning = round5(total * rng_->uniform(0.42, 0.5));
    add(A::kCommuting, p.commute, true);
    add(A::kWork, morning, true);
    add(A::kMeals, 45, true);
    add(A::kWork, total - morning, true);
    add(A::kCommuting, p.commute, true);
  } else {
    add(A::kHousework, 40 * p.housework + 10);
    add(A::kCommuting, p.commute, true);
    add(A::kWork, round5(rng_->uniform(240, 420)), true);
    add(A::kCommuting, p.commute, true);
    maybe(0.5, A::kShopping, 35);
    add(A::kHousework, 90 * p.housework);
  }
  maybe(0.2, A::kShopping, 25);
  evening(p);
}

// The evening at home after work or school.
void DayPlanner::evening(const PersonProfile& p) {
  add(A::kMeals, 40);
  add(A::kHousework, 70 * p.housework);
  if (p.young_child) add(A::kChildcare, 60 * p.housework + 20);
  if (p.caregiver) add(A::kCaregiving, 45);
  add(A::kMedia, 60);
  maybe(0.15, A::kHobbies, 50);
  maybe(0.12, A::kLearning, 45);
  maybe(0.06, A::kSports, 45);
  maybe(0.08, A::kSocial, 90);
  maybe(0.1, A::kOther, 30);
  add(A::kPersonalCare, 35);  // bath
  add(A::kRest, 50);
}

// At home on a weekday or a day off: homemakers and retired people; the
// older, the more television, rest and doctor's visits.
void DayPlanner::home_day(const PersonProfile& p, bool weekday) {
  bool old = p.age_band >= 15;
  add(A::kPersonalCare, old ? 50 : 40);
  add(A::kMeals, 35);
  add(A::kHousework, 140 * p.housework);
  if (p.young_child) add(A::kChildcare, 140);
  if (p.caregiver) add(A::kCaregiving, 110);
  double medical = p.age_band >= 17 ? 0.3 : p.age_band >= 15 ? 0.25 : p.age_band >= 13 ? 0.15 : 0.06;
  maybe(weekday ? medical : medical / 6, A::kMedical, 100);
  maybe(0.5, A::kShopping, 50);
  maybe(p.age_band >= 13 && p.age_band <= 15 ? 0.4 : 0.2, A::kSports, 45);  // walking, gymnastics
  maybe(0.15, A::kSocial, 90);
  maybe(weekday ? 0.07 : 0.04, A::kVolunteering, 100);
  maybe(0.1, A::kLearning, 80);
  add(A::kMeals, 40);
  add(A::kRest, old ? 130 : 90);
  maybe(0.5, A::kHobbies, 90);
  maybe(0.45, A::kTravel, 45);
  maybe(0.3, A::kOther, 40);
  add(A::kMedia, old ? 150 : 100);
  add(A::kHousework, 60 * p.housework);
  add(A::kMeals, 45);
  add(A::kMedia, old ? 70 : 50);
  add(A::kPersonalCare, 40);
}

// A day off for someone who works.
void DayPlanner::weekend_day(const PersonProfile& p) {
  add(A::kPersonalCare, 40);
  add(A::kMeals, 35);
  add(A::kHousework, 90 * p.housework + 20);
  if (p.young_child) add(A::kChildcare, 150 * p.housework + 30);
  if (p.caregiver) add(A::kCaregiving, 90);
  maybe(0.6, A::kShopping, 60);
  maybe(0.5, A::kTravel, 75);
  add(A::kMeals, 40);
  maybe(0.6, A::kHobbies, 120);
  maybe(0.2, A::kSports, 90);
  maybe(0.2, A::kSocial, 120);
  maybe(0.1, A::kLearning, 90);
  maybe(0.03, A::kVolunteering, 120);
  maybe(0.2, A::kOther, 40);
  add(A::kRest, 100);
  add(A::kMedia, 90);
  add(A::kMeals, 45);
  add(A::kMedia, 40);
  add(A::kPersonalCare, 40);
}

void DayPlanner::fill(int wake, int bed, std::vector<Episode>& out) const {
  double fixed = 0, flexible = 0;
  for (size_t k = 0; k < count_; ++k) (items_[k].fixed ? fixed : flexible) += items_[k].minutes;
  // Flexible activities may shrink to 40% before bedtime moves.
  constexpr double kMinStretch = 0.4;
  int needed = round5(fixed + kMinStretch * flexible + 2.5);
  if (bed - wake < needed) bed = std::min(1440, wake + needed);
  if (bed - wake < needed) wake = std::max(0, bed - needed);
  double span = bed - wake;
  // Spare time goes mostly to leisure: meals and personal care stretch
  // little, housework somewhat, the rest fully.
  auto elasticity = [](Activity a) {
    switch (a) {
      case A::kMeals:
      case A::kPersonalCare: return 0.1;
      case A::kHousework:
      case A::kChildcare: return 0.6;
      default: return 1.0;
    }
  };
  double elastic = 0;
  for (size_t k = 0; k < count_; ++k)
    if (!items_[k].fixed) elastic += items_[k].minutes * elasticity(items_[k].activity);
  double fixed_scale = 1, flexible_scale = 1, slack_per_elastic = 0;
  if (fixed + kMinStretch * flexible > span) {
    fixed_scale = flexible_scale = span / (fixed + flexible);  // a day too full: everything shrinks
  } else if (fixed + flexible > span) {
    flexible_scale = (span - fixed) / flexible;
  } else if (elastic > 0) {
    slack_per_elastic = (span - fixed - flexible) / elastic;
  } else if (fixed > 0) {
    fixed_scale = span / fixed;
  }
  out.clear();
  auto push = [&out](Activity a, int start, int end) {
    if (end <= start) return;
    if (!out.empty() && out.back().activity == a) {
      out.back().end = static_cast<int16_t>(end);
    } else {
      out.push_back({a, static_cast<int16_t>(start), static_cast<int16_t>(end)});
    }
  };
  push(A::kSleep, 0, wake);
  // Ends are rounded cumulatively, so the grid never drifts and the last
  // activity ends exactly at bedtime.
  double cumulative = wake;
  int start = wake;
  for (size_t k = 0; k < count_; ++k) {
    const Item& item = items_[k];
    cumulative += item.fixed ? item.minutes * fixed_scale
                             : item.minutes * (flexible_scale + slack_per_elastic * elasticity(item.activity));
    int end = k + 1 == count_ ? bed : std::min(bed, round5(cumulative));
    push(items_[k].activity, start, end);
    start = std::max(start, end);
  }
  if (start < bed) push(A::kRest, start, bed);
  push(A::kSleep, bed, 1440);
}

}  // namespace machi::sim
