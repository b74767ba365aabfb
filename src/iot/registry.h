// The provisioning of every tenant: service groups and devices, kept in
// each tenant's store as records (collections "iot.services" and
// "iot.devices", durable on return) and indexed in memory for the
// southbound, which resolves every message's apikey and device id.
//
// An apikey belongs to one tenant and service path across the whole
// server: MQTT topics carry no tenant, so the apikey is what selects it.
#pragma once

#include <map>
#include <set>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "iot/measures.h"
#include "store/store.h"

namespace machi::iot {

// Which service paths a listing covers: one path, or all (nullopt).
using PathFilter = std::optional<std::string>;

struct Page {
  size_t limit = 20;
  size_t offset = 0;
};

struct Listing {
  size_t count = 0;         // matches before paging
  std::vector<Json> items;  // with "service" and "subservice"/"service_path"
};

class Registry {
 public:
  explicit Registry(store::Store* store) : store_(store) {}

  // Reads the provisioning of every tenant (at start).
  void load();

  // Provisioning; these throw ProvisioningError. Each call is all or nothing.
  void add_groups(const std::string& tenant, const std::string& path, const std::vector<Json>& groups);
  Listing groups(const std::string& tenant, const PathFilter& paths, Page page) const;
  void update_group(const std::string& tenant, const std::string& path, const std::string& resource,
                    const std::string& apikey, const Json& changes);
  void remove_group(const std::string& tenant, const std::string& path, const std::string& resource,
                    const std::string& apikey);

  void add_devices(const std::string& tenant, const std::string& path, const std::vector<Json>& devices);
  Listing devices(const std::string& tenant, const PathFilter& paths, Page page) const;
  Json device(const std::string& tenant, const std::string& path, const std::string& device_id) const;
  void update_device(const std::string& tenant, const std::string& path, const std::string& device_id,
                     const Json& changes);
  void remove_device(const std::string& tenant, const std::string& path, const std::string& device_id);

  // Southbound: the device a message on /<apikey>/<device_id>/... is for.
  struct Resolution {
    enum class Status { kOk, kUnknownApikey, kUnknownDevice };
    Status status = Status::kUnknownApikey;
    std::string tenant;  // known unless kUnknownApikey
    DeviceConfig device;
  };
  Resolution resolve(const std::string& apikey, const std::string& device_id) const;

 private:
  struct Entry {
    std::string tenant;
    std::string path;
    Json doc;
  };
  static std::string group_key(const std::string& tenant, const std::string& path, const std::string& resource,
                               const std::string& apikey);
  static std::string device_key(const std::string& tenant, const std::string& path, const std::string& device_id);
  void index_group(const Entry& entry);
  void index_device(const Entry& entry);
  void unindex_group(const std::string& key);
  void unindex_device(const std::string& key);
  // The tenant and path that own an apikey ("" when free).
  std::string apikey_owner(const std::string& apikey) const;
  std::string entity_type_for(const std::string& tenant, const std::string& path, const Json& device) const;
  Listing list(const std::map<std::string, Entry>& entries, const std::string& tenant, const PathFilter& paths,
               Page page, const char* path_member) const;
  std::shared_ptr<store::TenantStore> tenant_store(const std::string& tenant) const;

  store::Store* store_;
  std::mutex write_mutex_;           // one provisioning change at a time
  mutable std::shared_mutex mutex_;  // the maps below
  std::map<std::string, Entry> groups_;   // tenant \n path \n resource \n apikey
  std::map<std::string, Entry> devices_;  // tenant \n path \n device_id
  std::unordered_map<std::string, std::string> group_by_apikey_;          // apikey -> groups_ key
  std::unordered_map<std::string, std::string> device_by_apikey_;         // apikey \n device_id -> devices_ key
  std::unordered_map<std::string, std::pair<std::string, int>> owners_;  // apikey -> (tenant \n path, uses)
};

}  // namespace machi::iot
