// Orion's geo-query parameters and service paths, as parsed for the store.
#include "ngsiv2/v2_query.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "ngsiv2/v2_request.h"

namespace machi::ngsiv2 {
namespace {

Json point(double lon, double lat) { return Json{{"type", "Point"}, {"coordinates", Json::array({lon, lat})}}; }

TEST(V2Geo, NearWithDistances) {
  auto near = parse_geo("near;maxDistance:1000", "point", "35.681,139.767");
  EXPECT_TRUE(near.matches(point(139.767, 35.681)));
  EXPECT_TRUE(near.matches(point(139.775, 35.681)));   // ~720 m east
  EXPECT_FALSE(near.matches(point(139.790, 35.681)));  // ~2 km east
  auto ring = parse_geo("near;minDistance:500;maxDistance:1000", "point", "35.681,139.767");
  EXPECT_FALSE(ring.matches(point(139.767, 35.681)));
  EXPECT_TRUE(ring.matches(point(139.775, 35.681)));
}

TEST(V2Geo, ShapesAreLatLon) {
  auto box = parse_geo("coveredBy", "box", "35.0,139.0;36.0,140.0");
  EXPECT_TRUE(box.matches(point(139.5, 35.5)));
  EXPECT_FALSE(box.matches(point(35.5, 139.5 - 100)));
  auto polygon = parse_geo("intersects", "polygon", "35,139;36,139;36,140;35,140;35,139");
  EXPECT_TRUE(polygon.matches(point(139.5, 35.5)));
  auto disjoint = parse_geo("disjoint", "polygon", "35,139;36,139;36,140;35,140;35,139");
  EXPECT_FALSE(disjoint.matches(point(139.5, 35.5)));
  auto line = parse_geo("intersects", "line", "35,139;36,140");
  EXPECT_TRUE(line.matches(Json{{"type", "LineString"}, {"coordinates", Json::parse("[[139,36],[140,35]]")}}));
}

TEST(V2Geo, Errors) {
  for (auto [rel, geometry, coords] : std::vector<std::tuple<const char*, const char*, const char*>>{
           {"near", "point", "35,139"},                       // no distance
           {"near;maxDistance:1", "polygon", "35,139"},       // near needs a point
           {"near;radius:1", "point", "35,139"},
           {"near;maxDistance:-1", "point", "35,139"},
           {"within", "point", "35,139"},
           {"coveredBy", "circle", "35,139"},
           {"coveredBy", "point", "35,139;36,140"},
           {"coveredBy", "polygon", "35,139;36,139;36,140;35,140"},  // not closed
           {"coveredBy", "box", "35,139"},
           {"coveredBy", "point", "95,139"},
           {"coveredBy", "point", "35;139"},
           {"coveredBy", "point", "a,b"},
       }) {
    EXPECT_THROW(parse_geo(rel, geometry, coords), Error) << rel << " " << geometry << " " << coords;
  }
}

TEST(V2ServicePath, Rules) {
  for (const char* ok : {"/", "/a", "/a/b_c/D1", "/a/"}) EXPECT_NO_THROW(check_service_path(ok, false)) << ok;
  EXPECT_NO_THROW(check_service_path("/a/#", true));
  EXPECT_NO_THROW(check_service_path("/#", true));
  for (const char* bad : {"", "a", "/a b", "/a-b", "/a//b", "/a/#", "/a/1/2/3/4/5/6/7/8/9/10"}) {
    EXPECT_THROW(check_service_path(bad, false), Error) << bad;
  }
  EXPECT_THROW(check_service_path("/" + std::string(51, 'x'), false), Error);
}

TEST(V2Paging, OrionLimits) {
  EXPECT_EQ(parse_limit(nullptr), 20u);
  std::string text = "1000";
  EXPECT_EQ(parse_limit(&text), 1000u);
  for (std::string bad : {"0", "1001", "-1", "x", ""}) EXPECT_THROW(parse_limit(&bad), Error) << bad;
  std::string offset = "5";
  EXPECT_EQ(parse_offset(&offset), 5u);
}

}  // namespace
}  // namespace machi::ngsiv2
