// vmime's time-out hook, which is also the only way to stop a blocked vmime call: it fires when
// the server has been silent for too long or when the job's CancelToken is cancelled.
#pragma once

#include "tern/core/cancellation.hpp"

#include <vmime/net/timeoutHandler.hpp>

#include <chrono>
#include <memory>

namespace tern::mail::detail {

class CancellableTimeout final : public vmime::net::timeoutHandler {
public:
    CancellableTimeout(std::chrono::milliseconds limit, std::shared_ptr<const CancelToken> cancel)
        : limit_(limit), cancel_(std::move(cancel)), start_(std::chrono::steady_clock::now()) {}

    bool isTimeOut() override {
        return (cancel_ && cancel_->cancelled()) || std::chrono::steady_clock::now() - start_ >= limit_;
    }
    void resetTimeOut() override { start_ = std::chrono::steady_clock::now(); }
    bool handleTimeOut() override { return false; }  // give up: vmime throws operation_timed_out

private:
    std::chrono::milliseconds limit_;
    std::shared_ptr<const CancelToken> cancel_;
    std::chrono::steady_clock::time_point start_;
};

class CancellableTimeoutFactory final : public vmime::net::timeoutHandlerFactory {
public:
    CancellableTimeoutFactory(std::chrono::milliseconds limit, std::shared_ptr<const CancelToken> cancel)
        : limit_(limit), cancel_(std::move(cancel)) {}
    vmime::shared_ptr<vmime::net::timeoutHandler> create() override {
        return vmime::make_shared<CancellableTimeout>(limit_, cancel_);
    }

private:
    std::chrono::milliseconds limit_;
    std::shared_ptr<const CancelToken> cancel_;
};

}  // namespace tern::mail::detail
