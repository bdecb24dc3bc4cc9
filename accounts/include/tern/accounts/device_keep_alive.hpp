// Keeps relayed devices signed in (DESIGN §3, §5): Microsoft lets a refresh token die after about
// 90 days without use, and a printer that scans once a month would lose its sign-in. Every
// Acquired relayed device whose last refresh is older than the keep-alive interval (default 7
// days; profile setting "devices.keep_alive_hours") is refreshed now, which rotates and stores the
// newest refresh token. The relay and the desktop app call run_due() at start and then again at
// next_due(); `tern-cli device refresh` calls it once.
#pragma once

#include "tern/accounts/device_mailbox.hpp"
#include "tern/core/database.hpp"

#include <chrono>
#include <optional>
#include <vector>

namespace tern::accounts {

struct KeepAliveSettings {
    std::chrono::seconds interval = std::chrono::hours(7 * 24);
};

// "devices.keep_alive_hours" in the settings table; a value that is not a positive whole number
// is ignored with a warning in the log.
KeepAliveSettings keep_alive_settings(Database& db);

struct KeepAliveOutcome {
    std::string device;
    TokenState state = TokenState::Acquired;  // as recorded afterwards
    bool refreshed = false;
    std::optional<Error> error;  // the failure, also recorded as the device's last_error
};

class DeviceKeepAlive {
public:
    // `mailboxes` is the process's one set of device mailboxes (shared with the relay); its
    // services' clock (now) is the keep-alive's clock.
    DeviceKeepAlive(DeviceMailboxes& mailboxes, KeepAliveSettings settings);

    // The Acquired relayed devices whose last refresh is older than the interval (or unknown).
    std::vector<Device> due() const;
    // Refreshes every due device; one device's failure does not stop the others.
    std::vector<KeepAliveOutcome> run_due(const CancelToken* cancel = nullptr);
    // Refreshes one device now, due or not (an admin's "refresh now").
    KeepAliveOutcome refresh(const Device& device, const CancelToken* cancel = nullptr);
    // When the next Acquired relayed device falls due (Unix seconds; now or earlier when one is
    // due already); nullopt when no device needs keeping alive.
    std::optional<std::int64_t> next_due() const;

private:
    std::int64_t due_at(const Device& device) const;

    DeviceMailboxes& mailboxes_;
    KeepAliveSettings settings_;
};

}  // namespace tern::accounts
