#include "sim/facilities.h"

#include <array>

#include "sim/entity_json.h"
#include "sim/hazards.h"

namespace machi::sim {
namespace {

// The area at (row, column) of a district's 3 x 3 block.
const Area& area_in(const CityLayout& layout, int district, int row, int col) {
  return layout.areas()[layout.districts()[district].areas[row * kBlock + col]];
}

const Area& any_area(const CityLayout& layout, int district, Rng& rng) {
  return area_in(layout, district, rng.range(0, 2), rng.range(0, 2));
}

// Districts by index (see place_names.cc): 0 中央, 1 本町, 2 東, 3 緑が丘,
// 4 桜台, 5 青葉台, 6 西, 7 若葉, 8 旭, 9 富士見, 10 川端, 11 南.
constexpr int kCentre = 0, kHonmachi = 1, kEast = 2, kMidorigaoka = 3, kSakuradai = 4, kWest = 6, kWakaba = 7,
              kFujimi = 9, kKawabata = 10, kSouth = 11;

class FacilityBuilder {
 public:
  FacilityBuilder(const CityLayout& layout, PlaceMaker& maker, Rng& rng) : layout_(layout), maker_(maker), rng_(rng) {}

  std::vector<Place> build() {
    schools_and_shelters();
    community_shelters();
    clinics();
    care_facilities();
    parks();
    shops();
    return std::move(out_);
  }

 private:
  Place& add(const std::string& type, const std::string& name, UV at) {
    out_.push_back(maker_.make(type, name, at));
    return out_.back();
  }

  // A school's gymnasium is its designated shelter (指定避難所); in the
  // flood zone it cannot take people in a flood.
  void shelter(const std::string& name, UV at, int capacity, const char* kind) {
    Place& s = add("EvacuationShelter", name, at);
    s.attrs["capacity"] = property(capacity);
    s.attrs["openStatus"] = property("closed");
    s.attrs["shelterType"] = property(kind);
    s.attrs["usableInFlood"] = property(flood_depth_class(at) == 0);
  }

  void schools_and_shelters() {
    // Each elementary school stands in the 町 it is named after (the
    // district's first, southern row of areas).
    for (const District& d : layout_.districts()) {
      const Area& a = area_in(layout_, d.index, 0, 1);
      std::string name = std::string("デモ市立") + d.school + "小学校";
      UV at = CityLayout::in_area(a, rng_.uniform(0.25, 0.45), rng_.uniform(0.3, 0.7));
      Place& school = add("School", name, at);
      school.attrs["schoolType"] = property("elementary");
      shelter(name + " 体育館", {at.u + 0.3, at.v}, rng_.range(8, 12) * 50, "designated");
    }
    const std::array<int, 4> junior = {kWakaba, kHonmachi, kMidorigaoka, kSouth};
    for (size_t k = 0; k < junior.size(); ++k) {
      const Area& a = area_in(layout_, junior[k], 2, 0);
      std::string name = std::string("デモ市立第") + kanji_number(static_cast<int>(k) + 1) + "中学校";
      UV at = CityLayout::in_area(a, rng_.uniform(0.25, 0.45), rng_.uniform(0.3, 0.7));
      add("School", name, at).attrs["schoolType"] = property("juniorHigh");
      shelter(name + " 体育館", {at.u + 0.3, at.v}, rng_.range(12, 16) * 50, "designated");
    }
  }

  void community_shelters() {
    struct Hall {
      int district;
      const char* name;
      int capacity;
    };
    for (const Hall& h : {Hall{kCentre, "デモ市中央公民館", 300}, Hall{kEast, "デモ市東部公民館", 150},
                          Hall{kWest, "デモ市西部公民館", 150}, Hall{kSouth, "デモ市南部公民館", 120},
                          Hall{kSakuradai, "デモ市北部コミュニティセンター", 200}, Hall{kHonmachi, "デモ市民体育館", 800}}) {
      shelter(h.name, maker_.spot(any_area(layout_, h.district, rng_)), h.capacity, "designated");
    }
  }

  void clinics() {
    static const std::array<const char*, 8> kinds = {"内科", "小児科", "整形外科", "歯科", "眼科", "耳鼻咽喉科", "皮膚科", "内科・循環器科"};
    for (const District& d : layout_.districts()) {
      for (int k = 0; k < 2; ++k) {
        const Area& a = any_area(layout_, d.index, rng_);
        std::string kind = kinds[rng_.below(kinds.size())];
        std::string name = a.town + (kind == "歯科" ? "歯科医院" : kind + "クリニック");
        Place& c = add("Clinic", name, maker_.spot(a));
        c.attrs["medicalSpecialty"] = property(kind);
        c.attrs["category"] = property("clinic");
      }
    }
    Place& hospital = add("Clinic", "デモ市立病院", maker_.spot(area_in(layout_, kCentre, 2, 1)));
    hospital.attrs["medicalSpecialty"] = property("総合");
    hospital.attrs["category"] = property("hospital");
    hospital.attrs["beds"] = property(199);
  }

  void care_facilities() {
    auto care = [&](int district, const std::string& name, const char* kind, int capacity) {
      Place& p = add("CareFacility", name, maker_.spot(any_area(layout_, district, rng_)));
      p.attrs["facilityType"] = property(kind);
      p.attrs["capacity"] = property(capacity);
    };
    care(kSakuradai, "特別養護老人ホーム さくらの里", "nursingHome", 80);
    care(kKawabata, "特別養護老人ホーム ひだまりの郷", "nursingHome", 60);
    care(kFujimi, "特別養護老人ホーム かがやき苑", "nursingHome", 100);
    care(kWest, "グループホーム あおぞら", "groupHome", 18);
    care(5, "グループホーム ふれあい", "groupHome", 9);
    for (int d : {kCentre, kEast, kMidorigaoka, kSakuradai, 5, kWakaba, kSouth}) {
      const Area& a = any_area(layout_, d, rng_);
      Place& p = add("CareFacility", a.town + "デイサービスセンター", maker_.spot(a));
      p.attrs["facilityType"] = property("dayService");
      p.attrs["capacity"] = property(rng_.range(2, 6) * 5);
    }
    for (auto [d, area] : {std::pair{kCentre, "中央"}, std::pair{kEast, "東部"}, std::pair{kWest, "西部"}, std::pair{kSouth, "南部"}}) {
      care(d, std::string("デモ市") + area + "地域包括支援センター", "communityCareCenter", 0);
      out_.back().attrs.erase("capacity");
    }
  }

  void park(const Area& a, const std::string& name, const char* kind, int square_metres) {
    Place& p = add("Park", name, maker_.spot(a));
    p.attrs["parkType"] = property(kind);
    p.attrs["areaSize"] = property(square_metres, "MTK");
  }

  void parks() {
    park(area_in(layout_, kCentre, 1, 2), "中央公園", "district", 42000);
    park(area_in(layout_, kFujimi, 1, 1), "デモ市運動公園", "sports", 96000);
    park(area_in(layout_, kKawabata, 0, 1), "デモ川河川敷緑地", "riverside", 58000);
    park(area_in(layout_, kSakuradai, 2, 1), "桜台ふれあいの森", "woodland", 35000);
    for (const District& d : layout_.districts()) {
      const Area& a = any_area(layout_, d.index, rng_);
      park(a, a.town + "第一公園", "neighborhood", rng_.range(15, 40) * 100);
      const Area& b = any_area(layout_, d.index, rng_);
      park(b, b.town + "児童遊園", "playground", rng_.range(3, 10) * 100);
    }
  }

  void shop(int district, const std::string& name, const char* category) {
    add("Shop", name, maker_.spot(any_area(layout_, district, rng_))).attrs["category"] = property(category);
  }

  void shops() {
    // Supermarkets in every district but the hills; convenience stores
    // everywhere, more near stations; a shopping street (商店街) in 本町.
    for (const District& d : layout_.districts()) {
      const Area& a = any_area(layout_, d.index, rng_);
      if (d.kind != DistrictKind::kOldNewTown) shop(d.index, (d.index % 2 ? "スーパーまちマート " : "フレッシュ市場 ") + a.town + "店", "supermarket");
      int convenience = d.kind == DistrictKind::kCentre || d.kind == DistrictKind::kStation ? 3 : 2;
      for (int k = 0; k < convenience; ++k) {
        const Area& c = any_area(layout_, d.index, rng_);
        shop(d.index, "コンビニ あさひ " + c.town + (k ? std::to_string(k + 1) + "号店" : "店"), "convenienceStore");
      }
      if (d.index % 3 != 2) shop(d.index, "ドラッグかえで " + a.town + "店", "drugstore");
    }
    for (auto [name, category] : {std::pair{"本町商店街 八百屋 たなか", "greengrocer"}, std::pair{"本町商店街 鮮魚 うおいち", "fishmonger"},
                                  std::pair{"本町商店街 精肉 まるや", "butcher"}, std::pair{"本町商店街 和菓子 松風堂", "confectionery"},
                                  std::pair{"本町商店街 まちの本屋", "bookstore"}, std::pair{"本町商店街 金物 いしい", "hardware"},
                                  std::pair{"本町ベーカリー", "bakery"}, std::pair{"本町商店街 茶舗 みどり園", "teaShop"}}) {
      shop(kHonmachi, name, category);
    }
    shop(kFujimi, "ホームセンター デモ 富士見店", "homeCenter");
    shop(kEast, "東デモ駅前ショッピングセンター", "shoppingCentre");
    shop(kCentre, "デモ中央駅ビル まちなかテラス", "shoppingCentre");
  }

  const CityLayout& layout_;
  PlaceMaker& maker_;
  Rng& rng_;
  std::vector<Place> out_;
};

}  // namespace

std::vector<Place> make_facilities(const CityLayout& layout, PlaceMaker& maker, Rng& rng) {
  return FacilityBuilder(layout, maker, rng).build();
}

}  // namespace machi::sim
