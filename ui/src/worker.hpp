// A thread of the desktop app that owns its own connection to the profile and runs jobs one at a
// time (aerc's worker per account, Poedit's continuations): a job's result, error and progress come
// back on the UI thread, and only while the window that asked is open (a weak reference). Every
// job has a cancel token that the work checks (vmime's timeout handler, curl's progress callback).
#pragma once

#include "tern/accounts/mail_profile.hpp"
#include "tern/core/cancellation.hpp"
#include "tern/core/error.hpp"

#include <wx/app.h>
#include <wx/weakref.h>
#include <wx/window.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace tern::ui {

struct JobProgress {
    std::string what;       // for a person: "INBOX: headers"
    std::int64_t done = 0;
    std::int64_t total = 0;  // 0: unknown
};

// What a job's work gets: the worker's profile, its cancel token, and a way to report progress.
class JobContext {
public:
    JobContext(accounts::MailProfile& profile, std::shared_ptr<CancelToken> cancel,
               std::function<void(JobProgress)> report)
        : profile_(profile), cancel_(std::move(cancel)), report_(std::move(report)) {}

    accounts::MailProfile& profile() const { return profile_; }
    const std::shared_ptr<CancelToken>& cancel() const { return cancel_; }
    // Throws Cancelled when the job was cancelled: call it between steps.
    void check_cancelled() const;
    void progress(JobProgress progress) const {
        if (report_) report_(std::move(progress));
    }

private:
    accounts::MailProfile& profile_;
    std::shared_ptr<CancelToken> cancel_;
    std::function<void(JobProgress)> report_;
};

struct ProfileLocation {
    std::filesystem::path dir;
    std::optional<std::filesystem::path> providers;
};

class Worker {
public:
    Worker(std::string name, ProfileLocation location);
    ~Worker();  // cancels the running job, drops queued ones, joins
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // `work` runs on the worker; then `done` or `failed` (Cancelled too) on the UI thread if
    // `owner` is still open; `progress` likewise while it runs. Returns the job's cancel token.
    template <typename T>
    std::shared_ptr<CancelToken> run(wxWindow* owner, std::function<T(const JobContext&)> work,
                                     std::function<void(T)> done, std::function<void(const Error&)> failed,
                                     std::function<void(const JobProgress&)> progress = {}) {
        auto cancel = std::make_shared<CancelToken>();
        wxWeakRef<wxWindow> weak(owner);
        auto report = [weak, progress](JobProgress p) {
            if (!progress) return;
            back_to_ui([weak, progress, p = std::move(p)] {
                if (weak) progress(p);
            });
        };
        post(cancel, [weak, cancel, report, work = std::move(work), done = std::move(done),
                      failed = std::move(failed)](accounts::MailProfile* profile,
                                                  const std::optional<Error>& open_error) mutable {
            try {
                if (!profile) throw *open_error;
                if (cancel->cancelled()) throw Error(ErrorCategory::Cancelled, "Cancelled.");
                auto result = std::make_shared<T>(work(JobContext(*profile, cancel, report)));
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
        return cancel;
    }

    // Cancels the running job and every queued one (they end in `failed` with Cancelled).
    void cancel_all();
    const std::string& name() const { return name_; }

private:
    using Job = std::function<void(accounts::MailProfile*, const std::optional<Error>&)>;
    static void back_to_ui(std::function<void()> call);
    void post(std::shared_ptr<CancelToken> cancel, Job job);
    void loop();

    std::string name_;
    ProfileLocation location_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::pair<std::shared_ptr<CancelToken>, Job>> jobs_;
    std::shared_ptr<CancelToken> running_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tern::ui
