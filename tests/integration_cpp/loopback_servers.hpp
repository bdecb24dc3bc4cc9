// Peers for the HTTP client tests, all on 127.0.0.1 with a port the kernel picks: a real
// HTTPS/HTTP server (cpp-httplib), a raw TCP listener that misbehaves on purpose, and a port
// that refuses connections.
#pragma once

#include "test_pki.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace tern::test {

// Routes: GET /hello, POST /echo, GET /status/<code>, GET /redirect, GET /big (16 MiB + 1 byte).
class TestWebServer {
public:
    // HTTPS with this certificate, or plain HTTP without one.
    explicit TestWebServer(std::optional<CertAndKey> identity);
    ~TestWebServer();
    TestWebServer(const TestWebServer&) = delete;
    TestWebServer& operator=(const TestWebServer&) = delete;

    int port() const { return port_; }
    std::string url(const std::string& path, const std::string& host = "127.0.0.1") const;

private:
    bool tls_;
    std::unique_ptr<httplib::Server> server_;
    int port_ = -1;
    std::thread thread_;
};

// Accepts every connection and then either never says a word (Silent) or answers the first
// bytes it receives with an HTTP error line, which is garbage to a TLS client (Garbage).
class RawListener {
public:
    enum class Behaviour { Silent, Garbage };

    explicit RawListener(Behaviour behaviour);
    ~RawListener();
    RawListener(const RawListener&) = delete;
    RawListener& operator=(const RawListener&) = delete;

    int port() const { return port_; }
    std::size_t connections() const;
    // True once `count` connections have been accepted, false when `timeout` passes first.
    bool wait_for_connections(std::size_t count, std::chrono::milliseconds timeout) const;
    // Everything received so far on every connection.
    std::string received() const;

private:
    void run();

    Behaviour behaviour_;
    int listen_fd_ = -1;
    int wake_pipe_[2] = {-1, -1};
    int port_ = -1;
    std::vector<int> clients_;
    std::string received_;
    std::size_t accepted_ = 0;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::thread thread_;
};

// A port bound on 127.0.0.1 but not listening: connecting to it is refused, and no other
// process can take the port while the object lives.
class RefusingPort {
public:
    RefusingPort();
    ~RefusingPort();
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = -1;
};

}  // namespace tern::test
