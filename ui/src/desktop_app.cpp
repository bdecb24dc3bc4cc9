#include "tern/ui/desktop_app.hpp"

#include "composer_frame.hpp"
#include "html_view.hpp"
#include "mail_service.hpp"
#include "single_instance.hpp"
#include "main_frame.hpp"
#include "ui_language.hpp"
#include "tern/core/error.hpp"
#include "tern/core/logging.hpp"
#include "tern/core/profile_paths.hpp"

#include <spdlog/spdlog.h>
#include <wx/app.h>
#include <wx/init.h>
#include <wx/weakref.h>
#include <wx/msgdlg.h>

#include <csignal>
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
        const auto profile_dir = resolve_profile_dir(options_.home);
        // A Tern already on this profile takes the request (a mailto: link) and this start ends.
        if (!options_.exit_when_ready) {
            std::error_code ignored;
            std::filesystem::create_directories(profile_dir, ignored);
            InstanceRequest request;
            if (options_.mailto) request.mailto = wxString::FromUTF8(*options_.mailto);
            if (single_instance_.hand_over_or_listen(profile_dir, request, [this](const InstanceRequest& r) {
                    if (frame_) frame_->handle_request(r.mailto.utf8_string());
                })) {
                CallAfter([this] { ExitMainLoop(); });  // handed over: no window, exit code 0
                return true;
            }
        }
        // Before the first window: right-to-left languages mirror the windows created after it.
        apply_ui_language(options_.language);
        service_ = std::make_unique<MailService>(ProfileLocation{profile_dir, options_.providers});
        frame_ = new MainFrame(options_, *service_);
        frame_->Show();
#if defined(__UNIX__)
        // Logging out (SIGTERM, SIGHUP) or Ctrl-C ends Tern as Quit does: every composer keeps its
        // text as a draft, the log is flushed. wx runs the handler from its event loop.
        for (int signal : {SIGTERM, SIGHUP, SIGINT}) SetSignalHandler(signal, &DesktopApp::quit_on_signal);
#endif
        return true;
    }

    static void quit_on_signal(int signal) {
        spdlog::info("tern: signal {}: closing the windows", signal);
        ComposerFrame::close_all();
        for (auto* window : wxTopLevelWindows)
            if (auto* frame = dynamic_cast<MainFrame*>(window)) frame->Close(true);
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
    SingleInstance single_instance_;
    std::unique_ptr<MailService> service_;
    wxWeakRef<MainFrame> frame_;
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
