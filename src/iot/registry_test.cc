// Provisioning kept in the tenant's store, and the southbound's lookups.
#include "iot/registry.h"

#include <gtest/gtest.h>

#include "iot/provisioning.h"
#include "store/store_test_util.h"

namespace machi::iot {
namespace {

using Status = Registry::Resolution::Status;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = store::open_sqlite_store({dir_.path().string(), store::Durability::kProcess}); }

  int status_of(const std::function<void()>& call) {
    try {
      call();
    } catch (const ProvisioningError& e) {
      return e.status;
    }
    return 0;
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

Json group(const std::string& apikey, const std::string& type = "Sensor") {
  return Json{{"apikey", apikey}, {"resource", "/iot/json"}, {"entity_type", type}};
}

TEST_F(RegistryTest, DevicesResolveThroughTheirGroupsApikey) {
  Registry registry(store_.get());
  store_->tenant("city_a", true);
  registry.add_groups("city_a", "/noda", {group("k1", "Room")});
  registry.add_devices("city_a", "/noda", {Json{{"device_id", "d1"}}});
  auto found = registry.resolve("k1", "d1");
  ASSERT_EQ(found.status, Status::kOk);
  EXPECT_EQ(found.tenant, "city_a");
  EXPECT_EQ(found.device.service_path, "/noda");
  EXPECT_EQ(found.device.entity_name, "urn:ngsi-ld:Room:d1");  // fixed at provisioning, from the group's type
  EXPECT_EQ(registry.resolve("k1", "d2").status, Status::kUnknownDevice);
  EXPECT_EQ(registry.resolve("k2", "d1").status, Status::kUnknownApikey);
  // another service path's device is not the group's
  registry.add_devices("city_a", "/other", {Json{{"device_id", "d2"}}});
  EXPECT_EQ(registry.resolve("k1", "d2").status, Status::kUnknownDevice);
}

TEST_F(RegistryTest, ProvisioningSurvivesARestart) {
  {
    Registry registry(store_.get());
    registry.add_groups("", "/", {group("k1")});
    registry.add_devices("", "/", {Json{{"device_id", "d1"}, {"entity_name", "Room1"}}});
  }
  Registry reloaded(store_.get());
  reloaded.load();
  auto found = reloaded.resolve("k1", "d1");
  ASSERT_EQ(found.status, Status::kOk);
  EXPECT_EQ(found.device.entity_name, "Room1");
  EXPECT_EQ(reloaded.groups("", std::nullopt, {}).count, 1u);
}

TEST_F(RegistryTest, AnApikeyBelongsToOneTenantAndPath) {
  Registry registry(store_.get());
  store_->tenant("city_a", true);
  store_->tenant("city_b", true);
  registry.add_groups("city_a", "/", {group("k1")});
  EXPECT_EQ(status_of([&] { registry.add_groups("city_b", "/", {group("k1")}); }), 409);
  EXPECT_EQ(status_of([&] { registry.add_groups("city_a", "/", {group("k1")}); }), 409);
  EXPECT_EQ(status_of([&] { registry.add_groups("city_b", "/", {group("k2"), group("k2")}); }), 409);
  // a device of another tenant may not borrow the apikey
  EXPECT_EQ(status_of([&] { registry.add_devices("city_b", "/", {Json{{"device_id", "d1"}, {"apikey", "k1"}}}); }), 409);
  EXPECT_EQ(registry.groups("city_b", std::nullopt, {}).count, 0u);  // all or nothing
  registry.remove_group("city_a", "/", "/iot/json", "k1");
  registry.add_groups("city_b", "/", {group("k1")});
  EXPECT_EQ(registry.resolve("k1", "x").tenant, "city_b");
}

TEST_F(RegistryTest, DevicesWithTheirOwnApikeyAndAutoprovision) {
  Registry registry(store_.get());
  registry.add_devices("", "/", {Json{{"device_id", "d1"}, {"apikey", "solo"}, {"entity_type", "Meter"}}});
  auto found = registry.resolve("solo", "d1");
  ASSERT_EQ(found.status, Status::kOk);
  EXPECT_EQ(found.device.entity_type, "Meter");
  EXPECT_EQ(registry.resolve("solo", "d2").status, Status::kUnknownApikey);
  Json open = group("auto");
  open["autoprovision"] = true;
  registry.add_groups("", "/", {open});
  EXPECT_EQ(registry.resolve("auto", "anything").status, Status::kOk);
  EXPECT_EQ(registry.resolve("auto", "anything").device.entity_type, "Sensor");
}

TEST_F(RegistryTest, ListingsUpdatesAndRemovals) {
  Registry registry(store_.get());
  registry.add_groups("", "/a", {group("k1")});
  registry.add_groups("", "/b", {group("k2")});
  std::vector<Json> devices;
  for (int i = 0; i < 5; ++i) devices.push_back(Json{{"device_id", "d" + std::to_string(i)}});
  registry.add_devices("", "/a", devices);
  EXPECT_EQ(registry.groups("", std::nullopt, {}).count, 2u);
  EXPECT_EQ(registry.groups("", std::string("/b"), {}).items.at(0)["subservice"], "/b");
  Listing page = registry.devices("", std::nullopt, {2, 1});
  EXPECT_EQ(page.count, 5u);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0]["device_id"], "d1");
  EXPECT_EQ(status_of([&] { registry.add_devices("", "/a", {Json{{"device_id", "d1"}}}); }), 409);
  registry.update_device("", "/a", "d1", Json{{"entity_name", "Room1"}});
  EXPECT_EQ(registry.device("", "/a", "d1")["entity_name"], "Room1");
  registry.update_group("", "/a", "/iot/json", "k1", Json{{"entity_type", "Room"}});
  EXPECT_EQ(registry.groups("", std::string("/a"), {}).items.at(0)["entity_type"], "Room");
  registry.remove_device("", "/a", "d1");
  EXPECT_EQ(status_of([&] { registry.device("", "/a", "d1"); }), 404);
  EXPECT_EQ(status_of([&] { registry.remove_device("", "/a", "d1"); }), 404);
  EXPECT_EQ(status_of([&] { registry.remove_group("", "/a", "/iot/json", "nope"); }), 404);
}

}  // namespace
}  // namespace machi::iot
