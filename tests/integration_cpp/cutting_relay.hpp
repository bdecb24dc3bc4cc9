// A byte relay to a server on 127.0.0.1 that cuts every connection once the server has sent a
// given number of bytes, as a server that dies in the middle of a sync does. TLS passes through.
// Down: the server stays dead (new connections are closed at once). Blip: only the connections
// of that moment die; later ones are relayed normally, as after a network blip.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace tern::test {

class CuttingRelay {
public:
    enum class After { Down, Blip };
    CuttingRelay(int upstream_port, std::size_t cut_after_server_bytes, After after = After::Down);
    ~CuttingRelay();
    CuttingRelay(const CuttingRelay&) = delete;
    CuttingRelay& operator=(const CuttingRelay&) = delete;

    int port() const { return port_; }
    bool cut() const { return cut_; }

private:
    void accept_loop();
    void relay(int client, int server, int generation);

    int upstream_port_;
    std::size_t limit_;
    After after_;
    std::atomic<int> generation_{0};  // connections of a generation below this one are cut
    std::atomic<std::size_t> server_bytes_{0};
    std::atomic<bool> cut_{false};
    std::atomic<bool> stopping_{false};
    int listen_fd_ = -1;
    int port_ = -1;
    std::mutex mutex_;
    std::vector<std::thread> relays_;
    std::thread acceptor_;
};

}  // namespace tern::test
