#include "tern/accounts/device_keep_alive.hpp"

#include "tern/accounts/profile_settings.hpp"

#include <algorithm>

namespace tern::accounts {
namespace {

bool kept_alive(const Device& d) { return d.kind == DeviceKind::Relayed && d.token_state == TokenState::Acquired; }

}  // namespace

KeepAliveSettings keep_alive_settings(Database& db) {
    KeepAliveSettings settings;
    if (const auto hours = positive_setting(db, "devices.keep_alive_hours")) settings.interval = std::chrono::hours(*hours);
    return settings;
}

DeviceKeepAlive::DeviceKeepAlive(DeviceMailboxes& mailboxes, KeepAliveSettings settings)
    : mailboxes_(mailboxes), settings_(settings) {}

std::int64_t DeviceKeepAlive::due_at(const Device& device) const {
    // Never refreshed (or not recorded): due at once.
    return device.last_refresh ? *device.last_refresh + settings_.interval.count() : 0;
}

std::vector<Device> DeviceKeepAlive::due() const {
    const auto& services = mailboxes_.services();
    const auto now = services.unix_now();
    std::vector<Device> out;
    for (auto& d : services.devices.list())
        if (kept_alive(d) && due_at(d) <= now) out.push_back(std::move(d));
    return out;
}

std::vector<KeepAliveOutcome> DeviceKeepAlive::run_due(const CancelToken* cancel) {
    std::vector<KeepAliveOutcome> out;
    for (const auto& d : due()) {
        if (cancel) cancel->throw_if_cancelled();
        out.push_back(refresh(d, cancel));
    }
    return out;
}

KeepAliveOutcome DeviceKeepAlive::refresh(const Device& device, const CancelToken* cancel) {
    KeepAliveOutcome outcome;
    outcome.device = device.name;
    try {
        mailboxes_.get(device)->refresh_now(cancel);
        outcome.refreshed = true;
    } catch (...) {
        outcome.error = to_error(std::current_exception());
    }
    const auto now = mailboxes_.services().devices.find(device.name);
    outcome.state = now ? now->token_state : device.token_state;
    return outcome;
}

std::optional<std::int64_t> DeviceKeepAlive::next_due() const {
    std::optional<std::int64_t> next;
    for (const auto& d : mailboxes_.services().devices.list())
        if (kept_alive(d)) next = std::min(next.value_or(due_at(d)), due_at(d));
    return next;
}

}  // namespace tern::accounts
