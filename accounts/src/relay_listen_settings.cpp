#include "tern/accounts/relay_listen_settings.hpp"

#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <optional>

namespace tern::accounts {
namespace {

std::optional<std::string> setting(Database& db, std::string_view key) {
    auto st = db.prepare("SELECT value FROM settings WHERE key = ?1");
    st.bind(1, key);
    if (!st.step()) return std::nullopt;
    return st.column_text(0);
}

void put(Database& db, std::string_view key, const std::string& value) {
    db.prepare("INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, key)
        .bind(2, value)
        .run();
}

}  // namespace

RelayListenAddress relay_listen_address(Database& db) {
    RelayListenAddress out;
    if (auto host = setting(db, "relay.listen_host"); host && !host->empty()) out.host = *host;
    if (auto port = setting(db, "relay.listen_port")) {
        char* end = nullptr;
        const long value = std::strtol(port->c_str(), &end, 10);
        if (!port->empty() && *end == '\0' && value > 0 && value <= 65535)
            out.port = static_cast<std::uint16_t>(value);
        else
            spdlog::warn("profile setting relay.listen_port = \"{}\" is not a port; using {}", *port, out.port);
    }
    return out;
}

void save_relay_listen_address(Database& db, const RelayListenAddress& address) {
    if (address.host.empty())
        throw Error(ErrorCategory::BadInput, "Enter the address the relay listens on, for example 127.0.0.1.");
    for (const unsigned char c : address.host)
        if (c <= ' ' || c == 0x7f)
            throw Error(ErrorCategory::BadInput,
                        "The relay's listen address \"" + address.host + "\" has a space or a control character in it.");
    if (address.port == 0) throw Error(ErrorCategory::BadInput, "The relay's port must be between 1 and 65535.");
    Transaction transaction(db);
    put(db, "relay.listen_host", address.host);
    put(db, "relay.listen_port", std::to_string(address.port));
    transaction.commit();
}

}  // namespace tern::accounts
