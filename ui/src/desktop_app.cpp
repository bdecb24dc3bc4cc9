#include "tern/ui/desktop_app.hpp"

#include "html_view.hpp"
#include "mail_service.hpp"
#include "main_frame.hpp"
#include "ui_language.hpp"
#include "tern/core/error.hpp"
#include "tern/core/logging.hpp"
#include "tern/core/profile_paths.hpp"

#include <spdlog/spdlog.h>
#include <wx/app.h>
#include <wx/init.h>
#include <wx/msgdlg.h>

#include <cstdio>
#include <exception>
#include <memory>

namespace tern::ui {
namespace {

int exit_code = 0;

class DesktopApp : public wxApp {
public:
    explicit DesktopApp(DesktopOptions options) : options_(std::move(options)) {}

    bool OnInit() override {
        // wx's own command-line parser would reject Tern's options; app/ has parsed them already.
        SetAppName("Tern");
        SetAppDisplayName("Tern");
        try {
            LoggingOptions logging;
            logging.directory = resolve_profile_dir(options_.home) / "logs";
            init_logging(logging);
        } catch (const Error& e) {
            // Without a log the app still works; the profile error shows in the window.
            std::fprintf(stderr, "tern: %s\n", e.message().c_str());
        }
        spdlog::info("tern starting");
        // Before the first window: right-to-left languages mirror the windows created after it.
        apply_ui_language(options_.language);
        service_ = std::make_unique<MailService>(
            ProfileLocation{resolve_profile_dir(options_.home), options_.providers});
        auto* frame = new MainFrame(options_, *service_);
        frame->Show();
        return true;
    }

    // The language's direction (wx's own answer needs the C library's locale for the language).
    wxLayoutDirection GetLayoutDirection() const override { return ui_layout_direction(); }

    // wx would print the exception's text unredacted: hand it to Tern's crash handler instead
    // (wx calls this inside its catch block, so the exception is still current).
    void OnUnhandledException() override { std::terminate(); }

    int OnRun() override {
        wxApp::OnRun();
        return exit_code;
    }

    int OnExit() override {
        service_.reset();
        spdlog::info("tern exiting");
        shutdown_logging();
        return wxApp::OnExit();
    }

private:
    DesktopOptions options_;
    std::unique_ptr<MailService> service_;
};

}  // namespace

void set_exit_code(int code) { exit_code = code; }

int run_desktop_app(char** argv, const DesktopOptions& options) {
    if (options.check_html_view) {
        const wxInitializer initializer;  // wx's base only: no display needed
        wxString why;
        if (const auto path = load_html_view_plugin(why)) {
            std::printf("html view: %s\n", path->c_str());
            return 0;
        }
        std::fprintf(stderr, "tern: %s\n", why.utf8_string().c_str());
        return 1;
    }
    wxApp::SetInstance(new DesktopApp(options));
    int wx_argc = 1;  // only the program name: Tern's options are not wx's
    return wxEntry(wx_argc, argv);
}

}  // namespace tern::ui
