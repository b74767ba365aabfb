// The provisioning documents of the IoT Agent API: service groups
// (/iot/services) and devices (/iot/devices), validated and normalized as
// JSON in the IoT Agent's own member names, and merged into the
// DeviceConfig that the southbound applies to each measure.
#pragma once

#include <stdexcept>
#include <string>

#include "core/json.h"
#include "iot/measures.h"

namespace machi::iot {

// An error of the provisioning API as the IoT Agent answers it: the HTTP
// status and {"name": "WRONG_SYNTAX", "message": "..."}.
struct ProvisioningError : std::runtime_error {
  ProvisioningError(int status, std::string name, const std::string& message)
      : std::runtime_error(message), status(status), name(std::move(name)) {}
  int status;
  std::string name;
};
[[noreturn]] void wrong_syntax(const std::string& message);  // 400 WRONG_SYNTAX

// One item of POST /iot/services {"services": [...]}: apikey and resource
// required; entity_type, attributes, static_attributes, explicitAttrs,
// autoprovision used; the IoT Agent's other members (lazy, commands,
// cbroker, timezone, ...) kept as given. Unknown members are refused.
Json validate_group(const Json& item);
// A group with the members of a PUT body replaced (apikey and resource stay).
Json update_group_doc(const Json& group, const Json& changes);

// One item of POST /iot/devices {"devices": [...]}: device_id required.
Json validate_device(const Json& item);
// A device with the members of a PUT body replaced (device_id stays).
Json update_device_doc(const Json& device, const Json& changes);

// The device as measures see it: the device's members first, the group's
// for what the device does not say. device may be null (a device of an
// autoprovision group that was never provisioned), group may be null (a
// device with its own apikey and no group).
DeviceConfig device_config(const std::string& tenant, const std::string& service_path, const Json* group,
                           const Json* device, const std::string& device_id);

// The default entity id the IoT Agent gives a device without entity_name.
std::string default_entity_name(const std::string& entity_type, const std::string& device_id);

}  // namespace machi::iot
