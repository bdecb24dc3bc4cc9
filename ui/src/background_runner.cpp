#include "background_runner.hpp"

namespace tern::ui {

BackgroundRunner::BackgroundRunner() : thread_([this] { loop(); }) {}

BackgroundRunner::~BackgroundRunner() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        jobs_.clear();
    }
    wake_.notify_all();
    thread_.join();
}

void BackgroundRunner::back_to_ui(std::function<void()> call) {
    // During shutdown there is no app to call back into; the result is dropped.
    if (auto* app = wxTheApp) app->CallAfter(std::move(call));
}

void BackgroundRunner::post(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
}

void BackgroundRunner::loop() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        job();
    }
}

}  // namespace tern::ui
