// NGSI-LD geo-queries (ETSI GS CIM 009 V1.8, clause 4.10) and GeoJSON (RFC 7946) validation.
//
// Topological relations (within, contains, intersects, disjoint, equals, overlaps) are GEOS DE-9IM predicates
// in plain lon/lat space (GeoJSON's planar interpretation). Distances for "near" are metres on a sphere of the
// mean Earth radius: haversine between points; for any other shape both geometries are projected onto a local
// equirectangular plane centred on the query and GEOS measures there. That projection is accurate to well
// under 1% at city scales (a few tens of km) away from the poles; it is a documented approximation.
//
// Threading: GEOS contexts must be used by one thread at a time, so every thread gets its own (thread_local)
// for the per-call work. A GEOS prepared geometry is not thread-safe either (its indexes are built lazily on
// first use, libgeos/geos#825), yet it makes a polygon predicate 35-500x faster than the plain one (measured
// on 5..2049-vertex polygons against points: ~1.8-60 us plain, ~50-130 ns prepared). So each query keeps a
// small pool of prepared clones of its geometry; a matches() call borrows one for its duration, and there are
// never more clones than threads evaluating the query at the same time.
#include "ld/geo.h"

#include <geos_c.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <mutex>
#include <numbers>
#include <vector>

#include "core/error.h"

namespace machi::ld {
namespace {

constexpr double kEarthRadius = 6371008.8;  // IUGG mean radius, metres
constexpr double kDegToRad = std::numbers::pi / 180;
constexpr double kRadToDeg = 180 / std::numbers::pi;

[[noreturn]] void bad(std::string detail) { throw Error(ErrorType::kBadRequestData, std::move(detail)); }

// ---------------------------------------------------------------------------------------------------------
// GeoJSON validation. The nesting of "coordinates" is fixed by the type, so the walk below never follows
// the depth of the input: garbage of any depth is rejected at the first level that has the wrong shape.

enum class Shape { kPoint, kMultiPoint, kLineString, kMultiLineString, kPolygon, kMultiPolygon, kCollection };

constexpr std::string_view kShapeNames[] = {"Point",   "MultiPoint",   "LineString",        "MultiLineString",
                                            "Polygon", "MultiPolygon", "GeometryCollection"};

std::string_view name_of(Shape s) { return kShapeNames[static_cast<int>(s)]; }

std::optional<Shape> shape_named(std::string_view name) {
  for (int i = 0; i < 7; ++i)
    if (kShapeNames[i] == name) return static_cast<Shape>(i);
  return std::nullopt;
}

const Json* member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// Validates a geometry and computes its bounding box in the same pass. Errors name the offending element,
// e.g. "Polygon coordinates[1][3]: latitude 91 is outside [-90, 90]".
class Scanner {
 public:
  BBox run(const Json& geometry) {
    box_ = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
            -std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    Shape shape = shape_of(geometry);
    if (shape == Shape::kCollection) {
      collection(geometry);
    } else {
      simple(geometry, shape);
    }
    return box_;
  }

  // The type of a geometry object, checking that it is one.
  Shape shape_of(const Json& geometry) {
    if (!geometry.is_object())
      fail(std::string("a GeoJSON geometry must be a JSON object, not ") + geometry.type_name());
    const Json* type = member(geometry, "type");
    if (!type || !type->is_string()) fail("a GeoJSON geometry needs a string member \"type\"");
    auto shape = shape_named(type->get_ref<const std::string&>());
    if (!shape)
      fail("unsupported GeoJSON geometry type " + type->dump() +
           " (expected Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon or GeometryCollection)");
    return *shape;
  }

 private:
  void collection(const Json& geometry) {
    const Json* parts = member(geometry, "geometries");
    if (!parts || !parts->is_array() || parts->empty())
      fail("a GeometryCollection needs a non-empty array member \"geometries\"");
    for (std::size_t i = 0; i < parts->size(); ++i) {
      part_ = static_cast<int>(i);
      shape_.reset();
      Shape shape = shape_of((*parts)[i]);
      // RFC 7946 advises against nesting; refusing it also keeps the walk's depth fixed.
      if (shape == Shape::kCollection) fail("a nested GeometryCollection is not supported");
      simple((*parts)[i], shape);
    }
  }

  void simple(const Json& geometry, Shape shape) {
    const Json* coords = member(geometry, "coordinates");
    if (!coords) fail("a " + std::string(name_of(shape)) + " needs a member \"coordinates\"");
    shape_ = shape;
    switch (shape) {
      case Shape::kPoint:
        return position(*coords);
      case Shape::kMultiPoint:
        return positions(*coords, 1, "a MultiPoint needs at least 1 position");
      case Shape::kLineString:
        return positions(*coords, 2, "a LineString needs at least 2 positions");
      case Shape::kMultiLineString:
        return each(*coords, [&](const Json& line) { positions(line, 2, "a LineString needs at least 2 positions"); });
      case Shape::kPolygon:
        return polygon(*coords);
      case Shape::kMultiPolygon:
        return each(*coords, [&](const Json& rings) { polygon(rings); });
      case Shape::kCollection:
        break;
    }
  }

  void polygon(const Json& rings) {
    each(rings, [&](const Json& ring) {
      positions(ring, 4, "a linear ring needs at least 4 positions");
      const Json &first = ring.front(), &last = ring.back();
      if (first[0].get<double>() != last[0].get<double>() || first[1].get<double>() != last[1].get<double>())
        fail("the linear ring is not closed (its last position must repeat the first)");
    });
  }

  // Checks that `array` is a non-empty array and calls f on each element, tracking the index for messages.
  template <typename F>
  void each(const Json& array, F&& f) {
    if (!array.is_array()) fail(std::string("expected an array, not ") + array.type_name());
    if (array.empty()) fail("expected a non-empty array");
    int& index = path_[depth_++];  // depth is fixed by the type: at most 3 (MultiPolygon)
    index = 0;
    for (const Json& element : array) {
      f(element);
      ++index;
    }
    --depth_;
  }

  void positions(const Json& array, std::size_t min, const char* too_few) {
    if (array.is_array() && !array.empty() && array[0].is_number())
      fail("expected an array of positions, not a single position");  // a level of nesting is missing
    if (array.is_array() && array.size() < min) fail(std::string(too_few) + ", got " + std::to_string(array.size()));
    each(array, [&](const Json& p) { position(p); });
  }

  void position(const Json& p) {
    if (!p.is_array() || p.size() < 2 || p.size() > 3)
      fail("a position must be an array of 2 or 3 numbers [longitude, latitude(, altitude)], got " + brief(p));
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (!p[i].is_number()) fail("position element " + std::to_string(i) + " must be a number, got " + brief(p[i]));
      if (!std::isfinite(p[i].get<double>())) fail("position element " + std::to_string(i) + " is not finite");
    }
    double lon = p[0].get<double>(), lat = p[1].get<double>();
    if (lon < -180 || lon > 180) fail("longitude " + p[0].dump() + " is outside [-180, 180]");
    if (lat < -90 || lat > 90) fail("latitude " + p[1].dump() + " is outside [-90, 90]");
    box_.min_lon = std::min(box_.min_lon, lon);
    box_.max_lon = std::max(box_.max_lon, lon);
    box_.min_lat = std::min(box_.min_lat, lat);
    box_.max_lat = std::max(box_.max_lat, lat);
  }

  // A short rendering of a bad value for a message. Not Json::dump(): that recurses through the whole value,
  // and a deeply nested one would exhaust the stack.
  static std::string brief(const Json& value) {
    std::string text;
    render(value, 3, text);
    return text.size() <= 40 ? text : text.substr(0, 37) + "...";
  }

  static void render(const Json& value, int depth, std::string& out) {
    if (!value.is_structured()) {
      out += value.is_string() && value.get_ref<const std::string&>().size() > 40
                 ? "\"" + value.get_ref<const std::string&>().substr(0, 40)
                 : value.dump();
      return;
    }
    bool array = value.is_array();
    out += array ? '[' : '{';
    if (depth == 0 && !value.empty()) out += "...";
    for (auto it = value.begin(); depth > 0 && it != value.end() && out.size() <= 40; ++it) {
      if (it != value.begin()) out += ',';
      if (!array) out += Json(it.key()).dump() + ":";
      render(*it, depth - 1, out);
    }
    out += array ? ']' : '}';
  }

  [[noreturn]] void fail(std::string what) const {
    std::string where;
    if (part_ >= 0) where = "GeometryCollection geometries[" + std::to_string(part_) + "]";
    if (shape_) {
      where += (where.empty() ? "" : " ") + std::string(name_of(*shape_)) + " coordinates";
      for (int i = 0; i < depth_; ++i) where += "[" + std::to_string(path_[i]) + "]";
    }
    bad(where.empty() ? what : where + ": " + what);
  }

  BBox box_{};
  std::optional<Shape> shape_;
  int part_ = -1;
  std::array<int, 4> path_{};  // indices into "coordinates" of the element being checked
  int depth_ = 0;
};

bool boxes_intersect(const BBox& a, const BBox& b) {
  return a.min_lon <= b.max_lon && b.min_lon <= a.max_lon && a.min_lat <= b.max_lat && b.min_lat <= a.max_lat;
}

bool box_inside(const BBox& inner, const BBox& outer) {
  return inner.min_lon >= outer.min_lon && inner.max_lon <= outer.max_lon && inner.min_lat >= outer.min_lat &&
         inner.max_lat <= outer.max_lat;
}

// ---------------------------------------------------------------------------------------------------------
// Distances.

// Great-circle metres for a latitude and a longitude difference (degrees) and
// the product of the two latitudes' cosines: the haversine formula.
double haversine_metres(double dlat, double dlon, double cos_product) {
  double s_lat = std::sin(dlat * kDegToRad / 2), s_lon = std::sin(dlon * kDegToRad / 2);
  double a = s_lat * s_lat + cos_product * s_lon * s_lon;
  return 2 * kEarthRadius * std::asin(std::min(1.0, std::sqrt(a)));
}

// Great-circle metres from (lon1, lat1), whose latitude's cosine the caller has at hand, to (lon2, lat2).
double haversine(double lon1, double lat1, double cos_lat1, double lon2, double lat2) {
  return haversine_metres(lat2 - lat1, lon2 - lon1, cos_lat1 * std::cos(lat2 * kDegToRad));
}

// The local equirectangular plane used for "near" with shapes other than points: metres east and north of
// (lon0, lat0), with the east scale fixed at cos(lat0). A geometry is shifted as a whole by a multiple of
// 360 degrees so that one lying just across the antimeridian from the centre is measured the short way round
// (shifting vertices one by one would change the shape).
struct Plane {
  double lon0 = 0, lat0 = 0, cos_lat0 = 1;
  double shift = 0;  // degrees added to longitudes of the geometry being projected

  static Plane at(double lon0, double lat0) { return {lon0, lat0, std::cos(lat0 * kDegToRad), 0}; }
  Plane for_box(const BBox& box) const {
    Plane p = *this;
    p.shift = 360 * std::round((lon0 - (box.min_lon + box.max_lon) / 2) / 360);
    return p;
  }
  double x(double lon) const { return (lon + shift - lon0) * kDegToRad * cos_lat0 * kEarthRadius; }
  double y(double lat) const { return (lat - lat0) * kDegToRad * kEarthRadius; }
};

// ---------------------------------------------------------------------------------------------------------
// GEOS plumbing.

// GEOS reports failures through return values (0/2/nullptr) as well; the text is kept for parse errors and
// nothing is ever printed.
void keep_message(const char* message, void* userdata) {
  if (userdata && message) *static_cast<std::string*>(userdata) = message;
}

class GeosContext {
 public:
  GeosContext() : handle_(GEOS_init_r()) {
    GEOSContext_setNoticeMessageHandler_r(handle_, keep_message, nullptr);
    GEOSContext_setErrorMessageHandler_r(handle_, keep_message, &last_error_);
  }
  ~GeosContext() { GEOS_finish_r(handle_); }
  GeosContext(const GeosContext&) = delete;
  GeosContext& operator=(const GeosContext&) = delete;
  GEOSContextHandle_t handle() const { return handle_; }
  const std::string& last_error() const { return last_error_; }

 private:
  GEOSContextHandle_t handle_;
  std::string last_error_;
};

GeosContext& thread_context() {
  thread_local GeosContext context;
  return context;
}

// Clones, preparations and destruction of a query's shared geometries happen on this context under its
// mutex, so they never depend on which thread (or whether its thread_local context is still alive) ends a
// query. Leaked on purpose: queries may be destroyed during static destruction.
struct AdminContext {
  GeosContext* context = new GeosContext;
  std::mutex mu;
};
AdminContext& admin() {
  static AdminContext* a = new AdminContext;
  return *a;
}

struct GeomDeleter {
  GEOSContextHandle_t handle;
  void operator()(GEOSGeometry* g) const { GEOSGeom_destroy_r(handle, g); }
};
using Geom = std::unique_ptr<GEOSGeometry, GeomDeleter>;

// Builds the GEOS form of a validated GeoJSON geometry, in degrees or projected onto a Plane. Altitudes are
// dropped: every predicate is 2D. Returns nullptr when GEOS refuses (it should not, after validation).
class Builder {
 public:
  Builder(GEOSContextHandle_t h, const Plane* plane) : h_(h), plane_(plane) {}

  Geom build(const Json& g) { return Geom(geometry(g), GeomDeleter{h_}); }

 private:
  GEOSGeometry* geometry(const Json& g) {
    auto shape = shape_named(g.at("type").get_ref<const std::string&>());
    if (*shape == Shape::kCollection)
      return collection(GEOS_GEOMETRYCOLLECTION, g.at("geometries"), &Builder::geometry);
    const Json& c = g.at("coordinates");
    switch (*shape) {
      case Shape::kPoint:
        return point(c);
      case Shape::kMultiPoint:
        return collection(GEOS_MULTIPOINT, c, &Builder::point);
      case Shape::kLineString:
        return line(c);
      case Shape::kMultiLineString:
        return collection(GEOS_MULTILINESTRING, c, &Builder::line);
      case Shape::kPolygon:
        return polygon(c);
      case Shape::kMultiPolygon:
        return collection(GEOS_MULTIPOLYGON, c, &Builder::polygon);
      case Shape::kCollection:
        break;
    }
    return nullptr;
  }

  GEOSCoordSequence* sequence(const Json& positions) {
    buffer_.clear();
    for (const Json& p : positions) {
      double lon = p[0].get<double>(), lat = p[1].get<double>();
      buffer_.push_back(plane_ ? plane_->x(lon) : lon);
      buffer_.push_back(plane_ ? plane_->y(lat) : lat);
    }
    return GEOSCoordSeq_copyFromBuffer_r(h_, buffer_.data(), static_cast<unsigned>(positions.size()), 0, 0);
  }

  GEOSGeometry* point(const Json& p) {
    double lon = p[0].get<double>(), lat = p[1].get<double>();
    return GEOSGeom_createPointFromXY_r(h_, plane_ ? plane_->x(lon) : lon, plane_ ? plane_->y(lat) : lat);
  }
  GEOSGeometry* line(const Json& c) { return GEOSGeom_createLineString_r(h_, sequence(c)); }

  GEOSGeometry* polygon(const Json& rings) {
    std::vector<GEOSGeometry*> made;
    for (const Json& ring : rings) {
      GEOSGeometry* r = GEOSGeom_createLinearRing_r(h_, sequence(ring));
      if (!r) return destroy_all(made);
      made.push_back(r);
    }
    return GEOSGeom_createPolygon_r(h_, made[0], made.data() + 1, static_cast<unsigned>(made.size() - 1));
  }

  GEOSGeometry* collection(int type, const Json& parts, GEOSGeometry* (Builder::*make)(const Json&)) {
    std::vector<GEOSGeometry*> made;
    for (const Json& part : parts) {
      GEOSGeometry* g = (this->*make)(part);
      if (!g) return destroy_all(made);
      made.push_back(g);
    }
    return GEOSGeom_createCollection_r(h_, type, made.data(), static_cast<unsigned>(made.size()));
  }

  GEOSGeometry* destroy_all(std::vector<GEOSGeometry*>& made) {
    for (GEOSGeometry* g : made) GEOSGeom_destroy_r(h_, g);
    return nullptr;
  }

  GEOSContextHandle_t h_;
  const Plane* plane_;
  std::vector<double> buffer_;
};

// ---------------------------------------------------------------------------------------------------------
// Query parameters.

enum class Rel { kNear, kWithin, kContains, kIntersects, kDisjoint, kEquals, kOverlaps };

struct RelName {
  std::string_view name;
  Rel rel;
};
constexpr RelName kRels[] = {{"near", Rel::kNear},         {"within", Rel::kWithin},
                             {"contains", Rel::kContains}, {"intersects", Rel::kIntersects},
                             {"disjoint", Rel::kDisjoint}, {"equals", Rel::kEquals},
                             {"overlaps", Rel::kOverlaps}};

// The parsed georel parameter, e.g. "near;maxDistance==2000;minDistance==100".
struct GeoRel {
  Rel rel = Rel::kIntersects;
  std::optional<double> max_distance;
  double min_distance = 0;
};

std::string format_number(double value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : "?";
}

double parse_distance(std::string_view name, std::string_view text) {
  std::string n(name);
  if (text.empty()) bad("georel " + n + " has no value (expected " + n + "==<metres>)");
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    bad("georel " + n + " \"" + std::string(text) + "\" is not a finite number of metres");
  if (value < 0) bad("georel " + n + " must not be negative, got " + std::string(text));
  return value;
}

Rel parse_rel(std::string_view head) {
  auto it = std::find_if(std::begin(kRels), std::end(kRels), [&](const RelName& r) { return r.name == head; });
  if (it == std::end(kRels))
    bad("unknown georel \"" + std::string(head) +
        "\" (expected near, within, contains, intersects, disjoint, equals or overlaps)");
  return it->rel;
}

// One ";name==value" modifier of near.
void parse_modifier(std::string_view modifier, std::optional<double>& max, std::optional<double>& min) {
  std::size_t eq = modifier.find("==");
  std::string name(modifier.substr(0, eq));
  if (name != "maxDistance" && name != "minDistance")
    bad("unknown georel modifier \"" + std::string(modifier) +
        "\" (near accepts maxDistance==<metres> and minDistance==<metres>)");
  if (eq == std::string_view::npos) bad("georel modifier " + name + " must be written " + name + "==<metres>");
  std::optional<double>& slot = name == "maxDistance" ? max : min;
  if (slot) bad("georel modifier " + name + " is given twice");
  slot = parse_distance(name, modifier.substr(eq + 2));
}

GeoRel parse_georel(std::string_view georel) {
  if (georel.empty()) bad("georel is missing");
  std::string_view head = georel.substr(0, georel.find(';'));
  GeoRel out;
  out.rel = parse_rel(head);
  std::optional<double> min;
  for (std::size_t pos = head.size(); pos < georel.size();) {  // georel[pos] == ';'
    std::size_t end = std::min(georel.find(';', pos + 1), georel.size());
    std::string_view modifier = georel.substr(pos + 1, end - pos - 1);
    pos = end;
    if (out.rel != Rel::kNear)
      bad("georel " + std::string(head) + " takes no modifiers, got \"" + std::string(modifier) + "\"");
    parse_modifier(modifier, out.max_distance, min);
  }
  if (out.rel != Rel::kNear) return out;
  if (!out.max_distance && !min) bad("georel near needs maxDistance==<metres> and/or minDistance==<metres>");
  if (out.max_distance && min && *min > *out.max_distance)
    bad("georel minDistance " + format_number(*min) + " is greater than maxDistance " +
        format_number(*out.max_distance));
  out.min_distance = min.value_or(0);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------

struct GeoQuery::Impl {
  struct Prepared {
    GEOSGeometry* geom;
    const GEOSPreparedGeometry* prep;
  };

  Rel rel = Rel::kIntersects;
  std::optional<double> max_distance;
  double min_distance = 0;
  Shape shape = Shape::kPoint;
  BBox box{};                    // its bounding box
  Plane plane;                   // near: the projection centre (the point, or the box centre)
  std::optional<BBox> search;    // search_box(), computed once
  GEOSGeometry* geom = nullptr;  // near: projected onto `plane`; otherwise degrees. Only ever cloned.

  mutable std::mutex mu;
  mutable std::vector<Prepared> pool;

  Impl() = default;
  Impl(const Impl&) = delete;
  ~Impl() {
    AdminContext& a = admin();
    std::lock_guard lock(a.mu);
    GEOSContextHandle_t h = a.context->handle();
    for (const Prepared& p : pool) {
      GEOSPreparedGeom_destroy_r(h, p.prep);
      GEOSGeom_destroy_r(h, p.geom);
    }
    if (geom) GEOSGeom_destroy_r(h, geom);
  }

  class Lease;

  bool matches(const Json& stored) const;
  bool near(const Json& stored, const BBox& stored_box) const;
  double distance(const Json& stored, const BBox& stored_box) const;
  bool relate(const Json& stored, const BBox& stored_box) const;
  std::optional<BBox> near_box() const;
};

namespace {

// Applies f to each position of a Point or MultiPoint (validated).
template <typename F>
void for_each_point(const Json& stored, Shape shape, F&& f) {
  const Json& c = stored.at("coordinates");
  if (shape == Shape::kPoint) return f(c[0].get<double>(), c[1].get<double>());
  for (const Json& p : c) f(p[0].get<double>(), p[1].get<double>());
}

}  // namespace

// Borrows one prepared clone of a query's geometry for the current thread, making one when the pool is empty.
class GeoQuery::Impl::Lease {
 public:
  explicit Lease(const Impl& impl) : impl_(impl) {
    {
      std::lock_guard lock(impl.mu);
      if (!impl.pool.empty()) {
        p_ = impl.pool.back();
        impl.pool.pop_back();
        return;
      }
    }
    AdminContext& a = admin();
    std::lock_guard lock(a.mu);  // also serializes reads of impl.geom by the clone
    GEOSContextHandle_t h = a.context->handle();
    p_.geom = GEOSGeom_clone_r(h, impl.geom);
    p_.prep = p_.geom ? GEOSPrepare_r(h, p_.geom) : nullptr;
    if (!p_.prep && p_.geom) GEOSGeom_destroy_r(h, p_.geom);
    if (!p_.prep) p_.geom = nullptr;
  }
  ~Lease() {
    if (!p_.prep) return;
    std::lock_guard lock(impl_.mu);
    impl_.pool.push_back(p_);
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  explicit operator bool() const { return p_.prep != nullptr; }
  const GEOSGeometry* geom() const { return p_.geom; }
  const GEOSPreparedGeometry* prep() const { return p_.prep; }

 private:
  const Impl& impl_;
  Prepared p_{nullptr, nullptr};
};

bool GeoQuery::Impl::matches(const Json& stored) const {
  BBox stored_box = Scanner().run(stored);  // throws on invalid input: no match
  return rel == Rel::kNear ? near(stored, stored_box) : relate(stored, stored_box);
}

bool GeoQuery::Impl::near(const Json& stored, const BBox& stored_box) const {
  double d = distance(stored, stored_box);
  if (std::isnan(d)) return false;
  return (!max_distance || d <= *max_distance) && d >= min_distance;
}

// Metres between the query and a stored geometry; NaN when GEOS fails.
double GeoQuery::Impl::distance(const Json& stored, const BBox& stored_box) const {
  Shape stored_shape = *shape_named(stored.at("type").get_ref<const std::string&>());
  if (shape == Shape::kPoint && (stored_shape == Shape::kPoint || stored_shape == Shape::kMultiPoint)) {
    // The common case (a sensor, a parking spot) stays exact and away from GEOS.
    double best = std::numeric_limits<double>::infinity();
    for_each_point(stored, stored_shape, [&](double lon, double lat) {
      best = std::min(best, haversine(plane.lon0, plane.lat0, plane.cos_lat0, lon, lat));
    });
    return best;
  }
  GEOSContextHandle_t h = thread_context().handle();
  Plane p = plane.for_box(stored_box);
  Geom g = Builder(h, &p).build(stored);
  Lease lease(*this);
  double d = std::numeric_limits<double>::quiet_NaN();
  if (!g || !lease || GEOSPreparedDistance_r(h, lease.prep(), g.get(), &d) != 1)
    return std::numeric_limits<double>::quiet_NaN();
  return d;
}

bool GeoQuery::Impl::relate(const Json& stored, const BBox& stored_box) const {
  // Envelope tests that each predicate implies settle most non-candidates without building anything.
  switch (rel) {
    case Rel::kDisjoint:
      if (!boxes_intersect(stored_box, box)) return true;
      break;
    case Rel::kWithin:
      if (!box_inside(stored_box, box)) return false;
      break;
    case Rel::kContains:
      if (!box_inside(box, stored_box)) return false;
      break;
    default:
      if (!boxes_intersect(stored_box, box)) return false;
  }
  GEOSContextHandle_t h = thread_context().handle();
  Geom g = Builder(h, nullptr).build(stored);
  Lease lease(*this);
  if (!g || !lease) return false;
  // GEOS answers "query REL stored"; within/contains ask "stored REL query", hence the swap.
  char r = 0;
  switch (rel) {
    case Rel::kWithin:
      r = GEOSPreparedContains_r(h, lease.prep(), g.get());
      break;
    case Rel::kContains:
      r = GEOSPreparedWithin_r(h, lease.prep(), g.get());
      break;
    case Rel::kIntersects:
      r = GEOSPreparedIntersects_r(h, lease.prep(), g.get());
      break;
    case Rel::kDisjoint:
      r = GEOSPreparedDisjoint_r(h, lease.prep(), g.get());
      break;
    case Rel::kOverlaps:
      r = GEOSPreparedOverlaps_r(h, lease.prep(), g.get());
      break;
    case Rel::kEquals:
      r = GEOSEquals_r(h, g.get(), lease.geom());
      break;
    case Rel::kNear:
      break;
  }
  return r == 1;  // 2 is a GEOS exception (e.g. a self-intersecting stored polygon): no match
}

// A box holding every geometry within max_distance of the query. Latitude: d/R radians either way. Longitude:
// for haversine the widest point of a spherical cap, asin(sin(d/R) / cos(lat)); for the local plane
// d / (R cos(lat0)); the larger of the two covers both measures. When the cap reaches a pole or the box
// crosses the antimeridian, every longitude is possible.
std::optional<BBox> GeoQuery::Impl::near_box() const {
  if (!max_distance) return std::nullopt;
  constexpr double kSlack = 1 + 1e-9, kPad = 1e-9;  // floating-point headroom, degrees (~0.1 mm)
  double angle = *max_distance / kEarthRadius;      // radians
  double dlat = angle * kRadToDeg * kSlack + kPad;
  BBox b{box.min_lon, box.min_lat - dlat, box.max_lon, box.max_lat + dlat};
  bool all_lon = b.min_lat <= -90 || b.max_lat >= 90 || plane.cos_lat0 < 1e-12;
  if (!all_lon) {
    double dlon = angle / plane.cos_lat0;
    if (shape == Shape::kPoint) {
      double s = std::sin(angle) / plane.cos_lat0;
      dlon = s >= 1 ? std::numeric_limits<double>::infinity() : std::max(dlon, std::asin(s));
    }
    dlon = dlon * kRadToDeg * kSlack + kPad;
    b.min_lon -= dlon;
    b.max_lon += dlon;
    all_lon = b.min_lon <= -180 || b.max_lon >= 180;
  }
  if (all_lon) {
    b.min_lon = -180;
    b.max_lon = 180;
  }
  b.min_lat = std::max(b.min_lat, -90.0);
  b.max_lat = std::min(b.max_lat, 90.0);
  return b;
}

// ---------------------------------------------------------------------------------------------------------
// Public interface.

void validate_geojson(const Json& geometry) { Scanner().run(geometry); }

BBox bbox_of(const Json& geometry) { return Scanner().run(geometry); }

namespace {

Json parse_coordinates(const Json& coordinates) {
  if (coordinates.is_null()) bad("coordinates are missing");
  if (!coordinates.is_string()) return coordinates;
  try {
    return parse_json(coordinates.get_ref<const std::string&>());
  } catch (const Error& e) {
    bad(std::string("coordinates are not valid JSON: ") + e.what());
  } catch (const Json::exception& e) {
    // parse_json lets nlohmann's out_of_range (a number such as 1e999) through; found by geo_fuzz.
    bad(std::string("coordinates are not valid JSON: ") + e.what());
  }
}

// GEOS predicates are only meaningful on valid polygons (a self-intersecting query would silently give odd
// answers or GEOS errors), so a bad query polygon is reported with GEOS's reason.
void check_polygon_validity(const Json& geometry) {
  GeosContext& ctx = thread_context();
  Geom g = Builder(ctx.handle(), nullptr).build(geometry);
  if (!g) bad("invalid query geometry: " + ctx.last_error());
  if (GEOSisValid_r(ctx.handle(), g.get()) == 1) return;
  char* reason = GEOSisValidReason_r(ctx.handle(), g.get());
  std::string text = reason ? reason : "invalid";
  if (reason) GEOSFree_r(ctx.handle(), reason);
  bad("invalid query geometry: " + text);
}

}  // namespace

GeoQuery GeoQuery::parse(std::string_view georel, std::string_view geometry, const Json& coordinates,
                         std::string geoproperty) {
  GeoRel parsed = parse_georel(georel);
  auto impl = std::make_shared<Impl>();
  impl->rel = parsed.rel;
  impl->max_distance = parsed.max_distance;
  impl->min_distance = parsed.min_distance;
  if (geometry.empty()) bad("geometry is missing");
  auto shape = shape_named(geometry);
  if (!shape || *shape == Shape::kCollection)
    bad("unsupported geometry \"" + std::string(geometry) +
        "\" (expected Point, MultiPoint, LineString, MultiLineString, Polygon or MultiPolygon)");
  impl->shape = *shape;
  Json geojson = {{"type", std::string(geometry)}, {"coordinates", parse_coordinates(coordinates)}};
  try {
    impl->box = Scanner().run(geojson);
  } catch (const Error& e) {
    bad(std::string("invalid coordinates for geometry ") + std::string(geometry) + ": " + e.what());
  }
  if (*shape == Shape::kPolygon || *shape == Shape::kMultiPolygon) check_polygon_validity(geojson);

  const Plane* plane = nullptr;
  if (impl->rel == Rel::kNear) {
    impl->plane = Plane::at((impl->box.min_lon + impl->box.max_lon) / 2, (impl->box.min_lat + impl->box.max_lat) / 2);
    plane = &impl->plane;
    impl->search = impl->near_box();
  } else if (impl->rel != Rel::kDisjoint) {
    impl->search = impl->box;
  }
  {
    AdminContext& a = admin();
    std::lock_guard lock(a.mu);
    impl->geom = Builder(a.context->handle(), plane).build(geojson).release();
  }
  if (!impl->geom) bad("invalid query geometry");

  GeoQuery q;
  q.impl_ = std::move(impl);
  q.geoproperty_ = geoproperty.empty() ? "location" : std::move(geoproperty);
  return q;
}

bool GeoQuery::matches(const Json& stored_geometry) const {
  if (!impl_) return false;
  try {
    return impl_->matches(stored_geometry);
  } catch (const Error&) {
    return false;  // not a valid geometry: nothing to match
  } catch (const Json::exception&) {
    return false;
  }
}

std::optional<GeoQuery::Circle> GeoQuery::search_circle() const {
  if (!impl_ || impl_->rel != Rel::kNear || !impl_->max_distance || impl_->shape != Shape::kPoint) return std::nullopt;
  return Circle{impl_->box.min_lon, impl_->box.min_lat, *impl_->max_distance};
}

// Over every point Q of the box: |lat(Q) - lat(P)| >= dlat, the longitude
// difference (the shorter way round) >= dlon and cos(lat(Q)) >= the smaller
// cosine of the box's edges, so the haversine of the central angle,
// sin²(dφ/2) + cos φP cos φQ sin²(dλ/2), is at least the same sum of these bounds.
bool box_may_touch(const BBox& box, const GeoQuery::Circle& circle) {
  auto gap = [](double v, double lo, double hi) { return v < lo ? lo - v : v > hi ? v - hi : 0.0; };
  double dlat = gap(circle.lat, box.min_lat, box.max_lat);
  double near_lon = gap(circle.lon, box.min_lon, box.max_lon);
  double far_lon = std::max(std::abs(circle.lon - box.min_lon), std::abs(circle.lon - box.max_lon));
  double dlon = std::clamp(std::min(near_lon, 360 - far_lon), 0.0, 180.0);
  double cos_box = std::max(0.0, std::min(std::cos(box.min_lat * kDegToRad), std::cos(box.max_lat * kDegToRad)));
  double lower_bound = haversine_metres(dlat, dlon, std::cos(circle.lat * kDegToRad) * cos_box);
  constexpr double kSlack = 1 + 1e-9, kPad = 1e-3;  // floating-point headroom; metres
  return lower_bound <= circle.max_metres * kSlack + kPad;
}

bool stored_geo_matches(const Json& stored, const GeoQuery& geo) {
  auto attrs = stored.find("attrs");
  if (attrs == stored.end() || !attrs->is_object()) return false;
  auto instances = attrs->find(geo.geoproperty());
  if (instances == attrs->end() || !instances->is_array()) return false;
  for (const Json& instance : *instances) {
    if (!instance.is_object()) continue;
    auto value = instance.find("value");
    if (instance.value("type", "") == "GeoProperty" && value != instance.end() && geo.matches(*value)) return true;
  }
  return false;
}

std::optional<BBox> GeoQuery::search_box() const {
  if (!impl_) return std::nullopt;
  return impl_->search;
}

}  // namespace machi::ld
