#include "tern/accounts/relay_device_directory.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

namespace tern::accounts {
namespace {

bool same_secret(const Secret& a, const Secret& b) {
    const auto x = a.reveal();
    const auto y = b.reveal();
    // Length is not hidden (the generated passwords all have one length); the bytes are.
    return x.size() == y.size() && CRYPTO_memcmp(x.data(), y.data(), x.size()) == 0;
}

}  // namespace

RelayDeviceDirectory::RelayDeviceDirectory(DeviceMailboxes& mailboxes)
    : mailboxes_(mailboxes), services_(mailboxes.services()) {}

std::optional<mail::relay::RelayIdentity> RelayDeviceDirectory::authenticate(std::string_view user,
                                                                             const Secret& password) {
    std::optional<Device> device;
    {
        std::lock_guard lock(mutex_);
        device = services_.devices.find_by_relay_user(user);
    }
    if (!device || device->kind != DeviceKind::Relayed) return std::nullopt;
    const auto key = device_relay_password_key(services_.profile_id, device->name);
    std::optional<Secret> known;
    {
        std::lock_guard lock(mutex_);
        if (auto found = passwords_.find(device->name); found != passwords_.end()) known = found->second;
    }
    if (!known || !same_secret(*known, password)) {
        known = services_.secrets.load(key);  // may block on the keyring: we are off the network thread
        if (!known) return std::nullopt;
        std::lock_guard lock(mutex_);
        passwords_[device->name] = *known;
    }
    if (!same_secret(*known, password)) return std::nullopt;
    return mail::relay::RelayIdentity{device->id, device->name, device->mailbox};
}

std::optional<Device> RelayDeviceDirectory::device_by_id(std::int64_t id) {
    std::lock_guard lock(mutex_);
    for (auto& d : services_.devices.list())
        if (d.id == id) return d;
    return std::nullopt;
}

mail::ConnectionOptions RelayDeviceDirectory::upstream(std::int64_t device_id) {
    const auto device = device_by_id(device_id);
    if (!device)
        throw Error(ErrorCategory::NotFound, "The device this mail came from was removed from Tern; its mail is kept "
                                             "in the relay spool.");
    if (device->token_state != TokenState::Acquired)
        throw Error(ErrorCategory::TokenExpired,
                    "The mailbox " + device->mailbox + " of " + device->name + " is not signed in (" +
                        std::string(display_name(device->token_state)) +
                        (device->token_reason ? ": " + *device->token_reason : std::string()) +
                        "). Its mail waits in the relay until you sign it in: tern-cli device login " + device->name);
    return mailboxes_.get(*device)->smtp_connection();
}

void RelayDeviceDirectory::spooled(std::int64_t device_id, int count) {
    std::lock_guard lock(mutex_);
    services_.devices.count_relayed(device_id, count, 0, 0);
}

void RelayDeviceDirectory::delivered(std::int64_t device_id) {
    std::lock_guard lock(mutex_);
    services_.devices.count_relayed(device_id, 0, 1, 0);
}

void RelayDeviceDirectory::failed(std::int64_t device_id, const std::string& why) {
    std::lock_guard lock(mutex_);
    services_.devices.count_relayed(device_id, 0, 0, 1);
    services_.devices.record_error(device_id, why, services_.unix_now());
}

void RelayDeviceDirectory::deferred(std::int64_t device_id, const Error& error) {
    // A refusal of the sign-in itself (535 5.7.139: SMTP AUTH disabled for the tenant or mailbox)
    // makes the device Invalid with that reason: its mailbox judges and records it.
    if (const auto device = device_by_id(device_id);
        device && device->kind == DeviceKind::Relayed && device->token_state == TokenState::Acquired) {
        try {
            if (mailboxes_.get(*device)->upstream_failed(error)) return;
        } catch (const Error& e) {
            spdlog::warn("relay: device {}: {}", device->name, e.log_line());
        }
    }
    // The token's own failures were recorded by the device's credentials (Invalid, or last_error);
    // the rest (the server away, a temporary refusal) are recorded here.
    switch (error.category()) {
        case ErrorCategory::AuthRejected:
        case ErrorCategory::TokenExpired:
        case ErrorCategory::TokenRevoked:
        case ErrorCategory::ConsentRequired:
        case ErrorCategory::AppRejected: return;
        default: break;
    }
    std::lock_guard lock(mutex_);
    services_.devices.record_error(device_id, error.message(), services_.unix_now());
}

}  // namespace tern::accounts
