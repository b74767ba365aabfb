#include "sim/sensors.h"

#include <algorithm>
#include <cmath>

#include "sim/entity_json.h"

namespace machi::sim {
namespace {

class SensorBuilder {
 public:
  SensorBuilder(const CityLayout& layout, PlaceMaker& maker, Rng& rng, const std::vector<Place>& facilities,
                const Transport& transport)
      : layout_(layout), maker_(maker), rng_(rng), facilities_(facilities), transport_(transport) {}

  std::vector<Sensor> build() {
    weather();
    air();
    river();
    noise_and_traffic();
    parking();
    crowds_bikes_chargers();
    streetlights();
    waste();
    return std::move(out_);
  }

 private:
  Sensor& add(SensorKind kind, const char* type, const std::string& name, UV at) {
    Sensor s;
    s.kind = kind;
    s.place = maker_.make(type, name, at);
    s.place.attrs["dataProvider"] = property("デモ市");
    out_.push_back(std::move(s));
    return out_.back();
  }

  // A point near a place, kept inside the same cell (and so the same area).
  UV near(const Place& p, double reach = 0.12) {
    int i = static_cast<int>(std::floor(p.at.u)), j = static_cast<int>(std::floor(p.at.v));
    return {std::clamp(p.at.u + rng_.uniform(-reach, reach), i + 0.03, i + 0.97),
            std::clamp(p.at.v + rng_.uniform(-reach, reach), j + 0.03, j + 0.97)};
  }

  std::vector<const Place*> of_type(const std::string& type, const char* category = nullptr) const {
    std::vector<const Place*> out;
    for (const Place& p : facilities_) {
      if (p.type != type) continue;
      if (category && (!p.attrs.contains("category") || p.attrs.at("category").at("value") != category)) continue;
      out.push_back(&p);
    }
    return out;
  }

  const Place* station(int k) const {
    int seen = 0;
    for (const Place& p : transport_.stops)
      if (p.type == "Station" && seen++ == k) return &p;
    return nullptr;
  }

  const Area& random_area() { return layout_.areas()[rng_.below(layout_.areas().size())]; }

  void weather() {
    // Weather stations on six school roofs; rain gauges spread over the city.
    auto schools = of_type("School");
    for (int k = 0; k < 6; ++k) {
      const Place& school = *schools.at(k * 2);
      add(SensorKind::kWeather, "WeatherObserved", "気象観測所（" + school.name + "）", near(school, 0.05));
    }
    for (int d : {1, 3, 4, 5, 6, 7, 9, 10}) {
      const Area& a = layout_.areas()[layout_.districts()[d].areas[4]];
      add(SensorKind::kRainGauge, "WeatherObserved", "雨量計（" + a.name + "）", maker_.spot(a));
    }
  }

  void air() {
    for (int k = 0; k < 16; ++k) {
      // Every other station is a roadside one (自動車排出ガス測定局) beside a
      // main road (the lattice lines 3, 6, 9); the rest measure the general
      // environment (一般環境大気測定局).
      bool roadside = k % 2 == 0;
      UV at = maker_.spot(random_area());
      if (roadside) {
        double line = 3 * (1 + k / 2 % 3) + 0.04, along = rng_.uniform(1.2, 10.8);
        UV beside = k % 4 == 0 ? UV{along, line} : UV{line, along};
        if (layout_.area_at(beside)) at = beside;
      }
      Sensor& s = add(SensorKind::kAirQuality, "AirQualityObserved",
                      std::string(roadside ? "自動車排出ガス測定局（" : "一般環境大気測定局（") + layout_.area_at(at)->name + "）", at);
      s.load = roadside ? 1.0 : 0.35;
      s.place.attrs["stationType"] = property(roadside ? "roadside" : "ambient");
    }
  }

  void river() {
    static const char* bridges[] = {"川端橋", "柳橋", "中島橋", "デモ川大橋", "南大橋", "泉橋", "住吉橋", "新デモ川橋", "水神橋", "潮見橋"};
    for (int k = 0; k < 10; ++k) {
      double u = 3.3 + k * 0.6;
      UV at{u, CityLayout::river_v(u) + 0.04};
      bool flood = k % 2 == 1;
      Sensor& s = flood ? add(SensorKind::kFloodGauge, "FloodMonitoring", std::string("デモ川 危機管理型水位計（") + bridges[k] + "）", at)
                        : add(SensorKind::kRiverFlow, "WaterObserved", std::string("デモ川 水位流量観測所（") + bridges[k] + "）", at);
      s.river_position = k;
      if (flood) {
        // Heights above the river bed: the sensor tip, and the levels of
        // 氾濫注意水位 (alert) and 氾濫危険水位 (danger).
        s.place.attrs["referenceLevel"] = property(10.0, "MTR");
        s.place.attrs["alertLevel"] = property(4.0, "MTR");
        s.place.attrs["dangerLevel"] = property(5.5, "MTR");
        s.place.attrs["stationID"] = property("DEMO-FM-" + std::to_string(k / 2 + 1));
      }
    }
  }

  void noise_and_traffic() {
    // Counters on the main roads; noise meters on roads and in quiet streets.
    struct Road {
      int line;
      bool horizontal;
      const char* name;
      double load;
    };
    const Road roads[] = {{6, true, "駅前通り", 1.0}, {6, false, "市役所通り", 1.0}, {9, false, "産業道路", 1.1},
                          {3, true, "旭通り", 0.6},   {9, true, "桜通り", 0.6},       {3, false, "けやき通り", 0.6}};
    for (int k = 0; k < 24; ++k) {
      const Road& r = roads[k % 6];
      double along = 1.5 + (k / 6) * 3 + rng_.uniform(-0.4, 0.4);
      UV at = r.horizontal ? UV{along, r.line + 0.05} : UV{r.line + 0.05, along};
      if (!layout_.area_at(at)) at = r.horizontal ? UV{6.5, r.line + 0.05} : UV{r.line + 0.05, 6.5};
      Sensor& s = add(SensorKind::kTraffic, "TrafficFlowObserved", std::string("交通量観測点（") + r.name + " " + layout_.area_at(at)->name + "）", at);
      s.load = r.load;
      s.place.attrs["roadName"] = property(r.name);
    }
    for (int k = 0; k < 16; ++k) {
      bool road = k < 10;
      const Road& r = roads[k % 6];
      UV at = road ? (r.horizontal ? UV{rng_.uniform(1.2, 10.8), r.line + 0.06} : UV{r.line + 0.06, rng_.uniform(1.2, 10.8)})
                   : maker_.spot(random_area());
      if (!layout_.area_at(at)) at = maker_.spot(random_area());
      Sensor& s = add(SensorKind::kNoise, "NoiseLevelObserved", "騒音計（" + layout_.area_at(at)->name + "）", at);
      s.load = road ? r.load : 0.2;
    }
  }

  void lot(const Place& anchor, const std::string& lot_name, Site site, int spots) {
    for (int n = 1; n <= spots; ++n) {
      Sensor& s = add(SensorKind::kParking, "ParkingSpot", lot_name + " No." + std::to_string(n), near(anchor, 0.04));
      s.site = site;
      s.place.attrs["category"] = property(Json::array({"offStreet"}));
      s.place.attrs["parkingSite"] = property(lot_name);
    }
  }

  void parking() {
    lot(*station(1), "デモ中央駅北口駐車場", Site::kStation, 30);
    lot(*station(0), "緑が丘駅前駐車場", Site::kStation, 15);
    lot(*station(2), "東デモ駅前駐車場", Site::kStation, 20);
    auto supermarkets = of_type("Shop", "supermarket");
    for (int k = 0; k < 4; ++k) lot(*supermarkets.at(k * 2), supermarkets.at(k * 2)->name + " 駐車場", Site::kShop, 15);
    auto parks = of_type("Park");
    lot(*parks.at(1), "デモ市運動公園 駐車場", Site::kPark, 20);
    lot(*parks.at(0), "中央公園 駐車場", Site::kPark, 10);
    auto halls = of_type("EvacuationShelter");
    lot(*halls.at(16), "デモ市中央公民館 駐車場", Site::kCivic, 5);
  }

  Site site_of(const Place& p) const {
    if (p.type == "Station") return Site::kStation;
    if (p.type == "Shop") return Site::kShop;
    if (p.type == "Park") return Site::kPark;
    return Site::kCivic;
  }

  void crowds_bikes_chargers() {
    auto shopping = of_type("Shop", "shoppingCentre");
    auto parks = of_type("Park");
    auto supermarkets = of_type("Shop", "supermarket");
    std::vector<const Place*> crowd_spots = {station(0), station(1), station(2), shopping.at(0), shopping.at(1)};
    for (int k = 0; k < 6; ++k) crowd_spots.push_back(parks.at(k));
    for (int k = 0; k < 3; ++k) crowd_spots.push_back(supermarkets.at(k));
    for (const Place* p : crowd_spots) {
      Sensor& s = add(SensorKind::kCrowd, "CrowdFlowObserved", "人流センサー（" + p->name + "）", near(*p, 0.05));
      s.site = site_of(*p);
      s.load = p->type == "Station" ? p->attrs.at("dailyPassengers").at("value").get<double>() / 20000 : 1.0;
    }
    std::vector<const Place*> docks = {station(0), station(1), station(2), shopping.at(0), parks.at(0), parks.at(1)};
    auto schools = of_type("School");
    for (int k = 0; k < 6; ++k) docks.push_back(schools.at(k * 2 + 1));  // residential neighbourhoods
    for (size_t k = 0; k < docks.size(); ++k) {
      const Place* p = docks[k];
      Sensor& s = add(SensorKind::kBikeDock, "BikeHireDockingStation", "シェアサイクル ステーション（" + (k >= 6 ? p->area->name : p->name) + "）", near(*p, 0.08));
      s.site = k >= 6 ? Site::kResidential : site_of(*p);
      s.capacity = rng_.range(2, 4) * 5;
      s.place.attrs["totalSlotNumber"] = property(s.capacity);
    }
    std::vector<const Place*> chargers = {station(1), station(2), shopping.at(0), shopping.at(1), parks.at(0), parks.at(1)};
    for (int k = 0; k < 5; ++k) chargers.push_back(supermarkets.at(k));
    chargers.push_back(of_type("EvacuationShelter").at(16));
    for (const Place* p : chargers) {
      Sensor& s = add(SensorKind::kEvCharger, "EVChargingStation", "EV充電スタンド（" + p->name + "）", near(*p, 0.06));
      s.site = site_of(*p);
      s.capacity = rng_.range(2, 4);
      s.place.attrs["capacity"] = property(s.capacity);
      s.place.attrs["socketType"] = property(Json::array({"CHAdeMO", "Type2"}));
      s.place.attrs["allowedVehicleType"] = property(Json::array({"car"}));
    }
  }

  void streetlights() {
    // Along the roads (not the bypass), numbered per road: ten on each main
    // road, four on each residential street.
    for (const RoadInfo& road : transport_.roads) {
      if (road.road_class == "trunk") continue;
      int count = road.road_class == "residential" ? 4 : 10;
      for (int k = 0, tries = 0; k < count && tries < 100; ++tries) {
        UV node = road.path[1 + rng_.below(road.path.size() - 2)];
        UV beside{node.u + rng_.uniform(0.05, 0.6), node.v + 0.05};
        if (road.path.front().u == road.path.back().u) beside = {node.u + 0.05, node.v + rng_.uniform(0.05, 0.6)};
        if (!layout_.area_at(beside)) continue;
        ++k;
        Sensor& s = add(SensorKind::kStreetlight, "Streetlight", "街路灯（" + road.name + "）No." + std::to_string(k), beside);
        s.load = road.road_class == "residential" ? 0 : 1;  // residential lights dim late at night
        s.place.attrs["status"] = property(rng_.chance(0.03) ? "defectiveLamp" : "ok");
        s.place.attrs["refRoad"] = relationship(road.id);
      }
    }
  }

  void waste() {
    for (int k = 0; k < 90; ++k) {
      const Area& a = layout_.areas()[k * 107 % layout_.areas().size()];
      Sensor& s = add(SensorKind::kWasteContainer, "WasteContainer", "ごみ集積所（" + a.name + "）", maker_.spot(a));
      s.place.attrs["wasteType"] = property("burnable");
      s.place.attrs["refTownArea"] = relationship(a.id);
    }
  }

  const CityLayout& layout_;
  PlaceMaker& maker_;
  Rng& rng_;
  const std::vector<Place>& facilities_;
  const Transport& transport_;
  std::vector<Sensor> out_;
};

}  // namespace

std::vector<Sensor> make_sensors(const CityLayout& layout, PlaceMaker& maker, Rng& rng, const std::vector<Place>& facilities,
                                 const Transport& transport) {
  return SensorBuilder(layout, maker, rng, facilities, transport).build();
}

}  // namespace machi::sim
