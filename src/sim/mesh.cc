#include "sim/mesh.h"

#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace machi::sim {
namespace {

// Positions are counted in milli-arcseconds, rounded once, so that every
// step is integer division: a point exactly on a mesh line (e.g. 35 deg 40')
// cannot fall on the wrong side through a rounding error of lat * 1.5.
constexpr int64_t kMasPerDegree = 3600 * 1000;
constexpr int64_t kLat1 = 40 * 60 * 1000, kLon1 = kMasPerDegree;  // 40', 1 deg
constexpr int64_t kLat2 = kLat1 / 8, kLon2 = kLon1 / 8;            // 5', 7'30"
constexpr int64_t kLat3 = kLat2 / 10, kLon3 = kLon2 / 10;          // 30", 45"

int64_t to_mas(double degrees) { return std::llround(degrees * static_cast<double>(kMasPerDegree)); }

int digit(std::string_view code, size_t i) {
  char c = code[i];
  if (c < '0' || c > '9') throw std::invalid_argument("mesh code must be digits: " + std::string(code));
  return c - '0';
}

}  // namespace

std::string mesh_code(double lat, double lon, int order) {
  if (order < 1 || order > 3) throw std::invalid_argument("mesh order must be 1, 2 or 3");
  if (!(lat >= 0 && lat < 100 / 1.5 && lon >= 100 && lon < 200))
    throw std::invalid_argument("no mesh code for this position");
  int64_t y = to_mas(lat), x = to_mas(lon) - 100 * kMasPerDegree;
  int64_t p = y / kLat1, u = x / kLon1;
  std::string code = std::to_string(p / 10) + std::to_string(p % 10) + std::to_string(u / 10) + std::to_string(u % 10);
  if (order == 1) return code;
  y -= p * kLat1;
  x -= u * kLon1;
  int64_t q = y / kLat2, v = x / kLon2;
  code += std::to_string(q) + std::to_string(v);
  if (order == 2) return code;
  y -= q * kLat2;
  x -= v * kLon2;
  code += std::to_string(y / kLat3) + std::to_string(x / kLon3);
  return code;
}

MeshBox mesh_box(std::string_view code) {
  if (code.size() != 4 && code.size() != 6 && code.size() != 8)
    throw std::invalid_argument("a mesh code has 4, 6 or 8 digits: " + std::string(code));
  int64_t y = (digit(code, 0) * 10 + digit(code, 1)) * kLat1;
  int64_t x = (digit(code, 2) * 10 + digit(code, 3)) * kLon1 + 100 * kMasPerDegree;
  int64_t h = kLat1, w = kLon1;
  if (code.size() >= 6) {
    int q = digit(code, 4), v = digit(code, 5);
    if (q > 7 || v > 7) throw std::invalid_argument("2nd-order mesh digits run 0-7: " + std::string(code));
    y += q * kLat2;
    x += v * kLon2;
    h = kLat2;
    w = kLon2;
  }
  if (code.size() == 8) {
    y += digit(code, 6) * kLat3;
    x += digit(code, 7) * kLon3;
    h = kLat3;
    w = kLon3;
  }
  auto deg = [](int64_t mas) { return static_cast<double>(mas) / static_cast<double>(kMasPerDegree); };
  return {deg(y), deg(x), deg(y + h), deg(x + w)};
}

}  // namespace machi::sim
