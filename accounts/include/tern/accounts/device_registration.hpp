// Registering a device as the devices pane does (DESIGN §5): a relayed device gets its relay user
// name and a generated password, and the password is in the credential store before the device is
// in the registry, so that a device is never registered without it.
#pragma once

#include "tern/accounts/device.hpp"
#include "tern/accounts/device_repository.hpp"
#include "tern/auth/credential_store.hpp"
#include "tern/core/secret.hpp"

#include <optional>
#include <string>

namespace tern::accounts {

struct RegisteredDevice {
    Device device;                        // as the registry keeps it (id, relay user)
    std::optional<Secret> relay_password;  // relayed devices: for the device's SMTP settings
};

// Adds `device` (its relay user is set here for a relayed device). Throws what
// DeviceRepository::add throws (the password stored first is removed again) and what the
// credential store throws.
RegisteredDevice register_device(DeviceRepository& devices, auth::CredentialStore& secrets,
                                 const std::string& profile_id, Device device);

// The relay password of a relayed device, read from the credential store. NotFound when the
// device is not relayed or the store has none for it.
Secret device_relay_password(auth::CredentialStore& secrets, const std::string& profile_id, const Device& device);

}  // namespace tern::accounts
