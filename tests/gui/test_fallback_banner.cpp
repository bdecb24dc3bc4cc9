// The fallback banner (DESIGN §4) as a person meets it: carol's Microsoft account syncs while the
// identity platform presents a certificate nobody trusts; the window asks for her password (the
// test types it into the real dialog), switches her to the password servers and says why on the
// banner; once the platform is healthy, "Try Microsoft sign-in again" brings OAuth back and the
// banner goes away. The window's words are compared in the run's language, the core's reason in
// English (as the core words it).
#include "gui_cli.hpp"
#include "gui_harness.hpp"

#include "main_frame.hpp"

#include <catch2/catch.hpp>

#include <wx/button.h>
#include <wx/intl.h>
#include <wx/textdlg.h>
#include <wx/timer.h>

using namespace tern;
using namespace tern::gui_test;

namespace {

// Answers the password dialog when it opens, as a person would: types the password, presses OK.
class PasswordTyper : public wxTimer {
public:
    explicit PasswordTyper(std::string password) : password_(std::move(password)) { Start(100); }
    void Notify() override {
        for (auto* window : wxTopLevelWindows) {
            auto* dialog = dynamic_cast<wxPasswordEntryDialog*>(window);
            if (!dialog || !dialog->IsModal()) continue;
            dialog->SetValue(wxString::FromUTF8(password_));
            dialog->EndModal(wxID_OK);
            ++answered_;
        }
    }
    int answered() const { return answered_; }

private:
    std::string password_;
    int answered_ = 0;
};

wxButton* button_labelled(wxWindow* parent, const wxString& label) {
    for (auto* child : parent->GetChildren()) {
        if (auto* button = dynamic_cast<wxButton*>(child); button && button->GetLabel() == label) return button;
        if (auto* found = button_labelled(child, label)) return found;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("fallback banner: shown with the reason when Microsoft sign-in fails, gone when it works again",
          "[fallback][env]") {
    test::TestEnvironment env;
    env.admin("/admin/reset", "{}");
    env.admin("/admin/device/settings", R"({"interval": 1})");
    TempProfile home;
    const auto carol = env.get("OAUTH_USER1");
    add_account_by_device_code(env, home.dir(), carol);

    env.admin("/admin/tls", R"({"cert": "unknown-ca"})");
    PasswordTyper typer(env.get("OAUTH_USER1_PASSWORD"));
    ui::DesktopOptions options;
    options.home = home.dir();
    ui::MailService service(ui::ProfileLocation{home.dir(), std::filesystem::path(env.get("TERN_PROVIDERS"))});
    auto* frame = new ui::MainFrame(options, service);
    frame->Show();

    REQUIRE(pump_until([&] { return frame->fallback_banner_shown(); }, std::chrono::seconds(90)));
    CHECK(typer.answered() == 1);
    const auto account = frame->folder_tree()->accounts().at(0).account;
    CHECK(account.mode == accounts::AccountMode::PasswordFallback);
    REQUIRE(account.fallback_reason);
    CHECK_THAT(*account.fallback_reason,
               Catch::StartsWith("the certificate of Microsoft's sign-in service was not accepted"));
    // The sync went on over the password servers: the folders are there.
    REQUIRE(pump_until([&] { return !frame->folder_tree()->accounts().at(0).folders.empty(); }, std::chrono::seconds(60)));
    CHECK(frame->syncs_finished() >= 1);
    save_screenshot(frame, "fallback-banner");

    // Still broken: trying again keeps the banner and says so.
    CHECK(frame->fallback_banner()->text().utf8_string() ==
          wxString::Format(_("%s: Using password sign-in because Microsoft sign-in failed: %s"), wxString::FromUTF8(carol),
                           wxString::FromUTF8(*account.fallback_reason))
              .utf8_string());
    auto* retry = button_labelled(frame->fallback_banner(), _("Try Microsoft sign-in again"));
    REQUIRE(retry != nullptr);
    auto press = [&] {
        wxCommandEvent click(wxEVT_BUTTON, retry->GetId());
        click.SetEventObject(retry);
        retry->GetEventHandler()->ProcessEvent(click);
    };
    press();
    // The window's sentence around the core's, which says why in its words.
    const auto status = [&] { return frame->GetStatusBar()->GetStatusText().utf8_string(); };
    REQUIRE(pump_until([&] { return has_translated_form(status(), "Microsoft sign-in still fails: %s"); },
                       std::chrono::seconds(60)));
    CHECK_THAT(status(), Catch::Contains("still fails (the certificate of Microsoft's sign-in service was not accepted"));
    CHECK(frame->fallback_banner_shown());

    env.admin("/admin/tls", R"({"cert": "good"})");
    press();
    REQUIRE(pump_until([&] { return !frame->fallback_banner_shown() &&
                                    frame->folder_tree()->accounts().at(0).account.mode == accounts::AccountMode::OAuth; },
                       std::chrono::seconds(60)));
    CHECK(status() == _("Microsoft sign-in works again: the account uses it from now on.").utf8_string());
    save_screenshot(frame, "fallback-banner-gone");

    frame->Destroy();
    pump_for(std::chrono::milliseconds(100));
    env.admin("/admin/reset", "{}");
}
