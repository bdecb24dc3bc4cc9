// The one service the desktop app's windows talk to (DESIGN §1): a worker that reads the store
// for the windows, one worker per account that owns its server connections (sync, send, body
// downloads, flag changes), and one for the devices pane's sign-ins. Windows hand it work and get
// results back on the UI thread; they never touch the network or the database themselves.
#pragma once

#include "worker.hpp"

#include "tern/ui/desktop_app.hpp"

#include <map>
#include <memory>
#include <mutex>

namespace tern::ui {

class MailService {
public:
    explicit MailService(ProfileLocation location);
    ~MailService();  // cancels every job and joins the workers
    MailService(const MailService&) = delete;
    MailService& operator=(const MailService&) = delete;

    const ProfileLocation& location() const { return location_; }

    // Reads of the local store for the windows (folder tree, message list, reader, search).
    Worker& store() { return *store_; }
    // The account's own worker: everything that talks to its servers, in order.
    Worker& account(std::int64_t account_id);
    // Device sign-ins, tests and the relay's settings.
    Worker& devices() { return *devices_; }
    // The setup wizard's server search and sign-in (an account that does not exist yet).
    Worker& setup() { return account(setup_worker_id); }

    void cancel_all();

private:
    static constexpr std::int64_t setup_worker_id = 0;  // account ids start at 1
    ProfileLocation location_;
    std::unique_ptr<Worker> store_;
    std::unique_ptr<Worker> devices_;
    std::mutex mutex_;
    std::map<std::int64_t, std::unique_ptr<Worker>> accounts_;
};

}  // namespace tern::ui
