#include "sim/mesh.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace machi::sim {
namespace {

TEST(MeshTest, TokyoStation) {
  // lat 35.681236 * 1.5 = 53.52 -> 53; lon 139.767125 - 100 = 39.77 -> 39;
  // remainders * 8 -> 4 (row), 6 (column); then * 10 -> 1, 1.
  EXPECT_EQ(mesh_code(35.681236, 139.767125, 1), "5339");
  EXPECT_EQ(mesh_code(35.681236, 139.767125, 2), "533946");
  EXPECT_EQ(mesh_code(35.681236, 139.767125, 3), "53394611");
}

TEST(MeshTest, KnownFirstOrderSquares) {
  EXPECT_EQ(mesh_code(43.068661, 141.350755, 1), "6441");  // Sapporo
  EXPECT_EQ(mesh_code(34.702485, 135.495951, 1), "5235");  // Osaka
  EXPECT_EQ(mesh_code(26.212401, 127.680932, 1), "3927");  // Naha
  EXPECT_EQ(mesh_code(35.88, 139.94, 1), "5339");          // the demo city
}

TEST(MeshTest, BoxOfTokyoStation) {
  MeshBox box = mesh_box("53394611");
  EXPECT_DOUBLE_EQ(box.south, 35.675);                 // 35 deg 20' + 20' + 30"
  EXPECT_DOUBLE_EQ(box.north, 35.675 + 30.0 / 3600);
  EXPECT_DOUBLE_EQ(box.west, 139.7625);                // 139 deg + 6 * 7'30" + 45"
  EXPECT_DOUBLE_EQ(box.east, 139.775);
  MeshBox first = mesh_box("5339");
  EXPECT_DOUBLE_EQ(first.south, 53 / 1.5);
  EXPECT_DOUBLE_EQ(first.north, 54 / 1.5);
  EXPECT_DOUBLE_EQ(first.west, 139.0);
  EXPECT_DOUBLE_EQ(first.east, 140.0);
}

TEST(MeshTest, LinesBelongToTheMeshNorthEast) {
  // 36 deg (54 / 1.5) is the line between 1st-order rows 53 and 54, and
  // 35 deg 40' the one between 2nd-order rows 3 and 4 of 5339.
  EXPECT_EQ(mesh_code(36.0, 139.5, 1), "5439");
  EXPECT_EQ(mesh_code(36.0 - 1e-6, 139.5, 1), "5339");
  EXPECT_EQ(mesh_code(35.0 + 40.0 / 60, 139.5, 2), "533944");
  EXPECT_EQ(mesh_code(35.0 + 40.0 / 60 - 1e-6, 139.5, 2), "533934");
  EXPECT_EQ(mesh_code(35.5, 140.0, 1), "5340");
  // The corner of every box maps back to the same code.
  for (const char* code : {"53394611", "53394699", "53394700", "64414277", "39272500"}) {
    MeshBox b = mesh_box(code);
    EXPECT_EQ(mesh_code(b.south, b.west, 3), code);
    EXPECT_EQ(mesh_code((b.south + b.north) / 2, (b.west + b.east) / 2, 3), code);
  }
}

TEST(MeshTest, CodesNestAndTile) {
  for (double lat = 35.80; lat < 35.95; lat += 0.0037) {
    for (double lon = 139.85; lon < 140.05; lon += 0.0051) {
      std::string c3 = mesh_code(lat, lon, 3);
      EXPECT_EQ(c3.substr(0, 6), mesh_code(lat, lon, 2));
      EXPECT_EQ(c3.substr(0, 4), mesh_code(lat, lon, 1));
      MeshBox b = mesh_box(c3);
      EXPECT_LE(b.south, lat);
      EXPECT_GT(b.north, lat);
      EXPECT_LE(b.west, lon);
      EXPECT_GT(b.east, lon);
    }
  }
}

TEST(MeshTest, RejectsWhatHasNoCode) {
  EXPECT_THROW(mesh_code(35.0, 99.9, 3), std::invalid_argument);
  EXPECT_THROW(mesh_code(-1.0, 139.0, 3), std::invalid_argument);
  EXPECT_THROW(mesh_code(35.0, 139.0, 4), std::invalid_argument);
  EXPECT_THROW(mesh_box("5339461"), std::invalid_argument);
  EXPECT_THROW(mesh_box("533986"), std::invalid_argument);  // 2nd-order digits run 0-7
  EXPECT_THROW(mesh_box("53a94611"), std::invalid_argument);
}

}  // namespace
}  // namespace machi::sim
