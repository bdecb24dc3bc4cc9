// A man in the middle that strips STARTTLS: it relays a plaintext IMAP or SMTP session to the real
// server, hides STARTTLS in the server's capabilities and refuses the client's STARTTLS command
// itself, as a downgrade attacker on the path would. Records every byte the client sends.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tern::test {

class StartTlsStrippingProxy {
public:
    explicit StartTlsStrippingProxy(int upstream_port);
    ~StartTlsStrippingProxy();
    StartTlsStrippingProxy(const StartTlsStrippingProxy&) = delete;
    StartTlsStrippingProxy& operator=(const StartTlsStrippingProxy&) = delete;

    int port() const { return port_; }
    std::string client_sent() const;  // everything any client sent, in order

private:
    void accept_loop();
    void relay(int client, int server);

    int upstream_port_;
    int listen_fd_ = -1;
    int port_ = -1;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::string client_sent_;
    std::vector<std::thread> relays_;
    std::thread acceptor_;
};

}  // namespace tern::test
