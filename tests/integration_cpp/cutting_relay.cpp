#include "cutting_relay.hpp"

#include "loopback_sockets.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>


namespace tern::test {

CuttingRelay::CuttingRelay(int upstream_port, std::size_t cut_after_server_bytes, After after)
    : upstream_port_(upstream_port), limit_(cut_after_server_bytes), after_(after) {
    listen_fd_ = listen_loopback(port_);
    acceptor_ = std::thread([this] { accept_loop(); });
}

CuttingRelay::~CuttingRelay() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    for (auto& t : relays_) t.join();
    ::close(listen_fd_);
}

void CuttingRelay::accept_loop() {
    while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        if (cut_ && after_ == After::Down) {  // the "server" is down: refuse by closing at once
            ::close(client);
            continue;
        }
        const int server = connect_loopback(upstream_port_);
        if (server < 0) {
            ::close(client);
            continue;
        }
        std::lock_guard lock(mutex_);
        const int generation = generation_;
        relays_.emplace_back([this, client, server, generation] { relay(client, server, generation); });
    }
}

void CuttingRelay::relay(int client, int server, int generation) {
    char buffer[16384];
    while (!stopping_ && generation == generation_) {
        pollfd fds[2]{{client, POLLIN, 0}, {server, POLLIN, 0}};
        if (::poll(fds, 2, 50) <= 0) continue;
        bool closed = false;
        for (int i = 0; i < 2 && !closed; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const auto n = ::recv(fds[i].fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                closed = true;
                break;
            }
            if (i == 1 && !cut_ && (server_bytes_ += static_cast<std::size_t>(n)) > limit_) {
                cut_ = true;  // the server "dies" before these bytes reach the client
                ++generation_;
                break;
            }
            ::send(i == 0 ? server : client, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
        }
        if (closed) break;
    }
    ::close(client);
    ::close(server);
}

}  // namespace tern::test
