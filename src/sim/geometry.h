// Plane geometry for the synthetic city, in longitude / latitude degrees,
// and the GeoJSON it is published as.
#pragma once

#include <vector>

#include "core/json.h"

namespace machi::sim {

struct LonLat {
  double lon = 0, lat = 0;
  bool operator==(const LonLat&) const = default;
};

// A closed ring (first == last), counter-clockwise for an exterior ring as
// RFC 7946 asks.
using Ring = std::vector<LonLat>;

// cos(2 pi turns) from + - * / only: libm's cos may differ in the last bit
// between machines, and the city must not.
double cos_turn(double turns);
inline double sin_turn(double turns) { return cos_turn(turns - 0.25); }

// Metres per degree at a latitude (a sphere is plenty for a city).
double metres_per_degree_lat();
double metres_per_degree_lon(double lat);
double distance_m(LonLat a, LonLat b);

double ring_area_m2(const Ring& ring);   // absolute area
double ring_signed_area(const Ring& ring);  // degrees^2, > 0 when counter-clockwise
LonLat ring_centroid(const Ring& ring);
bool ring_contains(const Ring& ring, LonLat p);  // even-odd rule; edges are undefined

// GeoJSON geometries; coordinates rounded to 1e-6 degree (about 0.1 m).
Json point_json(LonLat p);
Json line_json(const std::vector<LonLat>& line);
Json polygon_json(const Ring& ring);

}  // namespace machi::sim
