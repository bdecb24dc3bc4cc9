#include "worker.hpp"

#include <spdlog/spdlog.h>

namespace tern::ui {

void JobContext::check_cancelled() const {
    if (cancel_->cancelled()) throw Error(ErrorCategory::Cancelled, "Cancelled.");
}

Worker::Worker(std::string name, ProfileLocation location)
    : name_(std::move(name)), location_(std::move(location)), thread_([this] { loop(); }) {}

Worker::~Worker() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        if (running_) running_->cancel();
        jobs_.clear();
    }
    wake_.notify_all();
    thread_.join();
}

void Worker::back_to_ui(std::function<void()> call) {
    // During shutdown there is no app to call back into; the result is dropped.
    if (auto* app = wxTheApp) app->CallAfter(std::move(call));
}

void Worker::post(std::shared_ptr<CancelToken> cancel, Job job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.emplace_back(std::move(cancel), std::move(job));
    }
    wake_.notify_one();
}

void Worker::cancel_all() {
    std::lock_guard lock(mutex_);
    if (running_) running_->cancel();
    for (auto& job : jobs_) job.first->cancel();
}

void Worker::loop() {
    // The profile is opened here, on the worker's own thread, so that its connection is its own.
    std::optional<accounts::MailProfile> profile;
    std::optional<Error> open_error;
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            running_ = jobs_.front().first;
            job = std::move(jobs_.front().second);
            jobs_.pop_front();
        }
        if (!profile) {
            try {
                profile.emplace(accounts::MailProfile::open(location_.dir, location_.providers));
                open_error.reset();
            } catch (...) {
                open_error = to_error(std::current_exception());
                spdlog::error("worker {}: {}", name_, open_error->log_line());
            }
        }
        job(profile ? &*profile : nullptr, open_error);
        std::lock_guard lock(mutex_);
        running_.reset();
    }
}

}  // namespace tern::ui
