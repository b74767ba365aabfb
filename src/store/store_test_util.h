// Helpers shared by the store tests: temporary directories and stored-form
// entities built by hand (the store never depends on ld/entity.cc).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "core/json.h"
#include "core/time.h"
#include "store/store.h"

namespace machi::store::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "machi-store-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline const std::string kVocab = "https://uri.etsi.org/ngsi-ld/default-context/";
inline std::string iri(const std::string& term) { return kVocab + term; }

inline std::string stamp(TimeMs t) { return format_datetime(t); }

inline Json property(Json value, TimeMs modified = 1700000000000, std::string dataset_id = "") {
  Json p = {{"type", "Property"}, {"value", std::move(value)}};
  if (!dataset_id.empty()) p["datasetId"] = dataset_id;
  p["createdAt"] = stamp(1700000000000);
  p["modifiedAt"] = stamp(modified);
  return p;
}

inline Json relationship(std::string object) {
  return {{"type", "Relationship"}, {"object", std::move(object)}, {"createdAt", stamp(1700000000000)},
          {"modifiedAt", stamp(1700000000000)}};
}

inline Json point(double lon, double lat) {
  return {{"type", "GeoProperty"},
          {"value", {{"type", "Point"}, {"coordinates", {lon, lat}}}},
          {"createdAt", stamp(1700000000000)},
          {"modifiedAt", stamp(1700000000000)}};
}

// {"id", "type": [iri(type)], "attrs": {iri(name): [instance]}} with timestamps.
inline Json entity(const std::string& id, const std::string& type, const Json& attrs = Json::object(),
                   TimeMs modified = 1700000000000) {
  Json e = {{"id", id}, {"type", Json::array({iri(type)})}, {"createdAt", stamp(1700000000000)},
            {"modifiedAt", stamp(modified)}, {"attrs", Json::object()}};
  for (const auto& [name, instance] : attrs.items()) {
    e["attrs"][iri(name)] = instance.is_array() ? instance : Json::array({instance});
  }
  return e;
}

inline Mutation put(Json doc) {
  std::string id = doc["id"];
  return {id, [doc = std::move(doc)](const std::optional<Json>&) -> std::optional<Json> { return doc; }};
}

inline Mutation remove(const std::string& id) {
  return {id, [](const std::optional<Json>&) -> std::optional<Json> { return std::nullopt; }};
}

inline void expect_all_ok(const std::vector<MutationResult>& results) {
  for (const auto& r : results) EXPECT_TRUE(r.ok) << r.entity_id << ": " << (r.error ? r.error->what() : "");
}

}  // namespace machi::store::testing
