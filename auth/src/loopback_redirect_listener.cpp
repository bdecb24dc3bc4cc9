#include "loopback_redirect_listener.hpp"

#include "tern/core/error.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace tern::auth {
namespace {

constexpr auto cancel_poll = std::chrono::milliseconds(50);

std::string page(const std::string& title, const std::string& text) {
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
           "</title></head>\n<body style=\"font-family: sans-serif; margin: 3em;\"><h1>" + title + "</h1><p>" +
           text + "</p></body></html>\n";
}

// The OAuth error code is shown to the person, but only if it looks like one: the rest of the
// query came from whoever sent the browser here and is neither trusted nor echoed.
std::string printable_error_code(const std::string& error) {
    const bool plain = !error.empty() && error.size() <= 64 && std::all_of(error.begin(), error.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    return plain ? error : std::string("unknown");
}

std::string result_page(const RedirectResult& result) {
    if (result.error.empty())
        return page("Tern is signed in", "Tern is signed in. You can close this window.");
    if (result.error == "access_denied")
        return page("Sign-in cancelled",
                    "The sign-in was cancelled or declined, so Tern is not signed in. You can close this "
                    "window; Tern explains what to do next.");
    return page("Sign-in failed", "The sign-in service did not sign Tern in (it answered \"" +
                                      printable_error_code(result.error) +
                                      "\"). You can close this window; Tern explains what happened and what to "
                                      "do next.");
}

std::string duration_words(std::chrono::steady_clock::duration duration) {
    const auto seconds = std::chrono::round<std::chrono::seconds>(duration).count();
    if (seconds >= 60 && seconds % 60 == 0) {
        const auto minutes = seconds / 60;
        return std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes");
    }
    return std::to_string(seconds) + (seconds == 1 ? " second" : " seconds");
}

}  // namespace

LoopbackRedirectListener::LoopbackRedirectListener()
    : server_(std::make_unique<httplib::Server>()), started_(std::chrono::steady_clock::now()) {
    // One request is all this server is for: no keep-alive, and a browser's idle pre-connections
    // must not hold the destructor for long.
    server_->set_keep_alive_max_count(1);
    server_->set_read_timeout(std::chrono::seconds(2));
    server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
    server_->Get("/", [this](const httplib::Request& request, httplib::Response& response) {
        if (!request.has_param("code") && !request.has_param("error")) {
            response.status = 404;
            return;
        }
        RedirectResult result{request.get_param_value("code"), request.get_param_value("state"),
                              request.get_param_value("error"), request.get_param_value("error_description")};
        response.set_header("Cache-Control", "no-store");
        response.set_header("Connection", "close");
        response.set_content(result_page(result), "text/html; charset=utf-8");
        deliver(std::move(result));
    });

    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0)
        throw Error(ErrorCategory::Network,
                    "Tern could not open a local port to receive the browser sign-in. Try again, or sign in "
                    "with a code instead.",
                    "bind 127.0.0.1:0 failed");
    thread_ = std::thread([this] {
        server_->listen_after_bind();
        std::lock_guard lock(mutex_);
        listen_returned_ = true;
        arrived_.notify_all();
    });
    spdlog::debug("browser sign-in: listening on {}", redirect_uri());
}

LoopbackRedirectListener::~LoopbackRedirectListener() {
    // httplib's stop() does nothing until the listen loop runs, so wait for it to run (or to end).
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (listen_returned_) break;
            arrived_.wait_for(lock, std::chrono::milliseconds(5));
            if (listen_returned_) break;
        }
        if (server_->is_running()) {
            server_->stop();
            break;
        }
    }
    thread_.join();
}

std::string LoopbackRedirectListener::redirect_uri() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/";
}

void LoopbackRedirectListener::deliver(RedirectResult result) {
    std::lock_guard lock(mutex_);
    if (result_) return;  // one-shot: a second redirect (reload, replay) changes nothing
    result_ = std::move(result);
    arrived_.notify_all();
}

RedirectResult LoopbackRedirectListener::wait(std::chrono::steady_clock::time_point deadline,
                                              const CancelToken* cancel) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (result_) return *result_;
        if (cancel != nullptr && cancel->cancelled())
            throw Error(ErrorCategory::Cancelled, "The browser sign-in was cancelled.");
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            throw Error(ErrorCategory::Timeout,
                        "The browser sign-in did not finish within " + duration_words(deadline - started_) +
                            ". Start the sign-in again, or sign in with a code instead.",
                        "no redirect reached " + redirect_uri());
        // The cancel token has its own condition variable, so it is polled in short slices.
        arrived_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(deadline - now, cancel_poll));
    }
}

}  // namespace tern::auth
