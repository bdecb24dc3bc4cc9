// A cancel request shared between whoever starts long work (a UI button, Ctrl-C) and the work
// itself, which checks it between steps and while it waits.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace tern {

class CancelToken {
public:
    void cancel();
    bool cancelled() const noexcept { return cancelled_.load(); }
    // Throws tern::Error (Cancelled).
    void throw_if_cancelled() const;
    // Sleeps up to `duration`; returns false at once when cancelled (before or during the wait).
    bool wait_for(std::chrono::milliseconds duration) const;

private:
    std::atomic<bool> cancelled_{false};
    mutable std::mutex mutex_;
    mutable std::condition_variable wake_;
};

}  // namespace tern
