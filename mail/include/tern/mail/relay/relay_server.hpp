// The device relay's listener: ESMTP submission for printers and scanners (DESIGN §5) on standalone
// Asio and OpenSSL. One network thread runs every connection's SmtpServerSession; credential
// checks run on a small pool (they may ask the keyring); accepted messages go to the RelaySpool and
// the device hears 250 only after the spool's commit. No open relay: AUTH only inside TLS, nothing
// accepted without it, and only the device's own mailbox as sender.
#pragma once

#include "tern/mail/relay/relay_certificate.hpp"
#include "tern/mail/relay/relay_directory.hpp"
#include "tern/mail/relay/relay_spool.hpp"
#include "tern/mail/relay/smtp_server_session.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace tern::mail::relay {

struct RelayServerSettings {
    std::string listen_host = "127.0.0.1";  // loopback unless the admin chooses an address
    std::uint16_t listen_port = 2525;       // 0: the system picks (tests)
    std::string hostname = "tern-relay";
    SessionLimits limits;
    std::size_t max_connections = 64;
    std::size_t max_connections_per_address = 16;
    std::chrono::seconds command_timeout{300};  // RFC 5321 §4.5.3.2's five minutes
    std::chrono::milliseconds auth_failure_delay{2000};
    // An address that fails this many AUTHs within `lockout_window` is refused for that long.
    int auth_failures_before_lockout = 10;
    std::chrono::seconds lockout_window{600};
};

class RelayServer {
public:
    RelayServer(RelayServerSettings settings, const RelayCertificate& certificate, RelayDirectory& directory,
                RelaySpool& spool);
    ~RelayServer();
    RelayServer(const RelayServer&) = delete;
    RelayServer& operator=(const RelayServer&) = delete;

    // Binds and listens. Throws tern::Error (Network) naming the address when it cannot.
    void listen();
    // The bound port (after listen()).
    std::uint16_t port() const;
    // Serves until stop(); the calling thread is the network thread.
    void run();
    // From any thread (a signal watcher): stops accepting, closes connections, returns run().
    void stop();

    class Impl;  // opaque: Asio and OpenSSL stay out of this header

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace tern::mail::relay
