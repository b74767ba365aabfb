// Which registrations cover an entity or attribute, and when they are usable.
#include "ngsiv2/forwarding.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace machi::ngsiv2 {
namespace {

Json registration(const char* text) { return Json::parse(text); }

TEST(V2Forwarding, CoversEntities) {
  Json reg = registration(R"({"dataProvided": {"entities": [{"id": "Room1", "type": "Room"},
                                                            {"idPattern": "^Car[0-9]+$", "type": "Car"},
                                                            {"idPattern": ".*", "typePattern": "^Sens"}],
                                               "attrs": ["co2"]},
                              "provider": {"http": {"url": "http://p/v2"}}})");
  EXPECT_TRUE(covers_entity(reg, "Room1", "Room"));
  EXPECT_TRUE(covers_entity(reg, "Room1", ""));  // no type asked: any
  EXPECT_FALSE(covers_entity(reg, "Room2", "Room"));
  EXPECT_FALSE(covers_entity(reg, "Room1", "Car"));
  EXPECT_TRUE(covers_entity(reg, "Car12", "Car"));
  EXPECT_FALSE(covers_entity(reg, "Car12x", "Car"));
  EXPECT_TRUE(covers_entity(reg, "anything", "Sensor"));
  EXPECT_TRUE(covers_attr(reg, "co2"));
  EXPECT_FALSE(covers_attr(reg, "temperature"));
  EXPECT_TRUE(covers_attr(registration(R"({"dataProvided": {"entities": []}})"), "anything"));
  EXPECT_FALSE(covers_entity(registration(R"({"dataProvided": {"entities": "x"}})"), "a", "b"));
  EXPECT_FALSE(covers_entity(registration(R"({"dataProvided": {"entities": [{"idPattern": "("}]}})"), "a", ""));
}

TEST(V2Forwarding, Usable) {
  Json reg = registration(R"({"dataProvided": {"entities": [{"id": "a"}]}, "provider": {"http": {"url": "http://p/v2"}},
                              "status": "active"})");
  EXPECT_TRUE(registration_usable(reg, "query"));
  EXPECT_TRUE(registration_usable(reg, "update"));
  reg["provider"]["supportedForwardingMode"] = "query";
  EXPECT_TRUE(registration_usable(reg, "query"));
  EXPECT_FALSE(registration_usable(reg, "update"));
  reg["provider"]["supportedForwardingMode"] = "none";
  EXPECT_FALSE(registration_usable(reg, "query"));
  reg["provider"]["supportedForwardingMode"] = "all";
  reg["status"] = "inactive";
  EXPECT_FALSE(registration_usable(reg, "query"));
  reg["status"] = "active";
  reg["expires"] = format_datetime(now_ms() - 1000);
  EXPECT_FALSE(registration_usable(reg, "query"));
  reg["expires"] = format_datetime(now_ms() + 60000);
  EXPECT_TRUE(registration_usable(reg, "query"));
  reg["provider"] = 5;
  EXPECT_FALSE(registration_usable(reg, "query"));
  EXPECT_FALSE(registration_usable(Json(), "query"));
}

}  // namespace
}  // namespace machi::ngsiv2
