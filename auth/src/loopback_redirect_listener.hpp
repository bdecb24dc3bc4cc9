// A one-shot HTTP listener on 127.0.0.1:<random port> that catches the browser's OAuth redirect
// (RFC 8252 §7.3) and hands its parameters to the one waiting for them.
#pragma once

#include "tern/core/cancellation.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace tern::auth {

// What the authorization server put on the redirect URI's query.
struct RedirectResult {
    std::string code;
    std::string state;
    std::string error;
    std::string error_description;
};

class LoopbackRedirectListener {
public:
    // Binds 127.0.0.1 port 0 and starts serving; throws tern::Error (Network) when it cannot.
    LoopbackRedirectListener();
    ~LoopbackRedirectListener();
    LoopbackRedirectListener(const LoopbackRedirectListener&) = delete;
    LoopbackRedirectListener& operator=(const LoopbackRedirectListener&) = delete;

    int port() const noexcept { return port_; }
    std::string redirect_uri() const;  // http://127.0.0.1:<port>/

    // The first redirect carrying `code` or `error`. Throws tern::Error: Timeout at `deadline`
    // (the message counts the time from this listener's start), Cancelled as soon as `cancel` fires.
    RedirectResult wait(std::chrono::steady_clock::time_point deadline, const CancelToken* cancel);

private:
    void deliver(RedirectResult result);

    std::unique_ptr<httplib::Server> server_;
    int port_ = 0;
    std::chrono::steady_clock::time_point started_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::optional<RedirectResult> result_;
    bool listen_returned_ = false;
};

}  // namespace tern::auth
