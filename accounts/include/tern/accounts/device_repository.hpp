// Reads and writes the device registry in the profile database. Holds no secrets: the device
// mailbox's refresh token and the relay password are in the credential store (device_secrets).
#pragma once

#include "tern/accounts/device.hpp"
#include "tern/auth/credential_store.hpp"
#include "tern/core/database.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::accounts {

// Credential store keys of a device: its mailbox's refresh token, and the relay password of a
// relayed device.
auth::CredentialKey device_refresh_token_key(const std::string& profile_id, const std::string& device_name);
auth::CredentialKey device_relay_password_key(const std::string& profile_id, const std::string& device_name);

// The relay user name a new relayed device gets: "relay-" and its name in lower-case letters,
// digits and '-' ("2nd floor MFP" -> "relay-2nd-floor-mfp").
std::string relay_user_for(std::string_view device_name);

class DeviceRepository {
public:
    explicit DeviceRepository(Database& db) : db_(db) {}

    // Returns the new id. BadInput with the reason for an empty or taken name, a mailbox that is
    // not an address, or a relay user name another device has.
    std::int64_t add(const Device& device);
    std::vector<Device> list();
    std::optional<Device> find(std::string_view name);
    std::optional<Device> find_by_relay_user(std::string_view relay_user);
    bool remove(std::string_view name);

    // The sign-in's state; `reason` says why for Invalid (kept until the next state).
    void set_token_state(std::int64_t id, TokenState state, const std::optional<std::string>& reason);
    void record_refresh(std::int64_t id, std::int64_t when);
    void record_error(std::int64_t id, const std::string& error, std::int64_t when);
    // The last check or refresh worked: no error to explain any more.
    void clear_error(std::int64_t id);

    // The relay's counters: messages accepted from the device, delivered upstream, failed for good.
    void count_relayed(std::int64_t id, std::int64_t spooled, std::int64_t delivered, std::int64_t failed);

private:
    Database& db_;
};

}  // namespace tern::accounts
