// Standard grid squares (地域メッシュ, JIS X 0410) for cutting aggregates.
//
// 1st order (第1次地域区画, ~80 km): 40' of latitude x 1 degree of longitude,
//   code = floor(lat * 1.5) (2 digits) followed by floor(lon - 100) (2 digits).
// 2nd order (第2次地域区画, ~10 km): the 1st order cut 8 x 8 (5' x 7'30"),
//   adding one digit for the row (south to north) then one for the column.
// 3rd order (第3次地域区画 / 基準地域メッシュ, ~1 km): the 2nd cut 10 x 10
//   (30" x 45"), again row digit then column digit: 8 digits in all.
// Example: Tokyo Station (35.681236 N, 139.767125 E) is 5339 / 533946 / 53394611.
#pragma once

#include <string>
#include <string_view>

namespace machi::sim {

struct MeshBox {
  double south, west, north, east;  // degrees
};

// The code of the mesh of the given order (1, 2 or 3) containing the point.
// A point on a mesh line belongs to the mesh north / east of it (positions
// are first rounded to 1 milli-arcsecond, about 3 cm). Throws
// std::invalid_argument outside the range codes exist for (lat 0..66.66,
// lon 100..200) or for another order.
std::string mesh_code(double lat, double lon, int order);

// The bounds of a 4-, 6- or 8-digit mesh code; throws std::invalid_argument
// for anything else.
MeshBox mesh_box(std::string_view code);

}  // namespace machi::sim
