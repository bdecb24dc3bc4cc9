// Runs work off the UI thread, one job at a time, and hands each result back on the UI thread
// only if the window that asked is still open (Poedit's concurrency pattern, much reduced).
#pragma once

#include "tern/core/error.hpp"

#include <wx/app.h>
#include <wx/weakref.h>
#include <wx/window.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace tern::ui {

class BackgroundRunner {
public:
    BackgroundRunner();
    ~BackgroundRunner();  // finishes the running job, drops queued ones, joins
    BackgroundRunner(const BackgroundRunner&) = delete;
    BackgroundRunner& operator=(const BackgroundRunner&) = delete;

    // `work` runs on the worker; `done` or `failed` then runs on the UI thread if `owner` lives.
    template <typename T>
    void run(wxWindow* owner, std::function<T()> work, std::function<void(T)> done,
             std::function<void(const Error&)> failed) {
        wxWeakRef<wxWindow> weak(owner);
        post([weak, work = std::move(work), done = std::move(done), failed = std::move(failed)]() mutable {
            try {
                auto result = std::make_shared<T>(work());
                back_to_ui([weak, done, result] {
                    if (weak) done(std::move(*result));
                });
            } catch (...) {
                auto error = std::make_shared<Error>(to_error(std::current_exception()));
                back_to_ui([weak, failed, error] {
                    if (weak) failed(*error);
                });
            }
        });
    }

private:
    static void back_to_ui(std::function<void()> call);
    void post(std::function<void()> job);
    void loop();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tern::ui
