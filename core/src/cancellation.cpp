#include "tern/core/cancellation.hpp"

#include "tern/core/error.hpp"

namespace tern {

void CancelToken::cancel() {
    {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
    }
    wake_.notify_all();
}

void CancelToken::throw_if_cancelled() const {
    if (cancelled()) throw Error(ErrorCategory::Cancelled, {});
}

bool CancelToken::wait_for(std::chrono::milliseconds duration) const {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, duration, [this] { return cancelled_.load(); });
}

}  // namespace tern
