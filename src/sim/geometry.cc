#include "sim/geometry.h"

#include <cmath>

namespace machi::sim {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEarthRadius = 6371008.8;  // mean radius, metres

double round6(double x) { return std::round(x * 1e6) / 1e6; }

Json position(LonLat p) { return Json::array({round6(p.lon), round6(p.lat)}); }

}  // namespace

double cos_turn(double turns) {
  // Reduce to x in [-pi, pi], then the Taylor series to x^22 (error < 1e-10).
  double r = turns - std::floor(turns + 0.5);
  double x = 2 * kPi * r, x2 = x * x;
  double term = 1, sum = 1;
  for (int k = 1; k <= 11; ++k) {
    term *= -x2 / ((2 * k - 1) * (2 * k));
    sum += term;
  }
  return sum;
}

double metres_per_degree_lat() { return kEarthRadius * kPi / 180; }

double metres_per_degree_lon(double lat) { return metres_per_degree_lat() * cos_turn(lat / 360); }

double distance_m(LonLat a, LonLat b) {
  double dx = (a.lon - b.lon) * metres_per_degree_lon((a.lat + b.lat) / 2);
  double dy = (a.lat - b.lat) * metres_per_degree_lat();
  return std::sqrt(dx * dx + dy * dy);
}

double ring_signed_area(const Ring& ring) {
  double twice = 0;
  for (size_t k = 0; k + 1 < ring.size(); ++k) twice += ring[k].lon * ring[k + 1].lat - ring[k + 1].lon * ring[k].lat;
  return twice / 2;
}

double ring_area_m2(const Ring& ring) {
  if (ring.empty()) return 0;
  double lat = ring_centroid(ring).lat;
  return std::abs(ring_signed_area(ring)) * metres_per_degree_lat() * metres_per_degree_lon(lat);
}

LonLat ring_centroid(const Ring& ring) {
  double a = 0, cx = 0, cy = 0;
  // Relative to the first vertex, to keep the products small.
  LonLat o = ring.front();
  for (size_t k = 0; k + 1 < ring.size(); ++k) {
    double x0 = ring[k].lon - o.lon, y0 = ring[k].lat - o.lat;
    double x1 = ring[k + 1].lon - o.lon, y1 = ring[k + 1].lat - o.lat;
    double cross = x0 * y1 - x1 * y0;
    a += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  if (a == 0) return o;
  return {o.lon + cx / (3 * a), o.lat + cy / (3 * a)};
}

bool ring_contains(const Ring& ring, LonLat p) {
  bool inside = false;
  for (size_t k = 0; k + 1 < ring.size(); ++k) {
    LonLat a = ring[k], b = ring[k + 1];
    if ((a.lat > p.lat) != (b.lat > p.lat)) {
      double x = a.lon + (p.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
      if (p.lon < x) inside = !inside;
    }
  }
  return inside;
}

Json point_json(LonLat p) { return {{"type", "Point"}, {"coordinates", position(p)}}; }

Json line_json(const std::vector<LonLat>& line) {
  Json coordinates = Json::array();
  for (LonLat p : line) coordinates.push_back(position(p));
  return {{"type", "LineString"}, {"coordinates", std::move(coordinates)}};
}

Json polygon_json(const Ring& ring) {
  Json outer = Json::array();
  for (LonLat p : ring) outer.push_back(position(p));
  return {{"type", "Polygon"}, {"coordinates", Json::array({std::move(outer)})}};
}

}  // namespace machi::sim
