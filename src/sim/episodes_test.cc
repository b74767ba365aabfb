#include "sim/episodes.h"

#include <gtest/gtest.h>
#include <stdio.h>

#include <chrono>
#include <map>
#include <string>

namespace machi::sim {
namespace {

std::string csv_of(const EpisodeOptions& options) {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&data, &size);
  write_episodes_csv(options, f);
  std::fclose(f);
  std::string out(data, size);
  free(data);
  return out;
}

TEST(EpisodesTest, EveryPersonDayCoversTwentyFourHours) {
  EpisodeOptions options{2000, 14, 3};
  size_t days = 0;
  generate_episodes(options, [&](const PersonDay& pd) {
    days++;
    const auto& e = pd.episodes;
    ASSERT_FALSE(e.empty());
    EXPECT_EQ(e.front().start, 0);
    EXPECT_EQ(e.back().end, 1440);
    for (size_t k = 0; k < e.size(); ++k) {
      EXPECT_LT(e[k].start, e[k].end);
      EXPECT_EQ(e[k].start % 5, 0);
      if (k > 0) {
        EXPECT_EQ(e[k].start, e[k - 1].end);  // contiguous, no overlap
        EXPECT_NE(e[k].activity, e[k - 1].activity);
      }
    }
  });
  EXPECT_EQ(days, 2000u * 14);
}

struct Totals {
  double minutes = 0;
  size_t days = 0;
  double mean() const { return days ? minutes / days : 0; }
};

int minutes_of(const std::vector<Episode>& episodes, Activity a) {
  int m = 0;
  for (const Episode& e : episodes) m += e.activity == a ? e.end - e.start : 0;
  return m;
}

TEST(EpisodesTest, TotalsArePlausible) {
  EpisodeOptions options{5000, 14, 11};
  Totals sleep, work, old_media_rest, working_media_rest, pupil_study;
  std::map<Activity, double> all;  // persons 10+, as the survey counts
  size_t all_days = 0;
  generate_episodes(options, [&](const PersonDay& pd) {
    if (pd.profile.age_band >= 2) {
      all_days++;
      for (const Episode& e : pd.episodes) all[e.activity] += e.end - e.start;
    }
    sleep.minutes += minutes_of(pd.episodes, Activity::kSleep);
    sleep.days++;
    bool weekday = pd.day_type == DayType::kWeekday;
    int band = pd.profile.age_band;
    if (weekday && is_employed(pd.profile.role) && band >= 3 && band <= 12) {
      work.minutes += minutes_of(pd.episodes, Activity::kWork);
      work.days++;
    }
    if (weekday) {
      int media_rest = minutes_of(pd.episodes, Activity::kMedia) + minutes_of(pd.episodes, Activity::kRest);
      if (band >= 15) {
        old_media_rest.minutes += media_rest;
        old_media_rest.days++;
      } else if (band >= 5 && band <= 11) {
        working_media_rest.minutes += media_rest;
        working_media_rest.days++;
      }
      if (pd.profile.role == Role::kPupil) {
        pupil_study.minutes += minutes_of(pd.episodes, Activity::kStudy);
        pupil_study.days++;
      }
    }
  });
  std::printf("mean sleep %.0f min/day, employed weekday work %.0f, media+rest 75+ %.0f vs 25-59 %.0f, pupils' study %.0f\n",
              sleep.mean(), work.mean(), old_media_rest.mean(), working_media_rest.mean(), pupil_study.mean());
  std::string line;
  for (const auto& [a, minutes] : all) {
    line += std::string(activity_code(a)) + " " + std::to_string(static_cast<int>(minutes / all_days)) + ", ";
  }
  std::printf("mean minutes per day, 10+: %s\n", line.c_str());
  // 社会生活基本調査 2021: sleep 7 h 54 min on average (10+); ours includes children.
  EXPECT_GE(sleep.mean(), 420);
  EXPECT_LE(sleep.mean(), 540);
  EXPECT_GE(work.mean(), 300);
  EXPECT_LE(work.mean(), 600);
  EXPECT_GT(old_media_rest.mean(), working_media_rest.mean() + 60);
  EXPECT_GT(pupil_study.mean(), 300);
}

TEST(EpisodesTest, CsvIsDeterministicForASeed) {
  EpisodeOptions options{300, 5, 21};
  std::string a = csv_of(options), b = csv_of(options);
  EXPECT_EQ(a, b);
  options.seed = 22;
  EXPECT_NE(a, csv_of(options));
  EXPECT_EQ(a.substr(0, a.find('\n')), "person_id,district,age_band,day,start,end,activity");
}

TEST(EpisodesTest, CsvLinesHaveTheContractColumns) {
  EpisodeOptions options{50, 3, 5};
  std::string csv = csv_of(options);
  size_t lines = 0, pos = csv.find('\n') + 1;
  while (pos < csv.size()) {
    size_t end = csv.find('\n', pos);
    std::string line = csv.substr(pos, end - pos);
    pos = end + 1;
    lines++;
    std::vector<std::string> fields;
    size_t from = 0;
    for (size_t comma; (comma = line.find(',', from)) != std::string::npos; from = comma + 1)
      fields.push_back(line.substr(from, comma - from));
    fields.push_back(line.substr(from));
    ASSERT_EQ(fields.size(), 7u) << line;
    EXPECT_EQ(fields[0].size(), 16u);
    EXPECT_EQ(fields[1].size(), 2u);
    EXPECT_TRUE(fields[3] >= "2025-10-01" && fields[3] <= "2025-10-03") << line;
    EXPECT_EQ(fields[4].size(), 5u);
    EXPECT_EQ(fields[5].size(), 5u);
    EXPECT_LE(fields[5], "24:00");
  }
  EXPECT_GT(lines, 50u * 3 * 5);
}

TEST(EpisodesTest, PersonsAreTheDemoCityResidents) {
  EpisodeOptions options{400, 1, 9};
  CityLayout layout(9);
  Population population = generate_population(layout, 400, 9);
  generate_episodes(options, [&](const PersonDay& pd) {
    const Resident& r = population.residents[pd.person];
    EXPECT_EQ(pd.resident.pseudonym, r.pseudonym);
    EXPECT_EQ(pd.resident.age_band, r.age_band);
    EXPECT_EQ(pd.district.id, layout.district_of(layout.areas()[population.area_of(r)]).id);
  });
}

TEST(EpisodesTest, GenerationRate) {
  EpisodeOptions options{5000, 30, 1};
  std::FILE* devnull = std::fopen("/dev/null", "w");
  auto start = std::chrono::steady_clock::now();
  EpisodeStats stats = write_episodes_csv(options, devnull);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fclose(devnull);
  std::printf("%zu person-days, %zu episodes, %.1f MB in %.2f s (%.0f person-days/s)\n", stats.person_days,
              stats.episodes, stats.bytes / 1e6, seconds, stats.person_days / seconds);
  EXPECT_EQ(stats.person_days, 150000u);
}

}  // namespace
}  // namespace machi::sim
