// One Tern per profile: a second start (the desktop opening `tern mailto:...` while Tern runs)
// hands its request to the running one and quits, instead of opening a second window that would
// sync the same profile. The running program listens on a Unix domain socket in its profile
// folder (wx's IPC, a named pipe-like DDE emulation on Windows), guarded by wxSingleInstanceChecker.
#pragma once

#include <wx/ipc.h>  // wxServer is a macro for the platform's class
#include <wx/string.h>

#include <filesystem>
#include <functional>
#include <memory>

class wxSingleInstanceChecker;

namespace tern::ui {

// What a second start asks the running one: open a composer on a mailto: link, or just come forward.
struct InstanceRequest {
    wxString mailto;  // empty: raise the window
};

class SingleInstance {
public:
    // Claims the profile for this process. When another process holds it, hands `request` to that
    // one: true means it was taken and this process should quit. When nobody holds it (or the
    // holder does not answer, e.g. it is starting or hung), this process goes on and listens;
    // `on_request` then runs on the UI thread for each request another start hands over.
    bool hand_over_or_listen(const std::filesystem::path& profile_dir, const InstanceRequest& request,
                             std::function<void(const InstanceRequest&)> on_request);
    SingleInstance();
    ~SingleInstance();

private:
    std::unique_ptr<wxSingleInstanceChecker> checker_;
    std::unique_ptr<wxServer> server_;
};

}  // namespace tern::ui
