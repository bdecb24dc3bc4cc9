// Ctrl-C and SIGTERM cancel the running command cleanly (the CancelToken reaches vmime, curl and
// the waits) instead of killing the process in the middle of a write. A watcher thread takes the
// signals with sigtimedwait, so nothing unsafe runs in a signal handler.
#pragma once

#include "tern/core/cancellation.hpp"

#include <atomic>
#include <thread>

namespace tern::cli {

class CancelOnInterrupt {
public:
    explicit CancelOnInterrupt(CancelToken& token);
    ~CancelOnInterrupt();
    CancelOnInterrupt(const CancelOnInterrupt&) = delete;
    CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

private:
    std::atomic<bool> stop_{false};
    std::thread watcher_;
};

}  // namespace tern::cli
