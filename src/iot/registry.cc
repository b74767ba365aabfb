#include "iot/registry.h"

#include "iot/provisioning.h"

namespace machi::iot {
namespace {

constexpr const char* kGroups = "iot.services";
constexpr const char* kDevices = "iot.devices";

std::string join(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty() || &part != parts.begin()) out += '\n';
    out += part;
  }
  return out;
}

// The part of a key after "tenant \n".
std::string record_key(const std::string& key) { return key.substr(key.find('\n') + 1); }

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t nl = key.find('\n', start);
    parts.push_back(key.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) return parts;
    start = nl + 1;
  }
}

[[noreturn]] void conflict(const std::string& name, const std::string& message) {
  throw ProvisioningError(409, name, message);
}

std::string text(const Json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string Registry::group_key(const std::string& tenant, const std::string& path, const std::string& resource,
                                const std::string& apikey) {
  return join({tenant, path, resource, apikey});
}

std::string Registry::device_key(const std::string& tenant, const std::string& path, const std::string& device_id) {
  return join({tenant, path, device_id});
}

std::shared_ptr<store::TenantStore> Registry::tenant_store(const std::string& tenant) const {
  return store_->tenant(tenant, true);
}

void Registry::load() {
  std::unique_lock lock(mutex_);
  for (const std::string& tenant : store_->tenants()) {
    auto store = store_->tenant(tenant, false);
    if (!store) continue;
    for (const auto& record : store->records(kGroups)) {
      auto parts = split_key(record.key);
      if (parts.size() != 3) continue;
      Entry entry{tenant, parts[0], parse_json(record.text)};
      groups_[group_key(tenant, parts[0], parts[1], parts[2])] = entry;
      index_group(entry);
    }
    for (const auto& record : store->records(kDevices)) {
      auto parts = split_key(record.key);
      if (parts.size() != 2) continue;
      Entry entry{tenant, parts[0], parse_json(record.text)};
      devices_[device_key(tenant, parts[0], parts[1])] = entry;
      index_device(entry);
    }
  }
}

void Registry::index_group(const Entry& entry) {
  std::string apikey = text(entry.doc, "apikey");
  group_by_apikey_[apikey] = group_key(entry.tenant, entry.path, text(entry.doc, "resource"), apikey);
  auto& owner = owners_[apikey];
  owner.first = join({entry.tenant, entry.path});
  ++owner.second;
}

void Registry::index_device(const Entry& entry) {
  std::string apikey = text(entry.doc, "apikey");
  if (apikey.empty()) return;
  std::string id = text(entry.doc, "device_id");
  device_by_apikey_[apikey + "\n" + id] = device_key(entry.tenant, entry.path, id);
  auto& owner = owners_[apikey];
  owner.first = join({entry.tenant, entry.path});
  ++owner.second;
}

void Registry::unindex_group(const std::string& key) {
  auto it = groups_.find(key);
  if (it == groups_.end()) return;
  std::string apikey = text(it->second.doc, "apikey");
  group_by_apikey_.erase(apikey);
  if (--owners_[apikey].second <= 0) owners_.erase(apikey);
  groups_.erase(it);
}

void Registry::unindex_device(const std::string& key) {
  auto it = devices_.find(key);
  if (it == devices_.end()) return;
  std::string apikey = text(it->second.doc, "apikey");
  if (!apikey.empty()) {
    device_by_apikey_.erase(apikey + "\n" + text(it->second.doc, "device_id"));
    if (--owners_[apikey].second <= 0) owners_.erase(apikey);
  }
  devices_.erase(it);
}

std::string Registry::apikey_owner(const std::string& apikey) const {
  auto it = owners_.find(apikey);
  return it == owners_.end() ? "" : it->second.first;
}

void Registry::add_groups(const std::string& tenant, const std::string& path, const std::vector<Json>& groups) {
  std::lock_guard write(write_mutex_);
  std::vector<store::Record> records;
  std::vector<Entry> entries;
  {
    std::shared_lock lock(mutex_);
    std::set<std::string> seen;
    for (const Json& group : groups) {
      std::string apikey = text(group, "apikey");
      std::string owner = apikey_owner(apikey);
      if (group_by_apikey_.contains(apikey) || !seen.insert(apikey).second) {
        conflict("DUPLICATE_GROUP", "A service with apikey " + apikey + " already exists");
      }
      if (!owner.empty() && owner != join({tenant, path})) {
        conflict("DUPLICATE_GROUP", "The apikey " + apikey + " is in use by another service");
      }
      std::string key = group_key(tenant, path, text(group, "resource"), apikey);
      records.push_back({kGroups, record_key(key), group.dump()});
      entries.push_back({tenant, path, group});
    }
  }
  tenant_store(tenant)->put_records(records);
  std::unique_lock lock(mutex_);
  for (const Entry& entry : entries) {
    groups_[group_key(tenant, path, text(entry.doc, "resource"), text(entry.doc, "apikey"))] = entry;
    index_group(entry);
  }
}

Listing Registry::list(const std::map<std::string, Entry>& entries, const std::string& tenant, const PathFilter& paths,
                       Page page, const char* path_member) const {
  Listing out;
  std::string prefix = tenant + "\n";
  for (auto it = entries.lower_bound(prefix); it != entries.end() && it->first.starts_with(prefix); ++it) {
    if (paths && it->second.path != *paths) continue;
    if (out.count++ < page.offset || out.items.size() >= page.limit) continue;
    Json item = it->second.doc;
    item["service"] = tenant;
    item[path_member] = it->second.path;
    out.items.push_back(std::move(item));
  }
  return out;
}

Listing Registry::groups(const std::string& tenant, const PathFilter& paths, Page page) const {
  std::shared_lock lock(mutex_);
  return list(groups_, tenant, paths, page, "subservice");
}

void Registry::update_group(const std::string& tenant, const std::string& path, const std::string& resource,
                            const std::string& apikey, const Json& changes) {
  std::lock_guard write(write_mutex_);
  std::string key = group_key(tenant, path, resource, apikey);
  Json updated;
  {
    std::shared_lock lock(mutex_);
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      throw ProvisioningError(404, "DEVICE_GROUP_NOT_FOUND",
                              "Couldn't find device group for resource " + resource + " and apikey " + apikey);
    }
    updated = update_group_doc(it->second.doc, changes);
  }
  tenant_store(tenant)->put_records({{kGroups, record_key(key), updated.dump()}});
  std::unique_lock lock(mutex_);
  unindex_group(key);
  Entry entry{tenant, path, updated};
  groups_[key] = entry;
  index_group(entry);
}

void Registry::remove_group(const std::string& tenant, const std::string& path, const std::string& resource,
                            const std::string& apikey) {
  std::lock_guard write(write_mutex_);
  std::string key = group_key(tenant, path, resource, apikey);
  {
    std::shared_lock lock(mutex_);
    if (!groups_.contains(key)) {
      throw ProvisioningError(404, "DEVICE_GROUP_NOT_FOUND",
                              "Couldn't find device group for resource " + resource + " and apikey " + apikey);
    }
  }
  tenant_store(tenant)->put_records({}, {{kGroups, record_key(key)}});
  std::unique_lock lock(mutex_);
  unindex_group(key);
}

std::string Registry::entity_type_for(const std::string& tenant, const std::string& path, const Json& device) const {
  std::string type = text(device, "entity_type");
  if (!type.empty()) return type;
  // The group of the device's apikey, else the first of its service path.
  std::string apikey = text(device, "apikey");
  if (auto it = group_by_apikey_.find(apikey); !apikey.empty() && it != group_by_apikey_.end()) {
    type = text(groups_.at(it->second).doc, "entity_type");
  }
  std::string prefix = join({tenant, path}) + "\n";
  for (auto it = groups_.lower_bound(prefix); type.empty() && it != groups_.end() && it->first.starts_with(prefix);
       ++it) {
    type = text(it->second.doc, "entity_type");
  }
  return type.empty() ? "Thing" : type;
}

void Registry::add_devices(const std::string& tenant, const std::string& path, const std::vector<Json>& devices) {
  std::lock_guard write(write_mutex_);
  std::vector<store::Record> records;
  std::vector<Entry> entries;
  {
    std::shared_lock lock(mutex_);
    std::set<std::string> seen;
    for (Json device : devices) {
      std::string id = text(device, "device_id");
      std::string key = device_key(tenant, path, id);
      if (devices_.contains(key) || !seen.insert(key).second) {
        conflict("DUPLICATE_DEVICE_ID", "A device with the same pair (Service, DeviceId) was found: " + id);
      }
      std::string apikey = text(device, "apikey");
      std::string owner = apikey.empty() ? "" : apikey_owner(apikey);
      if (!owner.empty() && owner != join({tenant, path})) {
        conflict("DUPLICATE_DEVICE_ID", "The apikey " + apikey + " is in use by another service");
      }
      // As the IoT Agent, the entity is fixed at provisioning.
      device["entity_type"] = entity_type_for(tenant, path, device);
      if (!device.contains("entity_name")) {
        device["entity_name"] = default_entity_name(device["entity_type"], id);
      }
      records.push_back({kDevices, record_key(key), device.dump()});
      entries.push_back({tenant, path, std::move(device)});
    }
  }
  tenant_store(tenant)->put_records(records);
  std::unique_lock lock(mutex_);
  for (const Entry& entry : entries) {
    devices_[device_key(tenant, path, text(entry.doc, "device_id"))] = entry;
    index_device(entry);
  }
}

Listing Registry::devices(const std::string& tenant, const PathFilter& paths, Page page) const {
  std::shared_lock lock(mutex_);
  return list(devices_, tenant, paths, page, "service_path");
}

Json Registry::device(const std::string& tenant, const std::string& path, const std::string& device_id) const {
  std::shared_lock lock(mutex_);
  auto it = devices_.find(device_key(tenant, path, device_id));
  if (it == devices_.end()) throw ProvisioningError(404, "DEVICE_NOT_FOUND", "No device was found with id:" + device_id);
  Json out = it->second.doc;
  out["service"] = tenant;
  out["service_path"] = path;
  return out;
}

void Registry::update_device(const std::string& tenant, const std::string& path, const std::string& device_id,
                             const Json& changes) {
  std::lock_guard write(write_mutex_);
  std::string key = device_key(tenant, path, device_id);
  Json updated;
  {
    std::shared_lock lock(mutex_);
    auto it = devices_.find(key);
    if (it == devices_.end()) {
      throw ProvisioningError(404, "DEVICE_NOT_FOUND", "No device was found with id:" + device_id);
    }
    updated = update_device_doc(it->second.doc, changes);
    std::string apikey = text(updated, "apikey");
    std::string owner = apikey.empty() ? "" : apikey_owner(apikey);
    if (!owner.empty() && owner != join({tenant, path})) {
      conflict("DUPLICATE_DEVICE_ID", "The apikey " + apikey + " is in use by another service");
    }
  }
  tenant_store(tenant)->put_records({{kDevices, record_key(key), updated.dump()}});
  std::unique_lock lock(mutex_);
  unindex_device(key);
  Entry entry{tenant, path, updated};
  devices_[key] = entry;
  index_device(entry);
}

void Registry::remove_device(const std::string& tenant, const std::string& path, const std::string& device_id) {
  std::lock_guard write(write_mutex_);
  std::string key = device_key(tenant, path, device_id);
  {
    std::shared_lock lock(mutex_);
    if (!devices_.contains(key)) {
      throw ProvisioningError(404, "DEVICE_NOT_FOUND", "No device was found with id:" + device_id);
    }
  }
  tenant_store(tenant)->put_records({}, {{kDevices, record_key(key)}});
  std::unique_lock lock(mutex_);
  unindex_device(key);
}

Registry::Resolution Registry::resolve(const std::string& apikey, const std::string& device_id) const {
  Resolution out;
  std::shared_lock lock(mutex_);
  auto group_it = group_by_apikey_.find(apikey);
  const Entry* group = group_it == group_by_apikey_.end() ? nullptr : &groups_.at(group_it->second);
  // A device provisioned with its own apikey first.
  if (auto it = device_by_apikey_.find(apikey + "\n" + device_id); it != device_by_apikey_.end()) {
    const Entry& device = devices_.at(it->second);
    const Entry* same = group && group->tenant == device.tenant && group->path == device.path ? group : nullptr;
    out.status = Resolution::Status::kOk;
    out.tenant = device.tenant;
    out.device = device_config(device.tenant, device.path, same ? &same->doc : nullptr, &device.doc, device_id);
    return out;
  }
  if (!group) return out;
  out.tenant = group->tenant;
  auto device_it = devices_.find(device_key(group->tenant, group->path, device_id));
  if (device_it != devices_.end()) {
    std::string own = text(device_it->second.doc, "apikey");
    if (own.empty() || own == apikey) {
      out.status = Resolution::Status::kOk;
      out.device = device_config(group->tenant, group->path, &group->doc, &device_it->second.doc, device_id);
      return out;
    }
  } else if (group->doc.value("autoprovision", false)) {
    out.status = Resolution::Status::kOk;
    out.device = device_config(group->tenant, group->path, &group->doc, nullptr, device_id);
    return out;
  }
  out.status = Resolution::Status::kUnknownDevice;
  return out;
}

}  // namespace machi::iot
