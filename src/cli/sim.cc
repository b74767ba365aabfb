#include "cli/sim.h"

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "sim/calendar.h"
#include "sim/episodes.h"

namespace machi::cli {
namespace {

unsigned long long number(const std::string& flag, const std::string& text, unsigned long long min,
                          unsigned long long max) {
  size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || value < min || value > max)
    throw std::invalid_argument(flag + ": bad number " + text);
  return value;
}

int episodes(const std::vector<std::string>& args) {
  sim::EpisodeOptions options;
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--persons") {
      options.persons = number(a, v, 1, 100'000'000);
    } else if (a == "--days") {
      options.days = static_cast<int>(number(a, v, 1, 3660));
    } else if (a == "--seed") {
      options.seed = number(a, v, 0, UINT64_MAX);
    } else if (a == "--start") {
      auto day = sim::parse_date(v);
      if (!day) throw std::invalid_argument("--start must be a date YYYY-MM-DD");
      options.start_day = *day;
    } else if (a == "--out") {
      out = v;
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }
  if (out.empty()) throw std::invalid_argument("sim episodes needs --out FILE.csv (- for standard output)");
  auto started = std::chrono::steady_clock::now();
  std::FILE* file = out == "-" ? stdout : std::fopen(out.c_str(), "wb");
  if (!file) throw std::runtime_error("cannot write " + out);
  sim::EpisodeStats stats;
  try {
    stats = sim::write_episodes_csv(options, file);
    if (std::fflush(file) != 0) throw std::runtime_error("writing " + out + " failed");
  } catch (...) {
    if (file != stdout) std::fclose(file);
    throw;
  }
  if (file != stdout && std::fclose(file) != 0) throw std::runtime_error("writing " + out + " failed");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "machi sim: %zu episodes of %zu persons x %d days (%zu person-days) from %s, %.1f MB, in %.1f s\n",
               stats.episodes, stats.persons, options.days, stats.person_days, sim::format_date(options.start_day).c_str(),
               stats.bytes / 1e6, seconds);
  return 0;
}

}  // namespace

int sim(const std::vector<std::string>& args) {
  if (args.empty()) throw std::invalid_argument("sim needs a subcommand: episodes");
  if (args[0] == "episodes") return episodes({args.begin() + 1, args.end()});
  throw std::invalid_argument("unknown sim subcommand " + args[0]);
}

}  // namespace machi::cli
