// The ground plan: valid polygons that tile exactly, and every point feature
// inside the city. Polygons are checked with GEOS, as machi's geo-queries are.
#include "sim/city_layout.h"

#include <geos_c.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "ld/geo.h"
#include "sim/demo_city.h"
#include "sim/mesh.h"

namespace machi::sim {
namespace {

class Geos {
 public:
  Geos() : h_(GEOS_init_r()), reader_(GEOSWKTReader_create_r(h_)) {}
  ~Geos() {
    for (GEOSGeometry* g : owned_) GEOSGeom_destroy_r(h_, g);
    GEOSWKTReader_destroy_r(h_, reader_);
    GEOS_finish_r(h_);
  }
  GEOSGeometry* polygon(const Ring& ring) {
    std::string wkt = "POLYGON((";
    for (size_t k = 0; k < ring.size(); ++k) {
      wkt += (k ? ", " : "") + std::to_string(ring[k].lon) + " " + std::to_string(ring[k].lat);
    }
    return keep(GEOSWKTReader_read_r(h_, reader_, (wkt + "))").c_str()));
  }
  GEOSGeometry* from_json(const Json& geometry) {
    // Only Polygons are used here.
    Ring ring;
    for (const auto& p : geometry["coordinates"][0]) ring.push_back({p[0].get<double>(), p[1].get<double>()});
    return polygon(ring);
  }
  GEOSGeometry* union_of(const std::vector<GEOSGeometry*>& parts) {
    std::vector<GEOSGeometry*> clones;
    for (GEOSGeometry* g : parts) clones.push_back(GEOSGeom_clone_r(h_, g));
    GEOSGeometry* collection =
        GEOSGeom_createCollection_r(h_, GEOS_MULTIPOLYGON, clones.data(), static_cast<unsigned>(clones.size()));
    GEOSGeometry* u = GEOSUnaryUnion_r(h_, collection);
    GEOSGeom_destroy_r(h_, collection);
    return keep(u);
  }
  bool valid(const GEOSGeometry* g) { return GEOSisValid_r(h_, g) == 1; }
  // The area of the symmetric difference, relative to a's area.
  double mismatch(const GEOSGeometry* a, const GEOSGeometry* b) {
    GEOSGeometry* d = keep(GEOSSymDifference_r(h_, a, b));
    double da = 0, aa = 0;
    GEOSArea_r(h_, d, &da);
    GEOSArea_r(h_, a, &aa);
    return da / aa;
  }
  bool is_simple_polygon(const GEOSGeometry* g) { return GEOSGeomTypeId_r(h_, g) == GEOS_POLYGON; }

 private:
  GEOSGeometry* keep(GEOSGeometry* g) {
    EXPECT_NE(g, nullptr);
    owned_.push_back(g);
    return g;
  }
  GEOSContextHandle_t h_;
  GEOSWKTReader* reader_;
  std::vector<GEOSGeometry*> owned_;
};

TEST(CityLayoutTest, TwelveDistrictsTileTheCity) {
  CityLayout layout(1);
  ASSERT_EQ(layout.districts().size(), 12u);
  ASSERT_EQ(layout.areas().size(), 108u);
  Geos geos;
  std::vector<GEOSGeometry*> districts;
  std::set<std::string> names;
  for (const District& d : layout.districts()) {
    GEOSGeometry* polygon = geos.polygon(d.ring);
    EXPECT_TRUE(geos.valid(polygon)) << d.name;
    EXPECT_GT(ring_signed_area(d.ring), 0) << d.name << " is not counter-clockwise";
    std::vector<GEOSGeometry*> areas;
    for (int a : d.areas) {
      const Area& area = layout.areas()[a];
      GEOSGeometry* p = geos.polygon(area.ring);
      EXPECT_TRUE(geos.valid(p)) << area.name;
      EXPECT_EQ(area.district, d.index);
      areas.push_back(p);
      names.insert(area.name);
    }
    GEOSGeometry* union_of_areas = geos.union_of(areas);
    EXPECT_TRUE(geos.is_simple_polygon(union_of_areas)) << d.name;
    EXPECT_LT(geos.mismatch(polygon, union_of_areas), 1e-9) << d.name << " is not the union of its areas";
    districts.push_back(polygon);
  }
  EXPECT_EQ(names.size(), 108u);  // every 町丁目 name is unique
  GEOSGeometry* city = geos.polygon(layout.outline());
  EXPECT_TRUE(geos.valid(city));
  EXPECT_LT(geos.mismatch(city, geos.union_of(districts)), 1e-9);
  // About 17 km2: a small suburban city.
  EXPECT_GT(ring_area_m2(layout.outline()), 12e6);
  EXPECT_LT(ring_area_m2(layout.outline()), 25e6);
}

TEST(CityLayoutTest, NearTheIntendedPlaceAndNamedInJapanese) {
  CityLayout layout(1);
  LonLat c = ring_centroid(layout.outline());
  EXPECT_NEAR(c.lat, 35.88, 0.01);
  EXPECT_NEAR(c.lon, 139.94, 0.01);
  EXPECT_EQ(layout.municipality_code(), "122998");
  EXPECT_EQ(layout.districts()[0].name, "中央小学校区");
  EXPECT_EQ(layout.areas()[0].name, "中央一丁目");
  EXPECT_EQ(layout.areas()[0].id, "urn:ngsi-ld:TownArea:122998-0101");
  for (const Area& a : layout.areas()) {
    EXPECT_EQ(layout.area_at(CityLayout::in_area(a, 0.5, 0.5)), &a);
    EXPECT_TRUE(ring_contains(a.ring, layout.at(CityLayout::in_area(a, 0.1, 0.9))));
  }
}

TEST(CityLayoutTest, EveryPointFeatureIsInsideTheCity) {
  DemoCityPlan plan = plan_demo_city(1, 100);
  Json outline = polygon_json(plan.layout.outline());
  ld::GeoQuery within = ld::GeoQuery::parse("within", "Polygon", outline["coordinates"]);
  size_t points = 0;
  auto check = [&](const Json& e) {
    if (!e.contains("location") || e["location"]["value"]["type"] != "Point") return;
    points++;
    EXPECT_TRUE(within.matches(e["location"]["value"])) << e["id"] << " " << e["name"]["value"];
    ASSERT_TRUE(e.contains("meshCode")) << e["id"];
    MeshBox box = mesh_box(e["meshCode"]["value"].get<std::string>());
    double lon = e["location"]["value"]["coordinates"][0], lat = e["location"]["value"]["coordinates"][1];
    EXPECT_TRUE(box.south <= lat && lat < box.north && box.west <= lon && lon < box.east) << e["id"];
    EXPECT_TRUE(e.contains("address") && e.contains("refDistrict")) << e["id"];
  };
  for (const Json& e : plan.entities) check(e);
  for (const Sensor& s : plan.sensors) check(place_entity(s.place, plan.layout));
  EXPECT_GE(points, 650u);
}

}  // namespace
}  // namespace machi::sim
