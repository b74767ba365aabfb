#include "ld/geo.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <thread>

#include "core/error.h"

namespace machi::ld {
namespace {

constexpr double kEarthRadius = 6371008.8;

Json J(std::string_view text) { return Json::parse(text); }

// The detail of the BadRequestData error that validate_geojson raises, or "" when it accepts.
std::string validation_error(const Json& geometry) {
  try {
    validate_geojson(geometry);
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kBadRequestData) << e.what();
    return e.what();
  }
  return "";
}

std::string parse_error(std::string_view georel, std::string_view geometry, const Json& coordinates) {
  try {
    GeoQuery::parse(georel, geometry, coordinates);
  } catch (const Error& e) {
    EXPECT_EQ(e.type(), ErrorType::kBadRequestData) << e.what();
    return e.what();
  }
  return "<accepted>";
}

bool query(std::string_view georel, std::string_view geometry, std::string_view coordinates, std::string_view stored) {
  return GeoQuery::parse(georel, geometry, J(coordinates)).matches(J(stored));
}

double haversine(double lon1, double lat1, double lon2, double lat2) {
  constexpr double k = std::numbers::pi / 180;
  double a = std::pow(std::sin((lat2 - lat1) * k / 2), 2) +
             std::cos(lat1 * k) * std::cos(lat2 * k) * std::pow(std::sin((lon2 - lon1) * k / 2), 2);
  return 2 * kEarthRadius * std::asin(std::min(1.0, std::sqrt(a)));
}

// Degrees of longitude that make `metres` east-west at latitude `lat`.
double east(double metres, double lat) {
  return metres / (kEarthRadius * std::cos(lat * std::numbers::pi / 180)) * 180 / std::numbers::pi;
}

// ------------------------------------------------------------------------------------------------------------
// Validation

TEST(GeoValidate, AcceptsEveryGeometryType) {
  const char* cases[] = {
      R"({"type":"Point","coordinates":[139.7671,35.6812]})",
      R"({"type":"Point","coordinates":[139.7671,35.6812,40.5]})",
      R"({"type":"Point","coordinates":[-180,-90]})",
      R"({"type":"Point","coordinates":[180,90]})",
      R"({"type":"Point","coordinates":[0,0],"bbox":[0,0,0,0]})",
      R"({"type":"MultiPoint","coordinates":[[1,2],[3,4,5]]})",
      R"({"type":"LineString","coordinates":[[1,2],[3,4]]})",
      R"({"type":"LineString","coordinates":[[1,2],[1,2]]})",
      R"({"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[5,6],[7,8],[9,10]]]})",
      R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]})",
      R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]})",
      R"({"type":"Polygon","coordinates":[[[0,0,1],[10,0,1],[10,10,1],[0,0,2]]]})",
      R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]})",
      R"({"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},
          {"type":"LineString","coordinates":[[1,2],[3,4]]}]})",
  };
  for (const char* text : cases) EXPECT_EQ(validation_error(J(text)), "") << text;
}

TEST(GeoValidate, RejectsWithPreciseDetail) {
  struct Case {
    const char* json;
    const char* detail;  // exact
  };
  const Case cases[] = {
      {R"("Point")", "a GeoJSON geometry must be a JSON object, not string"},
      {R"(null)", "a GeoJSON geometry must be a JSON object, not null"},
      {R"([1,2])", "a GeoJSON geometry must be a JSON object, not array"},
      {R"({"coordinates":[1,2]})", "a GeoJSON geometry needs a string member \"type\""},
      {R"({"type":7,"coordinates":[1,2]})", "a GeoJSON geometry needs a string member \"type\""},
      {R"({"type":"point","coordinates":[1,2]})",
       "unsupported GeoJSON geometry type \"point\" (expected Point, MultiPoint, LineString, MultiLineString, "
       "Polygon, MultiPolygon or GeometryCollection)"},
      {R"({"type":"Point"})", "a Point needs a member \"coordinates\""},
      {R"({"type":"Point","coordinates":[]})",
       "Point coordinates: a position must be an array of 2 or 3 numbers [longitude, latitude(, altitude)], got []"},
      {R"({"type":"Point","coordinates":[1]})",
       "Point coordinates: a position must be an array of 2 or 3 numbers [longitude, latitude(, altitude)], got [1]"},
      {R"({"type":"Point","coordinates":[1,2,3,4]})",
       "Point coordinates: a position must be an array of 2 or 3 numbers [longitude, latitude(, altitude)], got "
       "[1,2,3,4]"},
      {R"({"type":"Point","coordinates":["139.7","35.6"]})",
       "Point coordinates: position element 0 must be a number, got \"139.7\""},
      {R"({"type":"Point","coordinates":[1,null]})",
       "Point coordinates: position element 1 must be a number, got null"},
      {R"({"type":"Point","coordinates":[1,true]})",
       "Point coordinates: position element 1 must be a number, got true"},
      {R"({"type":"Point","coordinates":[0,91]})", "Point coordinates: latitude 91 is outside [-90, 90]"},
      {R"({"type":"Point","coordinates":[0,-90.5]})", "Point coordinates: latitude -90.5 is outside [-90, 90]"},
      {R"({"type":"Point","coordinates":[180.1,0]})", "Point coordinates: longitude 180.1 is outside [-180, 180]"},
      {R"({"type":"Point","coordinates":[[1,2]]})",
       "Point coordinates: a position must be an array of 2 or 3 numbers [longitude, latitude(, altitude)], got "
       "[[1,2]]"},
      {R"({"type":"MultiPoint","coordinates":[]})",
       "MultiPoint coordinates: a MultiPoint needs at least 1 position, got 0"},
      {R"({"type":"MultiPoint","coordinates":[1,2]})",
       "MultiPoint coordinates: expected an array of positions, not a single position"},
      {R"({"type":"LineString","coordinates":[[1,2]]})",
       "LineString coordinates: a LineString needs at least 2 positions, got 1"},
      {R"({"type":"LineString","coordinates":[]})",
       "LineString coordinates: a LineString needs at least 2 positions, got 0"},
      {R"({"type":"LineString","coordinates":"[[1,2],[3,4]]"})",
       "LineString coordinates: expected an array, not string"},
      {R"({"type":"LineString","coordinates":[[1,2],[3,95]]})",
       "LineString coordinates[1]: latitude 95 is outside [-90, 90]"},
      {R"({"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[0,0]]]})",
       "MultiLineString coordinates[1]: a LineString needs at least 2 positions, got 1"},
      {R"({"type":"MultiLineString","coordinates":[]})", "MultiLineString coordinates: expected a non-empty array"},
      {R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10]]]})",
       "Polygon coordinates[0]: the linear ring is not closed (its last position must repeat the first)"},
      {R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[0,0]]]})",
       "Polygon coordinates[0]: a linear ring needs at least 4 positions, got 3"},
      {R"({"type":"Polygon","coordinates":[]})", "Polygon coordinates: expected a non-empty array"},
      {R"({"type":"Polygon","coordinates":[[]]})",
       "Polygon coordinates[0]: a linear ring needs at least 4 positions, got 0"},
      {R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,0]],[[1,1],[2,1],[2,2],[1,1.5]]]})",
       "Polygon coordinates[1]: the linear ring is not closed (its last position must repeat the first)"},
      {R"({"type":"Polygon","coordinates":[[0,0],[10,0],[10,10],[0,0]]})",
       "Polygon coordinates[0]: expected an array of positions, not a single position"},
      {R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,91],[5,5]]]]})",
       "MultiPolygon coordinates[1][0][2]: latitude 91 is outside [-90, 90]"},
      {R"({"type":"MultiPolygon","coordinates":[[[[[[[[1]]]]]]]]})",
       "MultiPolygon coordinates[0][0]: a linear ring needs at least 4 positions, got 1"},
      {R"({"type":"MultiPolygon","coordinates":[[[{"a":1},{},{},{}]]]})",
       "MultiPolygon coordinates[0][0][0]: a position must be an array of 2 or 3 numbers [longitude, latitude(, "
       "altitude)], got {\"a\":1}"},
      {R"({"type":"GeometryCollection"})", "a GeometryCollection needs a non-empty array member \"geometries\""},
      {R"({"type":"GeometryCollection","geometries":[]})",
       "a GeometryCollection needs a non-empty array member \"geometries\""},
      {R"({"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},
          {"type":"GeometryCollection","geometries":[]}]})",
       "GeometryCollection geometries[1]: a nested GeometryCollection is not supported"},
      {R"({"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},
          {"type":"LineString","coordinates":[[1,2]]}]})",
       "GeometryCollection geometries[1] LineString coordinates: a LineString needs at least 2 positions, got 1"},
      {R"({"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}, 5]})",
       "GeometryCollection geometries[1]: a GeoJSON geometry must be a JSON object, not number"},
  };
  for (const Case& c : cases) EXPECT_EQ(validation_error(J(c.json)), c.detail) << c.json;
}

TEST(GeoValidate, RejectsNonFiniteAndLongValuesBriefly) {
  Json nan = {{"type", "Point"}, {"coordinates", {1.0, std::nan("")}}};
  EXPECT_EQ(validation_error(nan), "Point coordinates: position element 1 is not finite");
  Json inf = {{"type", "Point"}, {"coordinates", {INFINITY, 1.0}}};
  EXPECT_EQ(validation_error(inf), "Point coordinates: position element 0 is not finite");
  Json long_string = {{"type", "Point"}, {"coordinates", {std::string(1000, 'x'), 1}}};
  EXPECT_LT(validation_error(long_string).size(), 120u);
}

TEST(GeoValidate, SurvivesHugeNesting) {
  // Built by moves: nlohmann's copy is recursive and would overflow the stack itself.
  Json deep = Json::array();
  for (int i = 0; i < 100000; ++i) {
    Json outer = Json::array();
    outer.push_back(std::move(deep));
    deep = std::move(outer);
  }
  Json g = {{"type", "Point"}};
  g["coordinates"] = std::move(deep);
  for (const char* type : {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}) {
    g["type"] = type;
    EXPECT_NE(validation_error(g), "") << type;
    EXPECT_FALSE(GeoQuery::parse("intersects", "Point", J("[1,2]")).matches(g));
  }
  g["type"] = "GeometryCollection";
  g["geometries"] = std::move(g["coordinates"]);
  EXPECT_NE(validation_error(g), "");
}

TEST(GeoBBox, CoversAllPositions) {
  struct Case {
    const char* json;
    BBox box;
  };
  const Case cases[] = {
      {R"({"type":"Point","coordinates":[139.7,35.6,12]})", {139.7, 35.6, 139.7, 35.6}},
      {R"({"type":"LineString","coordinates":[[1,-2],[-3,4]]})", {-3, -2, 1, 4}},
      {R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,4]]]})",
       {0, 0, 10, 10}},
      {R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[-5,5],[6,5],[6,6],[-5,5]]]]})",
       {-5, 0, 6, 6}},
      {R"({"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},
          {"type":"LineString","coordinates":[[-170,-80],[3,4]]}]})",
       {-170, -80, 3, 4}},
  };
  for (const Case& c : cases) {
    BBox b = bbox_of(J(c.json));
    EXPECT_DOUBLE_EQ(b.min_lon, c.box.min_lon) << c.json;
    EXPECT_DOUBLE_EQ(b.min_lat, c.box.min_lat) << c.json;
    EXPECT_DOUBLE_EQ(b.max_lon, c.box.max_lon) << c.json;
    EXPECT_DOUBLE_EQ(b.max_lat, c.box.max_lat) << c.json;
  }
  EXPECT_THROW(bbox_of(J(R"({"type":"Point","coordinates":[0,100]})")), Error);
}

// ------------------------------------------------------------------------------------------------------------
// Topological relations

// Query and stored shapes around the square [0,10]x[0,10]; "holed" has the hole [4,6]x[4,6].
constexpr const char* kSquare = "[[[0,0],[10,0],[10,10],[0,10],[0,0]]]";
constexpr const char* kHoled = "[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]";
constexpr const char* kSquareGeo = R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]})";
constexpr const char* kHoledGeo =
    R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]})";

struct RelCase {
  const char* georel;
  const char* geometry;
  const char* coordinates;
  const char* stored;
  bool expected;
};

void PrintTo(const RelCase& c, std::ostream* os) {
  *os << c.georel << " " << c.geometry << " " << c.coordinates << " vs " << c.stored << " -> " << c.expected;
}

class GeoRelation : public testing::TestWithParam<RelCase> {};

TEST_P(GeoRelation, Matches) {
  const RelCase& c = GetParam();
  EXPECT_EQ(query(c.georel, c.geometry, c.coordinates, c.stored), c.expected)
      << c.georel << " " << c.geometry << " " << c.coordinates << " vs " << c.stored;
}

const RelCase kRelCases[] = {
    // within: stored within query.
    {"within", "Polygon", kSquare, R"({"type":"Point","coordinates":[5,5]})", true},
    {"within", "Polygon", kSquare, R"({"type":"Point","coordinates":[0,5]})", false},  // boundary is not interior
    {"within", "Polygon", kSquare, R"({"type":"Point","coordinates":[11,5]})", false},
    {"within", "Polygon", kHoled, R"({"type":"Point","coordinates":[5,5]})", false},  // in the hole
    {"within", "Polygon", kHoled, R"({"type":"Point","coordinates":[2,2]})", true},
    {"within", "Polygon", kSquare, R"({"type":"LineString","coordinates":[[1,1],[9,9]]})", true},
    {"within", "Polygon", kSquare, R"({"type":"LineString","coordinates":[[1,1],[19,9]]})", false},
    {"within", "Polygon", kHoled, R"({"type":"LineString","coordinates":[[1,1],[9,9]]})", false},  // crosses the hole
    {"within", "Polygon", kSquare, R"({"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]})", true},
    {"within", "Polygon", kSquare, kSquareGeo, true},
    {"within", "Polygon", kSquare,
     R"({"type":"MultiPolygon","coordinates":[[[[1,1],[2,1],[2,2],[1,1]]],[[[7,7],[8,7],[8,8],[7,7]]]]})", true},
    {"within", "Polygon", kSquare,
     R"({"type":"MultiPolygon","coordinates":[[[[1,1],[2,1],[2,2],[1,1]]],[[[17,7],[18,7],[18,8],[17,7]]]]})", false},
    {"within", "MultiPolygon", "[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]",
     R"({"type":"MultiPoint","coordinates":[[0.5,0.5],[5.5,5.5]]})", true},
    {"within", "MultiPolygon", "[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]",
     R"({"type":"MultiPoint","coordinates":[[0.5,0.5],[3,3]]})", false},
    {"within", "LineString", "[[0,0],[10,10]]", R"({"type":"Point","coordinates":[5,5]})", true},
    {"within", "LineString", "[[0,0],[10,10]]", R"({"type":"Point","coordinates":[0,0]})", false},  // an end point
    // contains: stored contains query.
    {"contains", "Point", "[5,5]", kSquareGeo, true},
    {"contains", "Point", "[5,5]", kHoledGeo, false},
    {"contains", "Point", "[2,2]", kHoledGeo, true},
    {"contains", "Point", "[15,5]", kSquareGeo, false},
    {"contains", "Point", "[5,5]", R"({"type":"LineString","coordinates":[[0,0],[10,10]]})", true},
    {"contains", "Point", "[5,5]", R"({"type":"Point","coordinates":[5,5]})", true},
    {"contains", "LineString", "[[1,1],[9,9]]", kSquareGeo, true},
    {"contains", "LineString", "[[1,1],[9,9]]", kHoledGeo, false},
    {"contains", "Polygon", "[[[1,1],[2,1],[2,2],[1,1]]]", kHoledGeo, true},
    {"contains", "MultiPoint", "[[1,1],[5,5]]", kHoledGeo, false},
    {"contains", "MultiPoint", "[[1,1],[9,9]]", kHoledGeo, true},
    // intersects
    {"intersects", "Polygon", kSquare, R"({"type":"LineString","coordinates":[[-5,5],[15,5]]})", true},
    {"intersects", "Polygon", kSquare, R"({"type":"LineString","coordinates":[[-5,15],[15,15]]})", false},
    {"intersects", "Polygon", kHoled, R"({"type":"Point","coordinates":[5,5]})", false},
    {"intersects", "Polygon", kHoled, R"({"type":"Point","coordinates":[4,5]})", true},  // hole boundary
    {"intersects", "Polygon", kSquare, R"({"type":"Polygon","coordinates":[[[10,0],[20,0],[20,10],[10,0]]]})", true},
    {"intersects", "Polygon", kSquare,
     R"({"type":"MultiPolygon","coordinates":[[[[20,20],[21,20],[21,21],[20,20]]],[[[9,9],[12,9],[12,12],[9,9]]]]})",
     true},
    {"intersects", "Polygon", kSquare,
     R"({"type":"MultiPolygon","coordinates":[[[[20,20],[21,20],[21,21],[20,20]]],)"
     R"([[[11,11],[12,11],[12,12],[11,11]]]]})",
     false},
    {"intersects", "LineString", "[[-1,5],[11,5]]", kHoledGeo, true},
    {"intersects", "MultiLineString", "[[[20,20],[30,30]],[[5,-1],[5,3]]]", kHoledGeo, true},
    {"intersects", "MultiLineString", "[[[20,20],[30,30]],[[5,4.5],[5,5.5]]]", kHoledGeo, false},
    {"intersects", "MultiPoint", "[[20,20],[5,5]]", kSquareGeo, true},
    {"intersects", "Point", "[139.7671,35.6812]",
     R"({"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[0,0]},
         {"type":"Polygon","coordinates":[[[139,35],[140,35],[140,36],[139,35]]]}]})",
     true},
    // disjoint: the complement of intersects.
    {"disjoint", "Polygon", kSquare, R"({"type":"LineString","coordinates":[[-5,5],[15,5]]})", false},
    {"disjoint", "Polygon", kSquare, R"({"type":"LineString","coordinates":[[-5,15],[15,15]]})", true},
    {"disjoint", "Polygon", kHoled, R"({"type":"Point","coordinates":[5,5]})", true},
    {"disjoint", "Polygon", kHoled, R"({"type":"Point","coordinates":[4,5]})", false},
    {"disjoint", "Point", "[100,50]", kSquareGeo, true},
    {"disjoint", "MultiPolygon", "[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]",
     R"({"type":"Point","coordinates":[3,3]})", true},
    // equals: topological equality.
    {"equals", "Polygon", kSquare, kSquareGeo, true},
    {"equals", "Polygon", "[[[10,0],[10,10],[0,10],[0,0],[10,0]]]", kSquareGeo, true},  // other start vertex
    {"equals", "Polygon", "[[[0,0],[0,10],[10,10],[10,0],[0,0]]]", kSquareGeo, true},   // other orientation
    {"equals", "Polygon", kSquare, kHoledGeo, false},
    {"equals", "Point", "[1,2]", R"({"type":"Point","coordinates":[1,2,30]})", true},  // altitude is ignored
    {"equals", "Point", "[1,2]", R"({"type":"Point","coordinates":[1,2.000001]})", false},
    {"equals", "Point", "[1,2]", R"({"type":"MultiPoint","coordinates":[[1,2],[1,2]]})", true},
    {"equals", "LineString", "[[0,0],[10,0]]", R"({"type":"LineString","coordinates":[[10,0],[5,0],[0,0]]})", true},
    // overlaps: same dimension, each has points outside the other.
    {"overlaps", "Polygon", kSquare, R"({"type":"Polygon","coordinates":[[[5,5],[15,5],[15,15],[5,15],[5,5]]]})", true},
    {"overlaps", "Polygon", kSquare, R"({"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]})", false},
    {"overlaps", "Polygon", kSquare, R"({"type":"LineString","coordinates":[[-5,5],[15,5]]})", false},
    {"overlaps", "Polygon", kSquare, R"({"type":"Polygon","coordinates":[[[20,20],[21,20],[21,21],[20,20]]]})", false},
    {"overlaps", "LineString", "[[0,0],[10,0]]", R"({"type":"LineString","coordinates":[[5,0],[15,0]]})", true},
    {"overlaps", "MultiPoint", "[[0,0],[1,1]]", R"({"type":"MultiPoint","coordinates":[[1,1],[2,2]]})", true},
    {"overlaps", "MultiPolygon", "[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]",
     R"({"type":"Polygon","coordinates":[[[0.5,0.5],[3,0.5],[3,3],[0.5,3],[0.5,0.5]]]})", true},
};

INSTANTIATE_TEST_SUITE_P(Table, GeoRelation, testing::ValuesIn(kRelCases));

TEST(GeoRelation, InvalidStoredGeometriesNeverMatch) {
  auto within = GeoQuery::parse("within", "Polygon", J(kSquare));
  auto disjoint = GeoQuery::parse("disjoint", "Polygon", J(kSquare));
  auto near = GeoQuery::parse("near;maxDistance==1000", "Point", J("[5,5]"));
  const char* bad[] = {
      R"("Point")",
      "null",
      "[]",
      "{}",
      R"({"type":"Point","coordinates":[5,95]})",
      R"({"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,2]]]})",
  };
  for (const char* text : bad) {
    EXPECT_FALSE(within.matches(J(text))) << text;
    EXPECT_FALSE(disjoint.matches(J(text))) << text;
    EXPECT_FALSE(near.matches(J(text))) << text;
  }
}

// An entity in the stored form matches through any GeoProperty instance of
// the query's geoproperty, and through nothing else.
TEST(GeoRelation, StoredEntityMatchesThroughItsGeoproperty) {
  auto near = GeoQuery::parse("near;maxDistance==1000", "Point", J("[5,5]"));
  near.set_geoproperty("https://uri.etsi.org/ngsi-ld/location");
  auto entity = [](const char* attrs) { return J((std::string(R"({"id":"urn:x:1","attrs":)") + attrs + "}").c_str()); };
  const char* here = R"({"type":"GeoProperty","value":{"type":"Point","coordinates":[5,5.001]}})";
  const char* far = R"({"type":"GeoProperty","value":{"type":"Point","coordinates":[6,6]}})";
  const std::string location = R"("https://uri.etsi.org/ngsi-ld/location")";
  EXPECT_TRUE(stored_geo_matches(entity(("{" + location + ":[" + here + "]}").c_str()), near));
  EXPECT_TRUE(stored_geo_matches(entity(("{" + location + ":[" + far + "," + here + "]}").c_str()), near))
      << "a second instance (another datasetId) matches too";
  EXPECT_FALSE(stored_geo_matches(entity(("{" + location + ":[" + far + "]}").c_str()), near));
  EXPECT_FALSE(stored_geo_matches(entity((std::string(R"({"https://example.org/other":[)") + here + "]}").c_str()), near))
      << "another GeoProperty does not count";
  EXPECT_FALSE(stored_geo_matches(
      entity(("{" + location + R"(:[{"type":"Property","value":{"type":"Point","coordinates":[5,5]}}]})").c_str()), near))
      << "a Property holding GeoJSON is not a location";
  EXPECT_FALSE(stored_geo_matches(entity(("{" + location + ":[1,\"x\",null]}").c_str()), near));
  EXPECT_FALSE(stored_geo_matches(J(R"({"id":"urn:x:1"})"), near));
  EXPECT_FALSE(stored_geo_matches(J("[]"), near));
}

TEST(GeoRelation, SelfIntersectingStoredPolygonDoesNotCrash) {
  // A bow tie passes GeoJSON validation (rings are closed) but is invalid for GEOS; whatever GEOS answers,
  // it must not throw or print.
  Json bowtie = J(R"({"type":"Polygon","coordinates":[[[1,1],[9,9],[9,1],[1,9],[1,1]]]})");
  Json collapsed = J(R"({"type":"Polygon","coordinates":[[[1,1],[1,1],[1,1],[1,1]]]})");
  for (const char* rel : {"within", "contains", "intersects", "disjoint", "equals", "overlaps"}) {
    auto q = GeoQuery::parse(rel, "Polygon", J(kSquare));
    (void)q.matches(bowtie);
    (void)q.matches(collapsed);
  }
  auto near = GeoQuery::parse("near;maxDistance==1", "Point", J("[5,5]"));
  EXPECT_TRUE(near.matches(bowtie));
}

TEST(GeoRelation, SharedAcrossThreads) {
  auto q = GeoQuery::parse("within", "Polygon", J(kHoled));
  std::vector<std::thread> threads;
  std::atomic<int> wrong = 0;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        double x = (i * 7 + t) % 120 / 10.0, y = (i * 13 + t) % 120 / 10.0;
        bool inside = x > 0 && x < 10 && y > 0 && y < 10 && !(x >= 4 && x <= 6 && y >= 4 && y <= 6);
        if (q.matches(Json{{"type", "Point"}, {"coordinates", {x, y}}}) != inside) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
}

// ------------------------------------------------------------------------------------------------------------
// near

TEST(GeoNear, PointToPointUsesHaversine) {
  const char* stored = R"({"type":"Point","coordinates":[139.946,35.886]})";
  double d = haversine(139.945, 35.885, 139.946, 35.886);
  EXPECT_NEAR(d, 143, 1);
  struct Case {
    const char* georel;
    bool expected;
  };
  const Case cases[] = {
      {"near;maxDistance==100", false},
      {"near;maxDistance==200", true},
      {"near;maxDistance==143.5", true},
      {"near;maxDistance==142.5", false},
      {"near;minDistance==100", true},
      {"near;minDistance==200", false},
      {"near;maxDistance==2000;minDistance==100", true},
      {"near;minDistance==150;maxDistance==2000", false},
      {"near;maxDistance==0", false},
  };
  for (const Case& c : cases) EXPECT_EQ(query(c.georel, "Point", "[139.945,35.885]", stored), c.expected) << c.georel;
  EXPECT_TRUE(
      query("near;maxDistance==0", "Point", "[139.945,35.885]", R"({"type":"Point","coordinates":[139.945,35.885]})"));
}

TEST(GeoNear, MultiPointTakesTheClosest) {
  const char* stored = R"({"type":"MultiPoint","coordinates":[[140.5,36],[139.946,35.886]]})";
  EXPECT_TRUE(query("near;maxDistance==200", "Point", "[139.945,35.885]", stored));
  EXPECT_FALSE(query("near;minDistance==200", "Point", "[139.945,35.885]", stored));
}

TEST(GeoNear, PolygonAtTokyoLatitude) {
  // Tokyo Station; a 1 km square block whose west edge is 500 m east of it.
  const double lon = 139.7671, lat = 35.6812;
  const double west = lon + east(500, lat), far = lon + east(1500, lat);
  const double south = lat - 0.005, north = lat + 0.005;
  Json block = {{"type", "Polygon"},
                {"coordinates", {{{west, south}, {far, south}, {far, north}, {west, north}, {west, south}}}}};
  Json point = Json::array({lon, lat});
  EXPECT_FALSE(GeoQuery::parse("near;maxDistance==490", "Point", point).matches(block));
  EXPECT_TRUE(GeoQuery::parse("near;maxDistance==510", "Point", point).matches(block));
  EXPECT_TRUE(GeoQuery::parse("near;minDistance==490", "Point", point).matches(block));
  EXPECT_FALSE(GeoQuery::parse("near;minDistance==510", "Point", point).matches(block));
  // From inside the block the distance is 0.
  Json inside = Json::array({lon + east(1000, lat), lat});
  EXPECT_TRUE(GeoQuery::parse("near;maxDistance==0", "Point", inside).matches(block));
  // A street running north-south 300 m west.
  Json street = {{"type", "LineString"},
                 {"coordinates", {{lon - east(300, lat), south}, {lon - east(300, lat), north}}}};
  EXPECT_FALSE(GeoQuery::parse("near;maxDistance==295", "Point", point).matches(street));
  EXPECT_TRUE(GeoQuery::parse("near;maxDistance==305", "Point", point).matches(street));
  // The same street as a MultiLineString inside a GeometryCollection.
  Json collection = {{"type", "GeometryCollection"},
                     {"geometries", {{{"type", "MultiLineString"}, {"coordinates", {street["coordinates"]}}}}}};
  EXPECT_TRUE(GeoQuery::parse("near;maxDistance==305", "Point", point).matches(collection));
}

TEST(GeoNear, NonPointQueryGeometry) {
  const double lat = 35.6812, lon = 139.7671;
  // A north-south line; a point 400 m east of it.
  Json line = {{lon, lat - 0.01}, {lon, lat + 0.01}};
  Json stored = {{"type", "Point"}, {"coordinates", {lon + east(400, lat), lat}}};
  EXPECT_TRUE(GeoQuery::parse("near;maxDistance==410", "LineString", line).matches(stored));
  EXPECT_FALSE(GeoQuery::parse("near;maxDistance==390", "LineString", line).matches(stored));
}

TEST(GeoNear, AcrossTheAntimeridian) {
  double d = haversine(179.999, 0, -179.999, 0);
  EXPECT_NEAR(d, 222.4, 0.5);
  EXPECT_TRUE(query("near;maxDistance==300", "Point", "[179.999,0]", R"({"type":"Point","coordinates":[-179.999,0]})"));
  EXPECT_FALSE(
      query("near;maxDistance==200", "Point", "[179.999,0]", R"({"type":"Point","coordinates":[-179.999,0]})"));
  // A polygon just west of the antimeridian seen from just east of it is measured the short way round.
  const char* polygon =
      R"({"type":"Polygon","coordinates":[[[179.998,-1],[179.999,-1],[179.999,1],[179.998,1],[179.998,-1]]]})";
  EXPECT_TRUE(query("near;maxDistance==300", "Point", "[-179.999,0]", polygon));
  EXPECT_FALSE(query("near;maxDistance==200", "Point", "[-179.999,0]", polygon));
  auto box = GeoQuery::parse("near;maxDistance==300", "Point", J("[-179.999,0]")).search_box();
  ASSERT_TRUE(box);
  EXPECT_EQ(box->min_lon, -180);
  EXPECT_EQ(box->max_lon, 180);
}

TEST(GeoNear, NearThePole) {
  auto q = GeoQuery::parse("near;maxDistance==1000", "Point", J("[10,89.995]"));
  // The pole is 556 m away, so a point on the other side of it is ~1 km away.
  EXPECT_TRUE(q.matches(J(R"({"type":"Point","coordinates":[-170,89.9965]})")));
  auto box = q.search_box();
  ASSERT_TRUE(box);
  EXPECT_EQ(box->min_lon, -180);
  EXPECT_EQ(box->max_lon, 180);
  EXPECT_EQ(box->max_lat, 90);
  EXPECT_NEAR(box->min_lat, 89.995 - 1000 / kEarthRadius * 180 / std::numbers::pi, 1e-6);
  auto at_pole = GeoQuery::parse("near;maxDistance==1000", "Point", J("[0,90]"));
  EXPECT_TRUE(at_pole.matches(J(R"({"type":"LineString","coordinates":[[0,89.995],[90,89.995]]})")));
  EXPECT_TRUE(at_pole.search_box());
}

// ------------------------------------------------------------------------------------------------------------
// search_circle and box_may_touch: the rtree's test of its boxes

TEST(GeoSearchCircle, OnlyForNearAroundAPoint) {
  auto circle = GeoQuery::parse("near;maxDistance==500", "Point", J("[139.7,35.6]")).search_circle();
  ASSERT_TRUE(circle);
  EXPECT_EQ(circle->lon, 139.7);
  EXPECT_EQ(circle->lat, 35.6);
  EXPECT_EQ(circle->max_metres, 500);
  EXPECT_FALSE(GeoQuery::parse("near;minDistance==500", "Point", J("[139.7,35.6]")).search_circle());
  EXPECT_FALSE(GeoQuery::parse("near;maxDistance==500", "Polygon", J(kSquare)).search_circle());
  EXPECT_FALSE(GeoQuery::parse("within", "Polygon", J(kSquare)).search_circle());
}

TEST(GeoSearchCircle, DropsBoxesOutOfReachAndKeepsTheOthers) {
  GeoQuery::Circle tokyo{139.7, 35.6, 500};
  EXPECT_TRUE(box_may_touch({139.69, 35.59, 139.71, 35.61}, tokyo));     // around the centre
  EXPECT_TRUE(box_may_touch({139.7049, 35.6, 139.71, 35.61}, tokyo));    // 443 m east
  EXPECT_FALSE(box_may_touch({139.7045, 35.6036, 139.71, 35.61}, tokyo));  // the north-east corner: 571 m
  EXPECT_FALSE(box_may_touch({139.8, 35.6, 139.9, 35.7}, tokyo));
  // The short way round the antimeridian, and across the pole.
  EXPECT_TRUE(box_may_touch({-180, -0.001, -179.998, 0.001}, {179.999, 0, 300}));
  EXPECT_FALSE(box_may_touch({-180, -0.001, -179.998, 0.001}, {179.999, 0, 100}));
  EXPECT_TRUE(box_may_touch({-170.001, 89.996, -169.999, 89.997}, {10, 89.995, 1000}));
}

// Against the exact matcher: a box with any point within reach must be kept,
// wherever on the globe and at whatever distance.
TEST(GeoSearchCircle, NeverDropsABoxWithAPointInReach) {
  std::mt19937 rng(20261205);
  std::uniform_real_distribution<double> unit(0, 1);
  const double distances[] = {50, 500, 5e3, 5e4, 5e5, 5e6};
  int kept = 0, dropped = 0;
  for (int i = 0; i < 3000; ++i) {
    double lon = -180 + 360 * unit(rng), lat = -89.9 + 179.8 * unit(rng);
    if (i % 10 == 0) lon = i % 20 == 0 ? 179.9995 : -179.9995;  // at the antimeridian
    if (i % 15 == 0) lat = i % 30 == 0 ? 89.99 : -89.99;           // near a pole
    double metres = distances[i % 6];
    GeoQuery query = GeoQuery::parse("near;maxDistance==" + std::to_string(metres), "Point",
                                     Json::array({lon, lat}));
    auto circle = query.search_circle();
    ASSERT_TRUE(circle);
    double reach = 3 * metres / kEarthRadius * 180 / std::numbers::pi;  // degrees of latitude
    double w = reach * unit(rng), h = reach * unit(rng);
    BBox box{lon + reach * (2 * unit(rng) - 1), lat + reach * (2 * unit(rng) - 1), 0, 0};
    if (box.min_lon >= 180) box.min_lon -= 360;  // boxes on the other side of the antimeridian
    if (box.min_lon < -180) box.min_lon += 360;
    box.min_lat = std::clamp(box.min_lat, -90.0, 90.0);
    box.max_lon = std::min(box.min_lon + w, 180.0);
    box.max_lat = std::min(box.min_lat + h, 90.0);
    bool reachable = false;
    constexpr int kSteps = 12;
    for (int a = 0; a <= kSteps && !reachable; ++a) {
      for (int b = 0; b <= kSteps && !reachable; ++b) {
        double plon = box.min_lon + (box.max_lon - box.min_lon) * a / kSteps;
        double plat = box.min_lat + (box.max_lat - box.min_lat) * b / kSteps;
        reachable = query.matches(Json{{"type", "Point"}, {"coordinates", {plon, plat}}});
      }
    }
    bool may = box_may_touch(box, *circle);
    if (reachable) {
      ASSERT_TRUE(may) << "circle " << lon << "," << lat << " r=" << metres << " box " << box.min_lon << ","
                       << box.min_lat << " " << box.max_lon << "," << box.max_lat;
    }
    (may ? kept : dropped)++;
  }
  EXPECT_GT(dropped, 300);  // the test is not vacuous: it drops boxes out of reach
  EXPECT_GT(kept, 300);
}

// ------------------------------------------------------------------------------------------------------------
// search_box

TEST(GeoSearchBox, ByRelation) {
  auto within = GeoQuery::parse("within", "Polygon", J(kSquare)).search_box();
  ASSERT_TRUE(within);
  EXPECT_EQ(within->min_lon, 0);
  EXPECT_EQ(within->max_lat, 10);
  for (const char* rel : {"contains", "intersects", "equals", "overlaps"})
    EXPECT_TRUE(GeoQuery::parse(rel, "Polygon", J(kSquare)).search_box()) << rel;
  EXPECT_FALSE(GeoQuery::parse("disjoint", "Polygon", J(kSquare)).search_box());
  EXPECT_FALSE(GeoQuery::parse("near;minDistance==10", "Point", J("[1,2]")).search_box());
  EXPECT_TRUE(GeoQuery::parse("near;minDistance==10;maxDistance==20", "Point", J("[1,2]")).search_box());
  // Half the globe away everything matches.
  auto all = GeoQuery::parse("near;maxDistance==30000000", "Point", J("[1,2]")).search_box();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->min_lon, -180);
  EXPECT_EQ(all->min_lat, -90);
  EXPECT_EQ(all->max_lon, 180);
  EXPECT_EQ(all->max_lat, 90);
}

bool inside(const BBox& b, double lon, double lat) {
  return lon >= b.min_lon && lon <= b.max_lon && lat >= b.min_lat && lat <= b.max_lat;
}

// The point `metres` away from (lon, lat) on initial bearing `bearing` (radians), on the sphere.
std::pair<double, double> destination(double lon, double lat, double bearing, double metres) {
  constexpr double k = std::numbers::pi / 180;
  double a = metres / kEarthRadius, phi = lat * k;
  double phi2 = std::asin(std::sin(phi) * std::cos(a) + std::cos(phi) * std::sin(a) * std::cos(bearing));
  double lam = lon * k + std::atan2(std::sin(bearing) * std::sin(a) * std::cos(phi),
                                    std::cos(a) - std::sin(phi) * std::sin(phi2));
  double lon2 = std::remainder(lam / k, 360.0);
  return {std::clamp(lon2, -180.0, 180.0), std::clamp(phi2 / k, -90.0, 90.0)};
}

TEST(GeoSearchBox, HoldsTheWidestPointOfTheCap) {
  // At high latitude a circle bulges poleward: its widest longitude is asin(sin(a) / cos(lat0)), reached at
  // latitude asin(sin(lat0) / cos(a)), well beyond a / cos(lat0) at latitude lat0.
  const double lat0 = 80, d = 1000000, k = std::numbers::pi / 180, a = d * 0.9999 / kEarthRadius;
  double lon = std::asin(std::sin(a) / std::cos(lat0 * k)) / k, lat = std::asin(std::sin(lat0 * k) / std::cos(a)) / k;
  ASSERT_LT(haversine(0, lat0, lon, lat), d);
  auto q = GeoQuery::parse("near;maxDistance==1000000", "Point", Json::array({0, lat0}));
  EXPECT_TRUE(q.matches(Json{{"type", "Point"}, {"coordinates", {lon, lat}}}));
  EXPECT_TRUE(inside(*q.search_box(), lon, lat)) << lon << "," << lat << " box max_lon " << q.search_box()->max_lon;
}

// Random points around random centres (high latitudes and the antimeridian included): every point within
// maxDistance, by an independent haversine and by matches(), lies in the box.
TEST(GeoSearchBox, ContainsEveryPointWithinTheDistance) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> unit(0, 1);
  int within_count = 0;
  for (int round = 0; round < 300; ++round) {
    double lon0 = unit(rng) * 360 - 180, lat0 = (unit(rng) * 2 - 1) * (round % 3 == 0 ? 89.9 : 70);
    if (round % 10 == 0) lon0 = round % 20 == 0 ? 179.99 : -179.99;
    double d = std::pow(10, 1 + unit(rng) * 5);  // 10 m .. 1000 km
    auto q = GeoQuery::parse("near;maxDistance==" + std::to_string(d), "Point", Json::array({lon0, lat0}));
    auto box = q.search_box();
    ASSERT_TRUE(box);
    for (int i = 0; i < 300; ++i) {
      // Most samples close to the circle, where a box that is too tight would show.
      double r = i % 2 ? d * (0.97 + 0.06 * unit(rng)) : d * 1.5 * unit(rng);
      auto [lon, lat] = destination(lon0, lat0, unit(rng) * 2 * std::numbers::pi, r);
      bool is_near = haversine(lon0, lat0, lon, lat) <= d;
      bool matched = q.matches(Json{{"type", "Point"}, {"coordinates", {lon, lat}}});
      EXPECT_EQ(is_near, matched) << lon0 << "," << lat0 << " d=" << d << " point " << lon << "," << lat;
      if (matched) {
        ++within_count;
        EXPECT_TRUE(inside(*box, lon, lat)) << lon0 << "," << lat0 << " d=" << d << " point " << lon << "," << lat;
      }
    }
  }
  EXPECT_GT(within_count, 10000);  // the check has teeth
}

// Same for stored segments (the projected distance): a matching segment's bbox meets the box.
TEST(GeoSearchBox, MeetsEveryMatchingLine) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> unit(0, 1);
  int matched = 0;
  for (int round = 0; round < 200; ++round) {
    double lon0 = unit(rng) * 360 - 180, lat0 = (unit(rng) * 2 - 1) * 80;
    double d = std::pow(10, 1 + unit(rng) * 4);
    auto q = GeoQuery::parse("near;maxDistance==" + std::to_string(d), "Point", Json::array({lon0, lat0}));
    BBox box = *q.search_box();
    double spread = 3 * d / kEarthRadius * 180 / std::numbers::pi;
    for (int i = 0; i < 50; ++i) {
      auto coord = [&](double c, double s, double lim) { return std::clamp(c + (unit(rng) * 2 - 1) * s, -lim, lim); };
      double s_lon = spread / std::cos(lat0 * std::numbers::pi / 180);
      Json line = {
          {"type", "LineString"},
          {"coordinates",
           {{coord(lon0, s_lon, 180), coord(lat0, spread, 90)}, {coord(lon0, s_lon, 180), coord(lat0, spread, 90)}}}};
      if (!q.matches(line)) continue;
      ++matched;
      BBox b = bbox_of(line);
      EXPECT_TRUE(b.min_lon <= box.max_lon && box.min_lon <= b.max_lon && b.min_lat <= box.max_lat &&
                  box.min_lat <= b.max_lat)
          << line.dump() << " d=" << d;
    }
  }
  EXPECT_GT(matched, 500);
}

// ------------------------------------------------------------------------------------------------------------
// Parsing

TEST(GeoParse, ErrorsAreBadRequestDataWithPreciseDetail) {
  struct Case {
    const char* georel;
    const char* geometry;
    Json coordinates;
    const char* detail;
    bool prefix = false;  // detail is only the start (the rest is nlohmann's wording)
  };
  const Case cases[] = {
      {"", "Point", J("[1,2]"), "georel is missing"},
      {"nearby", "Point", J("[1,2]"),
       "unknown georel \"nearby\" (expected near, within, contains, intersects, disjoint, equals or overlaps)"},
      {"Within", "Point", J("[1,2]"),
       "unknown georel \"Within\" (expected near, within, contains, intersects, disjoint, equals or overlaps)"},
      {"near", "Point", J("[1,2]"), "georel near needs maxDistance==<metres> and/or minDistance==<metres>"},
      {"near;maxDistance==", "Point", J("[1,2]"), "georel maxDistance has no value (expected maxDistance==<metres>)"},
      {"near;maxDistance==-5", "Point", J("[1,2]"), "georel maxDistance must not be negative, got -5"},
      {"near;minDistance==abc", "Point", J("[1,2]"), "georel minDistance \"abc\" is not a finite number of metres"},
      {"near;maxDistance==10m", "Point", J("[1,2]"), "georel maxDistance \"10m\" is not a finite number of metres"},
      {"near;maxDistance==inf", "Point", J("[1,2]"), "georel maxDistance \"inf\" is not a finite number of metres"},
      {"near;maxDistance==1e999", "Point", J("[1,2]"), "georel maxDistance \"1e999\" is not a finite number of metres"},
      {"near;maxDistance=5", "Point", J("[1,2]"),
       "unknown georel modifier \"maxDistance=5\" (near accepts maxDistance==<metres> and minDistance==<metres>)"},
      {"near;maxDistance", "Point", J("[1,2]"), "georel modifier maxDistance must be written maxDistance==<metres>"},
      {"near;distance==5", "Point", J("[1,2]"),
       "unknown georel modifier \"distance==5\" (near accepts maxDistance==<metres> and minDistance==<metres>)"},
      {"near;maxDistance==5;", "Point", J("[1,2]"),
       "unknown georel modifier \"\" (near accepts maxDistance==<metres> and minDistance==<metres>)"},
      {"near;maxDistance==5;maxDistance==6", "Point", J("[1,2]"), "georel modifier maxDistance is given twice"},
      {"near;maxDistance==100;minDistance==500.5", "Point", J("[1,2]"),
       "georel minDistance 500.5 is greater than maxDistance 100"},
      {"within;maxDistance==5", "Polygon", J(kSquare), "georel within takes no modifiers, got \"maxDistance==5\""},
      {"within", "", J("[1,2]"), "geometry is missing"},
      {"within", "Circle", J("[1,2]"),
       "unsupported geometry \"Circle\" (expected Point, MultiPoint, LineString, MultiLineString, Polygon or "
       "MultiPolygon)"},
      {"within", "GeometryCollection", J("[1,2]"),
       "unsupported geometry \"GeometryCollection\" (expected Point, MultiPoint, LineString, MultiLineString, "
       "Polygon or MultiPolygon)"},
      {"within", "Point", Json(), "coordinates are missing"},
      {"within", "Point", J("[[1,2]]"),
       "invalid coordinates for geometry Point: Point coordinates: a position must be an array of 2 or 3 numbers "
       "[longitude, latitude(, altitude)], got [[1,2]]"},
      {"within", "Polygon", J("[1,2]"),
       "invalid coordinates for geometry Polygon: Polygon coordinates[0]: expected an array, not number"},
      {"within", "Polygon", J("[[[0,0],[1,0],[1,1],[0,1]]]"),
       "invalid coordinates for geometry Polygon: Polygon coordinates[0]: the linear ring is not closed (its last "
       "position must repeat the first)"},
      {"intersects", "LineString", J("[[1,2]]"),
       "invalid coordinates for geometry LineString: LineString coordinates: a LineString needs at least 2 "
       "positions, got 1"},
      {"intersects", "Point", J("[1,91]"),
       "invalid coordinates for geometry Point: Point coordinates: latitude 91 is outside [-90, 90]"},
      {"intersects", "Point", Json("[1,2"), "coordinates are not valid JSON: malformed JSON: ", true},
      // Found by geo_fuzz: nlohmann reports a number overflow as out_of_range, which escaped parse_json.
      {"near;maxDistance==10", "LineString", Json("[[1e719,10],[-67.99,10.01]]"),
       "coordinates are not valid JSON: unacceptable JSON: [json.exception.out_of_range.406] number overflow parsing '1e719'"},
      {"intersects", "Point", Json("\"1,2\""),
       "invalid coordinates for geometry Point: Point coordinates: a position must be an array of 2 or 3 numbers "
       "[longitude, latitude(, altitude)], got \"1,2\""},
  };
  for (const Case& c : cases) {
    std::string detail = parse_error(c.georel, c.geometry, c.coordinates);
    EXPECT_EQ(c.prefix ? detail.substr(0, std::strlen(c.detail)) : detail, c.detail) << c.georel;
  }
}

TEST(GeoParse, RejectsSelfIntersectingQueryPolygon) {
  std::string detail = parse_error("within", "Polygon", J("[[[1,1],[9,9],[9,1],[1,9],[1,1]]]"));
  EXPECT_EQ(detail.rfind("invalid query geometry: Self-intersection", 0), 0u) << detail;
}

TEST(GeoParse, CoordinatesMayBeText) {
  auto q = GeoQuery::parse("near;maxDistance==200", "Point", Json("[139.945,35.885]"));
  EXPECT_TRUE(q.matches(J(R"({"type":"Point","coordinates":[139.946,35.886]})")));
  auto p = GeoQuery::parse("within", "Polygon", Json(std::string(kSquare)));
  EXPECT_TRUE(p.matches(J(R"({"type":"Point","coordinates":[5,5]})")));
}

TEST(GeoParse, GeopropertyAndCopies) {
  auto q = GeoQuery::parse("within", "Polygon", J(kSquare));
  EXPECT_EQ(q.geoproperty(), "location");
  EXPECT_EQ(GeoQuery::parse("within", "Polygon", J(kSquare), "").geoproperty(), "location");
  auto r = GeoQuery::parse("within", "Polygon", J(kSquare), "observationSpace");
  EXPECT_EQ(r.geoproperty(), "observationSpace");
  r.set_geoproperty("https://uri.etsi.org/ngsi-ld/observationSpace");
  EXPECT_EQ(r.geoproperty(), "https://uri.etsi.org/ngsi-ld/observationSpace");
  GeoQuery copy = q;
  q = r;
  EXPECT_TRUE(copy.matches(J(R"({"type":"Point","coordinates":[5,5]})")));
  GeoQuery empty;
  EXPECT_FALSE(empty.matches(J(R"({"type":"Point","coordinates":[5,5]})")));
  EXPECT_FALSE(empty.search_box());
}

}  // namespace
}  // namespace machi::ld
