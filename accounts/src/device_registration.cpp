#include "tern/accounts/device_registration.hpp"

#include "tern/accounts/relay_credentials.hpp"
#include "tern/core/error.hpp"

namespace tern::accounts {

RegisteredDevice register_device(DeviceRepository& devices, auth::CredentialStore& secrets,
                                 const std::string& profile_id, Device device) {
    std::optional<Secret> password;
    if (device.kind == DeviceKind::Relayed) {
        device.relay_user = relay_user_for(device.name);
        password = new_relay_password();
        secrets.store(device_relay_password_key(profile_id, device.name), *password);
    } else {
        device.relay_user.reset();
    }
    try {
        devices.add(device);
    } catch (...) {
        if (password) secrets.remove(device_relay_password_key(profile_id, device.name));
        throw;
    }
    return {*devices.find(device.name), std::move(password)};
}

Secret device_relay_password(auth::CredentialStore& secrets, const std::string& profile_id, const Device& device) {
    if (device.kind != DeviceKind::Relayed)
        throw Error(ErrorCategory::NotFound,
                    device.name + " signs in to Exchange Online itself: it has no password for Tern's relay.");
    auto password = secrets.load(device_relay_password_key(profile_id, device.name));
    if (!password)
        throw Error(ErrorCategory::NotFound, "The credential store has no relay password for " + device.name +
                                                 ". Remove the device and add it again to get a new one.");
    return std::move(*password);
}

}  // namespace tern::accounts
