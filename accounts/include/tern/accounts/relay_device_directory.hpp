// The relay's view of the device registry (mail::relay::RelayDirectory): relay users and their
// generated passwords from the credential store, each relayed device's mailbox for the upstream
// sign-in, and the per-device counters and last error that `device show` and the devices pane show.
#pragma once

#include "tern/accounts/device_mailbox.hpp"
#include "tern/mail/relay/relay_directory.hpp"

#include <map>
#include <mutex>

namespace tern::accounts {

class RelayDeviceDirectory final : public mail::relay::RelayDirectory {
public:
    // `mailboxes` is the process's one set (shared with the keep-alive); everything it and its
    // services reference must outlive this directory.
    explicit RelayDeviceDirectory(DeviceMailboxes& mailboxes);

    std::optional<mail::relay::RelayIdentity> authenticate(std::string_view user, const Secret& password) override;
    mail::ConnectionOptions upstream(std::int64_t device_id) override;
    void spooled(std::int64_t device_id, int count) override;
    void delivered(std::int64_t device_id) override;
    void failed(std::int64_t device_id, const std::string& why) override;
    void deferred(std::int64_t device_id, const Error& error) override;

private:
    std::optional<Device> device_by_id(std::int64_t id);

    DeviceMailboxes& mailboxes_;
    const DeviceServices& services_;
    std::mutex mutex_;  // the registry's connection is shared by the relay's threads
    // Relay passwords once read from the keyring, so that a printer's every message does not ask
    // it again; a password that does not match is read again (the admin may have made a new one).
    std::map<std::string, Secret> passwords_;
};

}  // namespace tern::accounts
