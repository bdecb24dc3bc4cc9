#include "interrupt.hpp"

#include <csignal>
#include <ctime>
#include <pthread.h>

namespace tern::cli {
namespace {

sigset_t interrupt_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

}  // namespace

CancelOnInterrupt::CancelOnInterrupt(CancelToken& token) {
    // Blocked in this thread (and the threads it starts from now on): only the watcher takes them.
    const auto set = interrupt_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    watcher_ = std::thread([this, &token, set] {
        const timespec tick{0, 100'000'000};
        while (!stop_) {
            if (sigtimedwait(&set, nullptr, &tick) > 0) token.cancel();
        }
    });
}

CancelOnInterrupt::~CancelOnInterrupt() {
    stop_ = true;
    watcher_.join();
}

}  // namespace tern::cli
