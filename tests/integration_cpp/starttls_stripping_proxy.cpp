#include "starttls_stripping_proxy.hpp"

#include "loopback_sockets.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>


namespace tern::test {
namespace {

void send_all(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

// Server → client: STARTTLS disappears from IMAP CAPABILITY and SMTP EHLO lines.
std::string strip_capability(std::string line) {
    for (auto at = line.find("STARTTLS"); at != std::string::npos; at = line.find("STARTTLS"))
        line.replace(at, 8, "XNOTHING");
    return line;
}

// Client → proxy: a STARTTLS command is answered here and never reaches the server.
bool is_starttls(const std::string& line, std::string& refusal) {
    std::string text = line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    const auto space = text.find(' ');
    if (text == "STARTTLS" || text == "starttls") {
        refusal = "502 5.5.1 STARTTLS is not available\r\n";
        return true;
    }
    if (space != std::string::npos && (text.substr(space + 1) == "STARTTLS" || text.substr(space + 1) == "starttls")) {
        refusal = text.substr(0, space) + " BAD STARTTLS is not available\r\n";
        return true;
    }
    return false;
}

}  // namespace

StartTlsStrippingProxy::StartTlsStrippingProxy(int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = listen_loopback(port_);
    acceptor_ = std::thread([this] { accept_loop(); });
}

StartTlsStrippingProxy::~StartTlsStrippingProxy() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    for (auto& t : relays_) t.join();
    ::close(listen_fd_);
}

std::string StartTlsStrippingProxy::client_sent() const {
    std::lock_guard lock(mutex_);
    return client_sent_;
}

void StartTlsStrippingProxy::accept_loop() {
    while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        const int server = connect_loopback(upstream_port_);
        if (server < 0) {
            ::close(client);
            continue;
        }
        relays_.emplace_back([this, client, server] { relay(client, server); });
    }
}

void StartTlsStrippingProxy::relay(int client, int server) {
    std::string from_client, from_server;
    char buffer[4096];
    while (!stopping_) {
        pollfd fds[2]{{client, POLLIN, 0}, {server, POLLIN, 0}};
        if (::poll(fds, 2, 100) <= 0) continue;
        bool closed = false;
        for (int i = 0; i < 2; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const auto n = ::recv(fds[i].fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                closed = true;
                break;
            }
            auto& pending = i == 0 ? from_client : from_server;
            pending.append(buffer, static_cast<std::size_t>(n));
            if (i == 0) {
                std::lock_guard lock(mutex_);
                client_sent_.append(buffer, static_cast<std::size_t>(n));
            }
            for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
                const std::string line = pending.substr(0, end + 1);
                pending.erase(0, end + 1);
                std::string refusal;
                if (i == 0 && is_starttls(line, refusal))
                    send_all(client, refusal);
                else if (i == 0)
                    send_all(server, line);
                else
                    send_all(client, strip_capability(line));
            }
        }
        if (closed) break;
    }
    ::close(client);
    ::close(server);
}

}  // namespace tern::test
