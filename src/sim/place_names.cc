#include "sim/place_names.h"

#include <stdexcept>

namespace machi::sim {

const std::array<DistrictSpec, 12>& district_specs() {
  using K = DistrictKind;
  // The grid is 4 x 4 districts without its corners: the city is roughly a
  // rounded square, the river runs along the south, hills rise in the north
  // west, and the railway crosses west to east just north of the middle.
  static const std::array<DistrictSpec, 12> specs = {{
      {1, 2, "中央", {"中央", "栄町", "元町"}, K::kCentre},
      {2, 2, "本町", {"本町", "錦町", "仲町"}, K::kCentre},
      {3, 2, "東", {"東町", "日の出町", "朝日町"}, K::kStation},
      {0, 2, "緑が丘", {"緑が丘", "松ヶ丘", "梅ヶ丘"}, K::kStation},
      {1, 3, "桜台", {"桜台", "若葉台", "ひばりが丘"}, K::kOldNewTown},
      {2, 3, "青葉台", {"青葉台", "美園", "光ヶ丘"}, K::kOldNewTown},
      {0, 1, "西", {"西町", "宮前", "八幡町"}, K::kSuburb},
      {1, 1, "若葉", {"若葉", "弥生町", "寿町"}, K::kNewTown},
      {2, 1, "旭", {"旭町", "幸町", "春日町"}, K::kNewTown},
      {3, 1, "富士見", {"富士見", "高砂", "新田"}, K::kSuburb},
      {1, 0, "川端", {"川端", "柳町", "中島"}, K::kRiverside},
      {2, 0, "南", {"南町", "泉町", "住吉町"}, K::kRiverside},
  }};
  return specs;
}

std::string kanji_number(int n) {
  static const char* digits[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
  if (n < 1 || n > 10) throw std::invalid_argument("kanji_number: 1-10");
  return digits[n - 1];
}

}  // namespace machi::sim
