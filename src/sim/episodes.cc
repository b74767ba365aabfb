#include "sim/episodes.h"

#include <cstring>
#include <stdexcept>

#include "sim/city_layout.h"

namespace machi::sim {
namespace {

// Appends to a large buffer and writes it out in big blocks: the CSV of
// 100,000 persons x 30 days is some 40 million lines, and anything done per
// line beyond a few memcpy shows.
class CsvBuffer {
 public:
  explicit CsvBuffer(std::FILE* out) : out_(out), data_(kSize) {}
  ~CsvBuffer() {
    try {
      flush();
    } catch (...) {
    }
  }
  void append(const char* s, size_t n) {
    if (used_ + n > kSize) flush();
    std::memcpy(data_.data() + used_, s, n);
    used_ += n;
  }
  void append(const std::string& s) { append(s.data(), s.size()); }
  void flush() {
    if (used_ == 0) return;
    if (std::fwrite(data_.data(), 1, used_, out_) != used_) throw std::runtime_error("writing the episodes failed");
    written_ += used_;
    used_ = 0;
  }
  uint64_t written() const { return written_ + used_; }

 private:
  static constexpr size_t kSize = 4 << 20;
  std::FILE* out_;
  std::vector<char> data_;
  size_t used_ = 0;
  uint64_t written_ = 0;
};

// "HH:MM," for every 5-minute step of the day, 00:00 to 24:00.
struct ClockTable {
  char text[289][6];
  ClockTable() {
    for (int k = 0; k <= 288; ++k) {
      int m = k * 5;
      text[k][0] = static_cast<char>('0' + m / 600);
      text[k][1] = static_cast<char>('0' + m / 60 % 10);
      text[k][2] = ':';
      text[k][3] = static_cast<char>('0' + m % 60 / 10);
      text[k][4] = static_cast<char>('0' + m % 10);
      text[k][5] = ',';
    }
  }
};

}  // namespace

void generate_episodes(const EpisodeOptions& options, const std::function<void(const PersonDay&)>& on_day) {
  CityLayout layout(options.seed);
  Population population = generate_population(layout, options.persons, options.seed);
  Rng base(options.seed, "episodes");
  std::vector<DayType> day_types;
  for (int d = 0; d < options.days; ++d) day_types.push_back(day_type(options.start_day + d));
  DayPlanner planner;
  std::vector<Episode> episodes;
  episodes.reserve(64);
  for (size_t i = 0; i < population.residents.size(); ++i) {
    const Resident& r = population.residents[i];
    const Household& h = population.households[r.household];
    const District& district = layout.district_of(layout.areas()[h.area]);
    // Each person has their own stream: a person's days do not depend on
    // anyone drawn before them.
    Rng rng = base.fork(i);
    PersonProfile profile = make_profile(r.age_band, h, rng);
    for (int d = 0; d < options.days; ++d) {
      planner.plan(profile, day_types[d], rng, episodes);
      on_day({i, r, district, profile, options.start_day + d, day_types[d], episodes});
    }
  }
}

EpisodeStats write_episodes_csv(const EpisodeOptions& options, std::FILE* out) {
  static const ClockTable clock;
  CsvBuffer csv(out);
  csv.append(std::string("person_id,district,age_band,day,start,end,activity\n"));
  std::vector<std::string> days;
  for (int d = 0; d < options.days; ++d) days.push_back(format_date(options.start_day + d) + ",");
  std::string codes[kActivityCount];
  for (int a = 0; a < kActivityCount; ++a) codes[a] = std::string(activity_code(static_cast<Activity>(a))) + "\n";
  EpisodeStats stats;
  std::string prefix;
  size_t prefix_of = SIZE_MAX;
  generate_episodes(options, [&](const PersonDay& pd) {
    if (pd.person != prefix_of) {
      prefix = pd.resident.pseudonym + "," + pd.district.code + "," + age_band_name(pd.resident.age_band) + ",";
      prefix_of = pd.person;
      stats.persons++;
    }
    const std::string& day = days[pd.day - options.start_day];
    for (const Episode& e : pd.episodes) {
      csv.append(prefix);
      csv.append(day);
      csv.append(clock.text[e.start / 5], 6);
      csv.append(clock.text[e.end / 5], 6);
      csv.append(codes[static_cast<int>(e.activity)]);
    }
    stats.person_days++;
    stats.episodes += pd.episodes.size();
  });
  csv.flush();
  stats.bytes = csv.written();
  return stats;
}

}  // namespace machi::sim
