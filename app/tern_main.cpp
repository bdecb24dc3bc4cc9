// The desktop program. Options are parsed here, before wxWidgets starts, so that --version and
// --help work without a display.
#include "tern/core/build_config.hpp"
#include "tern/core/crash_handler.hpp"
#include "tern/ui/desktop_app.hpp"

#include <CLI/CLI.hpp>

#include <string>

int main(int argc, char** argv) {
    tern::install_crash_handler("tern");
    CLI::App cli{"Tern: mail for Outlook.com, Microsoft 365 and any IMAP server", "tern"};
    cli.set_version_flag("--version", std::string("tern ") + tern::build::version);
    tern::ui::DesktopOptions options;
    std::string home;
    std::string providers;
    cli.add_option("--home", home, "Profile folder (default: TERN_HOME, then the platform's data folder)");
    cli.add_option("--providers", providers, "Provider definitions file replacing the built-in one");
    cli.add_flag("--exit-when-ready", options.exit_when_ready,
                 "Open the profile, print one status line and quit (for tests)");
    std::string lang;
    cli.add_option("--lang", lang, "Language of the windows: ar, cs, el, sv or en (default: the system's)");
    bool no_sync = false;
    cli.add_flag("--no-sync", no_sync, "Do not get mail when the window opens (read what is stored)");
    std::string mailto;
    cli.add_option("link", mailto, "A mailto: link: opens the composer on it (as the desktop's mail handler)")
        ->check([](const std::string& text) -> std::string {
            return text.rfind("mailto:", 0) == 0 || text.rfind("MAILTO:", 0) == 0 ? "" : "not a mailto: link: " + text;
        });
    cli.add_flag("--check-html-view", options.check_html_view,
                 "Load the reader's HTML view plug-in, print where it is (or why not) and quit");
    // GTK's own options (--display, --sync, ...) are left for GTK.
    cli.allow_extras();
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = cli.exit(e);
        return code == 0 ? 0 : 2;
    }
    options.sync_at_start = !no_sync;
    if (!home.empty()) options.home = home;
    if (!providers.empty()) options.providers = providers;
    if (!lang.empty()) options.language = lang;
    if (!mailto.empty()) options.mailto = mailto;
    return tern::ui::run_desktop_app(argv, options);
}
