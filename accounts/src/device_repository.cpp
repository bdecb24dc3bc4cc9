#include "tern/accounts/device_repository.hpp"

#include "tern/core/error.hpp"

#include <chrono>

namespace tern::accounts {
namespace {

constexpr const char* device_columns =
    "id, name, model, address, mailbox, kind, token_state, token_reason, relay_user, last_refresh, last_error, "
    "last_error_at, spooled, delivered, failed, created_at";

Device read_device(const Statement& st) {
    Device d;
    d.id = st.column_int(0);
    d.name = st.column_text(1);
    d.model = st.column_text(2);
    d.address = st.column_text(3);
    d.mailbox = st.column_text(4);
    const auto kind = device_kind_from_string(st.column_text(5));
    const auto state = token_state_from_string(st.column_text(6));
    if (!kind || !state) throw Error(ErrorCategory::Storage, {}, "bad device row for " + d.name);
    d.kind = *kind;
    d.token_state = *state;
    d.token_reason = st.column_optional_text(7);
    d.relay_user = st.column_optional_text(8);
    d.last_refresh = st.column_optional_int(9);
    d.last_error = st.column_optional_text(10);
    d.last_error_at = st.column_optional_int(11);
    d.spooled = st.column_int(12);
    d.delivered = st.column_int(13);
    d.failed = st.column_int(14);
    d.created_at = st.column_int(15);
    return d;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

auth::CredentialKey device_refresh_token_key(const std::string& profile_id, const std::string& device_name) {
    return {profile_id, "device:" + device_name, "refresh-token"};
}

auth::CredentialKey device_relay_password_key(const std::string& profile_id, const std::string& device_name) {
    return {profile_id, "device:" + device_name, "relay-password"};
}

std::string relay_user_for(std::string_view device_name) {
    std::string out = "relay-";
    bool dash = true;  // no leading or doubled '-'
    for (const unsigned char c : device_name) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out += static_cast<char>(c);
            dash = false;
        } else if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
            dash = false;
        } else if (!dash) {
            out += '-';
            dash = true;
        }
    }
    while (out.size() > 6 && out.back() == '-') out.pop_back();
    return out.size() > 6 ? out : out + "device";
}

std::int64_t DeviceRepository::add(const Device& device) {
    if (device.name.empty() || device.name.size() > 100)
        throw Error(ErrorCategory::BadInput, "A device needs a name of 1 to 100 characters.");
    const auto at = device.mailbox.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == device.mailbox.size())
        throw Error(ErrorCategory::BadInput, "\"" + device.mailbox + "\" is not a mailbox address: give the address "
                                             "the device sends as, e.g. scanner@contoso.com.");
    if (find(device.name))
        throw Error(ErrorCategory::BadInput, "There is already a device called \"" + device.name + "\" (tern-cli device list).");
    if (device.relay_user && find_by_relay_user(*device.relay_user))
        throw Error(ErrorCategory::BadInput, "Another device already signs in to the relay as " + *device.relay_user +
                                                 ": give this one another name.");
    db_.prepare("INSERT INTO devices(name, model, address, mailbox, kind, token_state, token_reason, relay_user, "
                "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        .bind(1, device.name)
        .bind(2, device.model)
        .bind(3, device.address)
        .bind(4, device.mailbox)
        .bind(5, to_string(device.kind))
        .bind(6, to_string(device.token_state))
        .bind(7, device.token_reason)
        .bind(8, device.relay_user)
        .bind(9, device.created_at ? device.created_at : now_seconds())
        .run();
    return db_.last_insert_rowid();
}

std::vector<Device> DeviceRepository::list() {
    std::vector<Device> out;
    auto st = db_.prepare(std::string("SELECT ") + device_columns + " FROM devices ORDER BY name");
    while (st.step()) out.push_back(read_device(st));
    return out;
}

std::optional<Device> DeviceRepository::find(std::string_view name) {
    auto st = db_.prepare(std::string("SELECT ") + device_columns + " FROM devices WHERE name = ?1");
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return read_device(st);
}

std::optional<Device> DeviceRepository::find_by_relay_user(std::string_view relay_user) {
    auto st = db_.prepare(std::string("SELECT ") + device_columns + " FROM devices WHERE relay_user = ?1");
    st.bind(1, relay_user);
    if (!st.step()) return std::nullopt;
    return read_device(st);
}

bool DeviceRepository::remove(std::string_view name) {
    db_.prepare("DELETE FROM devices WHERE name = ?1").bind(1, name).run();
    return db_.changes() > 0;
}

void DeviceRepository::set_token_state(std::int64_t id, TokenState state, const std::optional<std::string>& reason) {
    db_.prepare("UPDATE devices SET token_state = ?2, token_reason = ?3 WHERE id = ?1")
        .bind(1, id)
        .bind(2, to_string(state))
        .bind(3, reason)
        .run();
}

void DeviceRepository::record_refresh(std::int64_t id, std::int64_t when) {
    db_.prepare("UPDATE devices SET last_refresh = ?2 WHERE id = ?1").bind(1, id).bind(2, when).run();
}

void DeviceRepository::record_error(std::int64_t id, const std::string& error, std::int64_t when) {
    db_.prepare("UPDATE devices SET last_error = ?2, last_error_at = ?3 WHERE id = ?1")
        .bind(1, id)
        .bind(2, error)
        .bind(3, when)
        .run();
}

void DeviceRepository::clear_error(std::int64_t id) {
    db_.prepare("UPDATE devices SET last_error = NULL, last_error_at = NULL WHERE id = ?1").bind(1, id).run();
}

void DeviceRepository::count_relayed(std::int64_t id, std::int64_t spooled, std::int64_t delivered, std::int64_t failed) {
    db_.prepare("UPDATE devices SET spooled = spooled + ?2, delivered = delivered + ?3, failed = failed + ?4 WHERE id = ?1")
        .bind(1, id)
        .bind(2, spooled)
        .bind(3, delivered)
        .bind(4, failed)
        .run();
}

}  // namespace tern::accounts
