#include "sim/transport.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "sim/entity_json.h"

namespace machi::sim {
namespace {

double length_km(const std::vector<LonLat>& line) {
  double m = 0;
  for (size_t k = 1; k < line.size(); ++k) m += distance_m(line[k - 1], line[k]);
  return std::round(m / 10) / 100;
}

std::vector<LonLat> to_lonlat(const CityLayout& layout, const std::vector<UV>& path) {
  std::vector<LonLat> out;
  for (UV p : path) out.push_back(layout.at(p));
  return out;
}

std::string serial(const CityLayout& layout, const char* type, int n) {
  return std::string("urn:ngsi-ld:") + type + ":" + layout.municipality_code() + "-" + serial_number(n);
}

class TransportBuilder {
 public:
  TransportBuilder(const CityLayout& layout, PlaceMaker& maker) : layout_(layout), maker_(maker) {}

  Transport build() {
    roads();
    railway();
    buses();
    return std::move(out_);
  }

 private:
  void road(const std::string& name, const char* road_class, const std::vector<UV>& path) {
    auto line = to_lonlat(layout_, path);
    out_.roads.push_back({serial(layout_, "Road", ++roads_), name, road_class, path});
    out_.lines.push_back({{"id", out_.roads.back().id},
                          {"type", "Road"},
                          {"name", property(name)},
                          {"roadClass", property(road_class)},
                          {"length", property(length_km(line), "KMT")},
                          {"location", geo_property(line_json(line))},
                          {"refMunicipality", relationship(layout_.municipality_id())}});
  }

  // The lattice line v = k (horizontal) or u = k, over the span where it
  // borders the city, or past both ends for the main roads.
  std::vector<UV> lattice_line(int k, bool horizontal, bool through) {
    int lo = kCells, hi = 0;
    for (int x = 0; x < kCells; ++x) {
      bool borders = horizontal ? layout_.in_city(x, k - 1) || layout_.in_city(x, k)
                                : layout_.in_city(k - 1, x) || layout_.in_city(k, x);
      if (borders) {
        lo = std::min(lo, x);
        hi = std::max(hi, x + 1);
      }
    }
    if (through) {
      lo = -1;
      hi = kCells + 1;
    }
    std::vector<UV> path;
    for (int x = lo; x <= hi; ++x) path.push_back(horizontal ? UV{double(x), double(k)} : UV{double(k), double(x)});
    return path;
  }

  void roads() {
    road("駅前通り", "primary", lattice_line(6, true, true));
    road("市役所通り", "primary", lattice_line(6, false, true));
    road("産業道路", "primary", lattice_line(9, false, true));
    road("旭通り", "secondary", lattice_line(3, true, true));
    road("桜通り", "secondary", lattice_line(9, true, true));
    road("けやき通り", "secondary", lattice_line(3, false, true));
    std::vector<UV> bypass;
    for (double t = -1; t <= kCells + 1 + 1e-9; t += 0.5) bypass.push_back({t, 0.55 * t + 2.2 + 0.4 * sin_turn(t / 10)});
    road("デモバイパス", "trunk", bypass);
    int number = 0;
    for (int k = 1; k < kCells; ++k) {
      if (k % kBlock == 0) continue;
      road("市道" + std::to_string(++number) + "号線", "residential", lattice_line(k, true, false));
      road("市道" + std::to_string(++number) + "号線", "residential", lattice_line(k, false, false));
    }
  }

  void railway() {
    std::string line_id = serial(layout_, "RailLine", 1);
    std::vector<std::string> station_ids;
    struct Station {
      double u;
      const char* name;
      int passengers;
    };
    for (const Station& s : {Station{1.6, "緑が丘駅", 9800}, Station{4.5, "デモ中央駅", 31500}, Station{10.4, "東デモ駅", 14200}}) {
      Place p = maker_.make("Station", s.name, {s.u, CityLayout::railway_v(s.u)});
      p.attrs["refRailLine"] = relationship(line_id);
      p.attrs["dailyPassengers"] = property(s.passengers);
      station_ids.push_back(p.id);
      out_.stops.push_back(std::move(p));
    }
    auto line = to_lonlat(layout_, CityLayout::railway_path());
    out_.lines.push_back({{"id", line_id},
                          {"type", "RailLine"},
                          {"name", property("デモ電鉄 まち線")},
                          {"operator", property("デモ電鉄")},
                          {"length", property(length_km(line), "KMT")},
                          {"location", geo_property(line_json(line))},
                          {"refStation", relationship(station_ids)}});
  }

  // A stop beside a lattice node (in the cell to its north east), named
  // after its area; a second stop in the same area gets a suffix.
  std::string stop_at(UV node, const std::string& route_id, const char* fixed_name = nullptr) {
    auto key = std::pair{node.u, node.v};
    if (auto it = stop_index_.find(key); it != stop_index_.end()) {
      route_stops_[it->second].insert(route_id);
      return out_.stops[it->second].id;
    }
    UV at{node.u + 0.08, node.v + 0.08};
    std::string name = fixed_name ? fixed_name : layout_.area_at(at)->name;
    static const char* suffixes[] = {"", "北", "東", "西", "南", "入口", "中央"};
    int used = names_[name]++;
    if (!fixed_name && used > 0) name += suffixes[std::min(used, 6)];
    out_.stops.push_back(maker_.make("BusStop", name, at));
    size_t index = out_.stops.size() - 1;
    stop_index_[key] = index;
    route_stops_[index].insert(route_id);
    return out_.stops[index].id;
  }

  void route(const std::string& name, const std::vector<std::pair<int, int>>& nodes, bool loop) {
    std::string id = serial(layout_, "BusRoute", ++routes_);
    UV terminal{4.5, CityLayout::railway_v(4.5) + 0.3};  // デモ中央駅 north exit
    std::vector<UV> path = {terminal};
    std::vector<std::string> stops = {stop_at({4.42, terminal.v - 0.08}, id, "デモ中央駅")};
    for (auto [i, j] : nodes) {
      path.push_back({double(i), double(j)});
      stops.push_back(stop_at({double(i), double(j)}, id));
    }
    if (loop) path.push_back(terminal);
    auto line = to_lonlat(layout_, path);
    out_.lines.push_back({{"id", id},
                          {"type", "BusRoute"},
                          {"name", property(name)},
                          {"operator", property("デモ市コミュニティバス")},
                          {"routeNumber", property(std::to_string(routes_))},
                          {"length", property(length_km(line), "KMT")},
                          {"location", geo_property(line_json(line))},
                          {"refBusStop", relationship(stops)}});
  }

  void buses() {
    route("まちバス 北循環", {{5, 7}, {5, 8}, {5, 9}, {5, 10}, {6, 10}, {7, 10}, {8, 10}, {8, 9}, {7, 9}, {6, 9}, {6, 8}, {6, 7}}, true);
    route("まちバス 南線", {{4, 7}, {4, 6}, {4, 5}, {4, 4}, {4, 3}, {4, 2}, {5, 2}, {6, 2}, {7, 2}, {8, 2}}, false);
    route("まちバス 西線", {{3, 7}, {2, 7}, {1, 7}, {1, 6}, {1, 5}, {1, 4}, {2, 4}, {3, 4}}, false);
    route("まちバス 東線", {{6, 7}, {7, 7}, {8, 7}, {9, 7}, {10, 7}, {11, 7}, {11, 6}, {11, 5}, {11, 4}, {10, 4}, {9, 4}}, false);
    for (auto& [index, routes] : route_stops_) {
      out_.stops[index].attrs["refBusRoute"] = relationship(std::vector<std::string>(routes.begin(), routes.end()));
    }
  }

  const CityLayout& layout_;
  PlaceMaker& maker_;
  Transport out_;
  int roads_ = 0, routes_ = 0;
  std::map<std::pair<double, double>, size_t> stop_index_;
  std::map<size_t, std::set<std::string>> route_stops_;
  std::map<std::string, int> names_;
};

}  // namespace

Transport make_transport(const CityLayout& layout, PlaceMaker& maker) { return TransportBuilder(layout, maker).build(); }

}  // namespace machi::sim
