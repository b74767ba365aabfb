// Geometry for NGSI-LD: GeoJSON validation and geo-queries (clause 4.10),
// with exact predicates computed by GEOS and distances in metres on WGS 84.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"

namespace machi::ld {

// Longitude/latitude bounding box in degrees.
struct BBox {
  double min_lon, min_lat, max_lon, max_lat;
};

// Throws machi::Error(BadRequestData) unless value is a valid GeoJSON geometry
// (Point, MultiPoint, LineString, MultiLineString, Polygon with closed rings,
// MultiPolygon; positions [lon, lat(, alt)] with lon in [-180,180], lat in [-90,90]).
void validate_geojson(const Json& geometry);

// The bounding box of a valid GeoJSON geometry.
BBox bbox_of(const Json& geometry);

class GeoQuery {
 public:
  // Builds from the request parameters georel, geometry, coordinates (the
  // JSON text of the coordinates array, or an already parsed array) and
  // geoproperty (a short name, expanded later by the caller; default
  // "location"). Throws machi::Error(BadRequestData) with a precise detail.
  static GeoQuery parse(std::string_view georel, std::string_view geometry, const Json& coordinates,
                        std::string geoproperty = "location");

  // True when the GeoJSON geometry stored in a GeoProperty's value satisfies
  // the relation with the query geometry. DE-9IM semantics in lon/lat space,
  // the stored geometry on the left: "within" = stored within query,
  // "contains" = stored contains query (boundaries are not interiors: a point
  // on a polygon's edge is not within it). "near": metres on the sphere,
  // maxDistance and minDistance both inclusive. Altitudes are ignored. An
  // invalid stored geometry never matches. Thread-safe.
  bool matches(const Json& stored_geometry) const;

  // A box that every matching geometry's bbox intersects, for index
  // prefiltering; nullopt when no box bounds the matches (disjoint,
  // near;minDistance alone).
  std::optional<BBox> search_box() const;

  // near;maxDistance around a Point: the centre and the distance, so that an
  // index can drop the corners of search_box() (see box_may_touch). nullopt
  // for every other query.
  struct Circle {
    double lon, lat, max_metres;
  };
  std::optional<Circle> search_circle() const;

  const std::string& geoproperty() const { return geoproperty_; }
  void set_geoproperty(std::string iri) { geoproperty_ = std::move(iri); }

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
  std::string geoproperty_;
};

// False only when no point of the box (degrees) lies within circle.max_metres
// of the circle's centre on the sphere; a lower bound of the distance, never
// more than the true one, so no match is ever lost.
bool box_may_touch(const BBox& box, const GeoQuery::Circle& circle);

// True when an instance of geo.geoproperty() in an entity of the stored form
// (see entity.h) is a GeoProperty whose value matches the query.
bool stored_geo_matches(const Json& stored, const GeoQuery& geo);

}  // namespace machi::ld
