// The ground plan of デモ市: a lattice of 12 x 12 cells of about 400 m,
// bent and jittered so that it does not look ruled. Each cell is one 町丁目
// (TownArea); each 3 x 3 block of cells is one elementary-school district
// (District); the districts form a 4 x 4 grid without its corners, and the
// city is their union.
//
// Every polygon is built from the same lattice nodes, so the union of a
// district's areas is exactly the district, and the union of the districts
// exactly the city. Points are placed in lattice coordinates (u, v) — cell
// (i, j) spans [i, i+1] x [j, j+1] — and mapped to lon/lat bilinearly inside
// their cell, so a point inside a cell is inside that area's polygon.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/geometry.h"
#include "sim/place_names.h"
#include "sim/rng.h"

namespace machi::sim {

inline constexpr int kCells = 12;  // cells per side of the lattice
inline constexpr int kBlock = 3;   // cells per side of a district

// A position in lattice coordinates.
struct UV {
  double u = 0, v = 0;
};

struct Area {
  int index = 0;        // in district order, then south to north, west to east
  int district = 0;     // index into CityLayout::districts()
  int i = 0, j = 0;     // its lattice cell
  std::string id;       // urn:ngsi-ld:TownArea:122998-0101
  std::string town;     // 中央
  int chome = 1;        // 1-3
  std::string name;     // 中央一丁目
  Ring ring;
  LonLat centroid;
};

struct District {
  int index = 0;
  std::string code;     // "01" ... "12"
  std::string id;       // urn:ngsi-ld:District:122998-01
  std::string name;     // 中央小学校区
  std::string school;   // 中央
  DistrictKind kind = DistrictKind::kSuburb;
  int ci = 0, cj = 0;   // position in the district grid
  Ring ring;
  std::vector<int> areas;
};

class CityLayout {
 public:
  explicit CityLayout(uint64_t seed);

  const std::string& municipality_code() const { return code_; }
  const std::string& municipality_id() const { return id_; }
  const Ring& outline() const { return outline_; }
  const std::vector<District>& districts() const { return districts_; }
  const std::vector<Area>& areas() const { return areas_; }

  bool in_city(int i, int j) const;
  // Lattice to lon/lat; extrapolates beyond the lattice (roads and the
  // river run on past the city).
  LonLat at(UV p) const;
  // The area containing p, or nullptr outside the city.
  const Area* area_at(UV p) const;
  const District& district_of(const Area& a) const { return districts_[a.district]; }
  // A point of area a at (s, t) in its cell, both in [0, 1].
  static UV in_area(const Area& a, double s, double t) { return {a.i + s, a.j + t}; }

  // The river デモ川 along the south, west to east, and the railway along
  // v = 6.5, both as lattice paths that extend beyond the city.
  static double river_v(double u);
  static std::vector<UV> river_path();
  static double railway_v(double u);
  static std::vector<UV> railway_path();

  // A Japanese street address within the area at p: 中央一丁目7番12号.
  // The 番 follows the position in the area; the 号 is drawn from rng.
  std::string street_address(UV p, Rng& rng) const;

 private:
  void place_nodes(Rng& rng);
  void build_districts();
  Ring ring_of(const std::vector<std::pair<int, int>>& cells) const;

  std::string code_, id_;
  LonLat nodes_[kCells + 1][kCells + 1];
  Ring outline_;
  std::vector<District> districts_;
  std::vector<Area> areas_;
  int area_index_[kCells][kCells];
};

}  // namespace machi::sim
