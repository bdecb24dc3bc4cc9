// Where the device relay listens (DESIGN §5: the address the admin chooses, loopback by default),
// kept in the profile's settings table as relay.listen_host and relay.listen_port.
#pragma once

#include "tern/core/database.hpp"

#include <cstdint>
#include <string>

namespace tern::accounts {

struct RelayListenAddress {
    std::string host = "127.0.0.1";
    std::uint16_t port = 2525;
};

// The saved address, or the defaults for what is missing or unreadable.
RelayListenAddress relay_listen_address(Database& db);

// Throws BadInput for an empty host, one with spaces or control characters, or port 0.
void save_relay_listen_address(Database& db, const RelayListenAddress& address);

}  // namespace tern::accounts
