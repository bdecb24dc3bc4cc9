#include "loopback_servers.hpp"

#include "loopback_sockets.hpp"

#include <httplib.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace tern::test {
namespace {

constexpr std::chrono::seconds start_deadline{10};

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void add_routes(httplib::Server& server) {
    server.Get("/hello", [](const httplib::Request&, httplib::Response& response) {
        response.set_header("X-Test", "yes");
        response.set_content("hello from the test server", "text/plain");
    });
    server.Post("/echo", [](const httplib::Request& request, httplib::Response& response) {
        response.status = 201;
        response.set_header("X-Echo-Content-Type", request.get_header_value("Content-Type"));
        response.set_header("X-Echo-User-Agent", request.get_header_value("User-Agent"));
        response.set_header("X-Echo-Custom", request.get_header_value("X-Custom"));
        response.set_header("X-Echo-Expect", request.has_header("Expect") ? "present" : "absent");
        response.set_content(request.body, "application/octet-stream");
    });
    server.Get(R"(/status/(\d+))", [](const httplib::Request& request, httplib::Response& response) {
        response.status = std::stoi(request.matches[1]);
        response.set_content("status " + std::string(request.matches[1]), "text/plain");
    });
    server.Get("/redirect", [](const httplib::Request&, httplib::Response& response) {
        response.set_redirect("/hello", 302);
    });
    server.Get("/big", [](const httplib::Request&, httplib::Response& response) {
        response.set_content(std::string(16 * 1024 * 1024 + 1, 'x'), "application/octet-stream");
    });
}

}  // namespace

TestWebServer::TestWebServer(std::optional<CertAndKey> identity) : tls_(identity.has_value()) {
    if (identity) {
        server_ = std::make_unique<httplib::SSLServer>(identity->cert.c_str(), identity->key.c_str());
        if (!server_->is_valid())
            throw std::runtime_error("cpp-httplib rejected " + identity->cert.string());
    } else {
        server_ = std::make_unique<httplib::Server>();
    }
    // Without it, Nagle's algorithm and the client's delayed ACK add 40 ms to each TLS exchange.
    server_->set_tcp_nodelay(true);
    add_routes(*server_);
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ < 0) throw std::runtime_error("cannot bind the test server to 127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() is a no-op before the accept loop runs, so do not hand the server out before then.
    // Connections made earlier wait in the kernel's backlog, so this is about teardown only.
    const auto deadline = std::chrono::steady_clock::now() + start_deadline;
    while (!server_->is_running()) {
        if (std::chrono::steady_clock::now() > deadline) {
            thread_.detach();
            throw std::runtime_error("the test server did not start");
        }
        std::this_thread::yield();
    }
}

TestWebServer::~TestWebServer() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
}

std::string TestWebServer::url(const std::string& path, const std::string& host) const {
    return std::string(tls_ ? "https" : "http") + "://" + host + ":" + std::to_string(port_) + path;
}

RawListener::RawListener(Behaviour behaviour) : behaviour_(behaviour) {
    listen_fd_ = listen_loopback(port_);
    if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) {
        ::close(listen_fd_);
        throw_errno("listen");
    }
    thread_ = std::thread([this] { run(); });
}

RawListener::~RawListener() {
    const char stop = 's';
    [[maybe_unused]] const auto written = ::write(wake_pipe_[1], &stop, 1);
    thread_.join();
    for (const int fd : clients_) ::close(fd);
    ::close(listen_fd_);
    ::close(wake_pipe_[0]);
    ::close(wake_pipe_[1]);
}

std::size_t RawListener::connections() const {
    std::lock_guard lock(mutex_);
    return accepted_;
}

bool RawListener::wait_for_connections(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return accepted_ >= count; });
}

std::string RawListener::received() const {
    std::lock_guard lock(mutex_);
    return received_;
}

void RawListener::run() {
    static constexpr char garbage[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    for (;;) {
        std::vector<pollfd> watched{{wake_pipe_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
        {
            std::lock_guard lock(mutex_);
            for (const int fd : clients_) watched.push_back({fd, POLLIN, 0});
        }
        if (::poll(watched.data(), watched.size(), -1) < 0 && errno != EINTR) return;
        if (watched[0].revents != 0) return;
        if (watched[1].revents & POLLIN) {
            const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client >= 0) {
                std::lock_guard lock(mutex_);
                clients_.push_back(client);
                ++accepted_;
                changed_.notify_all();
            }
        }
        for (std::size_t i = 2; i < watched.size(); ++i) {
            if ((watched[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            char buffer[4096];
            const ssize_t got = ::read(watched[i].fd, buffer, sizeof buffer);
            std::lock_guard lock(mutex_);
            if (got <= 0) {  // the client left
                clients_.erase(std::remove(clients_.begin(), clients_.end(), watched[i].fd),
                               clients_.end());
                ::close(watched[i].fd);
                continue;
            }
            received_.append(buffer, static_cast<std::size_t>(got));
            if (behaviour_ == Behaviour::Garbage) {
                [[maybe_unused]] const auto sent =
                    ::send(watched[i].fd, garbage, sizeof garbage - 1, MSG_NOSIGNAL);
            }
        }
    }
}

RefusingPort::RefusingPort() { fd_ = bind_loopback(port_); }

RefusingPort::~RefusingPort() { ::close(fd_); }

}  // namespace tern::test
