// An HttpClient that answers from a script and records what it was asked, for the sign-in flows'
// unit tests. Thread-safe; an optional delay holds each answer back (single-flight tests).
#pragma once

#include "tern/auth/http_client.hpp"
#include "tern/core/error.hpp"

#include <chrono>
#include <deque>
#include <mutex>
#include <thread>

namespace tern::test {

class FakeHttpClient : public auth::HttpClient {
public:
    void answer(long status, std::string body) {
        std::lock_guard lock(mutex_);
        auth::HttpResponse r;
        r.status = status;
        r.body = std::move(body);
        answers_.push_back(std::move(r));
    }
    auth::HttpResponse send(const auth::HttpRequest& request, const CancelToken* cancel) override {
        if (delay_.count()) std::this_thread::sleep_for(delay_);
        if (cancel) cancel->throw_if_cancelled();
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
        if (answers_.empty()) throw Error(ErrorCategory::Internal, {}, "FakeHttpClient: no scripted answer left");
        auto r = std::move(answers_.front());
        answers_.pop_front();
        return r;
    }
    std::vector<auth::HttpRequest> requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    void set_delay(std::chrono::milliseconds delay) { delay_ = delay; }

private:
    std::mutex mutex_;
    std::deque<auth::HttpResponse> answers_;
    std::vector<auth::HttpRequest> requests_;
    std::chrono::milliseconds delay_{0};
};

}  // namespace tern::test
