#include "sim/city_layout.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "sim/municipality_code.h"

namespace machi::sim {
namespace {

// The south-west corner of the lattice and the size of a cell: the city is
// centred near 35.88 N 139.94 E (north-west 千葉県), cells are about 400 m.
constexpr double kCentreLon = 139.94, kCentreLat = 35.88;
constexpr double kCellLon = 0.0045, kCellLat = 0.0036;

using Node = std::pair<int, int>;

std::string two_digits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

}  // namespace

CityLayout::CityLayout(uint64_t seed) {
  code_ = sim::municipality_code(kPrefectureCode, kCityNumber);
  id_ = "urn:ngsi-ld:Municipality:" + code_;
  Rng rng(seed, "layout");
  place_nodes(rng);
  build_districts();
}

void CityLayout::place_nodes(Rng& rng) {
  // A gentle warp (a few hundred metres over the city) bends the streets;
  // jitter of up to 12% of a cell moves each node. Both stay small enough
  // that every cell remains a convex quadrilateral.
  double phase_u = rng.uniform(), phase_v = rng.uniform();
  double lon0 = kCentreLon - kCells / 2.0 * kCellLon, lat0 = kCentreLat - kCells / 2.0 * kCellLat;
  for (int i = 0; i <= kCells; ++i) {
    for (int j = 0; j <= kCells; ++j) {
      double du = 0.22 * sin_turn(j / 14.0 + phase_u) + rng.uniform(-0.12, 0.12);
      double dv = 0.22 * sin_turn(i / 13.0 + phase_v) + rng.uniform(-0.12, 0.12);
      nodes_[i][j] = {lon0 + (i + du) * kCellLon, lat0 + (j + dv) * kCellLat};
    }
  }
}

bool CityLayout::in_city(int i, int j) const {
  if (i < 0 || j < 0 || i >= kCells || j >= kCells) return false;
  int ci = i / kBlock, cj = j / kBlock, last = kCells / kBlock - 1;
  bool corner = (ci == 0 || ci == last) && (cj == 0 || cj == last);
  return !corner;
}

LonLat CityLayout::at(UV p) const {
  int i = std::clamp(static_cast<int>(std::floor(p.u)), 0, kCells - 1);
  int j = std::clamp(static_cast<int>(std::floor(p.v)), 0, kCells - 1);
  double s = p.u - i, t = p.v - j;
  const LonLat &a = nodes_[i][j], &b = nodes_[i + 1][j], &c = nodes_[i][j + 1], &d = nodes_[i + 1][j + 1];
  return {(1 - s) * (1 - t) * a.lon + s * (1 - t) * b.lon + (1 - s) * t * c.lon + s * t * d.lon,
          (1 - s) * (1 - t) * a.lat + s * (1 - t) * b.lat + (1 - s) * t * c.lat + s * t * d.lat};
}

const Area* CityLayout::area_at(UV p) const {
  int i = static_cast<int>(std::floor(p.u)), j = static_cast<int>(std::floor(p.v));
  if (!in_city(i, j)) return nullptr;
  return &areas_[area_index_[i][j]];
}

// The boundary of a set of cells, counter-clockwise: every cell edge whose
// neighbour across it is not in the set, chained end to start. The sets
// used here are simply connected and never touch themselves at a corner,
// so each boundary node has exactly one outgoing edge.
Ring CityLayout::ring_of(const std::vector<Node>& cells) const {
  std::set<Node> in(cells.begin(), cells.end());
  std::map<Node, Node> next;
  for (auto [i, j] : cells) {
    if (!in.contains({i, j - 1})) next[{i, j}] = {i + 1, j};
    if (!in.contains({i + 1, j})) next[{i + 1, j}] = {i + 1, j + 1};
    if (!in.contains({i, j + 1})) next[{i + 1, j + 1}] = {i, j + 1};
    if (!in.contains({i - 1, j})) next[{i, j + 1}] = {i, j};
  }
  Node start = next.begin()->first;
  Ring ring;
  Node n = start;
  do {
    ring.push_back(nodes_[n.first][n.second]);
    n = next.at(n);
  } while (n != start && ring.size() <= next.size());
  if (ring.size() != next.size()) throw std::logic_error("city layout: a boundary is not one simple ring");
  ring.push_back(ring.front());
  return ring;
}

void CityLayout::build_districts() {
  std::vector<Node> city_cells;
  const auto& specs = district_specs();
  for (size_t d = 0; d < specs.size(); ++d) {
    const DistrictSpec& spec = specs[d];
    District district;
    district.index = static_cast<int>(d);
    district.code = two_digits(static_cast<int>(d) + 1);
    district.id = "urn:ngsi-ld:District:" + code_ + "-" + district.code;
    district.school = spec.school;
    district.name = std::string(spec.school) + "小学校区";
    district.kind = spec.kind;
    district.ci = spec.ci;
    district.cj = spec.cj;
    std::vector<Node> cells;
    for (int r = 0; r < kBlock; ++r) {
      for (int c = 0; c < kBlock; ++c) {
        Area area;
        area.index = static_cast<int>(areas_.size());
        area.district = district.index;
        area.i = spec.ci * kBlock + c;
        area.j = spec.cj * kBlock + r;
        if (!in_city(area.i, area.j)) throw std::logic_error("city layout: a district lies outside the city");
        area.id = "urn:ngsi-ld:TownArea:" + code_ + "-" + district.code + two_digits(r * kBlock + c + 1);
        area.town = spec.towns[r];
        area.chome = c + 1;
        area.name = area.town + kanji_number(area.chome) + "丁目";
        area.ring = ring_of({{area.i, area.j}});
        area.centroid = ring_centroid(area.ring);
        area_index_[area.i][area.j] = area.index;
        district.areas.push_back(area.index);
        cells.emplace_back(area.i, area.j);
        areas_.push_back(std::move(area));
      }
    }
    district.ring = ring_of(cells);
    city_cells.insert(city_cells.end(), cells.begin(), cells.end());
    districts_.push_back(std::move(district));
  }
  outline_ = ring_of(city_cells);
}

double CityLayout::river_v(double u) { return 1.3 + 0.45 * cos_turn((u + 1) / 9.0); }

std::vector<UV> CityLayout::river_path() {
  std::vector<UV> path;
  for (double u = -2; u <= kCells + 2 + 1e-9; u += 0.25) path.push_back({u, river_v(u)});
  return path;
}

double CityLayout::railway_v(double u) { return 6.5 + 0.12 * sin_turn(u / 16.0); }

std::vector<UV> CityLayout::railway_path() {
  std::vector<UV> path;
  for (double u = -2; u <= kCells + 2 + 1e-9; u += 0.5) path.push_back({u, railway_v(u)});
  return path;
}

std::string CityLayout::street_address(UV p, Rng& rng) const {
  const Area* area = area_at(p);
  if (!area) throw std::logic_error("street_address outside the city");
  // 番 (block) numbers run in a 4 x 5 grid over the area, from the south west.
  int col = std::clamp(static_cast<int>((p.u - area->i) * 4), 0, 3);
  int row = std::clamp(static_cast<int>((p.v - area->j) * 5), 0, 4);
  int ban = 1 + row * 4 + col;
  int go = rng.range(1, 28);
  return area->name + std::to_string(ban) + "番" + std::to_string(go) + "号";
}

}  // namespace machi::sim
