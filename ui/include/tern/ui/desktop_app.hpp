// Entry point of the desktop program; app/ parses the command line and hands over here.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace tern::ui {

struct DesktopOptions {
    std::optional<std::filesystem::path> home;       // --home
    std::optional<std::filesystem::path> providers;  // --providers
    // For tests: print one line ("ready: ..." or "error: ...") once the profile is loaded, then quit.
    bool exit_when_ready = false;
    // Get mail for every account when the window opens, then every few minutes (--no-sync: not).
    bool sync_at_start = true;
    // The language of the windows (--lang: "cs", "ar", ...); without it, the system's.
    std::optional<std::string> language;
    // `tern mailto:...` (a link the desktop hands over): the composer opens on it once the
    // accounts are loaded, from the first account (after the setup wizard when there is none).
    std::optional<std::string> mailto;
    // --check-html-view: load the reader's HTML view plug-in, say where it is (or why not), quit.
    bool check_html_view = false;
};

// Runs the wx event loop until the last window closes; returns the process exit code.
// Only argv[0] is passed on to wxWidgets.
int run_desktop_app(char** argv, const DesktopOptions& options);

// The code run_desktop_app returns once the event loop ends (0 unless set).
void set_exit_code(int code);

}  // namespace tern::ui
