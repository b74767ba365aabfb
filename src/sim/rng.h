// Deterministic randomness for the synthetic city. The standard library's
// distributions (std::normal_distribution, std::uniform_int_distribution...)
// are free to differ between library versions, and the demo city must come
// out the same for a seed on every machine, so machi draws from SplitMix64
// and shapes the numbers itself with integer and +-*/ arithmetic only.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace machi::sim {

// The SplitMix64 finalizer: a good 64-bit mixing function.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a, to turn a stream name into a number.
constexpr uint64_t hash_name(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(mix64(seed)) {}
  // An independent stream per purpose ("layout", "residents", ...), so that
  // changing how many residents are drawn does not move the facilities.
  Rng(uint64_t seed, std::string_view stream) : state_(mix64(seed ^ hash_name(stream))) {}
  // A sub-stream, e.g. one per sensor or per person.
  Rng fork(uint64_t k) const { return Rng(state_ ^ mix64(k + 0x632be59bd9b4e019ULL)); }

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // [0, n) by multiply-high (the bias for n << 2^64 is far below anything visible).
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
  // [lo, hi], inclusive.
  int range(int lo, int hi) { return lo + static_cast<int>(below(static_cast<uint64_t>(hi - lo + 1))); }
  bool chance(double p) { return uniform() < p; }
  // Bell-shaped with the given mean and standard deviation: the sum of four
  // uniforms (Irwin-Hall), bounded to mean +- 3.46 sd, which suits durations
  // and measurements better than unbounded tails would.
  double bell(double mean, double sd) {
    double s = uniform() + uniform() + uniform() + uniform();  // mean 2, variance 1/3
    return mean + (s - 2.0) * 1.7320508075688772 * sd;
  }
  // An index drawn with probability proportional to weights[i] (>= 0).
  size_t weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.empty() ? 0 : weights.size() - 1;
  }

 private:
  uint64_t state_;
};

}  // namespace machi::sim
