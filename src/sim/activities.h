// The 20 activity categories of the 社会生活基本調査 (Survey on Time Use and
// Leisure Activities, Statistics Bureau of Japan), with the English snake_case
// codes machi writes. The survey groups them as 1次活動 (sleep, personal care,
// meals), 2次活動 (commuting to housework... shopping) and 3次活動 (the rest).
#pragma once

#include <cstdint>
#include <string_view>

namespace machi::sim {

enum class Activity : uint8_t {
  kSleep,         // 睡眠
  kPersonalCare,  // 身の回りの用事
  kMeals,         // 食事
  kCommuting,     // 通勤・通学
  kWork,          // 仕事
  kStudy,         // 学業
  kHousework,     // 家事
  kCaregiving,    // 介護・看護
  kChildcare,     // 育児
  kShopping,      // 買い物
  kTravel,        // 移動（通勤・通学を除く）
  kMedia,         // テレビ・ラジオ・新聞・雑誌
  kRest,          // 休養・くつろぎ
  kLearning,      // 学習・自己啓発・訓練（学業以外）
  kHobbies,       // 趣味・娯楽
  kSports,        // スポーツ
  kVolunteering,  // ボランティア活動・社会参加活動
  kSocial,        // 交際・付き合い
  kMedical,       // 受診・療養
  kOther,         // その他
};
inline constexpr int kActivityCount = 20;

constexpr std::string_view activity_code(Activity a) {
  constexpr std::string_view codes[kActivityCount] = {
      "sleep",  "personal_care", "meals",    "commuting", "work",     "study",        "housework",
      "caregiving", "childcare", "shopping", "travel",    "media",    "rest",         "learning",
      "hobbies", "sports",       "volunteering", "social", "medical", "other"};
  return codes[static_cast<int>(a)];
}

constexpr std::string_view activity_name_ja(Activity a) {
  constexpr std::string_view names[kActivityCount] = {
      "睡眠", "身の回りの用事", "食事", "通勤・通学", "仕事", "学業", "家事", "介護・看護", "育児", "買い物",
      "移動（通勤・通学を除く）", "テレビ・ラジオ・新聞・雑誌", "休養・くつろぎ", "学習・自己啓発・訓練（学業以外）",
      "趣味・娯楽", "スポーツ", "ボランティア活動・社会参加活動", "交際・付き合い", "受診・療養", "その他"};
  return names[static_cast<int>(a)];
}

}  // namespace machi::sim
