// The names of デモ市: its municipality code, its elementary-school
// districts and their 町 (towns). Fictional, but shaped like the names of
// suburban cities in 千葉県.
#pragma once

#include <array>
#include <string>

namespace machi::sim {

inline constexpr const char* kCityName = "デモ市";
inline constexpr const char* kPrefectureName = "千葉県";
inline constexpr int kPrefectureCode = 12;   // JIS X 0401: 千葉県
// No city in 千葉県 uses 299 (its cities run 201-239), so 12299 cannot be
// mistaken for a real place; with its check digit the code is 122998.
inline constexpr int kCityNumber = 299;

// What a district is like; it steers who lives there and what is built.
enum class DistrictKind {
  kCentre,     // old centre around the main station: shops, elderly and singles
  kStation,    // around the other stations: singles and young couples
  kOldNewTown, // 1970s hillside new town, now ageing
  kNewTown,    // 1990s-2010s developments: families with children
  kRiverside,  // former farm villages by the river: fewer people, older
  kSuburb,     // mixed housing
};

struct DistrictSpec {
  int ci, cj;                    // position in the 4 x 4 district grid (west-east, south-north)
  const char* school;            // the elementary school's name without 小学校
  std::array<const char*, 3> towns;  // the 町 of its three rows of areas, south to north
  DistrictKind kind;
};

// The twelve 小学校区, in district-code order ("01" ... "12").
const std::array<DistrictSpec, 12>& district_specs();

// 1 -> 一, 2 -> 二 ... (1-10), as in 中央一丁目.
std::string kanji_number(int n);

}  // namespace machi::sim
